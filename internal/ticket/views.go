package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Saved views and the sidebar's counts.

// ViewFilters are the ticket list's parameters a saved view keeps. Assignee
// "me" is whoever looks at the view, so one shared view serves every agent.
type ViewFilters struct {
	Status    string `json:"status,omitempty"`
	Assignee  string `json:"assignee,omitempty"`
	Mailbox   int64  `json:"mailbox,omitempty"`
	Tag       string `json:"tag,omitempty"`
	Requester string `json:"requester,omitempty"`
	Q         string `json:"q,omitempty"`
	Team      int64  `json:"team,omitempty"`
}

// View is a saved view.
type View struct {
	store.SavedView
	Filters ViewFilters
}

// ViewInput creates or changes a view; nil leaves a field alone (a new
// view needs a name and filters).
type ViewInput struct {
	Name    *string
	Shared  *bool
	Filters *ViewFilters
}

const maxNameLen = 100

// CountCap is where view counts stop: a view over the archive costs at most
// this many index entries, and the sidebar shows "10k+".
const CountCap = 10000

// Built-in view keys of ViewCounts (the UI's routes name the same views).
const (
	CountMine       = "mine"
	CountUnassigned = "unassigned"
	CountOpen       = "open"
)

// workStatuses are the tickets that are work: the "open" view, and the
// statuses the mine, unassigned and mailbox views show.
var workStatuses = []domain.Status{domain.StatusNew, domain.StatusOpen, domain.StatusPending}

// filter turns the view's filters into a list filter for viewer, checking
// each value.
func (f ViewFilters) filter(viewer store.User) (store.TicketFilter, error) {
	out := store.TicketFilter{Tag: strings.ToLower(strings.TrimSpace(f.Tag)), Requester: strings.TrimSpace(f.Requester),
		Query: strings.TrimSpace(f.Q), MailboxID: f.Mailbox, TeamID: f.Team}
	if f.Mailbox < 0 {
		return out, domain.Invalid("filters.mailbox", "must be a mailbox id")
	}
	if f.Team < 0 {
		return out, domain.Invalid("filters.team", "must be a team id")
	}
	if st := strings.TrimSpace(f.Status); st != "" {
		for v := range strings.SplitSeq(st, ",") {
			v = strings.TrimSpace(v)
			if !slices.Contains(domain.Statuses(), domain.Status(v)) {
				return out, domain.Invalid("filters.status", "must be "+domain.Join(domain.Statuses())+" (comma-separated)")
			}
			out.Statuses = append(out.Statuses, v)
		}
	}
	switch a := strings.TrimSpace(f.Assignee); a {
	case "":
	case "me":
		out.AssigneeID = viewer.ID
	case "none":
		out.Unassigned = true
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return out, domain.Invalid("filters.assignee", "must be a user id, me or none")
		}
		out.AssigneeID = id
	}
	return out, nil
}

func toView(v store.SavedView) View {
	out := View{SavedView: v}
	_ = json.Unmarshal([]byte(v.Filters), &out.Filters) // written by us: always valid
	return out
}

// Views returns the viewer's views and the shared ones.
func (s *Service) Views(ctx context.Context, viewer store.User) ([]View, error) {
	list, err := s.store.ListViews(ctx, s.db, viewer.ID)
	if err != nil {
		return nil, err
	}
	out := make([]View, len(list))
	for i, v := range list {
		out[i] = toView(v)
	}
	return out, nil
}

// apply checks in and writes it onto v.
func (in ViewInput) apply(viewer store.User, v *store.SavedView) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxNameLen {
			return domain.Invalid("name", fmt.Sprintf("must be 1 to %d characters", maxNameLen))
		}
		v.Name = name
	}
	if in.Shared != nil {
		v.Shared = *in.Shared
	}
	if in.Filters != nil {
		if _, err := in.Filters.filter(viewer); err != nil {
			return err
		}
		b, err := json.Marshal(in.Filters)
		if err != nil {
			return err
		}
		v.Filters = string(b)
	}
	return nil
}

// CreateView saves a view owned by the viewer.
func (s *Service) CreateView(ctx context.Context, viewer store.User, in ViewInput) (View, error) {
	if in.Name == nil {
		return View{}, domain.Invalid("name", "is required")
	}
	if in.Filters == nil {
		in.Filters = &ViewFilters{}
	}
	v := store.SavedView{OwnerID: viewer.ID, CreatedAt: s.now()}
	if err := in.apply(viewer, &v); err != nil {
		return View{}, err
	}
	id, err := s.store.CreateView(ctx, s.db.W(), v)
	if err != nil {
		return View{}, err
	}
	v.ID = id
	return toView(v), nil
}

// editable finds a view the viewer may change: their own, or a shared one
// when they are an admin. Another agent's personal view does not exist for
// them (not found); a shared one they may read but not change (forbidden).
func editable(viewer store.User, ownerID int64, shared bool, what string, id int64) error {
	switch {
	case ownerID == viewer.ID:
		return nil
	case !shared:
		return fmt.Errorf("%s %d: %w", what, id, store.ErrNotFound)
	case viewer.Role == domain.RoleAdmin:
		return nil
	}
	return domain.Forbidden(fmt.Sprintf("only its owner or an admin can change shared %s %d", what, id))
}

// UpdateView changes a view the viewer may edit.
func (s *Service) UpdateView(ctx context.Context, viewer store.User, id int64, in ViewInput) (View, error) {
	var out store.SavedView
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		v, err := s.store.GetView(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := editable(viewer, v.OwnerID, v.Shared, "view", id); err != nil {
			return err
		}
		if err := in.apply(viewer, &v); err != nil {
			return err
		}
		out = v
		return s.store.UpdateView(ctx, tx, v)
	})
	return toView(out), err
}

// DeleteView removes a view the viewer may edit.
func (s *Service) DeleteView(ctx context.Context, viewer store.User, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		v, err := s.store.GetView(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := editable(viewer, v.OwnerID, v.Shared, "view", id); err != nil {
			return err
		}
		return s.store.DeleteView(ctx, tx, id)
	})
}

// ViewCounts counts the tickets of every view in the viewer's sidebar:
// mine, unassigned and open (new, open and pending tickets), each status,
// each mailbox (its work) and each saved view. All but saved views that
// filter by requester or text are summed from the kept counts
// (store.TicketCounts, TicketTagCounts); those count their tickets up to
// CountCap.
func (s *Service) ViewCounts(ctx context.Context, viewer store.User) (map[string]int, error) {
	counts, err := s.store.TicketCounts(ctx)
	if err != nil {
		return nil, err
	}
	mailboxes, err := s.store.ListMailboxes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{CountMine: 0, CountUnassigned: 0, CountOpen: 0}
	for _, st := range domain.Statuses() {
		out["status:"+string(st)] = 0
	}
	for _, mb := range mailboxes {
		out["mailbox:"+strconv.FormatInt(mb.ID, 10)] = 0
	}
	for _, c := range counts {
		out["status:"+string(c.Status)] += c.N
		if !slices.Contains(workStatuses, c.Status) {
			continue
		}
		out[CountOpen] += c.N
		out["mailbox:"+strconv.FormatInt(c.MailboxID, 10)] += c.N
		switch c.AssigneeID {
		case viewer.ID:
			out[CountMine] += c.N
		case 0:
			out[CountUnassigned] += c.N
		}
	}
	views, err := s.Views(ctx, viewer)
	if err != nil {
		return nil, err
	}
	filters := make([]store.TicketFilter, len(views))
	var tags []string
	for i, v := range views {
		if filters[i], err = v.Filters.filter(viewer); err != nil {
			return nil, err
		}
		if t := filters[i].Tag; t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	tagCounts, err := s.store.TicketTagCounts(ctx, tags)
	if err != nil {
		return nil, err
	}
	for i, v := range views {
		f := filters[i]
		kept := counts
		if f.Tag != "" {
			kept = tagCounts
		}
		n, ok := countFromCounts(kept, f)
		if !ok {
			if n, err = s.store.CountTickets(ctx, f, CountCap); err != nil {
				return nil, err
			}
		}
		out["view:"+strconv.FormatInt(v.ID, 10)] = n
	}
	return out, nil
}

// countFromCounts sums a filter's count from the kept counts when it
// filters by status, assignee, mailbox, team and tag alone (counts being
// the tag's counts when it names a tag); ok is false when it needs the
// tickets themselves (a requester, a search).
func countFromCounts(counts []store.TicketCount, f store.TicketFilter) (n int, ok bool) {
	if f.Requester != "" || f.Query != "" {
		return 0, false
	}
	for _, c := range counts {
		switch {
		case c.Tag != f.Tag,
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, string(c.Status)),
			f.MailboxID != 0 && c.MailboxID != f.MailboxID,
			f.AssigneeID != 0 && c.AssigneeID != f.AssigneeID,
			f.Unassigned && c.AssigneeID != 0,
			f.TeamID != 0 && c.TeamID != f.TeamID:
			continue
		}
		n += c.N
	}
	return n, true
}
