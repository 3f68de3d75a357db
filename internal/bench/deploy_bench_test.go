package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/blob/blobtest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// corpus10k writes the 10,000-message bench corpus into dir.
func corpus10k(b *testing.B, dir string) (string, CorpusStats) {
	b.Helper()
	path := filepath.Join(dir, "corpus.mbox")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := WriteCorpus(f, 10_000, 42, 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	return path, st
}

// BenchmarkBackupAndMove10k imports the 10,000-message corpus into an
// embedded install, then times `ticketer backup` (and its size), `backup
// --verify`, `ticketer move` into PostgreSQL and S3 (versitygw), the same
// move into PostgreSQL alone (the database part), and a backup of the
// moved install.
func BenchmarkBackupAndMove10k(b *testing.B) {
	bin := binary(b)
	dir := b.TempDir()
	corpus, st := corpus10k(b, dir)
	data := filepath.Join(dir, "data")
	run := func(env []string, args ...string) (string, time.Duration) {
		b.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		syscall.Sync()
		start := time.Now()
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%v: %v\n%s", args, err, stderr.String())
		}
		return strings.TrimSpace(string(out)), time.Since(start)
	}
	if out, _ := run(benchEnv(data, ""), "import", corpus); !strings.Contains(out, fmt.Sprintf("new %d,", st.Messages)) {
		b.Fatalf("import: %s", out)
	}
	for i := 0; i < b.N; i++ {
		archive := filepath.Join(dir, fmt.Sprintf("backup-%d.tar", i))
		out, took := run(benchEnv(data, ""), "backup", "--to", archive)
		fi, err := os.Stat(archive)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(took.Seconds(), "backup-s")
		b.ReportMetric(float64(fi.Size())/1e6, "backup-MB")
		b.Logf("backup of %d messages (SQLite + files): %s, %.1f MB (%s)", st.Messages, took.Round(time.Millisecond), float64(fi.Size())/1e6, out)
		_, took = run(benchEnv(data, ""), "backup", "--verify", archive)
		b.Logf("backup --verify: %s", took.Round(time.Millisecond))

		pg := storetest.PostgresURL(b)
		s3, creds := blobtest.Versity(b, fmt.Sprintf("moved%d", i))
		env := append(benchEnv(data, ""), creds...)
		out, took = run(env, "move", "--to-database", pg, "--to-blobs", s3)
		b.ReportMetric(float64(st.Messages)/took.Seconds(), "move-msgs/s")
		b.Logf("move to PostgreSQL + S3: %s wall, %.0f msgs/s (%s)", took.Round(time.Millisecond), float64(st.Messages)/took.Seconds(), out)

		// The database part alone: the same move into another PostgreSQL
		// database, the blobs left where they are.
		out, took = run(benchEnv(data, ""), "move", "--to-database", storetest.PostgresURL(b))
		b.ReportMetric(float64(st.Messages)/took.Seconds(), "move-db-msgs/s")
		b.Logf("move to PostgreSQL alone: %s wall, %.0f msgs/s (%s)", took.Round(time.Millisecond), float64(st.Messages)/took.Seconds(), out)

		pgArchive := filepath.Join(dir, fmt.Sprintf("backup-pg-%d.tar", i))
		pgEnv := append(benchEnv(filepath.Join(dir, fmt.Sprintf("pgdata-%d", i)), pg), creds...)
		pgEnv = append(pgEnv, "TICKETER_BLOB_URL="+s3)
		out, took = run(pgEnv, "backup", "--to", pgArchive)
		if fi, err = os.Stat(pgArchive); err != nil {
			b.Fatal(err)
		}
		b.Logf("backup of the moved install (PostgreSQL + S3): %s, %.1f MB (%s)", took.Round(time.Millisecond), float64(fi.Size())/1e6, out)
	}
}
