package gmail_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	stdmail "net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGoogle is the Gmail API and Google's OAuth token endpoint as their
// references describe them (https://developers.google.com/gmail/api/reference/rest),
// refusing what Google refuses:
//   - messages.list and history.list paginate with pageToken/nextPageToken;
//     messages.list documents no order, so this one answers in an order
//     that is not chronological (hashed ids), and leaves out SPAM and
//     TRASH unless includeSpamTrash=true.
//   - q "after:" takes epoch seconds or a date, a date being midnight
//     Pacific time ("Searching for messages", guides/filtering).
//   - messages.get serves format=raw (base64url), minimal and metadata,
//     each with labelIds and internalDate (epoch ms).
//   - history.list reports every messageAdded, spam and trash included,
//     with the message's labelIds; an old startHistoryId answers 404.
//   - messages.send with a JSON "raw" body is refused over jsonSendLimit
//     (413); the upload URI (uploadType=multipart) takes up to 35 MB.
//   - A sent message joins the requested threadId only when it carries
//     In-Reply-To or References and its Subject matches the thread's
//     (guides/threads, "Adding drafts and messages to threads"); else it
//     starts a new thread. It is then in the mailbox, labelled SENT.
//   - Usage limits answer 403 with the reasons userRateLimitExceeded,
//     rateLimitExceeded or dailyLimitExceeded, or 429 with Retry-After
//     (guides/handle-errors); an expired access token answers 401; a
//     revoked refresh token answers invalid_grant.
type fakeGoogle struct {
	t   testing.TB
	srv *httptest.Server

	mu          sync.Mutex
	msgs        []fakeMsg
	history     []fakeHistory
	historyID   int
	minHistory  int // history before this answers 404
	pageSize    int
	accessToken string
	refresh     string
	revoked     bool
	tokenCalls  int
	expireOnce  bool          // the next API call answers 401 once
	failures    []fakeFailure // the next API calls answer these, in order
	failed      int
	failRaw     map[string]bool // format=raw of these ids answers 400
	requests    map[string]int
	sent        []fakeSent
	codes       map[string]bool
	threads     int
}

type fakeMsg struct {
	id, thread, raw string // raw is base64url
	labels          []string
	internal        time.Time
	history         int
}

type fakeHistory struct {
	id    int
	added string
}

// fakeFailure is one injected error answer.
type fakeFailure struct {
	status     int
	reason     string
	retryAfter string
}

type fakeSent struct {
	raw, thread, requested, via string
}

// jsonSendLimit is the request size messages.send takes as JSON: the
// uploads guide puts the simple path at "5 MB or less"; larger mail must
// use the upload URI (a real account would show the exact figure).
const jsonSendLimit = 5 << 20

// uploadSendLimit is messages.send's "Maximum file size: 35MB".
const uploadSendLimit = 35 << 20

// pacific is how Gmail reads a date in a search: midnight PST.
var pacific = time.FixedZone("PST", -8*3600)

func newFakeGoogle(t testing.TB) *fakeGoogle {
	f := &fakeGoogle{t: t, historyID: 1000, pageSize: 2, accessToken: "ya29.first", refresh: "1//refresh", requests: map[string]int{},
		codes: map[string]bool{}, failRaw: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /gmail/v1/users/me/profile", f.api(f.profile))
	mux.HandleFunc("GET /gmail/v1/users/me/messages", f.api(f.list))
	mux.HandleFunc("GET /gmail/v1/users/me/messages/{id}", f.api(f.get))
	mux.HandleFunc("GET /gmail/v1/users/me/history", f.api(f.historyList))
	mux.HandleFunc("POST /gmail/v1/users/me/messages/send", f.api(f.sendJSON))
	mux.HandleFunc("POST /upload/gmail/v1/users/me/messages/send", f.api(f.sendUpload))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// with runs fn under the fake's lock (tests change its behaviour).
func (f *fakeGoogle) with(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fakeGoogle) apiBase() string  { return f.srv.URL + "/gmail/v1/users/me" }
func (f *fakeGoogle) tokenURL() string { return f.srv.URL + "/token" }

// add puts a message in the inbox with a new history record; Gmail
// received it a minute after the previous one.
func (f *fakeGoogle) add(id, thread string, raw []byte) {
	f.addAt(id, thread, raw, time.Time{}, "INBOX")
}

// addAt puts a message with these labels, received at at (zero: a minute
// after the previous one), with a new history record.
func (f *fakeGoogle) addAt(id, thread string, raw []byte, at time.Time, labels ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addLocked(id, thread, base64.URLEncoding.EncodeToString(raw), at, labels)
}

func (f *fakeGoogle) addLocked(id, thread, raw string, at time.Time, labels []string) {
	if at.IsZero() {
		at = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).Add(time.Duration(len(f.msgs)) * time.Minute)
	}
	f.historyID++
	f.msgs = append(f.msgs, fakeMsg{id: id, thread: thread, raw: raw, labels: labels, internal: at, history: f.historyID})
	f.history = append(f.history, fakeHistory{id: f.historyID, added: id})
}

// remove deletes a message (as a user emptying the trash would).
func (f *fakeGoogle) remove(id string) {
	f.with(func() { f.msgs = slices.DeleteFunc(f.msgs, func(m fakeMsg) bool { return m.id == id }) })
}

func gerror(w http.ResponseWriter, code int, status, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"errors":[{"message":%q,"domain":"usageLimits","reason":%q}],"status":%q}}`,
		code, msg, msg, reason, status)
}

func (f *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenCalls++
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	if r.Form.Get("client_id") != "client-id" || r.Form.Get("client_secret") != "client-secret" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"The OAuth client was not found."}`)
		return
	}
	switch r.Form.Get("grant_type") {
	case "authorization_code":
		if !f.codes[r.Form.Get("code")] || r.Form.Get("redirect_uri") == "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Bad Request"}`)
			return
		}
		delete(f.codes, r.Form.Get("code"))
	case "refresh_token":
		// A refresh token of an app in Testing expires after 7 days, and a
		// revoked one is refused the same way.
		if f.revoked || r.Form.Get("refresh_token") != f.refresh {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
			return
		}
	default:
		http.Error(w, "unsupported_grant_type", 400)
		return
	}
	f.accessToken = fmt.Sprintf("ya29.t%d", f.tokenCalls)
	w.Header().Set("Content-Type", "application/json")
	resp := map[string]any{"access_token": f.accessToken, "expires_in": 3599, "token_type": "Bearer",
		"scope": "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send"}
	if r.Form.Get("grant_type") == "authorization_code" {
		resp["refresh_token"] = f.refresh
	}
	_ = json.NewEncoder(w).Encode(resp)
}

// api checks the bearer token and applies the injected failures.
func (f *fakeGoogle) api(h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests[r.URL.Path]++
		if len(f.failures) > 0 {
			fail := f.failures[0]
			f.failures = f.failures[1:]
			f.failed++
			if fail.retryAfter != "" {
				w.Header().Set("Retry-After", fail.retryAfter)
			}
			status := map[int]string{403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED"}[fail.status]
			gerror(w, fail.status, status, fail.reason, "Quota exceeded or permission denied ("+fail.reason+").")
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.accessToken || f.expireOnce {
			f.expireOnce = false
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
			gerror(w, 401, "UNAUTHENTICATED", "authError", "Request had invalid authentication credentials.")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		h(w, r)
	}
}

func (f *fakeGoogle) profile(w http.ResponseWriter, _ *http.Request) {
	_ = json.NewEncoder(w).Encode(map[string]any{"emailAddress": "journal@acme.test", "messagesTotal": len(f.msgs),
		"threadsTotal": len(f.msgs), "historyId": strconv.Itoa(f.historyID)})
}

func rawOf(m fakeMsg) string {
	b, _ := base64.URLEncoding.DecodeString(m.raw)
	return string(b)
}

// after reads an after: term: epoch seconds, or a date at midnight PST.
func after(v string) (time.Time, bool) {
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(s, 0), true
	}
	t, err := time.ParseInLocation("2006/1/2", v, pacific)
	return t, err == nil
}

func hashOf(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()
}

func (f *fakeGoogle) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var match []fakeMsg
	for _, m := range f.msgs {
		if q.Get("includeSpamTrash") != "true" && (slices.Contains(m.labels, "SPAM") || slices.Contains(m.labels, "TRASH")) {
			continue
		}
		ok := true
		for _, term := range strings.Fields(q.Get("q")) {
			if id, found := strings.CutPrefix(term, "rfc822msgid:"); found {
				ok = ok && strings.Contains(rawOf(m), "Message-ID: <"+id+">")
			} else if v, found := strings.CutPrefix(term, "after:"); found {
				t, valid := after(v)
				if !valid {
					gerror(w, 400, "INVALID_ARGUMENT", "invalidArgument", "Invalid query")
					return
				}
				ok = ok && m.internal.After(t)
			}
		}
		if ok {
			match = append(match, m)
		}
	}
	slices.SortFunc(match, func(a, b fakeMsg) int { return int(hashOf(a.id)%1000) - int(hashOf(b.id)%1000) })
	off, err := strconv.Atoi(q.Get("pageToken"))
	if err != nil && q.Get("pageToken") != "" {
		gerror(w, 400, "INVALID_ARGUMENT", "invalid", "Invalid pageToken") // a client bug must show
		return
	}
	end := min(off+f.pageSize, len(match))
	resp := map[string]any{"resultSizeEstimate": len(match)}
	var refs []map[string]string
	for _, m := range match[off:end] {
		refs = append(refs, map[string]string{"id": m.id, "threadId": m.thread})
	}
	if refs != nil {
		resp["messages"] = refs
	}
	if end < len(match) {
		resp["nextPageToken"] = strconv.Itoa(end)
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeGoogle) get(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	for _, m := range f.msgs {
		if m.id != r.PathValue("id") {
			continue
		}
		resp := map[string]any{"id": m.id, "threadId": m.thread, "labelIds": m.labels, "historyId": strconv.Itoa(m.history),
			"internalDate": strconv.FormatInt(m.internal.UnixMilli(), 10), "sizeEstimate": len(m.raw)}
		switch format {
		case "raw":
			if f.failRaw[m.id] {
				gerror(w, 400, "FAILED_PRECONDITION", "failedPrecondition", "Precondition check failed.")
				return
			}
			resp["raw"] = m.raw
		case "minimal":
		case "metadata":
			msg, _ := stdmail.ReadMessage(strings.NewReader(rawOf(m)))
			var headers []map[string]string
			for _, name := range r.URL.Query()["metadataHeaders"] {
				if v := msg.Header.Get(name); v != "" {
					headers = append(headers, map[string]string{"name": name, "value": v})
				}
			}
			resp["payload"] = map[string]any{"mimeType": "text/plain", "headers": headers}
		default:
			gerror(w, 400, "INVALID_ARGUMENT", "invalidArgument", "this fake serves format=raw, minimal and metadata")
			return
		}
		_ = json.NewEncoder(w).Encode(resp)
		return
	}
	gerror(w, 404, "NOT_FOUND", "notFound", "Requested entity was not found.")
}

func (f *fakeGoogle) historyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err := strconv.Atoi(q.Get("startHistoryId"))
	if err != nil || q.Get("historyTypes") != "messageAdded" {
		gerror(w, 400, "INVALID_ARGUMENT", "invalidArgument", "bad request")
		return
	}
	if start < f.minHistory {
		gerror(w, 404, "NOT_FOUND", "notFound", "Requested entity was not found.")
		return
	}
	var recs []fakeHistory
	for _, h := range f.history {
		if h.id > start {
			recs = append(recs, h)
		}
	}
	off, err := strconv.Atoi(q.Get("pageToken"))
	if err != nil && q.Get("pageToken") != "" {
		gerror(w, 400, "INVALID_ARGUMENT", "invalid", "Invalid pageToken") // a client bug must show
		return
	}
	end := min(off+f.pageSize, len(recs))
	resp := map[string]any{"historyId": strconv.Itoa(f.historyID)}
	var out []map[string]any
	for _, h := range recs[off:end] {
		thread, labels := "", []string{}
		for _, m := range f.msgs {
			if m.id == h.added {
				thread, labels = m.thread, m.labels
			}
		}
		out = append(out, map[string]any{"id": strconv.Itoa(h.id),
			"messages":      []map[string]string{{"id": h.added, "threadId": thread}},
			"messagesAdded": []map[string]any{{"message": map[string]any{"id": h.added, "threadId": thread, "labelIds": labels}}}})
	}
	if out != nil {
		resp["history"] = out
	}
	if end < len(recs) {
		resp["nextPageToken"] = strconv.Itoa(end)
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeGoogle) sendJSON(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, jsonSendLimit+1))
	if err != nil {
		gerror(w, 400, "INVALID_ARGUMENT", "invalid", "request body: "+err.Error())
		return
	}
	if len(body) > jsonSendLimit {
		gerror(w, 413, "INVALID_ARGUMENT", "uploadTooLarge", "Request payload size exceeds the limit: use the upload URI")
		return
	}
	var meta map[string]string
	if err := json.Unmarshal(body, &meta); err != nil || meta["raw"] == "" {
		gerror(w, 400, "INVALID_ARGUMENT", "invalidArgument", "Invalid raw")
		return
	}
	raw, err := base64.URLEncoding.DecodeString(meta["raw"] + strings.Repeat("=", (4-len(meta["raw"])%4)%4))
	if err != nil {
		gerror(w, 400, "INVALID_ARGUMENT", "invalidArgument", "Invalid raw")
		return
	}
	f.accept(w, string(raw), meta["threadId"], "json")
}

func (f *fakeGoogle) sendUpload(w http.ResponseWriter, r *http.Request) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.URL.Query().Get("uploadType") != "multipart" || err != nil || mt != "multipart/related" {
		gerror(w, 400, "INVALID_ARGUMENT", "badContent", "this fake takes uploadType=multipart with a multipart/related body")
		return
	}
	mr := multipart.NewReader(io.LimitReader(r.Body, uploadSendLimit+1<<20), params["boundary"])
	var meta map[string]string
	part, err := mr.NextPart()
	if err != nil || json.NewDecoder(part).Decode(&meta) != nil {
		gerror(w, 400, "INVALID_ARGUMENT", "badContent", "the first part must be the JSON metadata")
		return
	}
	part, err = mr.NextPart()
	if err != nil || !strings.HasPrefix(part.Header.Get("Content-Type"), "message/") {
		gerror(w, 400, "INVALID_ARGUMENT", "badContent", "Media type not supported: the second part must be message/*")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(part, uploadSendLimit+1))
	if err != nil {
		gerror(w, 400, "INVALID_ARGUMENT", "invalid", "upload: "+err.Error())
		return
	}
	if len(raw) > uploadSendLimit {
		gerror(w, 413, "INVALID_ARGUMENT", "uploadTooLarge", "Media is larger than 35MB")
		return
	}
	f.accept(w, string(raw), meta["threadId"], "upload")
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|fwd?)\s*:\s*`)

// subjectBase strips reply prefixes for the thread rule's comparison.
func subjectBase(s string) string {
	for {
		t := replyPrefix.ReplaceAllString(s, "")
		if t == s {
			return strings.ToLower(strings.TrimSpace(s))
		}
		s = t
	}
}

// accept files a sent message: in the requested thread when Gmail's rule
// allows, else in a new one.
func (f *fakeGoogle) accept(w http.ResponseWriter, raw, requested, via string) {
	msg, err := stdmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		gerror(w, 400, "INVALID_ARGUMENT", "invalidArgument", "Invalid RFC 822 message")
		return
	}
	thread := ""
	if requested != "" && (msg.Header.Get("In-Reply-To") != "" || msg.Header.Get("References") != "") {
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		for _, m := range f.msgs {
			other, _ := stdmail.ReadMessage(strings.NewReader(rawOf(m)))
			if m.thread == requested && other != nil && subjectBase(other.Header.Get("Subject")) == subjectBase(subject) {
				thread = requested
			}
		}
	}
	if thread == "" {
		f.threads++
		thread = fmt.Sprintf("t-new-%d", f.threads)
	}
	id := fmt.Sprintf("sent-%d", len(f.sent)+1)
	f.sent = append(f.sent, fakeSent{raw: raw, thread: thread, requested: requested, via: via})
	f.addLocked(id, thread, base64.URLEncoding.EncodeToString([]byte(raw)), time.Time{}, []string{"SENT"})
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "threadId": thread, "labelIds": []string{"SENT"}})
}
