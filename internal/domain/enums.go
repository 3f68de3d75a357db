package domain

import "strings"

// Status is where a ticket stands. The values are stored and sent as they
// are: the API, the UI and the database read these exact strings.
type Status string

// Ticket statuses.
const (
	StatusNew     Status = "new" // nobody looked yet
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // waiting on the customer
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed" // solved and done with; only reopening moves it
)

// Statuses lists every status, in the order a ticket usually goes.
func Statuses() []Status {
	return []Status{StatusNew, StatusOpen, StatusPending, StatusSolved, StatusClosed}
}

// Priority is how urgent a ticket is.
type Priority string

// Ticket priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal" // every new ticket
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
func Priorities() []Priority {
	return []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}
}

// Role is what a user may do.
type Role string

// User roles.
const (
	RoleAdmin Role = "admin" // everything, including users and mailboxes
	RoleAgent Role = "agent" // tickets
)

// Roles lists every role.
func Roles() []Role { return []Role{RoleAdmin, RoleAgent} }

// Join lists an enum's values for a message: "admin, agent".
func Join[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
