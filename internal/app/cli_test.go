package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Help for a command's flags is a success: `serve -h` exits 0 and lists the
// environment variables.
func TestHelpFlagIsNotAnError(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"serve", "-h"}, {"serve", "--help"}, {"help"}, {"user", "add", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			env := Env{Args: args, Lookup: func(string) (string, bool) { return "", false }, Stdout: &out, Stderr: &errOut}
			if err := Run(context.Background(), env); err != nil {
				t.Fatalf("Run(%q) = %v, want nil", args, err)
			}
			if out.Len()+errOut.Len() == 0 {
				t.Fatalf("Run(%q) printed no help", args)
			}
		})
	}
	t.Run("serve -h lists the environment", func(t *testing.T) {
		t.Parallel()
		var errOut bytes.Buffer
		_ = Run(context.Background(), Env{Args: []string{"serve", "-h"}, Lookup: func(string) (string, bool) { return "", false }, Stdout: &errOut, Stderr: &errOut})
		if !strings.Contains(errOut.String(), "TICKETER_DATA_DIR") {
			t.Fatalf("serve -h does not list TICKETER_DATA_DIR:\n%s", errOut.String())
		}
	})
	t.Run("an unknown flag stays an error", func(t *testing.T) {
		t.Parallel()
		var errOut bytes.Buffer
		if err := Run(context.Background(), Env{Args: []string{"serve", "--no-such-flag"}, Lookup: func(string) (string, bool) { return "", false }, Stdout: &errOut, Stderr: &errOut}); err == nil {
			t.Fatal("serve --no-such-flag succeeded")
		}
	})
}
