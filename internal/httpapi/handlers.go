package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/api"
	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

var _ oapi.StrictServerInterface = (*Server)(nil)

// --- operations

func (s *Server) Healthz(ctx context.Context, _ oapi.HealthzRequestObject) (oapi.HealthzResponseObject, error) {
	return oapi.Healthz200JSONResponse{"status": "ok"}, nil
}

func (s *Server) Readyz(ctx context.Context, _ oapi.ReadyzRequestObject) (oapi.ReadyzResponseObject, error) {
	checks := oapi.Health{"database": "ok", "blobs": "ok"}
	ready := true
	if err := s.db.Ping(ctx); err != nil {
		checks["database"], ready = err.Error(), false
	}
	if err := s.blobs.Ping(ctx); err != nil {
		checks["blobs"], ready = err.Error(), false
	}
	if !ready {
		return oapi.Readyz503JSONResponse(checks), nil
	}
	return oapi.Readyz200JSONResponse(checks), nil
}

// Metrics and StreamEvents are mounted from Options in routes.go (other
// packages build them); the strict server never routes to these.
func (s *Server) Metrics(ctx context.Context, _ oapi.MetricsRequestObject) (oapi.MetricsResponseObject, error) {
	return nil, errors.New("metrics are served by the handler given in Options.Metrics")
}

func (s *Server) StreamEvents(ctx context.Context, _ oapi.StreamEventsRequestObject) (oapi.StreamEventsResponseObject, error) {
	return nil, errors.New("the event stream is served by the handler given in Options.Stream")
}

type specResponse struct{}

func (specResponse) VisitOpenapiDocumentResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(api.OpenAPI)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(api.OpenAPI)
	return err
}

func (s *Server) OpenapiDocument(ctx context.Context, _ oapi.OpenapiDocumentRequestObject) (oapi.OpenapiDocumentResponseObject, error) {
	return specResponse{}, nil
}

// --- sign-in

// sessionResponse sets the session cookies along with the Session body.
type sessionResponse struct {
	cookies []*http.Cookie
	body    oapi.Session
}

func (r sessionResponse) write(w http.ResponseWriter) error {
	for _, c := range r.cookies {
		http.SetCookie(w, c)
	}
	writeJSON(w, http.StatusOK, r.body)
	return nil
}

func (r sessionResponse) VisitLoginResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r sessionResponse) VisitDevLoginResponse(w http.ResponseWriter) error { return r.write(w) }

func (s *Server) session(ns auth.NewSession) sessionResponse {
	return sessionResponse{cookies: s.auth.SessionCookies(ns), body: oapi.Session{User: toUser(ns.User), CsrfToken: ns.CSRF, ExpiresAt: ns.ExpiresAt}}
}

func needBody(b any) error {
	if b == nil {
		return &badRequest{"body", "a JSON object is required (Content-Type: application/json)"}
	}
	return nil
}

func (s *Server) Login(ctx context.Context, req oapi.LoginRequestObject) (oapi.LoginResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if strings.TrimSpace(req.Body.Email) == "" {
		return nil, &auth.FieldError{Field: "email", Message: "is required"}
	}
	if req.Body.Password == "" {
		return nil, &auth.FieldError{Field: "password", Message: "is required"}
	}
	ns, err := s.auth.Login(ctx, req.Body.Email, req.Body.Password, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	return s.session(ns), nil
}

func (s *Server) DevLogin(ctx context.Context, req oapi.DevLoginRequestObject) (oapi.DevLoginResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if strings.TrimSpace(req.Body.Email) == "" {
		return nil, &auth.FieldError{Field: "email", Message: "is required"}
	}
	ns, err := s.auth.DevLogin(ctx, req.Body.Email, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	return s.session(ns), nil
}

type logoutResponse struct{ cookies []*http.Cookie }

func (r logoutResponse) VisitLogoutResponse(w http.ResponseWriter) error {
	for _, c := range r.cookies {
		http.SetCookie(w, c)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) Logout(ctx context.Context, _ oapi.LogoutRequestObject) (oapi.LogoutResponseObject, error) {
	if err := s.auth.Logout(ctx, principalFrom(ctx)); err != nil {
		return nil, err
	}
	return logoutResponse{cookies: s.auth.ClearCookies()}, nil
}

func (s *Server) GetMe(ctx context.Context, _ oapi.GetMeRequestObject) (oapi.GetMeResponseObject, error) {
	return oapi.GetMe200JSONResponse(toUser(principalFrom(ctx).User)), nil
}

func (s *Server) ListTokens(ctx context.Context, _ oapi.ListTokensRequestObject) (oapi.ListTokensResponseObject, error) {
	list, err := s.store.ListAPITokens(ctx, principalFrom(ctx).User.ID)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.APIToken, 0, len(list))
	for _, t := range list {
		items = append(items, toToken(t))
	}
	return oapi.ListTokens200JSONResponse{Items: items}, nil
}

func (s *Server) CreateToken(ctx context.Context, req oapi.CreateTokenRequestObject) (oapi.CreateTokenResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	secret, t, err := s.auth.CreateToken(ctx, principalFrom(ctx).User.ID, req.Body.Name)
	if err != nil {
		return nil, err
	}
	return oapi.CreateToken201JSONResponse{Id: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: nullTime(t.LastUsedAt),
		RevokedAt: nullTime(t.RevokedAt), Token: secret}, nil
}

func (s *Server) RevokeToken(ctx context.Context, req oapi.RevokeTokenRequestObject) (oapi.RevokeTokenResponseObject, error) {
	if err := s.auth.RevokeToken(ctx, principalFrom(ctx).User.ID, req.Id); err != nil {
		return nil, err
	}
	return oapi.RevokeToken204Response{}, nil
}

// --- tickets

var validStatuses = map[string]bool{"new": true, "open": true, "pending": true, "solved": true, "closed": true}

func (s *Server) ListTickets(ctx context.Context, req oapi.ListTicketsRequestObject) (oapi.ListTicketsResponseObject, error) {
	p := req.Params
	f := store.TicketFilter{Limit: 50}
	str := func(v *string) string {
		if v == nil {
			return ""
		}
		return strings.TrimSpace(*v)
	}
	f.Query, f.Tag, f.Requester = str(p.Q), strings.ToLower(str(p.Tag)), str(p.Requester)
	if v := str(p.Status); v != "" {
		for st := range strings.SplitSeq(v, ",") {
			st = strings.TrimSpace(st)
			if !validStatuses[st] {
				return nil, &badRequest{"status", "must be new, open, pending, solved or closed (comma-separated)"}
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if p.Mailbox != nil {
		if *p.Mailbox <= 0 {
			return nil, &badRequest{"mailbox", "must be a mailbox id"}
		}
		f.MailboxID = *p.Mailbox
	}
	switch v := str(p.Assignee); v {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.AssigneeID = principalFrom(ctx).User.ID
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, &badRequest{"assignee", "must be a user id, me or none"}
		}
		f.AssigneeID = id
	}
	if p.Limit != nil {
		if *p.Limit < 1 || *p.Limit > 200 {
			return nil, &badRequest{"limit", "must be between 1 and 200"}
		}
		f.Limit = *p.Limit
	}
	if v := str(p.Cursor); v != "" {
		t, id, err := decodeCursor(v)
		if err != nil {
			return nil, &badRequest{"cursor", err.Error()}
		}
		f.AfterTime, f.AfterID = t, id
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	list, err := s.store.ListTickets(ctx, f)
	if err != nil {
		return nil, err
	}
	next := nullable.NewNullNullable[string]()
	if len(list) > limit {
		list = list[:limit]
		next = nullable.NewNullableWithValue(encodeCursor(list[limit-1].UpdatedAt, list[limit-1].ID))
	}
	items := make([]oapi.Ticket, 0, len(list))
	for _, t := range list {
		items = append(items, toTicket(t))
	}
	return oapi.ListTickets200JSONResponse{Items: items, NextCursor: next}, nil
}

func encodeCursor(t time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", t.UnixMicro(), id))
}

func decodeCursor(c string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, errors.New("malformed")
	}
	ts, id, ok := strings.Cut(string(b), ".")
	micros, err1 := strconv.ParseInt(ts, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return time.Time{}, 0, errors.New("malformed")
	}
	return time.UnixMicro(micros).UTC(), n, nil
}

func (s *Server) GetTicket(ctx context.Context, req oapi.GetTicketRequestObject) (oapi.GetTicketResponseObject, error) {
	t, err := s.store.GetTicket(ctx, s.db, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetTicket200JSONResponse(toTicket(t)), nil
}

func (s *Server) UpdateTicket(ctx context.Context, req oapi.UpdateTicketRequestObject) (oapi.UpdateTicketResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.TicketUpdate{Tags: b.Tags}
	if b.Status != nil {
		st := string(*b.Status)
		in.Status = &st
	}
	if b.Priority != nil {
		pr := string(*b.Priority)
		in.Priority = &pr
	}
	if b.AssigneeId.IsSpecified() {
		in.AssigneeSet = true
		if !b.AssigneeId.IsNull() {
			in.AssigneeID = b.AssigneeId.MustGet()
			if in.AssigneeID <= 0 {
				return nil, &ticket.FieldError{Field: "assignee_id", Message: "must be a user id or null"}
			}
		}
	}
	t, err := s.tickets.UpdateTicket(ctx, principalFrom(ctx).User, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateTicket200JSONResponse(toTicket(t)), nil
}

func (s *Server) ticketMustExist(ctx context.Context, id int64) error {
	ok, err := s.store.TicketExists(ctx, s.db, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("ticket %d: %w", id, store.ErrNotFound)
	}
	return nil
}

func (s *Server) ListMessages(ctx context.Context, req oapi.ListMessagesRequestObject) (oapi.ListMessagesResponseObject, error) {
	if err := s.ticketMustExist(ctx, req.Id); err != nil {
		return nil, err
	}
	list, err := s.store.ListMessages(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.Message, 0, len(list))
	for _, m := range list {
		items = append(items, toMessage(m))
	}
	return oapi.ListMessages200JSONResponse{Items: items}, nil
}

func (s *Server) ListEvents(ctx context.Context, req oapi.ListEventsRequestObject) (oapi.ListEventsResponseObject, error) {
	if err := s.ticketMustExist(ctx, req.Id); err != nil {
		return nil, err
	}
	list, err := s.store.ListEvents(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.Event, 0, len(list))
	for _, e := range list {
		items = append(items, toEvent(e))
	}
	return oapi.ListEvents200JSONResponse{Items: items}, nil
}

func (s *Server) CreateReply(ctx context.Context, req oapi.CreateReplyRequestObject) (oapi.CreateReplyResponseObject, error) {
	var in ticket.ReplyInput
	switch {
	case req.JSONBody != nil:
		in.Body, in.Cc = req.JSONBody.Body, req.JSONBody.Cc
	case req.MultipartBody != nil:
		var err error
		if in, err = readReplyForm(req); err != nil {
			return nil, err
		}
	default:
		return nil, &badRequest{"body", "send application/json or multipart/form-data"}
	}
	m, err := s.tickets.Reply(ctx, principalFrom(ctx).User, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.CreateReply202JSONResponse(toMessage(m)), nil
}

// readReplyForm reads a multipart reply: the "body" field, "cc" fields (one
// address each, or comma-separated), and every file part as an attachment.
func readReplyForm(req oapi.CreateReplyRequestObject) (ticket.ReplyInput, error) {
	var in ticket.ReplyInput
	var total int64
	var cc []string
	ccGiven := false
	for {
		part, err := req.MultipartBody.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return in, err
			}
			return in, &badRequest{"body", "malformed multipart body: " + err.Error()}
		}
		name, filename := part.FormName(), part.FileName()
		data, err := io.ReadAll(io.LimitReader(part, MaxUploadBytes-total+1))
		part.Close()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return in, err
			}
			return in, &badRequest{name, "reading the part: " + err.Error()}
		}
		total += int64(len(data))
		if total > MaxUploadBytes {
			return in, &http.MaxBytesError{Limit: MaxUploadBytes}
		}
		switch {
		case filename != "":
			ct := part.Header.Get("Content-Type")
			if mt, _, err := mime.ParseMediaType(ct); err == nil {
				ct = mt
			} else {
				ct = "application/octet-stream"
			}
			in.Files = append(in.Files, ticket.File{Name: filename, ContentType: ct, Data: data})
		case name == "body":
			in.Body = string(data)
		case name == "cc":
			ccGiven = true
			for a := range strings.SplitSeq(string(data), ",") {
				if a = strings.TrimSpace(a); a != "" {
					cc = append(cc, a)
				}
			}
		}
	}
	if ccGiven {
		in.Cc = &cc
	}
	return in, nil
}

func (s *Server) CreateNote(ctx context.Context, req oapi.CreateNoteRequestObject) (oapi.CreateNoteResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	m, err := s.tickets.AddNote(ctx, principalFrom(ctx).User, req.Id, req.Body.Body)
	if err != nil {
		return nil, err
	}
	return oapi.CreateNote201JSONResponse(toMessage(m)), nil
}

func (s *Server) RetryMessage(ctx context.Context, req oapi.RetryMessageRequestObject) (oapi.RetryMessageResponseObject, error) {
	m, err := s.tickets.RetryMessage(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.RetryMessage202JSONResponse(toMessage(m)), nil
}

// download streams an attachment: always a download, never rendered in our
// origin, because email content is hostile.
type download struct {
	a    store.Attachment
	body io.ReadCloser
}

func (d download) VisitGetAttachmentContentResponse(w http.ResponseWriter) error {
	defer d.body.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.a.Filename}))
	h.Set("Content-Length", strconv.FormatInt(d.a.Size, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, d.body)
	return err
}

func (s *Server) GetAttachmentContent(ctx context.Context, req oapi.GetAttachmentContentRequestObject) (oapi.GetAttachmentContentResponseObject, error) {
	a, err := s.store.GetAttachment(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	rc, err := s.blobs.Open(ctx, a.BlobKey)
	if err != nil {
		return nil, err
	}
	return download{a: a, body: rc}, nil
}

func (s *Server) ListInbound(ctx context.Context, req oapi.ListInboundRequestObject) (oapi.ListInboundResponseObject, error) {
	status := store.InboundFailed
	if req.Params.Status != nil {
		status = string(*req.Params.Status)
	}
	switch status {
	case store.InboundPending, store.InboundDone, store.InboundDuplicate, store.InboundIgnored, store.InboundFailed:
	default:
		return nil, &badRequest{"status", "must be pending, done, duplicate, ignored or failed"}
	}
	list, err := s.store.ListInbound(ctx, status, 200)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.Inbound, 0, len(list))
	for _, in := range list {
		items = append(items, oapi.Inbound{Id: in.ID, MailboxId: in.MailboxID, Source: in.Source, Status: in.Status, Error: in.Error,
			Attempts: in.Attempts, Size: in.Size, Sha256: in.SHA256, ReceivedAt: in.ReceivedAt})
	}
	return oapi.ListInbound200JSONResponse{Items: items}, nil
}

// --- users and mailboxes

func (s *Server) ListUsers(ctx context.Context, _ oapi.ListUsersRequestObject) (oapi.ListUsersResponseObject, error) {
	list, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.User, 0, len(list))
	for _, u := range list {
		items = append(items, toUser(u))
	}
	return oapi.ListUsers200JSONResponse{Items: items}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) CreateUser(ctx context.Context, req oapi.CreateUserRequestObject) (oapi.CreateUserResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	u, err := s.auth.CreateUser(ctx, auth.NewUser{Email: b.Email, Name: b.Name, Role: string(b.Role), Password: deref(b.Password)})
	if err != nil {
		return nil, err
	}
	return s.createdUser(ctx, u, deref(b.Password) == "")
}

func (s *Server) UpdateUser(ctx context.Context, req oapi.UpdateUserRequestObject) (oapi.UpdateUserResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := auth.UserUpdate{Name: b.Name, Password: b.Password, Disabled: b.Disabled}
	if b.Role != nil {
		r := string(*b.Role)
		in.Role = &r
	}
	u, err := s.auth.UpdateUser(ctx, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateUser200JSONResponse(toUser(u)), nil
}

func (s *Server) ListMailboxes(ctx context.Context, _ oapi.ListMailboxesRequestObject) (oapi.ListMailboxesResponseObject, error) {
	list, err := s.store.ListMailboxes(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]oapi.Mailbox, 0, len(list))
	for _, m := range list {
		items = append(items, toMailbox(m))
	}
	return oapi.ListMailboxes200JSONResponse{Items: items}, nil
}

func (s *Server) CreateMailbox(ctx context.Context, req oapi.CreateMailboxRequestObject) (oapi.CreateMailboxResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.MailboxInput{Name: b.Name, Address: b.Address, SMTPRelay: deref(b.SmtpRelay),
		AckEnabled: b.AckEnabled, AckSubject: deref(b.AckSubject), AckBody: deref(b.AckBody)}
	if u := strings.TrimSpace(deref(b.Imap)); u != "" {
		if _, err := imap.ParseURL(u); err != nil {
			return nil, &ticket.FieldError{Field: "imap", Message: err.Error()}
		}
		in.IMAP = u
	}
	if d := deref(b.ImapSince); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil || in.IMAP == "" {
			return nil, &ticket.FieldError{Field: "imap_since", Message: "must be a date, YYYY-MM-DD, and goes with imap"}
		}
		in.IMAPSince = t
	}
	m, err := s.tickets.CreateMailbox(ctx, in)
	if err != nil {
		return nil, err
	}
	s.refreshConnectors()
	return oapi.CreateMailbox201JSONResponse(toMailbox(m)), nil
}

func (s *Server) UpdateMailbox(ctx context.Context, req oapi.UpdateMailboxRequestObject) (oapi.UpdateMailboxResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	m, err := s.tickets.UpdateMailbox(ctx, req.Id, ticket.MailboxUpdate{Name: b.Name, SMTPRelay: b.SmtpRelay, AckSubject: b.AckSubject,
		AckBody: b.AckBody, AckEnabled: b.AckEnabled})
	if err != nil {
		return nil, err
	}
	s.refreshConnectors()
	return oapi.UpdateMailbox200JSONResponse(toMailbox(m)), nil
}

func (s *Server) TestMailbox(ctx context.Context, req oapi.TestMailboxRequestObject) (oapi.TestMailboxResponseObject, error) {
	res, err := s.tickets.TestMailbox(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.TestMailbox200JSONResponse{Ok: res.OK, Transport: oapi.MailboxTestResultTransport(res.Transport), Message: res.Message}, nil
}

func (s *Server) refreshConnectors() {
	if s.conns != nil {
		s.conns.Refresh()
	}
}

func (s *Server) GetMailboxSync(ctx context.Context, req oapi.GetMailboxSyncRequestObject) (oapi.GetMailboxSyncResponseObject, error) {
	st, err := s.store.MailboxSyncStatus(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	out := oapi.GetMailboxSync200JSONResponse{MailboxId: st.MailboxID, Provider: st.Provider, Enabled: st.Enabled, Status: st.Status,
		Done: st.Done, Total: st.Total, Backfilled: st.Backfilled}
	if st.LastError != "" {
		out.LastError = &st.LastError
	}
	if !st.ErrorSince.IsZero() {
		out.ErrorSince = &st.ErrorSince
	}
	if !st.LastSyncAt.IsZero() {
		out.LastSyncAt = &st.LastSyncAt
	}
	return out, nil
}

func (s *Server) ConnectNylas(ctx context.Context, req oapi.ConnectNylasRequestObject) (oapi.ConnectNylasResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	switch {
	case strings.TrimSpace(b.GrantId) == "":
		return nil, &ticket.FieldError{Field: "grant_id", Message: "must not be empty"}
	case strings.TrimSpace(b.ApiKey) == "":
		return nil, &ticket.FieldError{Field: "api_key", Message: "must not be empty"}
	}
	var since time.Time
	if d := deref(b.Since); d != "" {
		var err error
		if since, err = time.Parse(time.DateOnly, d); err != nil {
			return nil, &ticket.FieldError{Field: "since", Message: "must be a date, YYYY-MM-DD"}
		}
	}
	if s.conns == nil {
		return nil, errors.New("no mailbox connectors in this server")
	}
	if _, err := s.store.GetMailbox(ctx, s.db, req.Id); err != nil {
		return nil, err
	}
	if err := s.conns.ConnectNylas(ctx, req.Id, b.GrantId, b.ApiKey, deref(b.ApiBase), since); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		// The grant or key was refused, or Nylas could not be reached: the
		// admin has to see why.
		return nil, &ticket.FieldError{Field: "api_key", Message: "Nylas refused or could not be reached: " + err.Error()}
	}
	return oapi.ConnectNylas204Response{}, nil
}

func (s *Server) GmailOAuthStart(ctx context.Context, _ oapi.GmailOAuthStartRequestObject) (oapi.GmailOAuthStartResponseObject, error) {
	return nil, errors.New("the Gmail connect flow is served by the handler given in Options.GmailOAuthStart")
}

func (s *Server) GmailOAuthCallback(ctx context.Context, _ oapi.GmailOAuthCallbackRequestObject) (oapi.GmailOAuthCallbackResponseObject, error) {
	return nil, errors.New("the Gmail connect flow is served by the handler given in Options.GmailOAuthCallback")
}

func (s *Server) NylasWebhookChallenge(ctx context.Context, _ oapi.NylasWebhookChallengeRequestObject) (oapi.NylasWebhookChallengeResponseObject, error) {
	return nil, errors.New("the Nylas webhook is served by the handler given in Options.NylasWebhook")
}

func (s *Server) NylasWebhook(ctx context.Context, _ oapi.NylasWebhookRequestObject) (oapi.NylasWebhookResponseObject, error) {
	return nil, errors.New("the Nylas webhook is served by the handler given in Options.NylasWebhook")
}
