package auth

import (
	"slices"
	"strings"
	"testing"
)

// TestNormalScopes: a token's scopes are trimmed, lower-cased, deduplicated
// and put in the documented order; an unknown scope is refused.
func TestNormalScopes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want []string
	}{
		{nil, []string{}},
		{[]string{GroupAccount, ScopeRead}, []string{ScopeRead, GroupAccount}},
		{[]string{" " + strings.ToUpper(GroupUsers) + " ", GroupTickets, GroupUsers}, []string{GroupTickets, GroupUsers}},
		{[]string{GroupWebhooks, GroupRules, GroupMailboxes}, []string{GroupMailboxes, GroupRules, GroupWebhooks}},
	}
	for _, tt := range cases {
		got, err := normalScopes(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("normalScopes(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := normalScopes([]string{ScopeRead, "admin"}); err == nil {
		t.Error("an unknown scope was accepted")
	}
}
