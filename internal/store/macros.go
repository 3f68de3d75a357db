package store

import (
	"context"
	"fmt"
	"time"
)

// Macro is a canned reply: a body with placeholders and actions (JSON the
// ticket service reads) applied with the reply.
type Macro struct {
	ID        int64
	OwnerID   int64
	Name      string
	Body      string
	Actions   string
	Shared    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

const macroSelect = `SELECT id, owner_id, name, body, actions, shared, created_at, updated_at FROM macros`

func scanMacro(r Row) (Macro, error) {
	var m Macro
	err := r.Scan(&m.ID, &m.OwnerID, &m.Name, &m.Body, &m.Actions, &m.Shared, &m.CreatedAt, &m.UpdatedAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

// ListMacros returns the macros a user sees: their own and the shared ones,
// by name.
func (s *Store) ListMacros(ctx context.Context, q Querier, userID int64) ([]Macro, error) {
	out := []Macro{}
	err := scanAll(q.Query(ctx, macroSelect+` WHERE owner_id = $1 OR shared ORDER BY lower(name), id`, userID))(func(r Rows) error {
		m, err := scanMacro(r)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list macros: %w", err)
	}
	return out, nil
}

// GetMacro returns one macro.
func (s *Store) GetMacro(ctx context.Context, q Querier, id int64) (Macro, error) {
	m, err := scanMacro(q.QueryRow(ctx, macroSelect+` WHERE id = $1`, id))
	if err != nil {
		return m, fmt.Errorf("macro %d: %w", id, err)
	}
	return m, nil
}

// CreateMacro inserts a macro and returns its id.
func (s *Store) CreateMacro(ctx context.Context, q Querier, m Macro) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO macros (owner_id, name, body, actions, shared, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, m.OwnerID, m.Name, m.Body, m.Actions, m.Shared, m.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create macro: %w", err)
	}
	return id, nil
}

// UpdateMacro writes a macro's name, body, actions and sharing.
func (s *Store) UpdateMacro(ctx context.Context, q Querier, m Macro) error {
	n, err := q.Exec(ctx, `UPDATE macros SET name = $2, body = $3, actions = $4, shared = $5, updated_at = $6 WHERE id = $1`,
		m.ID, m.Name, m.Body, m.Actions, m.Shared, m.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update macro %d: %w", m.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("macro %d: %w", m.ID, ErrNotFound)
	}
	return nil
}

// DeleteMacro removes a macro.
func (s *Store) DeleteMacro(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM macros WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete macro %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("macro %d: %w", id, ErrNotFound)
	}
	return nil
}
