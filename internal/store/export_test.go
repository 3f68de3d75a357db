package store

import (
	"context"
	"fmt"
)

// SetTicketTags replaces a ticket's tags, for tests that set them up
// outside the change path (which writes them with ChangeTicketTags).
func (s *Store) SetTicketTags(ctx context.Context, q Querier, id int64, tags []string) error {
	if _, err := q.Exec(ctx, `DELETE FROM ticket_tags WHERE ticket_id = $1`, id); err != nil {
		return fmt.Errorf("set tags of ticket %d: %w", id, err)
	}
	for _, t := range tags {
		if _, err := q.Exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)`, id, t); err != nil {
			return fmt.Errorf("set tags of ticket %d: %w", id, err)
		}
	}
	return nil
}

// SetSearchDense changes the match count from which SQLite search walks
// tickets by activity, so tests run both plans on small data.
func SetSearchDense(s *Store, n int) { s.searchDense = n }

// ReportSessionSettings is, on PostgreSQL, the work_mem and
// max_parallel_workers_per_gather a report grouped by g runs its statements
// with (in a transaction of a report's snapshot, as reportRun does).
func ReportSessionSettings(ctx context.Context, s *Store, g ReportGroup) (workMem, parallel string, err error) {
	snap, err := s.beginReportSnapshot(ctx, "report_facts")
	if err != nil {
		return "", "", err
	}
	defer snap.end()
	err = s.inReportSnapshot(ctx, snap.id, reportSettings(g), func(q Querier) error {
		return q.QueryRow(ctx, `SELECT current_setting('work_mem'), current_setting('max_parallel_workers_per_gather')`).Scan(&workMem, &parallel)
	})
	return workMem, parallel, err
}
