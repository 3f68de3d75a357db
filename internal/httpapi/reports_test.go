package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

type apiReportRow struct {
	Key               string `json:"key"`
	Created           int64  `json:"created"`
	Solved            int64  `json:"solved"`
	Reopened          int64  `json:"reopened"`
	FirstResponseP50S *int64 `json:"first_response_p50_s"`
	FirstResponseP90S *int64 `json:"first_response_p90_s"`
	ResolutionP50S    *int64 `json:"resolution_p50_s"`
	ResolutionP90S    *int64 `json:"resolution_p90_s"`
	CsatResponses     int64  `json:"csat_responses"`
}

// TestReportSummaryAPI: tickets changed through the API show in the report
// as JSON and as CSV: one solved after an hour, one solved and re-opened.
func TestReportSummaryAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		a, b := h.newTicket(1, ""), h.newTicket(2, "")
		h.clock.advance(time.Hour)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", a), map[string]any{"status": "solved"}).must(t, 200)
		h.clock.advance(time.Hour)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", b), map[string]any{"status": "solved"}).must(t, 200)
		h.clock.advance(time.Hour)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", b), map[string]any{"status": "open"}).must(t, 200)

		var got struct {
			Rows []apiReportRow `json:"rows"`
		}
		agent.do("GET", "/api/v1/reports/summary?from=2026-11-01&to=2026-11-02&group=day", nil).must(t, 200).json(t, &got)
		hour := int64(3600)
		want := []apiReportRow{{Key: "2026-11-01"},
			{Key: "2026-11-02", Created: 2, Solved: 1, Reopened: 1, ResolutionP50S: &hour, ResolutionP90S: &hour}}
		if fmt.Sprint(derefRows(got.Rows)) != fmt.Sprint(derefRows(want)) {
			t.Fatalf("rows %v, want %v", derefRows(got.Rows), derefRows(want))
		}

		csv := agent.do("GET", "/api/v1/reports/summary?from=2026-11-02&to=2026-11-02&format=csv", nil).must(t, 200)
		wantCSV := "key,created,solved,reopened,first_response_p50_s,first_response_p90_s,resolution_p50_s,resolution_p90_s,csat_responses,csat_good_pct\n" +
			"2026-11-02,2,1,1,,,3600,3600,0,\n"
		if string(csv.body) != wantCSV || csv.header.Get("Content-Type") != "text/csv" {
			t.Fatalf("csv %q (%s), want %q", csv.body, csv.header.Get("Content-Type"), wantCSV)
		}

		// By team: neither ticket has one (the key is "").
		agent.do("GET", "/api/v1/reports/summary?from=2026-11-02&to=2026-11-02&group=team", nil).must(t, 200).json(t, &got)
		if want := []apiReportRow{{Key: "", Created: 2, Solved: 1, Reopened: 1, ResolutionP50S: &hour, ResolutionP90S: &hour}}; fmt.Sprint(derefRows(got.Rows)) != fmt.Sprint(derefRows(want)) {
			t.Fatalf("by team: rows %v, want %v", derefRows(got.Rows), derefRows(want))
		}

		for _, c := range []struct {
			query  string
			status int
			field  string
		}{
			{"group=year", 400, ""},
			{"team=x", 400, ""},
			{"from=yesterday", 400, "from"},
			{"from=2026-11-03&to=2026-11-02", 422, "from"},
			{"from=2020-01-01&to=2026-11-02", 422, "from"},
		} {
			t.Run(c.query, func(t *testing.T) {
				r := agent.do("GET", "/api/v1/reports/summary?"+c.query, nil).must(t, c.status)
				if _, field := r.errorOf(t); c.field != "" && field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
		h.anon().do("GET", "/api/v1/reports/summary", nil).must(t, 401)
	})
}

func derefRows(rows []apiReportRow) []string {
	p := func(v *int64) string {
		if v == nil {
			return "null"
		}
		return fmt.Sprint(*v)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s:%d/%d/%d/%s/%s/%s/%s/%d", r.Key, r.Created, r.Solved, r.Reopened,
			p(r.FirstResponseP50S), p(r.FirstResponseP90S), p(r.ResolutionP50S), p(r.ResolutionP90S), r.CsatResponses))
	}
	return out
}
