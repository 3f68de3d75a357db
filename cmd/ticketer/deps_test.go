package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestServerLeavesOutHeavyPackages: packages whose initialisation ran at
// every start, for about 2 MB of an idle server's memory (issue 11), and that
// the server does without. Each would come back with one import.
func TestServerLeavesOutHeavyPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	banned := []struct{ prefix, why string }{
		// internal/metrics writes the text format itself.
		{"github.com/prometheus/", "the Prometheus client (Protocol Buffers, expvar, procfs)"},
		{"google.golang.org/protobuf/", "Protocol Buffers, with the Prometheus client"},
		{"expvar", "expvar, with the Prometheus client"},
		// internal/blob reads the AWS variables and shared files itself.
		{"github.com/aws/aws-sdk-go-v2/config", "the AWS SDK's config package"},
		{"github.com/aws/aws-sdk-go-v2/service/sso", "the AWS SSO and SSO-OIDC clients (sso, ssooidc), with the config package"},
		{"github.com/aws/aws-sdk-go-v2/service/signin", "the AWS sign-in client, with the config package"},
	}
	for pkg := range strings.Lines(string(out)) {
		pkg = strings.TrimSpace(pkg)
		for _, b := range banned {
			if strings.HasPrefix(pkg, b.prefix) {
				t.Errorf("the server links %s: %s", pkg, b.why)
			}
		}
	}
}
