package graph_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMicrosoft is an in-process Microsoft identity platform (v2.0
// authorize and token endpoints) and Microsoft Graph mail API that follows
// the documented request and response formats and refuses what the service
// refuses:
//   - token: client secret checked (invalid_client, 401), authorization code
//     bound to its redirect_uri and PKCE S256 challenge (invalid_grant),
//     offline_access required for a refresh_token, refresh tokens rotated
//     on every refresh, a revoked grant answers invalid_grant (AADSTS70008).
//     Stricter than Microsoft, which keeps replaced refresh tokens valid:
//     only the latest and the one it replaced work, so a connector that
//     forgets to keep the new one fails here at its second refresh, while
//     two refreshes at once (a connector and a graph_sync job, from the same
//     stored token) both succeed, as they do at Microsoft.
//   - Graph: bearer tokens checked (401 InvalidAuthenticationToken), delta
//     rounds paged with @odata.nextLink ($skiptoken) and closed with
//     @odata.deltaLink ($deltatoken), Prefer: odata.maxpagesize honoured,
//     deleted messages as @removed, an expired token 410 syncStateNotFound,
//     throttling 429 with Retry-After, $value as MIME, sendMail taking MIME
//     only as base64 text/plain, /users/{address} only with the .Shared
//     scopes and Full Access.
type fakeMicrosoft struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	account string                // the signed-in user
	boxes   map[string][]*fakeMsg // by mailbox address
	access  map[string]bool       // shared mailboxes the account may read
	seq     int
	refresh string
	// prevRefresh is the refresh token refresh replaced (still accepted).
	prevRefresh string
	// refreshShared: the grant behind refresh has the .Shared scopes
	refreshShared bool
	revoked       bool
	tokens        map[string]fakeGrant // access tokens
	codes         map[string]fakeCode
	rounds        map[string]fakeRound // $skiptoken / $deltatoken -> round
	tokenN        int
	requests      map[string]int // by path
	refreshN      int            // refresh_token grants served
	// failures a test injects
	throttle    int  // the next n Graph calls answer 429
	throttled   int  // calls that were answered 429
	expireOnce  bool // the next Graph call answers 401
	foreignNext bool // nextLinks point at another host
	sent        []fakeSent
	lastPrefer  string
	// mutableIDs counts requests without Prefer: IdType="ImmutableId"
	// (the ids a connector stores would change when a message moves).
	mutableIDs int
	// subscriptions (fakesub_test.go)
	subs  map[string]*fakeSub
	clock func() time.Time // subscription expiry clock; time.Now when nil
	// patched counts the PATCHes (renewals) asked for each subscription id,
	// answered 404 or not.
	patched map[string]int
}

type fakeMsg struct {
	id       string
	folder   string // inbox, sentitems
	seq      int    // change sequence: set when added or removed
	received time.Time
	raw      []byte
	removed  bool
}

type fakeGrant struct {
	shared  bool
	expires time.Time
}

type fakeCode struct {
	redirect, challenge string
	shared, offline     bool
}

// fakeRound is what a token stands for: the changes after `after`, up to
// `upto`, from `offset`; filter is the first request's $filter.
type fakeRound struct {
	box, folder  string
	after, upto  int
	offset, size int
	since        time.Time
}

type fakeSent struct {
	box, contentType string
	raw              []byte
}

const (
	fakeClientID     = "11111111-2222-3333-4444-555555555555"
	fakeClientSecret = "client~secret"
	fakeAccount      = "agent@contoso.test"
	fakeShared       = "support@contoso.test"
	fakeTenant       = "contoso.test"
)

func newFakeMicrosoft(t testing.TB) *fakeMicrosoft {
	f := &fakeMicrosoft{t: t, account: fakeAccount, boxes: map[string][]*fakeMsg{}, access: map[string]bool{},
		refresh: "M.R3_first", tokens: map[string]fakeGrant{}, codes: map[string]fakeCode{}, rounds: map[string]fakeRound{},
		requests: map[string]int{}, subs: map[string]*fakeSub{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", f.authorize)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", f.token)
	mux.HandleFunc("GET /v1.0/me", f.api(f.me))
	for _, root := range []string{"/v1.0/me", "/v1.0/users/{user}"} {
		mux.HandleFunc("GET "+root+"/mailFolders/inbox", f.api(f.inbox))
		mux.HandleFunc("GET "+root+"/mailFolders/{folder}/messages/delta", f.api(f.delta))
		mux.HandleFunc("GET "+root+"/messages/{id}/$value", f.api(f.value))
		mux.HandleFunc("POST "+root+"/sendMail", f.api(f.sendMail))
	}
	mux.HandleFunc("POST /v1.0/subscriptions", f.api(f.createSubscription))
	mux.HandleFunc("PATCH /v1.0/subscriptions/{sid}", f.api(f.renewSubscription))
	mux.HandleFunc("DELETE /v1.0/subscriptions/{sid}", f.api(f.deleteSubscription))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMicrosoft) with(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fakeMicrosoft) apiBase() string   { return f.srv.URL + "/v1.0" }
func (f *fakeMicrosoft) loginBase() string { return f.srv.URL }

// add puts a message in a mailbox's Inbox.
func (f *fakeMicrosoft) add(box, id string, received time.Time, raw []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addTo(box, "inbox", id, received, raw)
}

// addTo puts a message in a folder; f.mu is held.
func (f *fakeMicrosoft) addTo(box, folder, id string, received time.Time, raw []byte) {
	f.seq++
	f.boxes[box] = append(f.boxes[box], &fakeMsg{id: id, folder: folder, seq: f.seq, received: received, raw: raw})
}

// remove deletes a message (a delta round after it reports @removed).
func (f *fakeMicrosoft) remove(box, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.boxes[box] {
		if m.id == id {
			f.seq++
			m.seq, m.removed = f.seq, true
		}
	}
}

// expireSyncState forgets every skip and delta token, as Exchange does when
// a sync state ages out.
func (f *fakeMicrosoft) expireSyncState() {
	f.with(func() { f.rounds = map[string]fakeRound{} })
}

func (f *fakeMicrosoft) newToken(prefix string) string {
	f.tokenN++
	return fmt.Sprintf("%s%d", prefix, f.tokenN)
}

// oauthError is the identity platform's error body.
func oauthError(w http.ResponseWriter, status int, code, aadsts, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": aadsts + ": " + desc + "\r\nTrace ID: 0\r\nTimestamp: 2026-12-01 00:00:00Z",
		"error_codes": []int{atoiAADSTS(aadsts)}, "timestamp": "2026-12-01 00:00:00Z", "trace_id": "0", "correlation_id": "0"})
}

func atoiAADSTS(s string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(s, "AADSTS"))
	return n
}

func scopeSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Fields(s) {
		out[f] = true
	}
	return out
}

// authorize plays the signed-in user consenting at once: it checks the
// request and redirects back with a code.
func (f *fakeMicrosoft) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	scopes := scopeSet(q.Get("scope"))
	switch {
	case q.Get("client_id") != fakeClientID:
		http.Error(w, "AADSTS700016: Application not found in the directory", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("redirect_uri") == "":
		http.Error(w, "AADSTS900144: The request body must contain the following parameter", http.StatusBadRequest)
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		// Ticketer must always use PKCE with S256 (the fake demands it).
		http.Error(w, "AADSTS9002325: Proof Key for Code Exchange is required", http.StatusBadRequest)
		return
	case !scopes["Mail.ReadWrite"] && !scopes["Mail.Read"] || !scopes["Mail.Send"]:
		http.Error(w, "scope is missing Mail.Read(Write) or Mail.Send", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	code := f.newToken("code-")
	f.codes[code] = fakeCode{redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		shared: scopes["Mail.ReadWrite.Shared"] && scopes["Mail.Send.Shared"], offline: scopes["offline_access"]}
	f.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (f *fakeMicrosoft) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", "AADSTS900144", err.Error())
		return
	}
	if r.PathValue("tenant") != fakeTenant {
		oauthError(w, 400, "invalid_request", "AADSTS90002", "Tenant not found")
		return
	}
	if r.PostForm.Get("client_id") != fakeClientID || r.PostForm.Get("client_secret") != fakeClientSecret {
		oauthError(w, 401, "invalid_client", "AADSTS7000215", "Invalid client secret provided.")
		return
	}
	shared, offline := false, true
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		c, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code")) // a code is used once
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok:
			oauthError(w, 400, "invalid_grant", "AADSTS70000", "The provided authorization code is invalid or has expired.")
			return
		case r.PostForm.Get("redirect_uri") != c.redirect:
			oauthError(w, 400, "invalid_grant", "AADSTS50148", "The redirect_uri does not match the one of the authorization request.")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			oauthError(w, 400, "invalid_grant", "AADSTS501481", "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
			return
		}
		shared, offline = c.shared, c.offline
	case "refresh_token":
		if rt := r.PostForm.Get("refresh_token"); f.revoked || rt == "" || (rt != f.refresh && rt != f.prevRefresh) {
			oauthError(w, 400, "invalid_grant", "AADSTS70008", "The provided authorization code or refresh token has expired due to inactivity.")
			return
		}
		f.refreshN++
		// Without a scope parameter (it is optional) the new token has the
		// scopes of the original grant.
		shared = f.refreshShared
		if sc := r.PostForm.Get("scope"); sc != "" {
			shared = shared && scopeSet(sc)["Mail.ReadWrite.Shared"]
		}
	default:
		oauthError(w, 400, "unsupported_grant_type", "AADSTS70003", "The app requested an unsupported grant type.")
		return
	}
	access := f.newToken("eyJ0.access.")
	f.tokens[access] = fakeGrant{shared: shared, expires: time.Now().Add(time.Hour)}
	resp := map[string]any{"token_type": "Bearer", "scope": "Mail.ReadWrite Mail.Send User.Read", "expires_in": 3599, "ext_expires_in": 3599,
		"access_token": access}
	if offline {
		f.refreshShared = shared
		f.prevRefresh, f.refresh = f.refresh, f.newToken("M.R3_")
		resp["refresh_token"] = f.refresh
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(resp)
}

// graphError is Graph's error body.
func graphError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"innerError": map[string]string{"date": "2026-12-01T00:00:00", "request-id": "0", "client-request-id": "0"}}})
}

// api checks the bearer token and the mailbox, and applies injected failures;
// h runs under the lock with the mailbox address.
func (f *fakeMicrosoft) api(h func(w http.ResponseWriter, r *http.Request, box string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests[r.URL.Path]++
		if !slices.Contains(preferences(r), `IdType="ImmutableId"`) {
			f.mutableIDs++
		}
		if f.throttle > 0 {
			f.throttle--
			f.throttled++
			w.Header().Set("Retry-After", "1")
			graphError(w, 429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
			return
		}
		g, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok || f.expireOnce || time.Now().After(g.expires) {
			f.expireOnce = false
			w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"`)
			graphError(w, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
			return
		}
		box := f.account
		if u := r.PathValue("user"); u != "" && !strings.EqualFold(u, f.account) {
			if !g.shared || !f.access[strings.ToLower(u)] {
				graphError(w, 403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
				return
			}
			box = strings.ToLower(u)
		}
		h(w, r, box)
	}
}

// preferences lists the Prefer header's preferences (several headers or
// comma-separated, RFC 7240).
func preferences(r *http.Request) []string {
	var out []string
	for _, h := range r.Header.Values("Prefer") {
		for p := range strings.SplitSeq(h, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

func (f *fakeMicrosoft) me(w http.ResponseWriter, _ *http.Request, _ string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
		"mail": f.account, "userPrincipalName": f.account})
}

func (f *fakeMicrosoft) inbox(w http.ResponseWriter, _ *http.Request, box string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": "AAMkInbox-" + box})
}

// delta serves a round: the first request starts it (from 0, or from a
// $deltatoken), $skiptoken continues it; each page holds up to the
// preferred size (Outlook's default 10), in change order.
func (f *fakeMicrosoft) delta(w http.ResponseWriter, r *http.Request, box string) {
	q := r.URL.Query()
	folder := r.PathValue("folder")
	if folder != "inbox" && folder != "sentitems" {
		graphError(w, 404, "ErrorItemNotFound", "The specified folder could not be found in the store.")
		return
	}
	size := 10
	for _, p := range preferences(r) {
		if v, ok := strings.CutPrefix(p, "odata.maxpagesize="); ok {
			f.lastPrefer = p
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				size = min(n, 1000)
			}
		}
	}
	var rd fakeRound
	switch {
	case q.Get("$skiptoken") != "":
		var ok bool
		if rd, ok = f.rounds[q.Get("$skiptoken")]; !ok || rd.box != box || rd.folder != folder {
			graphError(w, 410, "syncStateNotFound", "The sync state generation is invalid or expired.")
			return
		}
	case q.Get("$deltatoken") != "":
		prev, ok := f.rounds[q.Get("$deltatoken")]
		if !ok || prev.box != box || prev.folder != folder {
			graphError(w, 410, "syncStateNotFound", "The sync state generation is invalid or expired.")
			return
		}
		rd = fakeRound{box: box, folder: folder, after: prev.upto, upto: f.seq, size: size, since: prev.since}
	default:
		rd = fakeRound{box: box, folder: folder, upto: f.seq, size: size}
		if fl := q.Get("$filter"); fl != "" {
			v, ok := strings.CutPrefix(fl, "receivedDateTime ge ")
			t, err := time.Parse(time.RFC3339, v)
			if !ok || err != nil {
				graphError(w, 400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.")
				return
			}
			rd.since = t
		}
	}
	var changes []*fakeMsg
	for _, m := range f.boxes[box] {
		if m.folder == rd.folder && m.seq > rd.after && m.seq <= rd.upto && (rd.since.IsZero() || !m.received.Before(rd.since)) {
			changes = append(changes, m)
		}
	}
	slices.SortFunc(changes, func(a, b *fakeMsg) int { return a.seq - b.seq })
	end := min(rd.offset+rd.size, len(changes))
	var value []map[string]any
	for _, m := range changes[rd.offset:end] {
		if m.removed {
			if rd.after > 0 { // a first round does not report what is gone
				value = append(value, map[string]any{"@odata.type": "#microsoft.graph.message", "id": m.id, "@removed": map[string]string{"reason": "deleted"}})
			}
			continue
		}
		value = append(value, map[string]any{"@odata.type": "#microsoft.graph.message", "@odata.etag": "W/\"CQAAAA==\"", "id": m.id,
			"receivedDateTime": m.received.UTC().Format("2006-01-02T15:04:05Z")})
	}
	if value == nil {
		value = []map[string]any{}
	}
	self := f.srv.URL + r.URL.Path
	resp := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)", "value": value}
	if end < len(changes) {
		next := rd
		next.offset = end
		tok := f.newToken("skip")
		f.rounds[tok] = next
		host := self
		if f.foreignNext {
			host = "https://evil.example" + r.URL.Path
		}
		resp["@odata.nextLink"] = host + "?%24skiptoken=" + tok
	} else {
		tok := f.newToken("delta")
		f.rounds[tok] = rd
		resp["@odata.deltaLink"] = self + "?%24deltatoken=" + tok
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeMicrosoft) value(w http.ResponseWriter, r *http.Request, box string) {
	for _, m := range f.boxes[box] {
		if m.id == r.PathValue("id") && !m.removed {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write(m.raw)
			return
		}
	}
	graphError(w, 404, "ErrorItemNotFound", "The specified object was not found in the store.")
}

// sendMail takes MIME only as base64 in a text/plain body (JSON would be a
// message resource, which Ticketer never sends); it answers 202.
func (f *fakeMicrosoft) sendMail(w http.ResponseWriter, r *http.Request, box string) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		graphError(w, 400, "RequestBodyRead", err.Error())
		return
	}
	if r.Header.Get("Content-Type") != "text/plain" {
		graphError(w, 400, "RequestBodyRead", "this fake takes MIME (text/plain) only")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(string(body))
	if err != nil || len(raw) == 0 {
		graphError(w, 400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
		return
	}
	if !strings.Contains(string(raw), "\r\n\r\n") || !strings.Contains(strings.ToLower(string(raw)), "\nto:") && !strings.HasPrefix(strings.ToLower(string(raw)), "to:") {
		graphError(w, 400, "ErrorMimeContentInvalid", "The MIME content is invalid.")
		return
	}
	f.sent = append(f.sent, fakeSent{box: box, contentType: r.Header.Get("Content-Type"), raw: raw})
	// Exchange keeps a copy in Sent Items (saveToSentItems defaults true).
	f.addTo(box, "sentitems", f.newToken("AAMkSent-"), time.Now(), raw)
	w.WriteHeader(http.StatusAccepted)
}
