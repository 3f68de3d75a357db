package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Teams and automatic assignment (issue 13).

// Assignment is how a team's new tickets find an agent.
type Assignment string

// Assignment modes.
const (
	AssignManual       Assignment = "manual"        // nobody is picked
	AssignRoundRobin   Assignment = "round_robin"   // the next available member in turn
	AssignLoadBalanced Assignment = "load_balanced" // the available member with the fewest open tickets
)

// Assignments lists the modes.
func Assignments() []Assignment {
	return []Assignment{AssignManual, AssignRoundRobin, AssignLoadBalanced}
}

// Audit event kinds of teams.
const (
	EventTeamChanged EventKind = "team_changed"
	// EventAutoAssigned: the ticket was given to an agent automatically;
	// NewValue is how (round_robin or load_balanced). The assignee_changed
	// entry that follows names the agent.
	EventAutoAssigned EventKind = "auto_assigned"
)

// maxTeamCap bounds max_open_per_agent.
const maxTeamCap = 100000

// maxTeamMembers bounds a team's size.
const maxTeamMembers = 1000

// TeamInput creates or changes a team; nil leaves a field alone (a new team
// needs a name).
type TeamInput struct {
	Name            *string
	MemberIDs       *[]int64
	Assignment      *string
	MaxOpenPerAgent *int // 0: no cap
}

// Teams lists every team (every agent may read them).
func (s *Service) Teams(ctx context.Context, _ store.User) ([]store.Team, error) {
	return s.store.ListTeams(ctx, s.db)
}

// CreateTeam adds a team (admins: the route's rule).
func (s *Service) CreateTeam(ctx context.Context, _ store.User, in TeamInput) (store.Team, error) {
	if in.Name == nil {
		return store.Team{}, domain.Invalid("name", "is required")
	}
	t := store.Team{Assignment: string(AssignManual), CreatedAt: s.now()}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.applyTeamInput(ctx, tx, in, &t); err != nil {
			return err
		}
		var err error
		id, err = s.store.CreateTeam(ctx, tx, t)
		return err
	})
	if err != nil {
		return store.Team{}, teamConflict(err)
	}
	return s.store.GetTeam(ctx, s.db.W(), id, false)
}

// UpdateTeam changes a team; a new member list replaces the old one.
func (s *Service) UpdateTeam(ctx context.Context, _ store.User, id int64, in TeamInput) (store.Team, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		t, err := s.store.GetTeam(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := s.applyTeamInput(ctx, tx, in, &t); err != nil {
			return err
		}
		if err := s.store.UpdateTeam(ctx, tx, t); err != nil {
			return err
		}
		if in.MemberIDs != nil {
			return s.store.SetTeamMembers(ctx, tx, id, t.MemberIDs)
		}
		return nil
	})
	if err != nil {
		return store.Team{}, teamConflict(err)
	}
	return s.store.GetTeam(ctx, s.db.W(), id, false)
}

// DeleteTeam removes a team; its tickets and mailboxes keep no team.
func (s *Service) DeleteTeam(ctx context.Context, _ store.User, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error { return s.store.DeleteTeam(ctx, tx, id) })
}

func teamConflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return domain.Conflict("a team with this name exists")
	}
	return err
}

// applyTeamInput checks in and writes it onto t.
func (s *Service) applyTeamInput(ctx context.Context, tx *store.Tx, in TeamInput, t *store.Team) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxNameLen {
			return domain.Invalid("name", fmt.Sprintf("must be 1 to %d characters", maxNameLen))
		}
		t.Name = name
	}
	if in.Assignment != nil {
		if !slices.Contains(Assignments(), Assignment(*in.Assignment)) {
			return domain.Invalid("assignment", "must be one of "+domain.Join(Assignments()))
		}
		t.Assignment = *in.Assignment
	}
	if in.MaxOpenPerAgent != nil {
		if n := *in.MaxOpenPerAgent; n < 0 || n > maxTeamCap {
			return domain.Invalid("max_open_per_agent", fmt.Sprintf("must be 0 (no cap) to %d", maxTeamCap))
		}
		t.MaxOpenPerAgent = *in.MaxOpenPerAgent
	}
	if in.MemberIDs != nil {
		ids := slices.Clone(*in.MemberIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > maxTeamMembers {
			return domain.Invalid("member_ids", fmt.Sprintf("at most %d members", maxTeamMembers))
		}
		for _, id := range ids {
			if _, err := s.store.GetUserTx(ctx, tx, id); errors.Is(err, store.ErrNotFound) {
				return domain.Invalid("member_ids", fmt.Sprintf("%d is not a user", id))
			} else if err != nil {
				return err
			}
		}
		t.MemberIDs = ids
	}
	return nil
}

// SetMyAvailability sets the agent available (given tickets automatically)
// or away.
func (s *Service) SetMyAvailability(ctx context.Context, actor store.User, on bool) error {
	return s.store.SetUserAvailable(ctx, actor.ID, on)
}

// MyAvailability tells whether the agent is available.
func (s *Service) MyAvailability(ctx context.Context, actor store.User) (bool, error) {
	return s.store.UserAvailable(ctx, s.db, actor.ID)
}

// teamName names a team in the audit trail; a new team must exist.
func (s *Service) teamName(ctx context.Context, tx *store.Tx, id int64, mustExist bool) (string, error) {
	if id == 0 {
		return "", nil
	}
	t, err := s.store.GetTeam(ctx, tx, id, false)
	if mustExist && errors.Is(err, store.ErrNotFound) {
		return "", domain.Invalid("team_id", fmt.Sprintf("%d is not a team", id))
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Sprint(id), nil // deleted since
	}
	if err != nil {
		return "", err
	}
	return t.Name, nil
}

// assignHook is the built-in hook of teams (StageAssignment): a new ticket
// takes its mailbox's default team, and a ticket of a team that needs an
// agent (wantsAgent) is given one by the team's assignment. It runs inside
// the ticket's transaction on the one change path, so a ticket is assigned
// once whoever opened or reopened it; the team's row lock (GetTeam with
// lock) serialises the turn across replicas.
func (s *Service) assignHook() Hook {
	return Hook{Stage: StageAssignment, Name: "assignment", Run: func(ctx context.Context, tx *store.Tx, a Applied) ([]Change, error) {
		if a.Created && a.After.TeamID == 0 && a.Create != nil {
			team, err := s.store.MailboxTeam(ctx, tx, a.Create.MailboxID)
			if err != nil || team == 0 {
				return nil, err
			}
			// Setting the team runs the hooks again, one level down, where
			// the ticket is then assigned.
			return []Change{{Actor: systemActor(), Team: &team}}, nil
		}
		if !wantsAgent(a) {
			return nil, nil
		}
		user, how, err := s.pickAgent(ctx, tx, a.After.TeamID)
		if err != nil || user == 0 {
			return nil, err
		}
		return []Change{{Actor: systemActor(), Assignee: &user, Events: []Event{{Kind: EventAutoAssigned, Field: "assignee", NewValue: string(how)}}}}, nil
	}}
}

// wantsAgent tells whether a change leaves an unassigned ticket of a team,
// still to be worked on (new or open), that has just come to the team: it
// was opened, moved to the team, or reopened (from pending, solved or
// closed). An agent unassigning a ticket is not a reason to assign it again.
func wantsAgent(a Applied) bool {
	if a.After.TeamID == 0 || a.After.AssigneeID != 0 {
		return false
	}
	if a.After.Status != domain.StatusNew && a.After.Status != domain.StatusOpen {
		return false
	}
	reopened := a.Before.Status != a.After.Status && slices.Contains([]domain.Status{domain.StatusPending, domain.StatusSolved, domain.StatusClosed}, a.Before.Status)
	return a.Created || a.Before.TeamID != a.After.TeamID || reopened
}

// pickAgent locks the team and chooses the member to give a ticket to, and
// moves the team's cursor to them; 0 when the team assigns manually or
// nobody can take one.
func (s *Service) pickAgent(ctx context.Context, tx *store.Tx, teamID int64) (int64, Assignment, error) {
	team, err := s.store.GetTeam(ctx, tx, teamID, true)
	if errors.Is(err, store.ErrNotFound) {
		return 0, "", nil
	}
	if err != nil || Assignment(team.Assignment) == AssignManual {
		return 0, "", err
	}
	members, err := s.store.AvailableMembers(ctx, tx, teamID, workStatuses)
	if err != nil {
		return 0, "", err
	}
	how := Assignment(team.Assignment)
	user := chooseAgent(how, team.MaxOpenPerAgent, team.LastAssigneeID, members)
	if user == 0 {
		return 0, "", nil
	}
	return user, how, s.store.SetTeamCursor(ctx, tx, teamID, user)
}

// chooseAgent picks among members (by id) those under the cap (0: none),
// in turn after last (the member given the previous ticket), wrapping
// around: round robin takes the first of them, load balancing the one with
// the fewest open tickets (the first in turn among equals). 0: nobody.
func chooseAgent(how Assignment, maxOpen int, last int64, members []store.MemberLoad) int64 {
	start := 0
	for start < len(members) && members[start].UserID <= last {
		start++
	}
	best := -1
	for i := range members {
		m := members[(start+i)%len(members)]
		if maxOpen > 0 && m.Open >= maxOpen {
			continue
		}
		if how == AssignRoundRobin {
			return m.UserID
		}
		if best < 0 || m.Open < members[best].Open {
			best = (start + i) % len(members)
		}
	}
	if best < 0 {
		return 0
	}
	return members[best].UserID
}

// setMailboxTeam sets a mailbox's default team (0: none); the team must exist.
func (s *Service) setMailboxTeam(ctx context.Context, mailboxID, teamID int64) error {
	if teamID < 0 {
		return domain.Invalid("team_id", "must be a team id or null")
	}
	if teamID != 0 {
		if _, err := s.store.GetTeam(ctx, s.db, teamID, false); errors.Is(err, store.ErrNotFound) {
			return domain.Invalid("team_id", fmt.Sprintf("%d is not a team", teamID))
		} else if err != nil {
			return err
		}
	}
	return s.store.SetMailboxTeam(ctx, mailboxID, teamID)
}
