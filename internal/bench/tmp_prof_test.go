package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ticketer/ticketer/internal/app"
)

func TestTmpProfileImport(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "c.mbox")
	f, _ := os.Create(corpus)
	WriteCorpus(f, corpusN(), 42, 1_000_000)
	f.Close()
	env := map[string]string{"TICKETER_DATA_DIR": filepath.Join(dir, "data"), "TICKETER_LOG_LEVEL": "warn"}
	if u := os.Getenv("ZZDSN"); u != "" {
		env["TICKETER_DATABASE_URL"] = u
		env["TICKETER_ENCRYPTION_KEY_BASE64"] = benchKey
	}
	var out bytes.Buffer
	err := app.Run(context.Background(), app.Env{Args: []string{"import", corpus}, Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Stdout: &out, Stderr: os.Stderr, Stdin: os.Stdin})
	t.Log(out.String(), err)
}

func corpusN() int {
	if os.Getenv("ZZN") == "500" {
		return 500
	}
	return 3000
}
