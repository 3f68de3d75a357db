package httpapi

import (
	"strings"

	"github.com/ticketer/ticketer/internal/auth"
)

// routeGroups gives every /api/v1 path's first segment its endpoint group,
// the unit an API token's scopes name (auth/scopes.go). A route whose
// segment is missing here has no group: a token with groups never reaches
// it (TestEveryRouteHasAGroup fails first).
var routeGroups = map[string]string{
	"tickets": auth.GroupTickets, "messages": auth.GroupTickets, "attachments": auth.GroupTickets, "inbound": auth.GroupTickets,
	"blocked-senders": auth.GroupTickets, "events": auth.GroupTickets, "views": auth.GroupTickets, "macros": auth.GroupTickets,
	"notifications": auth.GroupTickets,
	"mailboxes":     auth.GroupMailboxes,
	"users":         auth.GroupUsers, "contacts": auth.GroupUsers, "organisations": auth.GroupUsers,
	"teams": auth.GroupTeams,
	"rules": auth.GroupRules,
	// SLA policies hold rule conditions: they go with the rules.
	"business-hours": auth.GroupRules, "sla-policies": auth.GroupRules,
	"reports":  auth.GroupReports,
	"webhooks": auth.GroupWebhooks,
	"me":       auth.GroupAccount, "tokens": auth.GroupAccount, "settings": auth.GroupAccount, "auth": auth.GroupAccount,
}

// routeGroup is the endpoint group of a route pattern ("GET /api/v1/x/..."),
// "" when it has none.
func routeGroup(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return ""
	}
	seg, _, _ := strings.Cut(rest, "/")
	return routeGroups[seg]
}
