package ticket

import (
	"cmp"
	"context"
	"slices"

	"github.com/ticketer/ticketer/internal/store"
)

// Stage orders hooks: every change runs the hooks of each stage in this
// order, and within a stage in the order they were registered. The order is
// fixed so that each stage sees what the earlier ones did: rules may change
// the ticket (their changes run the hooks again, one level deeper), SLA
// timers see the result, and notifications and webhooks report it.
type Stage int

// Hook stages, in the order they run.
const (
	StageAudit         Stage = iota // the audit trail (built in, always first)
	StageRules                      // automation rules
	StageAssignment                 // teams' automatic assignment (built in, teams.go)
	StageSLA                        // SLA timers
	StageNotifications              // notifications to agents
	StageWebhooks                   // outgoing webhooks
)

// Hook runs inside the transaction of every ticket change, after its writes.
// It sees the change as applied (the state before and after, the audit
// entries) and may return further changes, which go through the same path
// at once, running every hook one level deeper, before the next hook runs
// (TicketID 0 means the same ticket); later hooks see the result in After.
// An error rolls the whole change back.
type Hook struct {
	Stage Stage
	Name  string
	Run   func(ctx context.Context, tx *store.Tx, a Applied) ([]Change, error)
}

// orderHooks puts the built-in audit hook first and the others by stage,
// keeping the registration order within a stage; the automation rules
// (rulehook.go), automatic assignment (teams.go), SLA clocks (sla.go) and
// the satisfaction survey (csat.go) are built in too, first of their stages.
func orderHooks(s *Service, extra []Hook) []Hook {
	hooks := append([]Hook{s.auditHook(), s.rulesHook(), s.assignHook(), s.slaHook(), s.csatHook()}, extra...)
	slices.SortStableFunc(hooks, func(a, b Hook) int { return cmp.Compare(a.Stage, b.Stage) })
	return hooks
}

// auditHook writes the change's audit entries: who, what, before, after, when.
func (s *Service) auditHook() Hook {
	return Hook{Stage: StageAudit, Name: "audit", Run: func(ctx context.Context, tx *store.Tx, a Applied) ([]Change, error) {
		list := make([]store.Event, 0, len(a.Events))
		for _, e := range a.Events {
			by := a.Actor
			if e.by != nil {
				by = *e.by
			}
			list = append(list, store.Event{TicketID: a.TicketID, ActorID: by.UserID, Actor: by.Name,
				Kind: string(e.Kind), Field: e.Field, OldValue: e.OldValue, NewValue: e.NewValue, CreatedAt: a.At})
		}
		// One statement for them all.
		return nil, s.store.AddEvents(ctx, tx, list)
	}}
}
