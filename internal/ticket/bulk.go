package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Bulk changes: many tickets, each through the change path.

// BulkUpdate is one change asked of many tickets.
type BulkUpdate struct {
	IDs      []int64
	Status   *domain.Status
	Priority *domain.Priority
	// AssigneeSet says the assignee changes: to AssigneeID, or unassigned when 0.
	AssigneeSet bool
	AssigneeID  int64
	// TeamSet says the team changes: to TeamID, or none when 0 (each
	// ticket's change runs the team's automatic assignment, as one PATCH).
	TeamSet    bool
	TeamID     int64
	TagsAdd    []string
	TagsRemove []string
}

// Skipped is a ticket a bulk change left alone, and why.
type Skipped struct {
	ID     int64
	Reason string
}

// MaxBulk is the most tickets one bulk change takes; bulkChunk tickets are
// written per transaction, so a long run never holds many locks for long and
// a failure loses at most one chunk's work (never part of a ticket's).
const (
	MaxBulk   = 1000
	bulkChunk = 100
)

// BulkUpdateTickets applies one change to many tickets: each through
// Service.change (its audit events, live event and hooks), bulkChunk
// tickets per transaction. A ticket that does not exist, or whose status
// change the rules refuse, is skipped with the reason; a ticket the change
// would not alter is neither counted nor skipped. It returns how many
// tickets changed.
func (s *Service) BulkUpdateTickets(ctx context.Context, actor store.User, in BulkUpdate) (int, []Skipped, error) {
	if len(in.IDs) == 0 || len(in.IDs) > MaxBulk {
		return 0, nil, domain.Invalid("ids", fmt.Sprintf("1 to %d ticket ids", MaxBulk))
	}
	if in.Status == nil && in.Priority == nil && !in.AssigneeSet && !in.TeamSet && len(in.TagsAdd) == 0 && len(in.TagsRemove) == 0 {
		return 0, nil, domain.Invalid("ids", "nothing to change: give status, priority, assignee_id, team_id, tags_add or tags_remove")
	}
	probe := Change{Status: in.Status, Priority: in.Priority}
	if err := probe.validate(); err != nil {
		return 0, nil, err
	}
	add, err := normalizeTags(in.TagsAdd)
	if err != nil {
		return 0, nil, domain.Invalid("tags_add", err.Error())
	}
	remove, err := normalizeTags(in.TagsRemove)
	if err != nil {
		return 0, nil, domain.Invalid("tags_remove", err.Error())
	}
	if (in.AssigneeSet && in.AssigneeID != 0) || (in.TeamSet && in.TeamID != 0) {
		// An assignee or a team that cannot be is refused before any ticket changes.
		if err := s.db.InTx(ctx, func(tx *store.Tx) error {
			if in.AssigneeSet && in.AssigneeID != 0 {
				if _, err := s.assigneeEmail(ctx, tx, in.AssigneeID, true); err != nil {
					return err
				}
			}
			if in.TeamSet && in.TeamID != 0 {
				if _, err := s.teamName(ctx, tx, in.TeamID, true); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, nil, err
		}
	}
	ids := slices.Clone(in.IDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	updated, skipped := 0, []Skipped{}
	for lo := 0; lo < len(ids); lo += bulkChunk {
		chunk := ids[lo:min(lo+bulkChunk, len(ids))]
		var n int
		var sk []Skipped
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			n, sk = 0, nil // a retried transaction starts over
			var err error
			n, sk, err = s.bulkChunk(ctx, tx, actor, chunk, in, add, remove)
			return err
		})
		if err != nil {
			return updated, skipped, fmt.Errorf("bulk change (%d tickets changed before this chunk): %w", updated, err)
		}
		updated += n
		skipped = append(skipped, sk...)
	}
	return updated, skipped, nil
}

func (s *Service) bulkChunk(ctx context.Context, tx *store.Tx, actor store.User, ids []int64, in BulkUpdate, add, remove []string) (int, []Skipped, error) {
	found, err := s.store.LockTickets(ctx, tx, ids)
	if err != nil {
		return 0, nil, err
	}
	var skipped []Skipped
	for _, id := range ids {
		if !slices.Contains(found, id) {
			skipped = append(skipped, Skipped{ID: id, Reason: "no such ticket"})
		}
	}
	fields, err := s.store.TicketFieldsByID(ctx, tx, found)
	if err != nil {
		return 0, nil, err
	}
	var tags map[int64][]string
	if len(add) > 0 || len(remove) > 0 {
		if tags, err = s.store.TagsByTicket(ctx, tx, found); err != nil {
			return 0, nil, err
		}
	}
	n := 0
	for _, id := range found {
		before := fields[id]
		if in.Status != nil {
			if err := checkTransition(before.Status, *in.Status); err != nil {
				skipped = append(skipped, Skipped{ID: id, Reason: err.Error()})
				continue
			}
		}
		c := Change{TicketID: id, Actor: agentActor(actor), Status: in.Status, Priority: in.Priority, before: &before}
		if in.AssigneeSet {
			a := in.AssigneeID
			c.Assignee = &a
		}
		if in.TeamSet {
			team := in.TeamID
			c.Team = &team
		}
		if len(add) > 0 || len(remove) > 0 {
			next := slices.DeleteFunc(append(slices.Clone(tags[id]), add...), func(t string) bool { return slices.Contains(remove, t) })
			c.Tags = &next
		}
		a, err := s.change(ctx, tx, c)
		var de *domain.Error
		if errors.As(err, &de) {
			// A value the rules refuse for this ticket (e.g. too many tags):
			// the change wrote nothing before refusing, so skip it.
			skipped = append(skipped, Skipped{ID: id, Reason: de.Error()})
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		if a.After != a.Before || a.fieldEvents() {
			n++
		}
	}
	return n, skipped, nil
}
