package auth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
)

// API token scopes. A token with no scopes has full access (every token
// made before scopes existed keeps it). ScopeRead allows only reads (GET,
// HEAD); each other scope is an endpoint group (httpapi/routes.go gives
// every route one). With groups, a request must be in one of them; with
// read, it must be a read; both combine (["read", "tickets"]).
const ScopeRead = "read"

// Endpoint groups, the scopes besides read.
const (
	GroupTickets   = "tickets"   // tickets, messages, attachments, inbound, views, macros, notifications, blocked senders, live events
	GroupMailboxes = "mailboxes" // mailboxes and their connections
	GroupUsers     = "users"     // users, invitations, contacts
	GroupTeams     = "teams"     // teams
	GroupRules     = "rules"     // automation rules
	GroupReports   = "reports"   // reports
	GroupWebhooks  = "webhooks"  // outgoing webhooks
	GroupAccount   = "account"   // the caller's own account: me, tokens, settings, sign-out
)

// TokenScopes lists every scope, in the order the API documents them.
func TokenScopes() []string {
	return []string{ScopeRead, GroupTickets, GroupMailboxes, GroupUsers, GroupTeams, GroupRules, GroupReports, GroupWebhooks, GroupAccount}
}

// normalScopes checks and orders a token's scopes (duplicates dropped).
func normalScopes(in []string) ([]string, error) {
	out := []string{}
	for _, sc := range in {
		sc = strings.ToLower(strings.TrimSpace(sc))
		if !slices.Contains(TokenScopes(), sc) {
			return nil, domain.Invalid("scopes", "each must be one of "+strings.Join(TokenScopes(), ", "))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(TokenScopes(), a) - slices.Index(TokenScopes(), b) })
	return out, nil
}

// Allows reports whether the caller's scopes allow a request of method to
// an endpoint of group. Sessions and tokens without scopes may do anything
// (their role still decides).
func (p Principal) Allows(method, group string) bool {
	if len(p.Scopes) == 0 {
		return true
	}
	if slices.Contains(p.Scopes, ScopeRead) && method != http.MethodGet && method != http.MethodHead {
		return false
	}
	groups := slices.DeleteFunc(slices.Clone(p.Scopes), func(s string) bool { return s == ScopeRead })
	return len(groups) == 0 || slices.Contains(groups, group)
}

// Grants reports whether a scoped caller may make a token with these
// scopes: no broader than its own (an unscoped caller may make any).
func (p Principal) Grants(scopes []string) bool {
	if len(p.Scopes) == 0 {
		return true
	}
	if len(scopes) == 0 {
		return false
	}
	mine := slices.DeleteFunc(slices.Clone(p.Scopes), func(s string) bool { return s == ScopeRead })
	if slices.Contains(p.Scopes, ScopeRead) && !slices.Contains(scopes, ScopeRead) {
		return false
	}
	theirs := slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == ScopeRead })
	if len(mine) == 0 {
		return true
	}
	if len(theirs) == 0 {
		return false
	}
	for _, g := range theirs {
		if !slices.Contains(mine, g) {
			return false
		}
	}
	return true
}
