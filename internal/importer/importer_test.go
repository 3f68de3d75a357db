package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type reported struct {
	source string
	err    error
}

// walkAll runs Walk and collects everything it reports.
func walkAll(t *testing.T, paths []string, limit int64) ([]Item, []reported) {
	t.Helper()
	var items []Item
	var errs []reported
	err := Walk(context.Background(), paths, limit, func(it Item) error {
		items = append(items, it)
		return nil
	}, func(source string, err error) {
		errs = append(errs, reported{source, err})
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return items, errs
}

func sources(items []Item) []string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = it.Source
	}
	return s
}

func td(p ...string) string { return filepath.Join(append([]string{"testdata"}, p...)...) }

// Expected bodies of testdata/mbox/sample.mbox, LF form.
var sampleMbox = []string{
	"From: Alice <alice@example.com>\nTo: help@example.com\nSubject: one\nMessage-ID: <mbox-one@example.com>\nContent-Length: 9999\n\n" +
		"Hello.\n\nFrom here on, things get worse.\nFrom escaped line\n>From double escaped\n> From not escaped (space)\n",
	"From: Bob <bob@example.com>\nSubject: two\nMessage-ID: <mbox-two@example.com>\nContent-Length: 3\n\n" +
		"Body two ends with a blank line of its own.\n\n",
	"From: Carol <carol@example.com>\nSubject: three\nMessage-ID: <mbox-three@example.com>\n\n" +
		"From the desk of Carol\nFrom here on\nlast line\n",
}

func crlfAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWalkFixtures(t *testing.T) {
	tests := []struct {
		name    string
		paths   []string
		sources []string
		raw     []string // expected Raw, nil to compare with the file contents
	}{
		{
			name:    "eml folder",
			paths:   []string{td("eml")},
			sources: []string{td("eml", "a.eml"), td("eml", "b.eml"), td("eml", "c.eml")},
		},
		{
			name:    "single eml",
			paths:   []string{td("eml", "b.eml")},
			sources: []string{td("eml", "b.eml")},
		},
		{
			name:    "mbox LF",
			paths:   []string{td("mbox", "sample.mbox")},
			sources: []string{td("mbox", "sample.mbox#1"), td("mbox", "sample.mbox#2"), td("mbox", "sample.mbox#3")},
			raw:     sampleMbox,
		},
		{
			name:    "mbox CRLF",
			paths:   []string{td("mbox", "sample-crlf.mbox")},
			sources: []string{td("mbox", "sample-crlf.mbox#1"), td("mbox", "sample-crlf.mbox#2"), td("mbox", "sample-crlf.mbox#3")},
			raw:     crlfAll(sampleMbox),
		},
		{
			name:    "mboxo without blank line before separator",
			paths:   []string{td("mbox", "mboxo.mbox")},
			sources: []string{td("mbox", "mboxo.mbox#1"), td("mbox", "mboxo.mbox#2")},
			raw:     []string{"Subject: first\n\nline\n", "Subject: second\n\nFrom here on\nbody\n"},
		},
		{
			name:  "maildir: new then cur, tmp and metadata skipped",
			paths: []string{td("Maildir")},
			sources: []string{
				td("Maildir", "new", "1700000002.M2P2.host"),
				td("Maildir", "cur", "1700000001.M1P1.host"),
			},
		},
		{
			name:  "nested directory",
			paths: []string{td("nested")},
			sources: []string{
				td("nested", "01-single.eml"),
				td("nested", "02-archive.mbox#1"),
				td("nested", "02-archive.mbox#2"),
				td("nested", "03-headerfile"),
				td("nested", "mail", "Maildir", "new", "1700000010.M10P1.host"),
				td("nested", "mail", "Maildir", "cur", "1700000011.M11P1.host"),
				td("nested", "mail", "Maildir", ".Sent", "cur", "1700000013.M13P1.host"),
			},
			raw: []string{
				readFile(t, td("nested", "01-single.eml")),
				"Subject: archived 1\nMessage-ID: <n-arch-1@example.com>\n\none\n",
				"Subject: archived 2\nMessage-ID: <n-arch-2@example.com>\n\ntwo\n",
				readFile(t, td("nested", "03-headerfile")),
				readFile(t, td("nested", "mail", "Maildir", "new", "1700000010.M10P1.host")),
				readFile(t, td("nested", "mail", "Maildir", "cur", "1700000011.M11P1.host")),
				readFile(t, td("nested", "mail", "Maildir", ".Sent", "cur", "1700000013.M13P1.host")),
			},
		},
		{
			name:    "argument order is kept",
			paths:   []string{td("mbox", "mboxo.mbox"), td("eml", "a.eml")},
			sources: []string{td("mbox", "mboxo.mbox#1"), td("mbox", "mboxo.mbox#2"), td("eml", "a.eml")},
			raw:     []string{"Subject: first\n\nline\n", "Subject: second\n\nFrom here on\nbody\n", readFile(t, td("eml", "a.eml"))},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, errs := walkAll(t, tc.paths, 0)
			if len(errs) > 0 {
				t.Errorf("unexpected onErr calls: %v", errs)
			}
			if got := sources(items); !slices.Equal(got, tc.sources) {
				t.Fatalf("sources:\n got %q\nwant %q", got, tc.sources)
			}
			var total int64
			for i, it := range items {
				total += int64(len(it.Raw))
				want := ""
				if tc.raw != nil {
					want = tc.raw[i]
				} else {
					want = readFile(t, it.Source)
				}
				if string(it.Raw) != want {
					t.Errorf("%s: Raw\n got %q\nwant %q", it.Source, it.Raw, want)
				}
			}
			n, b, err := Count(context.Background(), tc.paths)
			if err != nil || n != len(items) || b != total {
				t.Errorf("Count = %d, %d, %v; want %d, %d, nil", n, b, err, len(items), total)
			}
		})
	}
}

// writeTemp writes files (name -> content) under a new temp dir.
func writeTemp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMboxParsing(t *testing.T) {
	long := strings.Repeat("x", 3*mboxBufSize+17) // longer than the bufio buffer
	tests := []struct {
		name string
		mbox string
		want []string
		idx  []int // 1-based mbox indexes of want; nil means 1, 2, ...
	}{
		{
			name: "single message, no trailing blank line",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody",
			want: []string{"Subject: x\n\nbody"},
		},
		{
			name: "mboxrd unescaping at any depth, only before From",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\n\n>From a\n>>From b\n>>>From c\n>Fromage\n>>not from\n",
			want: []string{"\nFrom a\n>From b\n>>From c\n>Fromage\n>>not from\n"},
		},
		{
			name: "From in body after blank line is not a separator without a date",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\nS: 1\n\nx\n\nFrom here on\n\nFrom me to you\n\n",
			want: []string{"S: 1\n\nx\n\nFrom here on\n\nFrom me to you\n"},
		},
		{
			name: "Thunderbird style separator and ISO-ish date",
			mbox: "From - Sat Jan 03 12:00:00 2015\nS: 1\n\nFrom x@y 2015-01-03T12:00:00Z\nS: 2\n",
			want: []string{"S: 1\n", "S: 2\n"},
		},
		{
			name: "only one blank line belongs to the separator",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\nS: 1\n\n\n\nFrom a@b Mon Jan  1 00:00:01 2024\nS: 2\n\n\n",
			want: []string{"S: 1\n\n\n", "S: 2\n\n"},
		},
		{
			name: "mixed CRLF is preserved",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\r\nS: 1\r\n\r\nb\n\r\nFrom a@b Mon Jan  1 00:00:01 2024\r\nS: 2\r\n",
			want: []string{"S: 1\r\n\r\nb\n", "S: 2\r\n"},
		},
		{
			name: "Content-Length is ignored",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\nContent-Length: 1\n\nlonger body\n\nFrom a@b Mon Jan  1 00:00:01 2024\nContent-Length: 500\n\nshort\n",
			want: []string{"Content-Length: 1\n\nlonger body\n", "Content-Length: 500\n\nshort\n"},
		},
		{
			name: "empty message between separators is dropped",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\n\nFrom a@b Mon Jan  1 00:00:01 2024\nS: 2\n",
			want: []string{"S: 2\n"},
			idx:  []int{2},
		},
		{
			name: "lines longer than the read buffer",
			mbox: "From a@b Mon Jan  1 00:00:00 2024\nS: 1\n\n" + long + "\n>From " + long + "\n\nFrom a@b Mon Jan  1 00:00:01 2024 " + long + "\nS: 2\n",
			want: []string{"S: 1\n\n" + long + "\nFrom " + long + "\n", "S: 2\n"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTemp(t, map[string]string{"in.mbox": tc.mbox})
			items, errs := walkAll(t, []string{filepath.Join(dir, "in.mbox")}, 0)
			if len(errs) > 0 {
				t.Errorf("unexpected onErr calls: %v", errs)
			}
			var got []string
			for i, it := range items {
				got = append(got, string(it.Raw))
				idx := i + 1
				if tc.idx != nil {
					idx = tc.idx[i]
				}
				if want := fmt.Sprintf("%s#%d", filepath.Join(dir, "in.mbox"), idx); it.Source != want {
					t.Errorf("source %q, want %q", it.Source, want)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("messages:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestIsSeparator(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n", true},
		{"From user@example.com Thu Jan  1 00:00:00 1970\r\n", true},
		{"From - Sat Jan 03 12:00:00 2015\n", true},
		{"From foo@bar 2024\n", true},
		{"From here on\n", false},
		{"From here on, everything changes\n", false},
		{"From foo@bar\n", false},
		{"From \n", false},
		{"From the 1990s onwards\n", false},
	}
	for _, tc := range tests {
		if got := isSeparator([]byte(tc.line)); got != tc.want {
			t.Errorf("isSeparator(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestMaildirColonNamesAndMaildirPlusPlus(t *testing.T) {
	m := "Subject: x\n\nbody\n"
	dir := writeTemp(t, map[string]string{
		"Maildir/new/1234.host":                  m,
		"Maildir/cur/1234.host:2,S":              m,
		"Maildir/cur/1235.host:2,RS":             m,
		"Maildir/cur/.hidden":                    m,
		"Maildir/tmp/1236.host":                  m,
		"Maildir/.Sent/new/1.host":               m,
		"Maildir/.Trash/cur/2.host:2,T":          m,
		"Maildir/.notafolder/file.eml":           m,
		"Maildir/subscriptions":                  "Sent\n",
		"Maildir/courierimapkeywords/:list":      "x\n",
		"Maildir/.Sent/dovecot-uidlist":          "1\n",
		"Maildir/.Sent/tmp/3.host":               m,
		"Maildir/.Trash/.Sub/cur/4.host:2,":      m, // a Maildir++ folder nested in a folder
		"Maildir/.Trash/.Sub/tmp/5.host:2,":      m,
		"Maildir/.Trash/.Sub/.notmaildir/x.eml":  m,
		"Maildir/.Trash/.Sub/cur/.nfs000001.tmp": m,
	})
	items, errs := walkAll(t, []string{filepath.Join(dir, "Maildir")}, 0)
	if len(errs) > 0 {
		t.Errorf("unexpected onErr calls: %v", errs)
	}
	rel := func(p string) string { r, _ := filepath.Rel(dir, p); return filepath.ToSlash(r) }
	var got []string
	for _, it := range items {
		got = append(got, rel(it.Source))
	}
	want := []string{
		"Maildir/new/1234.host",
		"Maildir/cur/1234.host:2,S",
		"Maildir/cur/1235.host:2,RS",
		"Maildir/.Sent/new/1.host",
		"Maildir/.Trash/cur/2.host:2,T",
		"Maildir/.Trash/.Sub/cur/4.host:2,",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestUnreadable(t *testing.T) {
	m := "Subject: x\n\nbody\n"
	dir := writeTemp(t, map[string]string{"a.eml": m, "c.eml": m, "Maildir/cur/1.host": m})
	dangling := filepath.Join(dir, "b.eml")
	if err := os.Symlink(filepath.Join(dir, "missing"), dangling); err != nil {
		t.Fatal(err)
	}
	mdDangling := filepath.Join(dir, "Maildir", "cur", "2.host")
	if err := os.Symlink(filepath.Join(dir, "missing"), mdDangling); err != nil {
		t.Fatal(err)
	}
	wantItems := []string{filepath.Join(dir, "Maildir", "cur", "1.host"), filepath.Join(dir, "a.eml"), filepath.Join(dir, "c.eml")}
	// A file that exists but cannot be read, even by root (permission bits
	// do not stop root): the process's own memory reads as EIO at offset 0,
	// which is never mapped.
	unreadable := filepath.Join(dir, "bb.eml")
	if err := os.Symlink("/proc/self/mem", unreadable); err != nil {
		t.Fatal(err)
	}
	// Entries are visited in byte order: "Maildir" sorts before "a.eml".
	wantErrs := []string{mdDangling, dangling, unreadable, filepath.Join(dir, "nonexistent")}
	items, errs := walkAll(t, []string{dir, filepath.Join(dir, "nonexistent")}, 0)
	if got := sources(items); !slices.Equal(got, wantItems) {
		t.Errorf("items %q, want %q", got, wantItems)
	}
	var gotErrs []string
	for _, e := range errs {
		gotErrs = append(gotErrs, e.source)
		if e.err == nil {
			t.Errorf("%s: nil error", e.source)
		}
	}
	if !slices.Equal(gotErrs, wantErrs) {
		t.Errorf("onErr sources %q, want %q", gotErrs, wantErrs)
	}
	// Count skips them silently.
	if n, _, err := Count(context.Background(), []string{dir, filepath.Join(dir, "nonexistent")}); n != len(wantItems) || err != nil {
		t.Errorf("Count = %d, %v; want %d", n, err, len(wantItems))
	}
}

func TestUnrecognizedExplicitPath(t *testing.T) {
	dir := writeTemp(t, map[string]string{"notes.txt": "hello\n", "empty.eml": "", "ok.eml": "Subject: x\n\n"})
	items, errs := walkAll(t, []string{filepath.Join(dir, "notes.txt"), filepath.Join(dir, "empty.eml"), dir}, 0)
	if got, want := sources(items), []string{filepath.Join(dir, "ok.eml")}; !slices.Equal(got, want) {
		t.Errorf("items %q, want %q", got, want)
	}
	if len(errs) != 2 || !errors.Is(errs[0].err, ErrUnrecognized) || !errors.Is(errs[1].err, ErrUnrecognized) {
		t.Errorf("errs = %v, want two ErrUnrecognized", errs)
	}
}

func TestOversize(t *testing.T) {
	small := "Subject: small\n\nok\n"
	big := "Subject: big\n\n" + strings.Repeat("0123456789\n", 100)
	mbox := "From a@b Mon Jan  1 00:00:00 2024\n" + small + "\n" +
		"From a@b Mon Jan  1 00:00:01 2024\n" + big + "\n" +
		"From a@b Mon Jan  1 00:00:02 2024\n" + small + "\n"
	dir := writeTemp(t, map[string]string{"a.mbox": mbox, "b.eml": big, "c.eml": small, "Maildir/new/1.host": big})
	items, errs := walkAll(t, []string{dir}, 500)
	want := []string{
		filepath.Join(dir, "a.mbox#1"),
		filepath.Join(dir, "a.mbox#3"),
		filepath.Join(dir, "c.eml"),
	}
	if got := sources(items); !slices.Equal(got, want) {
		t.Errorf("items %q, want %q", got, want)
	}
	for _, it := range items {
		if string(it.Raw) != small {
			t.Errorf("%s: Raw %q", it.Source, it.Raw)
		}
	}
	wantErrs := []string{filepath.Join(dir, "Maildir", "new", "1.host"), filepath.Join(dir, "a.mbox#2"), filepath.Join(dir, "b.eml")}
	var gotErrs []string
	for _, e := range errs {
		gotErrs = append(gotErrs, e.source)
		if !errors.Is(e.err, ErrTooLarge) {
			t.Errorf("%s: err %v, want ErrTooLarge", e.source, e.err)
		}
	}
	if !slices.Equal(gotErrs, wantErrs) {
		t.Errorf("onErr sources %q, want %q", gotErrs, wantErrs)
	}
}

func TestCancelAndCallbackError(t *testing.T) {
	paths := []string{td("eml"), td("mbox"), td("nested")}
	tests := []struct {
		name    string
		stopAt  int // fn call (1-based) that cancels or fails
		cancel  bool
		wantErr error
	}{
		{name: "cancel in first message", stopAt: 1, cancel: true, wantErr: context.Canceled},
		{name: "cancel inside an mbox", stopAt: 4, cancel: true, wantErr: context.Canceled},
		{name: "callback error", stopAt: 6, wantErr: errStop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			err := Walk(ctx, paths, 0, func(Item) error {
				calls++
				if calls == tc.stopAt {
					if tc.cancel {
						cancel()
						return nil
					}
					return errStop
				}
				return nil
			}, nil)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if calls != tc.stopAt {
				t.Errorf("fn called %d times, want %d", calls, tc.stopAt)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, _, err := Count(ctx, paths); !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("Count on cancelled ctx = %d, %v", n, err)
	}
}

var errStop = errors.New("stop")

func TestSymlinkLoop(t *testing.T) {
	dir := writeTemp(t, map[string]string{"sub/a.eml": "Subject: x\n\n"})
	if err := os.Symlink(dir, filepath.Join(dir, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	items, errs := walkAll(t, []string{dir}, 0)
	if len(items) != 1 || len(errs) != 1 {
		t.Errorf("items %v errs %v; want 1 item and 1 loop error", sources(items), errs)
	}
}
