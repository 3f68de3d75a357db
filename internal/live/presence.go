package live

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// Presence: who is viewing a ticket and who is typing a reply on it
// (collision detection, issue 12 item 9).
//
// A browser on a ticket page announces itself every PresenceHeartbeat
// (POST /api/v1/tickets/{id}/presence) and says whether its agent is
// typing. Nothing is written to a table: an announcement travels like a
// live event (pg_notify on PostgreSQL, so every replica hears every
// announcement, its own included; in process on SQLite) and each replica
// keeps who is where in memory. When what a ticket's viewers see changes
// (someone arrives, leaves, starts or stops typing, or is not heard from
// for PresenceTTL), the replica sends its own subscribers a
// presence.changed event with the ticket's whole list. Heartbeats that
// change nothing send browsers nothing.
const (
	// PresenceHeartbeat is how often a ticket page announces itself.
	PresenceHeartbeat = 10 * time.Second
	// PresenceTTL is how long a viewer counts as present after its last
	// announcement: three heartbeats, so one lost request is not a leave.
	PresenceTTL = 3 * PresenceHeartbeat
	// presenceSweep is how often expired viewers are looked for.
	presenceSweep = time.Second
)

// Event types of presence.
const (
	// PresenceChanged carries a ticket's viewers (Event.Presence) to browsers.
	PresenceChanged = "presence.changed"
	// presenceAnnounce carries one announcement between replicas; browsers
	// never see it.
	presenceAnnounce = "presence.announce"
)

// Viewer is an agent on a ticket's page.
type Viewer struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Typing bool   `json:"typing"`
}

// Presence is a ticket's viewers, in the order they arrived.
type Presence struct {
	Viewers []Viewer `json:"viewers"`
}

// Announcement is one viewer's heartbeat, or its leave.
type Announcement struct {
	Viewer
	Left bool `json:"left,omitempty"`
}

type presenceEntry struct {
	v     Viewer
	since time.Time // arrival: the list's order
	seen  time.Time // last announcement, by this replica's clock
}

// Announce says viewer v is on ticket ticketID (typing or not), and returns
// the ticket's other viewers as this replica knows them.
func (b *Broker) Announce(ctx context.Context, ticketID int64, v Viewer) ([]Viewer, error) {
	if err := b.announce(ctx, Event{Type: presenceAnnounce, TicketID: ticketID, Announce: &Announcement{Viewer: v}}); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(b.Viewers(ticketID), func(o Viewer) bool { return o.UserID == v.UserID }), nil
}

// Leave says user userID left ticket ticketID's page.
func (b *Broker) Leave(ctx context.Context, ticketID, userID int64) error {
	return b.announce(ctx, Event{Type: presenceAnnounce, TicketID: ticketID, Announce: &Announcement{Viewer: Viewer{UserID: userID}, Left: true}})
}

// announce sends an announcement to every replica: through PostgreSQL
// (outside any transaction: it records nothing), or straight to this one.
func (b *Broker) announce(ctx context.Context, ev Event) error {
	if b.db.Dialect != store.Postgres {
		b.applyPresence(ev.TicketID, *ev.Announce)
		return nil
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	if _, err := b.db.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload)); err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	return nil
}

// Viewers lists a ticket's viewers as this replica knows them.
func (b *Broker) Viewers(ticketID int64) []Viewer {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	return b.viewersLocked(ticketID)
}

func (b *Broker) viewersLocked(ticketID int64) []Viewer {
	entries := make([]presenceEntry, 0, len(b.presence[ticketID]))
	for _, e := range b.presence[ticketID] {
		entries = append(entries, *e)
	}
	slices.SortFunc(entries, func(x, y presenceEntry) int {
		if c := x.since.Compare(y.since); c != 0 {
			return c
		}
		return int(x.v.UserID - y.v.UserID)
	})
	out := make([]Viewer, len(entries))
	for i, e := range entries {
		out[i] = e.v
	}
	return out
}

// applyPresence records an announcement heard (from any replica) and tells
// this replica's subscribers when the ticket's list changed.
func (b *Broker) applyPresence(ticketID int64, a Announcement) {
	now := b.now()
	b.pmu.Lock()
	on := b.presence[ticketID]
	e, known := on[a.UserID]
	changed := false
	switch {
	case a.Left:
		if known {
			delete(on, a.UserID)
			if len(on) == 0 {
				delete(b.presence, ticketID)
			}
			changed = true
		}
	case !known:
		if on == nil {
			on = map[int64]*presenceEntry{}
			b.presence[ticketID] = on
		}
		on[a.UserID] = &presenceEntry{v: a.Viewer, since: now, seen: now}
		changed = true
	default:
		changed = e.v != a.Viewer
		e.v, e.seen = a.Viewer, now
	}
	var ev Event
	if changed {
		ev = Event{Type: PresenceChanged, TicketID: ticketID, Presence: &Presence{Viewers: b.viewersLocked(ticketID)}}
	}
	b.pmu.Unlock()
	if changed {
		b.dispatch(ev)
	}
}

// SweepPresence forgets viewers not heard from for PresenceTTL and tells
// subscribers of the tickets whose lists changed. The broker runs it every
// second once started; tests call it with their own clock.
func (b *Broker) SweepPresence() {
	cutoff := b.now().Add(-PresenceTTL)
	var evs []Event
	b.pmu.Lock()
	for ticketID, on := range b.presence {
		n := len(on)
		for id, e := range on {
			if !e.seen.After(cutoff) {
				delete(on, id)
			}
		}
		if len(on) == n {
			continue
		}
		if len(on) == 0 {
			delete(b.presence, ticketID)
		}
		evs = append(evs, Event{Type: PresenceChanged, TicketID: ticketID, Presence: &Presence{Viewers: b.viewersLocked(ticketID)}})
	}
	b.pmu.Unlock()
	for _, ev := range evs {
		b.dispatch(ev)
	}
}

// sweep runs SweepPresence until ctx ends.
func (b *Broker) sweep(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(presenceSweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.SweepPresence()
		}
	}
}
