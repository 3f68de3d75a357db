package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// sink receives a backup's files, in a folder or a tar file, and records
// each one's size and sha256.
type sink interface {
	add(name string, size int64, r io.Reader) (File, error)
	close() error
}

// hashCopy copies r to w and returns the File it was.
func hashCopy(name string, w io.Writer, r io.Reader) (File, error) {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return File{}, fmt.Errorf("backup %s: %w", name, err)
	}
	return File{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type dirSink struct{ dir string }

func (d dirSink) add(name string, _ int64, r io.Reader) (File, error) {
	p := filepath.Join(d.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return File{}, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return File{}, err
	}
	got, err := hashCopy(name, f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return got, err
}

func (d dirSink) close() error { return nil }

type tarSink struct {
	f  *os.File
	tw *tar.Writer
}

func (t *tarSink) add(name string, size int64, r io.Reader) (File, error) {
	if err := t.tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: 0o600, ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return File{}, fmt.Errorf("backup %s: %w", name, err)
	}
	return hashCopy(name, t.tw, r)
}

func (t *tarSink) close() error {
	if err := t.tw.Close(); err != nil {
		t.f.Close()
		return err
	}
	if err := t.f.Sync(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}

// openSink creates the target: an existing or slash-ended path is a folder
// (which must be empty), anything else a new tar file.
func openSink(to string) (sink, error) {
	if st, err := os.Stat(to); (err == nil && st.IsDir()) || strings.HasSuffix(to, "/") {
		if err := os.MkdirAll(to, 0o750); err != nil {
			return nil, err
		}
		entries, err := os.ReadDir(to)
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			return nil, fmt.Errorf("backup folder %s is not empty", to)
		}
		return dirSink{dir: to}, nil
	}
	f, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create backup file: %w", err)
	}
	return &tarSink{f: f, tw: tar.NewWriter(f)}, nil
}

// walkBackup calls fn with every file of a backup folder or tar file (the
// manifest too), in the order they were written.
func walkBackup(from string, fn func(name string, r io.Reader) error) error {
	st, err := os.Stat(from)
	if err != nil {
		return err
	}
	if st.IsDir() {
		var names []string
		err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(from, p)
			names = append(names, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return err
		}
		// The order they were written: database or tables, then blobs.
		order := func(n string) int {
			switch {
			case n == DatabaseName || n == KeyName || strings.HasPrefix(n, tablesDir):
				return 0
			case n == ManifestName:
				return 2
			}
			return 1
		}
		sort.SliceStable(names, func(i, j int) bool {
			if oi, oj := order(names[i]), order(names[j]); oi != oj {
				return oi < oj
			}
			return names[i] < names[j]
		})
		for _, n := range names {
			f, err := os.Open(filepath.Join(from, filepath.FromSlash(n)))
			if err != nil {
				return err
			}
			err = fn(n, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read backup %s: %w", from, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		if strings.HasPrefix(name, "../") || path.IsAbs(name) {
			return fmt.Errorf("backup holds a file outside it: %q", h.Name)
		}
		if err := fn(name, tr); err != nil {
			return err
		}
	}
}
