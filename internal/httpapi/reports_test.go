package httpapi_test

import (
	"fmt"
	"strings"
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

		if raw := agent.do("GET", "/api/v1/reports/summary?from=2026-11-02&to=2026-11-02", nil).must(t, 200).body; strings.Contains(string(raw), "business") {
			t.Fatalf("business seconds without business hours: %s", raw)
		}

		csv := agent.do("GET", "/api/v1/reports/summary?from=2026-11-02&to=2026-11-02&format=csv", nil).must(t, 200)
		wantCSV := "key,created,solved,reopened,first_response_p50_s,first_response_p90_s,resolution_p50_s,resolution_p90_s,csat_responses,csat_good_pct," +
			"first_response_business_p50_s,first_response_business_p90_s,resolution_business_p50_s,resolution_business_p90_s\n" +
			"2026-11-02,2,1,1,,,3600,3600,0,,,,,\n"
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

// TestReportBusinessSecondsAPI: once business hours exist, rows carry the
// business percentiles, by the calendar of the ticket's SLA policy: a
// ticket opened Monday 10:00 and solved at 18:00 worked 7 of its 8 hours
// (the office closes at 17:00); first responses, none, are null.
func TestReportBusinessSecondsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		var bh struct{ ID int64 }
		week := []map[string]any{}
		for d := 1; d <= 5; d++ {
			week = append(week, map[string]any{"day": d, "start": "09:00", "end": "17:00"})
		}
		admin.do("POST", "/api/v1/business-hours", map[string]any{"name": "Office", "timezone": "UTC", "week": week}).must(t, 201).json(t, &bh)
		admin.do("POST", "/api/v1/sla-policies", map[string]any{"name": "Printers", "resolution_minutes": 600, "business_hours_id": bh.ID,
			"conditions": []map[string]string{{"field": "subject", "op": "contains", "value": "printer"}}}).must(t, 201)
		id := h.newTicket(1, "")
		h.clock.advance(8 * time.Hour)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"status": "solved"}).must(t, 200)

		var got struct {
			Rows []map[string]any `json:"rows"`
		}
		agent.do("GET", "/api/v1/reports/summary?from=2026-11-01&to=2026-11-02", nil).must(t, 200).json(t, &got)
		want := []string{
			"map[created:0 csat_responses:0 first_response_business_p50_s:<nil> first_response_business_p90_s:<nil> first_response_p50_s:<nil> first_response_p90_s:<nil> " +
				"key:2026-11-01 reopened:0 resolution_business_p50_s:<nil> resolution_business_p90_s:<nil> resolution_p50_s:<nil> resolution_p90_s:<nil> solved:0]",
			"map[created:1 csat_responses:0 first_response_business_p50_s:<nil> first_response_business_p90_s:<nil> first_response_p50_s:<nil> first_response_p90_s:<nil> " +
				"key:2026-11-02 reopened:0 resolution_business_p50_s:25200 resolution_business_p90_s:25200 resolution_p50_s:28800 resolution_p90_s:28800 sla_met_pct:100 solved:1]",
		}
		if len(got.Rows) != 2 || fmt.Sprint(got.Rows[0]) != want[0] || fmt.Sprint(got.Rows[1]) != want[1] {
			t.Fatalf("rows\n%v\nwant\n%v", got.Rows, want)
		}
		csv := agent.do("GET", "/api/v1/reports/summary?from=2026-11-02&to=2026-11-02&format=csv", nil).must(t, 200)
		if lines := strings.Split(string(csv.body), "\n"); len(lines) != 3 || lines[1] != "2026-11-02,1,1,0,,,28800,28800,0,,,,25200,25200" {
			t.Fatalf("csv %q", csv.body)
		}
	})
}
