package mail

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// maxInitBytes bounds what this package allocates before main runs. Every
// process links it (serve, every CLI command), and what its init builds
// stays on the heap of a server that may never read mail: the HTML
// sanitizer, built at init, allocated 5.9 MB and kept 2.2 MB, the phone
// signature and quote separator regexps another 1.4 MB (issue 11, memory at
// rest). Expensive tables are built on first use instead; what is left is
// about 0.4 MB.
const maxInitBytes = 1 << 20

var initTraceRE = regexp.MustCompile(`(?m)^init github\.com/ticketer/ticketer/internal/mail @\S+ ms, \S+ ms clock, (\d+) bytes`)

func TestInitAllocatesLittle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	// The runtime reports each package's init cost on stderr; -test.run
	// matching nothing leaves only the inits.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := initTraceRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no init trace for internal/mail in:\n%s", out)
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("internal/mail init allocated %d bytes", n)
	if n > maxInitBytes {
		t.Errorf("internal/mail init allocated %d bytes, more than %d: build expensive tables on first use (sync.OnceValue)", n, maxInitBytes)
	}
}
