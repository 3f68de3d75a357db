package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// Team is a group of agents that tickets are routed to (migration 0060).
type Team struct {
	ID        int64
	Name      string
	MemberIDs []int64 // by id
	// AwayIDs are the members who are away (not available): automatic
	// assignment skips them.
	AwayIDs         []int64
	Assignment      string // manual, round_robin, load_balanced
	MaxOpenPerAgent int    // 0: no cap
	// LastAssigneeID is the round-robin cursor: the member last given a
	// ticket automatically (0: none yet).
	LastAssigneeID int64
	CreatedAt      time.Time
}

const teamSelect = `SELECT id, name, assignment, max_open_per_agent, last_assignee_id, created_at FROM teams`

func scanTeam(r Row) (Team, error) {
	var t Team
	err := r.Scan(&t.ID, &t.Name, &t.Assignment, &t.MaxOpenPerAgent, &t.LastAssigneeID, &t.CreatedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	t.MemberIDs, t.AwayIDs = []int64{}, []int64{}
	return t, err
}

func (t *Team) addMember(id int64, available bool) {
	t.MemberIDs = append(t.MemberIDs, id)
	if !available {
		t.AwayIDs = append(t.AwayIDs, id)
	}
}

// ListTeams returns every team with its members, by name.
func (s *Store) ListTeams(ctx context.Context, q Querier) ([]Team, error) {
	out := []Team{}
	idx := map[int64]int{}
	err := scanAll(q.Query(ctx, teamSelect+` ORDER BY lower(name), id`))(func(r Rows) error {
		t, err := scanTeam(r)
		idx[t.ID] = len(out)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	err = scanAll(q.Query(ctx, `SELECT m.team_id, m.user_id, u.available FROM team_members m JOIN users u ON u.id = m.user_id
		ORDER BY m.team_id, m.user_id`))(func(r Rows) error {
		var team, user int64
		var available bool
		if err := r.Scan(&team, &user, &available); err != nil {
			return err
		}
		if i, ok := idx[team]; ok {
			out[i].addMember(user, available)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	return out, nil
}

// GetTeam returns one team with its members. With lock (inside a
// transaction) the team's row stays locked (SELECT ... FOR NO KEY UPDATE)
// until the transaction ends on PostgreSQL, so its round-robin cursor is read and moved by one writer at a
// time across replicas; SQLite's single writer serialises it already.
func (s *Store) GetTeam(ctx context.Context, q Querier, id int64, lock bool) (Team, error) {
	query := teamSelect + ` WHERE id = $1`
	if tx, ok := q.(*Tx); lock && ok && tx.Dialect == Postgres {
		// NO KEY UPDATE: writing a ticket's team_id takes a KEY SHARE lock
		// on the team (the foreign key), which FOR UPDATE would wait for:
		// two tickets of one team would deadlock.
		query += ` FOR NO KEY UPDATE`
	}
	t, err := scanTeam(q.QueryRow(ctx, query, id))
	if err != nil {
		return t, fmt.Errorf("team %d: %w", id, err)
	}
	err = scanAll(q.Query(ctx, `SELECT m.user_id, u.available FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = $1 ORDER BY m.user_id`, id))(func(r Rows) error {
		var u int64
		var available bool
		err := r.Scan(&u, &available)
		t.addMember(u, available)
		return err
	})
	if err != nil {
		return t, fmt.Errorf("team %d members: %w", id, err)
	}
	return t, nil
}

// CreateTeam inserts a team and its members; ErrConflict when the name is
// taken.
func (s *Store) CreateTeam(ctx context.Context, tx *Tx, t Team) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO teams (name, assignment, max_open_per_agent, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.Name, t.Assignment, t.MaxOpenPerAgent, t.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create team: %w", err)
	}
	return id, s.SetTeamMembers(ctx, tx, id, t.MemberIDs)
}

// UpdateTeam writes a team's name, assignment and cap (not its members or
// cursor).
func (s *Store) UpdateTeam(ctx context.Context, tx *Tx, t Team) error {
	n, err := tx.Exec(ctx, `UPDATE teams SET name = $2, assignment = $3, max_open_per_agent = $4 WHERE id = $1`,
		t.ID, t.Name, t.Assignment, t.MaxOpenPerAgent)
	if err != nil {
		return fmt.Errorf("update team %d: %w", t.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("team %d: %w", t.ID, ErrNotFound)
	}
	return nil
}

// SetTeamMembers replaces a team's members.
func (s *Store) SetTeamMembers(ctx context.Context, tx *Tx, teamID int64, users []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("set members of team %d: %w", teamID, err)
	}
	for _, u := range users {
		if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)`, teamID, u); err != nil {
			return fmt.Errorf("set members of team %d: %w", teamID, err)
		}
	}
	return nil
}

// DeleteTeam removes a team; its tickets and mailboxes are left without one
// (ON DELETE SET NULL).
func (s *Store) DeleteTeam(ctx context.Context, tx *Tx, id int64) error {
	n, err := tx.Exec(ctx, `DELETE FROM teams WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete team %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("team %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetTeamCursor moves a team's round-robin cursor to the member just given
// a ticket (under the lock GetTeam took).
func (s *Store) SetTeamCursor(ctx context.Context, tx *Tx, teamID, userID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE teams SET last_assignee_id = $2 WHERE id = $1`, teamID, userID); err != nil {
		return fmt.Errorf("move cursor of team %d: %w", teamID, err)
	}
	return nil
}

// MemberLoad is a team member who may be given tickets: enabled and
// available, with how many work tickets (statuses) they hold.
type MemberLoad struct {
	UserID int64
	Open   int
}

// AvailableMembers returns a team's enabled, available members by id, each
// with their tickets in statuses, summed from ticket_counts (kept by
// triggers in the same transaction, so a ticket just assigned counts).
func (s *Store) AvailableMembers(ctx context.Context, q Querier, teamID int64, statuses []domain.Status) ([]MemberLoad, error) {
	args := []any{teamID}
	ph := ""
	for i, st := range statuses {
		if i > 0 {
			ph += ", "
		}
		args = append(args, string(st))
		ph += fmt.Sprintf("$%d", len(args))
	}
	out := []MemberLoad{}
	err := scanAll(q.Query(ctx, `SELECT u.id, CAST(COALESCE((SELECT sum(c.n) FROM ticket_counts c WHERE c.assignee_id = u.id AND c.status IN (`+ph+`)), 0) AS BIGINT)
		FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = $1 AND u.available AND NOT u.disabled ORDER BY u.id`, args...))(func(r Rows) error {
		var m MemberLoad
		err := r.Scan(&m.UserID, &m.Open)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("members of team %d: %w", teamID, err)
	}
	return out, nil
}

// MailboxTeam returns a mailbox's default team (0: none).
func (s *Store) MailboxTeam(ctx context.Context, q Querier, mailboxID int64) (int64, error) {
	var team sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT team_id FROM mailboxes WHERE id = $1`, mailboxID).Scan(&team); err != nil {
		return 0, fmt.Errorf("team of mailbox %d: %w", mailboxID, err)
	}
	return team.Int64, nil
}

// SetMailboxTeam sets a mailbox's default team (0: none).
func (s *Store) SetMailboxTeam(ctx context.Context, mailboxID, teamID int64) error {
	n, err := s.db.Exec(ctx, `UPDATE mailboxes SET team_id = $2 WHERE id = $1`, mailboxID, nullInt(teamID))
	if err != nil {
		return fmt.Errorf("set team of mailbox %d: %w", mailboxID, err)
	}
	if n == 0 {
		return fmt.Errorf("mailbox %d: %w", mailboxID, ErrNotFound)
	}
	return nil
}

// UserAvailable tells whether an agent takes tickets automatically.
func (s *Store) UserAvailable(ctx context.Context, q Querier, userID int64) (bool, error) {
	var on bool
	if err := q.QueryRow(ctx, `SELECT available FROM users WHERE id = $1`, userID).Scan(&on); err != nil {
		return false, fmt.Errorf("availability of user %d: %w", userID, err)
	}
	return on, nil
}

// SetUserAvailable sets an agent available or away.
func (s *Store) SetUserAvailable(ctx context.Context, userID int64, on bool) error {
	n, err := s.db.Exec(ctx, `UPDATE users SET available = $2 WHERE id = $1`, userID, on)
	if err != nil {
		return fmt.Errorf("set availability of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// TeamRef names a ticket's team.
type TeamRef struct {
	ID   int64
	Name string
}
