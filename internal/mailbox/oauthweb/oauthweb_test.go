package oauthweb

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type testState struct {
	Mailbox int64 `json:"m"`
	Expires int64 `json:"e"`
}

func TestStateIsBoundToSessionAndExpires(t *testing.T) {
	t.Parallel()
	key := []byte("key")
	now := time.Unix(1_800_000_000, 0)
	state, payload := Encode(key, "alice", testState{Mailbox: 7, Expires: now.Add(15 * time.Minute).Unix()})
	enc, sig, _ := strings.Cut(state, ".")
	for _, tc := range []struct {
		name, session, state string
		at                   time.Time
		want                 string // "" accepted
	}{
		{"own session", "alice", state, now, ""},
		{"another session", "mallory", state, now, "does not belong to this session"},
		{"expired", "alice", state, now.Add(16 * time.Minute), "expired"},
		{"no signature", "alice", enc, now, "malformed"},
		{"another payload", "alice", "eyJtIjo4LCJlIjo5OTk5OTk5OTk5fQ." + sig, now, "does not belong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st testState
			got, err := Decode(key, tc.session, tc.state, tc.at, &st)
			if tc.want == "" {
				if err != nil || st.Mailbox != 7 || string(got) != string(payload) {
					t.Fatalf("decode: %+v %v", st, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if MAC(key, "pkce", "alice", payload) == sig {
		t.Fatal("a labelled MAC must differ from the state's signature")
	}
}

func TestFinishRedirects(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	Finish(w, httptest.NewRequest(http.MethodGet, "/cb", nil), "/admin/mailboxes?x=1", "microsoft", 3, nil)
	loc, _ := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusFound || loc.Path != "/admin/mailboxes" || loc.Query().Get("microsoft") != "connected" || loc.Query().Get("mailbox") != "3" || loc.Query().Get("x") != "1" {
		t.Fatalf("redirect %d %s", w.Code, loc)
	}
}
