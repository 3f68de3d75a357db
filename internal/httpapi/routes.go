package httpapi

import (
	"net/http"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/web"
)

// routes is the whole HTTP surface on one screen: method and path, access
// rule, handler. The handlers are the generated wrappers around Server's
// strict methods (api/openapi.yaml is the contract); each route's rule is
// also its operation's x-access in the spec, and a test checks both agree.
func (s *Server) routes(api *oapi.ServerInterfaceWrapper, opts Options) http.Handler {
	mux := http.NewServeMux()
	// Each route's endpoint group (scopes.go) is what API token scopes name.
	route := func(pattern string, rule access, h http.HandlerFunc) {
		mux.Handle(pattern, s.guard(rule, routeGroup(pattern), h))
	}
	// enrolling routes stay open to a session whose user must still turn
	// two-factor on (an admin requires it); every other route answers 403
	// totp_enrolment_required to it.
	enrolling := func(pattern string, rule access, h http.HandlerFunc) {
		mux.Handle(pattern, s.guardEnrolling(rule, routeGroup(pattern), h))
	}

	// Operations and the contract.
	route("GET /healthz", public, api.Healthz)
	route("GET /readyz", public, api.Readyz)
	route("GET /api/openapi.yaml", public, api.OpenapiDocument)
	if opts.Metrics != nil {
		route("GET /metrics", public, opts.Metrics.ServeHTTP)
	}

	// Sign-in, the current user, their API tokens.
	route("POST /api/v1/auth/login", public, api.Login)
	route("POST /api/v1/auth/dev-login", public, api.DevLogin)
	route("GET /api/v1/auth/config", public, api.GetAuthConfig)
	if opts.OIDCStart != nil {
		route("GET /api/v1/auth/oidc/start", public, opts.OIDCStart.ServeHTTP)
		route("GET /api/v1/auth/oidc/callback", public, opts.OIDCCallback.ServeHTTP)
	}
	route("GET /api/v1/auth/invitations/{token}", public, api.GetInvitation)
	route("POST /api/v1/auth/invitations/{token}", public, api.AcceptInvitation)
	enrolling("POST /api/v1/auth/logout", agent, api.Logout)
	route("POST /api/v1/auth/logout-everywhere", agent, api.LogoutEverywhere)
	enrolling("GET /api/v1/me", agent, api.GetMe)
	route("PATCH /api/v1/me", agent, api.UpdateMe)
	route("POST /api/v1/me/password", agent, api.ChangeMyPassword)
	enrolling("POST /api/v1/me/2fa", agent, api.StartTwoFactor)
	enrolling("POST /api/v1/me/2fa/confirm", agent, api.ConfirmTwoFactor)
	route("DELETE /api/v1/me/2fa", agent, api.DisableTwoFactor)
	route("GET /api/v1/settings", agent, api.GetSettings)
	route("PATCH /api/v1/settings", admin, api.UpdateSettings)
	route("GET /api/v1/tokens", agent, api.ListTokens)
	route("POST /api/v1/tokens", agent, api.CreateToken)
	route("DELETE /api/v1/tokens/{id}", agent, api.RevokeToken)

	// Ticket work.
	route("GET /api/v1/tickets", agent, api.ListTickets)
	route("GET /api/v1/tickets/{id}", agent, api.GetTicket)
	route("PATCH /api/v1/tickets/{id}", agent, api.UpdateTicket)
	route("GET /api/v1/tickets/{id}/messages", agent, api.ListMessages)
	route("POST /api/v1/tickets/{id}/replies", agent, api.CreateReply)
	route("POST /api/v1/tickets/{id}/notes", agent, api.CreateNote)
	route("POST /api/v1/tickets/{id}/forwards", agent, api.CreateForward)
	route("GET /api/v1/tickets/{id}/events", agent, api.ListEvents)
	route("GET /api/v1/messages/{id}/body", agent, api.GetMessageBody)
	route("POST /api/v1/messages/{id}/retry", agent, api.RetryMessage)
	route("GET /api/v1/attachments/{id}/content", agent, api.GetAttachmentContent)
	route("GET /api/v1/inbound", agent, api.ListInbound)
	route("POST /api/v1/inbound/{id}/ticket", agent, api.TicketFromInbound)
	route("GET /api/v1/inbound/{id}/raw", admin, api.GetInboundRaw)
	route("POST /api/v1/inbound/{id}/retry", admin, api.RetryInbound)
	route("POST /api/v1/tickets/{id}/spam", agent, api.MarkSpam)
	route("DELETE /api/v1/tickets/{id}/spam", agent, api.RestoreSpam)
	route("GET /api/v1/blocked-senders", agent, api.ListBlockedSenders)
	route("POST /api/v1/blocked-senders", agent, api.BlockSender)
	route("DELETE /api/v1/blocked-senders", agent, api.UnblockSenderByValue)
	route("DELETE /api/v1/blocked-senders/{id}", agent, api.UnblockSender)
	if opts.Stream != nil {
		route("GET /api/v1/events/stream", agent, opts.Stream.ServeHTTP)
	}

	// Issue 12: saved views and their counts, macros, bulk changes.
	route("GET /api/v1/views", agent, api.ListViews)
	route("POST /api/v1/views", agent, api.CreateView)
	route("GET /api/v1/views/counts", agent, api.GetViewCounts)
	route("PATCH /api/v1/views/{id}", agent, api.UpdateView)
	route("DELETE /api/v1/views/{id}", agent, api.DeleteView)
	route("GET /api/v1/macros", agent, api.ListMacros)
	route("POST /api/v1/macros", agent, api.CreateMacro)
	route("PATCH /api/v1/macros/{id}", agent, api.UpdateMacro)
	route("DELETE /api/v1/macros/{id}", agent, api.DeleteMacro)
	route("GET /api/v1/rules", agent, api.ListRules)
	route("POST /api/v1/rules", admin, api.CreateRule)
	route("POST /api/v1/rules/test", admin, api.TestRule)
	route("PATCH /api/v1/rules/{id}", admin, api.UpdateRule)
	route("DELETE /api/v1/rules/{id}", admin, api.DeleteRule)
	route("POST /api/v1/tickets/bulk", agent, api.BulkUpdateTickets)
	// Teams and automatic assignment (issue 13).
	route("GET /api/v1/teams", agent, api.ListTeams)
	route("POST /api/v1/teams", admin, api.CreateTeam)
	route("PATCH /api/v1/teams/{id}", admin, api.UpdateTeam)
	route("DELETE /api/v1/teams/{id}", admin, api.DeleteTeam)

	// Business hours and SLA policies (issue 13).
	route("GET /api/v1/business-hours", agent, api.ListBusinessHours)
	route("POST /api/v1/business-hours", admin, api.CreateBusinessHours)
	route("PATCH /api/v1/business-hours/{id}", admin, api.UpdateBusinessHours)
	route("DELETE /api/v1/business-hours/{id}", admin, api.DeleteBusinessHours)
	route("GET /api/v1/sla-policies", agent, api.ListSLAPolicies)
	route("POST /api/v1/sla-policies", admin, api.CreateSLAPolicy)
	route("PATCH /api/v1/sla-policies/{id}", admin, api.UpdateSLAPolicy)
	route("DELETE /api/v1/sla-policies/{id}", admin, api.DeleteSLAPolicy)
	// Issue 14: reports.
	route("GET /api/v1/reports/summary", agent, api.GetReportSummary)
	// Outgoing webhooks (issue 14).
	route("GET /api/v1/webhooks", admin, api.ListWebhooks)
	route("POST /api/v1/webhooks", admin, api.CreateWebhook)
	route("PATCH /api/v1/webhooks/{id}", admin, api.UpdateWebhook)
	route("DELETE /api/v1/webhooks/{id}", admin, api.DeleteWebhook)
	route("GET /api/v1/webhooks/{id}/deliveries", admin, api.ListWebhookDeliveries)
	route("POST /api/v1/webhooks/{id}/test", admin, api.TestWebhook)
	// Collision detection: who is on a ticket's page.
	route("POST /api/v1/tickets/{id}/presence", agent, api.AnnouncePresence)
	route("DELETE /api/v1/tickets/{id}/presence", agent, api.LeavePresence)
	// Merge, split, new outbound tickets, notifications (issue 12).
	route("POST /api/v1/tickets", agent, api.CreateTicket)
	route("POST /api/v1/tickets/{id}/merge", agent, api.MergeTicket)
	route("POST /api/v1/messages/{id}/split", agent, api.SplitMessage)
	route("GET /api/v1/notifications", agent, api.ListNotifications)
	route("POST /api/v1/notifications/read", agent, api.MarkNotificationsRead)
	route("PATCH /api/v1/me/notifications", agent, api.UpdateMyNotificationSettings)

	// Users and mailboxes: everyone reads, admins write.
	route("GET /api/v1/users", agent, api.ListUsers)
	route("POST /api/v1/users", admin, api.CreateUser)
	route("PATCH /api/v1/users/{id}", admin, api.UpdateUser)
	route("GET /api/v1/contacts", agent, api.ListContacts)
	route("GET /api/v1/contacts/{id}", agent, api.GetContact)
	route("PATCH /api/v1/contacts/{id}", agent, api.UpdateContact)
	route("GET /api/v1/organisations", agent, api.ListOrganisations)
	route("POST /api/v1/organisations", agent, api.CreateOrganisation)
	route("GET /api/v1/organisations/{id}", agent, api.GetOrganisation)
	route("PATCH /api/v1/organisations/{id}", agent, api.UpdateOrganisation)
	route("DELETE /api/v1/organisations/{id}", agent, api.DeleteOrganisation)
	route("GET /api/v1/contacts/{id}/export", admin, api.ExportContact)
	route("POST /api/v1/contacts/{id}/erase", admin, api.EraseContact)
	route("POST /api/v1/users/{id}/invite", admin, api.InviteUser)
	route("GET /api/v1/mailboxes", agent, api.ListMailboxes)
	route("POST /api/v1/mailboxes", admin, api.CreateMailbox)
	route("PATCH /api/v1/mailboxes/{id}", admin, api.UpdateMailbox)
	route("POST /api/v1/mailboxes/{id}/test", admin, api.TestMailbox)
	route("GET /api/v1/mailboxes/{id}/sync", agent, api.GetMailboxSync)
	route("POST /api/v1/mailboxes/{id}/nylas", admin, api.ConnectNylas)
	if opts.GmailOAuthStart != nil {
		route("GET /api/v1/mailboxes/gmail/oauth/start", admin, opts.GmailOAuthStart.ServeHTTP)
		route("GET /api/v1/mailboxes/gmail/oauth/callback", admin, opts.GmailOAuthCallback.ServeHTTP)
	}
	if opts.MicrosoftOAuthStart != nil {
		route("GET /api/v1/mailboxes/microsoft/oauth/start", admin, opts.MicrosoftOAuthStart.ServeHTTP)
		route("GET /api/v1/mailboxes/microsoft/oauth/callback", admin, opts.MicrosoftOAuthCallback.ServeHTTP)
	}
	if opts.MailOAuthStart != nil {
		route("GET /api/v1/mailboxes/oauth/start", admin, opts.MailOAuthStart.ServeHTTP)
		route("GET /api/v1/mailboxes/oauth/callback", admin, opts.MailOAuthCallback.ServeHTTP)
	}
	if opts.NylasWebhook != nil {
		route("GET /api/v1/mailboxes/nylas/webhook", public, opts.NylasWebhook.ServeHTTP)
		route("POST /api/v1/mailboxes/nylas/webhook", public, opts.NylasWebhook.ServeHTTP)
	}
	if opts.MicrosoftNotifications != nil {
		route("POST /api/v1/mailboxes/microsoft/notifications", public, opts.MicrosoftNotifications.ServeHTTP)
		route("POST /api/v1/mailboxes/microsoft/lifecycle", public, opts.MicrosoftNotifications.ServeHTTP)
	}

	// The customer portal (issue 14): sign-in by a mailed link, then pages
	// rendered on the server with their own cookie, CSRF token and CSP
	// (portal.go). Customers reach nothing else; agents nothing here.
	route("POST /api/v1/portal/sign-in", public, api.PortalSignIn)
	mux.HandleFunc("GET /portal", s.portalPage(false, s.portalIndex))
	mux.HandleFunc("GET /portal/{$}", s.portalPage(false, s.portalIndex))
	mux.HandleFunc("GET /portal/portal.css", portalCSS)
	mux.HandleFunc("POST /portal/sign-in", s.portalPage(false, s.portalRequestLink))
	mux.HandleFunc("GET /portal/sign-in/{token}", s.portalPage(false, s.portalConfirm))
	mux.HandleFunc("POST /portal/sign-in/{token}", s.portalPage(false, s.portalSignIn))
	mux.HandleFunc("POST /portal/sign-out", s.portalPage(true, s.portalSignOut))
	mux.HandleFunc("POST /portal/tickets", s.portalPage(true, s.portalOpen))
	mux.HandleFunc("GET /portal/tickets/{id}", s.portalPage(true, s.portalTicket))
	mux.HandleFunc("POST /portal/tickets/{id}/replies", s.portalPage(true, s.portalReply))
	mux.HandleFunc("GET /portal/attachments/{id}", s.portalPage(true, s.portalAttachment))

	// The satisfaction survey (issue 14): the mailed link's page, and its
	// form (survey.go). The link is the only credential.
	mux.HandleFunc("GET /survey/{token}", s.surveyPage)
	mux.HandleFunc("POST /survey/{token}", s.surveyRate)

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path, "")
	})
	mux.Handle("/", web.Handler()) // the web UI (GET/HEAD); unknown paths get its index.html

	// Browsers' cross-origin requests that change something are refused
	// (Sec-Fetch-Site / Origin), on top of the CSRF double submit.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross_origin", "cross-origin request refused", "")
	}))
	var h http.Handler = mux
	if opts.Middleware != nil {
		h = opts.Middleware(mux)
	}
	return s.common(cop.Handler(h))
}
