package auth_test

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/auth"
)

func TestPrincipalAllows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scopes        []string
		method, group string
		want          bool
	}{
		{nil, "DELETE", "webhooks", true},
		{[]string{"read"}, "GET", "tickets", true},
		{[]string{"read"}, "HEAD", "users", true},
		{[]string{"read"}, "POST", "tickets", false},
		{[]string{"read"}, "PATCH", "account", false},
		{[]string{"tickets"}, "POST", "tickets", true},
		{[]string{"tickets"}, "GET", "mailboxes", false},
		{[]string{"read", "tickets"}, "GET", "tickets", true},
		{[]string{"read", "tickets"}, "PATCH", "tickets", false},
		{[]string{"read", "tickets"}, "GET", "reports", false},
		{[]string{"tickets", "reports"}, "GET", "reports", true},
		{[]string{"tickets"}, "GET", "", false}, // a route with no group: only full or read-only tokens
		{[]string{"read"}, "GET", "", true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.scopes, c.method, c.group), func(t *testing.T) {
			t.Parallel()
			if got := (auth.Principal{Scopes: c.scopes}).Allows(c.method, c.group); got != c.want {
				t.Fatalf("Allows = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPrincipalGrants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mine, asked []string
		want        bool
	}{
		{nil, nil, true},
		{nil, []string{"read"}, true},
		{[]string{"account", "tickets"}, nil, false},
		{[]string{"account", "tickets"}, []string{"tickets"}, true},
		{[]string{"account", "tickets"}, []string{"read", "account"}, true},
		{[]string{"account", "tickets"}, []string{"mailboxes"}, false},
		{[]string{"read", "account"}, []string{"account"}, false}, // drops read-only
		{[]string{"read"}, []string{"read", "tickets"}, true},
		{[]string{"account"}, []string{"read"}, false}, // read of every group is broader
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.mine, c.asked), func(t *testing.T) {
			t.Parallel()
			if got := (auth.Principal{Scopes: c.mine}).Grants(c.asked); got != c.want {
				t.Fatalf("Grants = %v, want %v", got, c.want)
			}
		})
	}
}
