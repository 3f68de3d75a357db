package httpapi

// The summary report (issue 14), as JSON or CSV.

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// reportColumns are the CSV header, in the JSON row's field names. The
// business-seconds columns come last, so that the first ten stay where
// they were; they are always there (a CSV has no absent cell): empty when
// no business hours exist, as where the JSON says null.
var reportColumns = []string{"key", "created", "solved", "reopened", "first_response_p50_s", "first_response_p90_s",
	"resolution_p50_s", "resolution_p90_s", "csat_responses", "csat_good_pct",
	"first_response_business_p50_s", "first_response_business_p90_s", "resolution_business_p50_s", "resolution_business_p90_s"}

func (s *Server) GetReportSummary(ctx context.Context, req oapi.GetReportSummaryRequestObject) (oapi.GetReportSummaryResponseObject, error) {
	p := req.Params
	in := ticket.ReportInput{From: deref(p.From), To: deref(p.To), Tag: deref(p.Tag)}
	if p.Group != nil {
		in.Group = string(*p.Group)
	}
	if p.Mailbox != nil {
		in.Mailbox = *p.Mailbox
	}
	if p.Team != nil {
		in.Team = *p.Team
	}
	rows, err := s.tickets.ReportSummary(ctx, principalFrom(ctx).User, in)
	if err != nil {
		return nil, err
	}
	if p.Format != nil && *p.Format == oapi.Csv {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(reportColumns)
		for _, r := range rows {
			_ = w.Write([]string{r.Key, itoa(r.Created), itoa(r.Solved), itoa(r.Reopened), optSecs(r.FirstResponseP50),
				optSecs(r.FirstResponseP90), optSecs(r.ResolutionP50), optSecs(r.ResolutionP90), itoa(r.CSATResponses), optPct(goodPct(r)),
				optSecs(r.FirstResponseBusinessP50), optSecs(r.FirstResponseBusinessP90), optSecs(r.ResolutionBusinessP50), optSecs(r.ResolutionBusinessP90)})
		}
		w.Flush()
		return oapi.GetReportSummary200TextcsvResponse{Body: &b, ContentLength: int64(b.Len())}, nil
	}
	return oapi.GetReportSummary200JSONResponse{Rows: convertAll(rows, toReportRow)}, nil
}

func toReportRow(r store.ReportRow) oapi.ReportRow {
	out := oapi.ReportRow{Key: r.Key, Created: r.Created, Solved: r.Solved, Reopened: r.Reopened,
		FirstResponseP50S: nullSecs(r.FirstResponseP50), FirstResponseP90S: nullSecs(r.FirstResponseP90),
		ResolutionP50S: nullSecs(r.ResolutionP50), ResolutionP90S: nullSecs(r.ResolutionP90),
		CsatResponses: r.CSATResponses, CsatGoodPct: goodPct(r), SlaMetPct: r.SLAMetPct}
	if r.Business { // otherwise absent (an unset Nullable is omitted)
		out.FirstResponseBusinessP50S, out.FirstResponseBusinessP90S = nullSecs(r.FirstResponseBusinessP50), nullSecs(r.FirstResponseBusinessP90)
		out.ResolutionBusinessP50S, out.ResolutionBusinessP90S = nullSecs(r.ResolutionBusinessP50), nullSecs(r.ResolutionBusinessP90)
	}
	return out
}

// goodPct is the share of a row's ratings that are good, in percent
// rounded to 0.1 (from the two counts, so it is exact); nil without any.
func goodPct(r store.ReportRow) *float64 {
	if r.CSATResponses == 0 {
		return nil
	}
	tenths := (r.CSATGood*1000 + r.CSATResponses/2) / r.CSATResponses // round half up
	v := float64(tenths) / 10
	return &v
}

func optPct(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func nullSecs(v *int64) nullable.Nullable[int64] {
	if v == nil {
		return nullable.NewNullNullable[int64]()
	}
	return nullable.NewNullableWithValue(*v)
}

// optSecs is a CSV cell: empty where JSON says null.
func optSecs(v *int64) string {
	if v == nil {
		return ""
	}
	return itoa(*v)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
