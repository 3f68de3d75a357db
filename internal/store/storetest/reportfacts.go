package storetest

import (
	"context"
	"fmt"

	"github.com/ticketer/ticketer/internal/store"
)

// UndoReportFacts takes a database back to before migration 0145 (the
// report's facts table, its triggers and the re-open index), 0170 (the
// per-tag facts built on it) and 0180 (statistics on the facts), so that
// Migrate applies them again and their backfills run over what is stored:
// the backfills' test, and the benchmark whose bulk load bypasses triggers.
func UndoReportFacts(ctx context.Context, db *store.DB) error {
	undo := []string{`DROP TABLE report_tag_facts`}
	if db.Dialect == store.Postgres {
		undo = append(undo, `DROP TRIGGER report_tag_facts_tag ON ticket_tags`, `DROP TRIGGER report_tag_facts_facts ON report_facts`,
			`DROP FUNCTION ticketer_report_tag_facts_tag()`, `DROP FUNCTION ticketer_report_tag_facts_facts()`)
	} else {
		for _, tr := range []string{"report_tag_facts_tag_ai", "report_tag_facts_tag_ad", "report_tag_facts_tag_au",
			"report_tag_facts_facts_ai", "report_tag_facts_facts_au", "report_tag_facts_facts_ad"} {
			undo = append(undo, `DROP TRIGGER `+tr)
		}
	}
	undo = append(undo, `DELETE FROM schema_migrations WHERE version = 170`, `DROP INDEX ticket_events_reopen`, `DROP TABLE report_facts`)
	if db.Dialect == store.Postgres {
		undo = append(undo, `DROP TRIGGER report_facts_ticket_ai ON tickets`, `DROP TRIGGER report_facts_ticket_au ON tickets`,
			`DROP TRIGGER report_facts_sla ON ticket_sla`, `DROP FUNCTION ticketer_report_facts_ticket()`,
			`DROP FUNCTION ticketer_report_facts_sla()`, `DROP FUNCTION ticketer_epoch_s(TIMESTAMPTZ)`)
	} else {
		for _, tr := range []string{"report_facts_ticket_ai", "report_facts_ticket_au", "report_facts_sla_ai", "report_facts_sla_au", "report_facts_sla_ad"} {
			undo = append(undo, `DROP TRIGGER `+tr)
		}
	}
	// 0180's statistics went with the table: applied again after 0145.
	undo = append(undo, `DELETE FROM schema_migrations WHERE version IN (145, 180)`)
	for _, stmt := range undo {
		if _, err := db.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}
