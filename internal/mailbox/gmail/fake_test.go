package gmail_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeGoogle is an in-process Gmail API and OAuth token endpoint that
// follows Google's documented request and response formats: messages.list
// and history.list paginate with pageToken/nextPageToken, messages.get with
// format=raw answers base64url, an old startHistoryId answers 404, an
// expired access token 401, and rate limiting 429 with Retry-After.
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
	expireOnce  bool // the next API call answers 401 once
	throttle    int  // the next n API calls answer 429
	throttled   int
	requests    map[string]int
	sent        []map[string]string
	codes       map[string]bool
}

type fakeMsg struct {
	id, thread, raw string
	history         int
}

type fakeHistory struct {
	id    int
	added string
}

func newFakeGoogle(t testing.TB) *fakeGoogle {
	f := &fakeGoogle{t: t, historyID: 1000, pageSize: 2, accessToken: "ya29.first", refresh: "1//refresh", requests: map[string]int{}, codes: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /gmail/v1/users/me/profile", f.api(f.profile))
	mux.HandleFunc("GET /gmail/v1/users/me/messages", f.api(f.list))
	mux.HandleFunc("GET /gmail/v1/users/me/messages/{id}", f.api(f.get))
	mux.HandleFunc("GET /gmail/v1/users/me/history", f.api(f.historyList))
	mux.HandleFunc("POST /gmail/v1/users/me/messages/send", f.api(f.send))
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

// add puts a message in the mailbox with a new history record.
func (f *fakeGoogle) add(id, thread string, raw []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.historyID++
	f.msgs = append(f.msgs, fakeMsg{id: id, thread: thread, raw: base64.URLEncoding.EncodeToString(raw), history: f.historyID})
	f.history = append(f.history, fakeHistory{id: f.historyID, added: id})
}

func gerror(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"errors":[{"message":%q,"domain":"global","reason":"x"}],"status":%q}}`, code, msg, msg, status)
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
		f.requests[r.URL.Path]++
		if f.throttle > 0 {
			f.throttle--
			f.throttled++
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			gerror(w, 429, "RESOURCE_EXHAUSTED", "User-rate limit exceeded.")
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.accessToken || f.expireOnce {
			f.expireOnce = false
			f.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
			gerror(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
			return
		}
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		h(w, r)
	}
}

func (f *fakeGoogle) profile(w http.ResponseWriter, _ *http.Request) {
	_ = json.NewEncoder(w).Encode(map[string]any{"emailAddress": "journal@acme.test", "messagesTotal": len(f.msgs),
		"threadsTotal": len(f.msgs), "historyId": strconv.Itoa(f.historyID)})
}

// list returns newest first, pageSize per page; pageToken is an offset.
func (f *fakeGoogle) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var match []fakeMsg
	for i := len(f.msgs) - 1; i >= 0; i-- {
		m := f.msgs[i]
		if id, ok := strings.CutPrefix(q.Get("q"), "rfc822msgid:"); ok {
			raw, _ := base64.URLEncoding.DecodeString(m.raw)
			if !strings.Contains(string(raw), "<"+id+">") {
				continue
			}
		}
		match = append(match, m)
	}
	off, _ := strconv.Atoi(q.Get("pageToken"))
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
	if r.URL.Query().Get("format") != "raw" {
		gerror(w, 400, "INVALID_ARGUMENT", "this fake only serves format=raw")
		return
	}
	for _, m := range f.msgs {
		if m.id == r.PathValue("id") {
			_ = json.NewEncoder(w).Encode(map[string]any{"id": m.id, "threadId": m.thread, "labelIds": []string{"INBOX"},
				"historyId": strconv.Itoa(m.history), "internalDate": "1762077600000", "sizeEstimate": len(m.raw), "raw": m.raw})
			return
		}
	}
	gerror(w, 404, "NOT_FOUND", "Requested entity was not found.")
}

func (f *fakeGoogle) historyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err := strconv.Atoi(q.Get("startHistoryId"))
	if err != nil || q.Get("historyTypes") != "messageAdded" {
		gerror(w, 400, "INVALID_ARGUMENT", "bad request")
		return
	}
	if start < f.minHistory {
		gerror(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	var recs []fakeHistory
	for _, h := range f.history {
		if h.id > start {
			recs = append(recs, h)
		}
	}
	off, _ := strconv.Atoi(q.Get("pageToken"))
	end := min(off+f.pageSize, len(recs))
	resp := map[string]any{"historyId": strconv.Itoa(f.historyID)}
	var out []map[string]any
	for _, h := range recs[off:end] {
		thread := ""
		for _, m := range f.msgs {
			if m.id == h.added {
				thread = m.thread
			}
		}
		out = append(out, map[string]any{"id": strconv.Itoa(h.id),
			"messages":      []map[string]string{{"id": h.added, "threadId": thread}},
			"messagesAdded": []map[string]any{{"message": map[string]any{"id": h.added, "threadId": thread, "labelIds": []string{"INBOX"}}}}})
	}
	if out != nil {
		resp["history"] = out
	}
	if end < len(recs) {
		resp["nextPageToken"] = strconv.Itoa(end)
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeGoogle) send(w http.ResponseWriter, r *http.Request) {
	var body map[string]string
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["raw"] == "" {
		gerror(w, 400, "INVALID_ARGUMENT", "Invalid raw")
		return
	}
	f.sent = append(f.sent, body)
	thread := body["threadId"]
	if thread == "" {
		thread = "t-new"
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"id": fmt.Sprintf("sent-%d", len(f.sent)), "threadId": thread, "labelIds": []string{"SENT"}})
}
