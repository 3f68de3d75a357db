package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// reportRows is the rows' keys and figures, one line each.
func reportRows(rows []store.ReportRow) string {
	p := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	out := ""
	for _, r := range rows {
		out += fmt.Sprintf("[%s c%d s%d r%s/%s b%v %s/%s]", r.Key, r.Created, r.Solved, p(r.ResolutionP50), p(r.ResolutionP90),
			r.Business, p(r.ResolutionBusinessP50), p(r.ResolutionBusinessP90))
	}
	return out
}

// TestReportSummary: day and week reports have a row for every period,
// others a row per key; business seconds are asked for once business hours
// exist, each ticket counted by its SLA policy's calendar.
func TestReportSummary(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn) // Monday 2026-11-02 10:00 UTC
		agent := e.agent()
		solve := func(id int64) {
			if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Status: status(domain.StatusSolved)}); err != nil {
				t.Fatal(err)
			}
		}
		report := func(in ticket.ReportInput) string {
			rows, err := e.svc.ReportSummary(e.ctx, agent, in)
			if err != nil {
				t.Fatalf("%+v: %v", in, err)
			}
			return reportRows(rows)
		}
		a := e.importMsg(e.mb, msg("From: a@customer.test", "Subject: Help", "Message-ID: <a@customer.test>")).TicketID
		e.now = e.now.Add(time.Hour)
		solve(a)
		for _, c := range []struct {
			in   ticket.ReportInput
			want string
		}{
			{ticket.ReportInput{From: "2026-11-01", To: "2026-11-03"}, "[2026-11-01 c0 s0 r-/- bfalse -/-][2026-11-02 c1 s1 r3600/3600 bfalse -/-][2026-11-03 c0 s0 r-/- bfalse -/-]"},
			{ticket.ReportInput{Group: "week", From: "2026-10-31", To: "2026-11-09"}, "[2026-10-26 c0 s0 r-/- bfalse -/-][2026-11-02 c1 s1 r3600/3600 bfalse -/-][2026-11-09 c0 s0 r-/- bfalse -/-]"},
			{ticket.ReportInput{Group: "mailbox", From: "2026-11-01", To: "2026-11-03"}, "[support@acme.test c1 s1 r3600/3600 bfalse -/-]"},
		} {
			if got := report(c.in); got != c.want {
				t.Errorf("%+v:\n%s\nwant\n%s", c.in, got, c.want)
			}
		}
		if _, err := e.svc.ReportSummary(e.ctx, agent, ticket.ReportInput{Group: "month"}); !isKind(err, domain.KindBadRequest) {
			t.Fatalf("a bad group: %v", err)
		}

		// Business hours Monday to Friday, 9 to 17: printers are counted by
		// them, other tickets by a policy without a calendar.
		var week []sla.Period
		for d := 1; d <= 5; d++ {
			week = append(week, sla.Period{Day: d, Start: "09:00", End: "17:00"})
		}
		bh, err := e.svc.SaveBusinessHours(e.ctx, 0, ticket.BusinessHoursInput{Name: ptr("Office"), Timezone: ptr("UTC"), Week: &week})
		if err != nil {
			t.Fatal(err)
		}
		e.policy("Printers", []rules.Condition{{Field: "subject", Op: "contains", Value: "printer"}}, 0, 0, 600, bh.ID)
		e.policy("Others", nil, 0, 0, 600, 0)
		b := e.importMsg(e.mb, msg("From: b@customer.test", "Subject: Printer", "Message-ID: <b@customer.test>")).TicketID
		c := e.importMsg(e.mb, msg("From: c@customer.test", "Subject: Other", "Message-ID: <c@customer.test>")).TicketID
		for id, tag := range map[int64]string{b: "b", c: "c"} {
			if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Tags: &[]string{tag}}); err != nil {
				t.Fatal(err)
			}
		}
		e.now = e.now.Add(8 * time.Hour) // 19:00: 6 working hours after 11:00
		solve(b)
		solve(c)
		for _, c := range []struct {
			in   ticket.ReportInput
			want string
		}{
			{ticket.ReportInput{From: "2026-11-02", To: "2026-11-02", Tag: "b"}, "[2026-11-02 c1 s1 r28800/28800 btrue 21600/21600]"},
			{ticket.ReportInput{From: "2026-11-02", To: "2026-11-02", Tag: "c"}, "[2026-11-02 c1 s1 r28800/28800 btrue 28800/28800]"},
			{ticket.ReportInput{Group: "tag", From: "2026-11-02", To: "2026-11-02"}, "[b c1 s1 r28800/28800 btrue 21600/21600][c c1 s1 r28800/28800 btrue 28800/28800]"},
		} {
			if got := report(c.in); got != c.want {
				t.Errorf("%+v:\n%s\nwant\n%s", c.in, got, c.want)
			}
		}
	})
}
