package oauthweb_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func keys(t *testing.T, list ...byte) *secret.Box {
	t.Helper()
	var ks []string
	for _, b := range list {
		ks = append(ks, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)))
	}
	box, err := secret.ParseKeys(strings.Join(ks, ","))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// SaveRotatedToken replaces only the refresh token, and only while the
// stored one is the token rotated away; a re-encryption under a new key is
// no change.
func TestSaveRotatedToken(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		st := store.New(storetest.Open(t, dsn))
		ctx := t.Context()
		oldKey, box := keys(t, 'a'), keys(t, 'b', 'a') // box reads both, seals with b
		for i, tc := range []struct {
			name   string
			stored string // plaintext; "" none
			sealer *secret.Box
			want   string // plaintext afterwards
			saved  bool
		}{
			{"same grant", `{"account":"a@x.test","refresh_token":"rt-1","sync_sent":true,"later":[1]}`, box,
				`{"account":"a@x.test","later":[1],"refresh_token":"rt-2","sync_sent":true}`, true},
			{"same grant under the old key", `{"refresh_token":"rt-1"}`, oldKey, `{"refresh_token":"rt-2"}`, true},
			{"reconnected", `{"account":"b@x.test","refresh_token":"rt-9"}`, box, `{"account":"b@x.test","refresh_token":"rt-9"}`, false},
			{"no refresh token", `{"account":"a@x.test"}`, box, `{"account":"a@x.test"}`, false},
			{"not json", `rt-1`, box, `rt-1`, false},
			{"disconnected", "", box, "", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id, err := st.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s" + string(rune('a'+i)) + "@acme.test", Provider: "microsoft", CreatedAt: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				sealed := ""
				if tc.stored != "" {
					if sealed, err = tc.sealer.Seal(tc.stored); err != nil {
						t.Fatal(err)
					}
				}
				if err := st.SetCredentials(ctx, id, sealed); err != nil {
					t.Fatal(err)
				}
				var logs bytes.Buffer
				got, err := oauthweb.SaveRotatedToken(ctx, st, box, slog.New(slog.NewTextHandler(&logs, nil)), id, "rt-1", "rt-2")
				if err != nil || (got != "") != tc.saved {
					t.Fatalf("sealed %q, err %v; want saved %v", got, err, tc.saved)
				}
				c, err := st.GetConnector(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if tc.saved && c.Credentials != got {
					t.Fatalf("returned %q, stored %q", got, c.Credentials)
				}
				plain := ""
				if c.Credentials != "" {
					if plain, err = box.Open(c.Credentials); err != nil {
						t.Fatal(err)
					}
				}
				if plain != tc.want {
					t.Fatalf("stored %s, want %s", plain, tc.want)
				}
				if dropped := strings.Contains(logs.String(), "level=INFO msg=\"rotated refresh token dropped"); dropped == tc.saved {
					t.Fatalf("dropped logged %v, saved %v:\n%s", dropped, tc.saved, logs.String())
				}
				if strings.Contains(logs.String(), "rt-") {
					t.Fatalf("a token in the log:\n%s", logs.String())
				}
			})
		}
	})
}
