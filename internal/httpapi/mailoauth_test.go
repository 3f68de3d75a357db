package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
)

// The refresh token of a connected account (sealed on the mailbox) never
// appears in what the API answers about the mailbox, sealed or not.
func TestConnectedAccountTokenNeverInAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		b, _ := json.Marshal(xoauth.Credentials{Provider: xoauth.Google, RefreshToken: "1//refresh-token-secret"})
		sealed, err := h.secrets.Seal(string(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.st.SetCredentials(h.ctx, h.mailbox, sealed); err != nil {
			t.Fatal(err)
		}
		admin := h.bearer(h.adminToken)
		for _, path := range []string{"/api/v1/mailboxes", fmt.Sprintf("/api/v1/mailboxes/%d/sync", h.mailbox)} {
			r := admin.do("GET", path, nil)
			if r.status != 200 && r.status != 404 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			if body := string(r.body); strings.Contains(body, "refresh-token-secret") || strings.Contains(body, sealed) {
				t.Fatalf("%s leaks the token: %s", path, body)
			}
		}
	})
}
