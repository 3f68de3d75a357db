package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Macros: canned replies with placeholders, and actions applied with the
// reply that uses them.

// MacroActions are what a macro changes on the ticket with its reply.
type MacroActions struct {
	Status     *domain.Status   `json:"status,omitempty"`
	Priority   *domain.Priority `json:"priority,omitempty"`
	TagsAdd    []string         `json:"tags_add,omitempty"`
	AssigneeID int64            `json:"assignee_id,omitempty"`
}

// Macro is a canned reply.
type Macro struct {
	store.Macro
	Actions MacroActions
}

// MacroInput creates or changes a macro; nil leaves a field alone.
type MacroInput struct {
	Name    *string
	Body    *string
	Actions *MacroActions
	Shared  *bool
}

const maxMacroBody = 64 << 10

// placeholderRE finds {{ name }} placeholders in a macro body.
var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Placeholders lists the placeholders a macro body may use.
var Placeholders = []string{"ticket.id", "ticket.subject", "requester.name", "requester.first_name", "agent.name"}

// checkBody refuses a body with a placeholder we do not know, so a typo is
// seen when the macro is saved rather than mailed to a customer.
func checkBody(body string) error { return checkTemplate("body", body, maxMacroBody) }

// checkTemplate is checkBody for any text with macro placeholders (a
// signature too).
func checkTemplate(field, body string, max int) error {
	if len(body) > max {
		return domain.Invalid(field, fmt.Sprintf("at most %d bytes", max))
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(Placeholders, m[1]) {
			return domain.Invalid(field, fmt.Sprintf("unknown placeholder %s (known: {{%s}})", m[0], strings.Join(Placeholders, "}}, {{")))
		}
	}
	return nil
}

// RenderMacro fills a macro body's placeholders for a ticket and the agent
// who sends it. A requester without a name is "there" ("Hello there"); the
// first name is the name's first word.
func RenderMacro(body string, t store.Ticket, agent store.User) string {
	name := strings.TrimSpace(t.Requester.Name)
	first := "there"
	if f := strings.Fields(name); len(f) > 0 {
		first = f[0]
	}
	if name == "" {
		name = "there"
	}
	agentName := strings.TrimSpace(agent.Name)
	if agentName == "" {
		agentName = agent.Email
	}
	values := map[string]string{
		"ticket.id": strconv.FormatInt(t.ID, 10), "ticket.subject": t.Subject,
		"requester.name": name, "requester.first_name": first, "agent.name": agentName,
	}
	return placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		key := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := values[key]; ok {
			return v
		}
		return m
	})
}

func (a *MacroActions) check() error {
	if a.Status != nil && !slices.Contains(domain.Statuses(), *a.Status) {
		return domain.Invalid("actions.status", "must be one of "+domain.Join(domain.Statuses()))
	}
	if a.Priority != nil && !slices.Contains(domain.Priorities(), *a.Priority) {
		return domain.Invalid("actions.priority", "must be one of "+domain.Join(domain.Priorities()))
	}
	if a.AssigneeID < 0 {
		return domain.Invalid("actions.assignee_id", "must be a user id")
	}
	if a.TagsAdd != nil {
		tags, err := normalizeTags(a.TagsAdd)
		if err != nil {
			return domain.Invalid("actions.tags_add", err.Error())
		}
		a.TagsAdd = tags
	}
	return nil
}

func toMacro(m store.Macro) Macro {
	out := Macro{Macro: m}
	_ = json.Unmarshal([]byte(m.Actions), &out.Actions) // written by us: always valid
	return out
}

// Macros returns the viewer's macros and the shared ones.
func (s *Service) Macros(ctx context.Context, viewer store.User) ([]Macro, error) {
	list, err := s.store.ListMacros(ctx, s.db, viewer.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Macro, len(list))
	for i, m := range list {
		out[i] = toMacro(m)
	}
	return out, nil
}

// macroFor returns a macro the viewer may use: their own or a shared one.
func (s *Service) macroFor(ctx context.Context, q store.Querier, viewer store.User, id int64) (Macro, error) {
	m, err := s.store.GetMacro(ctx, q, id)
	if err != nil {
		return Macro{}, err
	}
	if !m.Shared && m.OwnerID != viewer.ID {
		return Macro{}, fmt.Errorf("macro %d: %w", id, store.ErrNotFound)
	}
	return toMacro(m), nil
}

func (in MacroInput) apply(m *store.Macro) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxNameLen {
			return domain.Invalid("name", fmt.Sprintf("must be 1 to %d characters", maxNameLen))
		}
		m.Name = name
	}
	if in.Body != nil {
		if err := checkBody(*in.Body); err != nil {
			return err
		}
		m.Body = *in.Body
	}
	if in.Actions != nil {
		a := *in.Actions
		if err := a.check(); err != nil {
			return err
		}
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		m.Actions = string(b)
	}
	if in.Shared != nil {
		m.Shared = *in.Shared
	}
	return nil
}

// CreateMacro saves a macro owned by the viewer.
func (s *Service) CreateMacro(ctx context.Context, viewer store.User, in MacroInput) (Macro, error) {
	if in.Name == nil {
		return Macro{}, domain.Invalid("name", "is required")
	}
	if in.Body == nil {
		return Macro{}, domain.Invalid("body", "is required")
	}
	now := s.now()
	m := store.Macro{OwnerID: viewer.ID, Actions: "{}", CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&m); err != nil {
		return Macro{}, err
	}
	id, err := s.store.CreateMacro(ctx, s.db.W(), m)
	if err != nil {
		return Macro{}, err
	}
	m.ID = id
	return toMacro(m), nil
}

// UpdateMacro changes a macro the viewer may edit (see editable).
func (s *Service) UpdateMacro(ctx context.Context, viewer store.User, id int64, in MacroInput) (Macro, error) {
	var out store.Macro
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.store.GetMacro(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := editable(viewer, m.OwnerID, m.Shared, "macro", id); err != nil {
			return err
		}
		if err := in.apply(&m); err != nil {
			return err
		}
		m.UpdatedAt = s.now()
		out = m
		return s.store.UpdateMacro(ctx, tx, m)
	})
	return toMacro(out), err
}

// DeleteMacro removes a macro the viewer may edit.
func (s *Service) DeleteMacro(ctx context.Context, viewer store.User, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.store.GetMacro(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := editable(viewer, m.OwnerID, m.Shared, "macro", id); err != nil {
			return err
		}
		return s.store.DeleteMacro(ctx, tx, id)
	})
}

// into adds a macro's actions to the change a reply makes: its status
// (over the reply's own new -> open), priority, assignee, and its tags added
// to the ticket's.
func (a MacroActions) into(c *Change, tags []string) {
	if a.Status != nil {
		st := *a.Status
		c.Status = &st
	}
	if a.Priority != nil {
		pr := *a.Priority
		c.Priority = &pr
	}
	if a.AssigneeID != 0 {
		id := a.AssigneeID
		c.Assignee = &id
	}
	if len(a.TagsAdd) > 0 {
		all := append(slices.Clone(tags), a.TagsAdd...)
		c.Tags = &all
	}
}
