// Package importer finds email messages in .eml files, mbox files and
// Maildir folders for `ticketer import`. It streams: only one message is
// held in memory at a time, whatever the size of the archive.
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultMaxMessageBytes is the per-message limit Walk applies when it is
// given maxMessageBytes <= 0.
const DefaultMaxMessageBytes = 64 << 20

var (
	// ErrTooLarge is reported (wrapped) to onErr for a message over the
	// size limit.
	ErrTooLarge = errors.New("message too large")
	// ErrUnrecognized is reported (wrapped) to onErr for a path given
	// explicitly that is neither a message, an mbox nor a directory.
	// Unrecognised files found while recursing are skipped silently.
	ErrUnrecognized = errors.New("not an email message, mbox or Maildir")
)

// Item is one message found in the sources.
type Item struct {
	// Source is the human-readable origin: "path/to/file.eml",
	// "archive.mbox#17" (1-based index in the mbox),
	// "Maildir/cur/1234.host:2,S".
	Source string
	// Raw is the message exactly as stored (for mbox: with the "From "
	// separator line removed and ">From " unescaping applied; CRLF or LF
	// preserved as-is). It is owned by the callee.
	Raw []byte
}

// Walk visits every message under paths in a deterministic order (paths in
// argument order; directory entries sorted by name).
//
// A path may be a single message file (.eml, or any file whose first line
// is a header line), an mbox file (first line starts with "From "), a
// Maildir (a directory with cur/ and/or new/: new/ then cur/ are visited,
// tmp/ is skipped, Maildir++ subfolders such as ".Sent" follow), or a plain
// directory, which is recursed: each file is classified as above (others are
// skipped silently), nested Maildirs are recognised, and hidden files and
// directories are skipped unless they are Maildir++ folders.
//
// fn is called with each Item; an error returned by fn stops the walk and is
// returned wrapped. A file that cannot be read, an unrecognised path given
// explicitly, or a message larger than maxMessageBytes (<= 0 means
// DefaultMaxMessageBytes; the error wraps ErrTooLarge) is reported to onErr,
// if non-nil, and skipped. Cancelling ctx stops the walk between messages;
// Walk then returns ctx.Err().
func Walk(ctx context.Context, paths []string, maxMessageBytes int64, fn func(Item) error, onErr func(source string, err error)) error {
	if maxMessageBytes <= 0 {
		maxMessageBytes = DefaultMaxMessageBytes
	}
	w := &walker{ctx: ctx, limit: maxMessageBytes, keep: true, fn: fn, onErr: onErr}
	return w.run(paths)
}

// Count does a quick streaming pass over the same paths and returns how many
// messages Walk would visit and their total size in bytes (as len(Item.Raw)
// would sum). Oversize messages are included, since Count has no limit.
// Unreadable files are skipped silently; the only error is ctx.Err().
func Count(ctx context.Context, paths []string) (messages int, bytes int64, err error) {
	w := &walker{ctx: ctx}
	w.fn = func(it Item) error { return nil }
	err = w.run(paths)
	return w.messages, w.bytes, err
}

// walker carries the state of one Walk or Count.
type walker struct {
	ctx   context.Context
	limit int64 // <= 0: unlimited (Count)
	keep  bool  // read message bytes (Walk) rather than only sizes (Count)
	fn    func(Item) error
	onErr func(string, error)

	messages  int
	bytes     int64
	ancestors []os.FileInfo // directories being walked, for symlink loop detection
}

// fatalError wraps errors that must stop the walk (from fn or ctx).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func (w *walker) run(paths []string) error {
	for _, p := range paths {
		if err := w.path(p); err != nil {
			var fe *fatalError
			if errors.As(err, &fe) {
				return fe.err
			}
			return err
		}
	}
	return nil
}

func (w *walker) report(source string, err error) {
	if w.onErr != nil {
		w.onErr(source, err)
	}
}

// checkCtx returns a fatal error if the context is done.
func (w *walker) checkCtx() error {
	if err := w.ctx.Err(); err != nil {
		return &fatalError{err}
	}
	return nil
}

// deliver hands one message to fn.
func (w *walker) deliver(source string, raw []byte, size int64) error {
	if err := w.checkCtx(); err != nil {
		return err
	}
	w.messages++
	w.bytes += size
	if err := w.fn(Item{Source: source, Raw: raw}); err != nil {
		return &fatalError{fmt.Errorf("importer: %s: %w", source, err)}
	}
	return nil
}

// path handles one command-line argument.
func (w *walker) path(p string) error {
	if err := w.checkCtx(); err != nil {
		return err
	}
	fi, err := os.Stat(p)
	if err != nil {
		w.report(p, err)
		return nil
	}
	switch {
	case fi.IsDir():
		return w.dir(p, fi)
	case fi.Mode().IsRegular():
		return w.file(p, fi, true)
	default:
		w.report(p, fmt.Errorf("%w: not a regular file", ErrUnrecognized))
		return nil
	}
}

// dir walks a directory: a Maildir or a plain directory.
func (w *walker) dir(p string, fi os.FileInfo) error {
	for _, a := range w.ancestors {
		if os.SameFile(a, fi) {
			w.report(p, errors.New("directory loop (symlink to an ancestor); skipped"))
			return nil
		}
	}
	w.ancestors = append(w.ancestors, fi)
	defer func() { w.ancestors = w.ancestors[:len(w.ancestors)-1] }()

	entries, err := os.ReadDir(p)
	if err != nil {
		w.report(p, err)
		if len(entries) == 0 {
			return nil
		}
	}
	if isMaildir(p) {
		return w.maildir(p, entries)
	}
	for _, e := range entries {
		if err := w.entry(p, e, false); err != nil {
			return err
		}
	}
	return nil
}

// entry handles one directory entry found while recursing. In a Maildir
// root (inMaildir) only subdirectories are considered: its files are
// metadata (dovecot-uidlist, maildirsize, ...).
func (w *walker) entry(dir string, e fs.DirEntry, inMaildir bool) error {
	if err := w.checkCtx(); err != nil {
		return err
	}
	name := e.Name()
	p := filepath.Join(dir, name)
	hidden := strings.HasPrefix(name, ".")
	if hidden && !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
		return nil
	}
	fi, err := os.Stat(p) // follows symlinks
	if err != nil {
		if !hidden {
			w.report(p, err)
		}
		return nil
	}
	switch {
	case fi.IsDir():
		if hidden && !isMaildir(p) {
			return nil // .git, .cache, ...; Maildir++ folders (".Sent") pass
		}
		return w.dir(p, fi)
	case hidden || inMaildir || !fi.Mode().IsRegular():
		return nil
	default:
		return w.file(p, fi, false)
	}
}

// isMaildir reports whether dir has a cur/ or new/ subdirectory.
func isMaildir(dir string) bool {
	for _, sub := range [...]string{"new", "cur"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// maildir visits new/ then cur/ (every non-hidden regular file is a
// message), skips tmp/, then walks the remaining subdirectories (Maildir++
// folders such as ".Sent", or nested folders of other layouts).
func (w *walker) maildir(p string, entries []fs.DirEntry) error {
	for _, sub := range [...]string{"new", "cur"} {
		sp := filepath.Join(p, sub)
		fi, err := os.Stat(sp)
		if err != nil || !fi.IsDir() {
			continue
		}
		msgs, err := os.ReadDir(sp)
		if err != nil {
			w.report(sp, err)
		}
		for _, e := range msgs {
			if err := w.checkCtx(); err != nil {
				return err
			}
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			mp := filepath.Join(sp, e.Name())
			fi, err := os.Stat(mp)
			if err != nil {
				w.report(mp, err)
				continue
			}
			if !fi.Mode().IsRegular() {
				continue
			}
			if err := w.message(mp, fi, nil); err != nil {
				return err
			}
		}
	}
	for _, e := range entries {
		switch e.Name() {
		case "new", "cur", "tmp":
			continue
		}
		if err := w.entry(p, e, true); err != nil {
			return err
		}
	}
	return nil
}

// headSize is how much of a file is read to classify it.
const headSize = 1024

type kind int

const (
	kindUnknown kind = iota
	kindMessage
	kindMbox
)

// classify decides what a file is from its name and first line.
func classify(name string, head []byte) kind {
	if bytes.HasPrefix(head, fromSpace) {
		return kindMbox
	}
	if len(head) == 0 {
		return kindUnknown
	}
	if strings.EqualFold(filepath.Ext(name), ".eml") || isHeaderLine(head) {
		return kindMessage
	}
	return kindUnknown
}

// isHeaderLine reports whether b starts with an RFC 5322 field name and a
// colon ("Received:", "X-Mozilla-Status:", ...).
func isHeaderLine(b []byte) bool {
	for i, c := range b {
		switch {
		case c == ':':
			return i > 0
		case c < 33 || c > 126:
			return false
		}
	}
	return false
}

// file handles a regular file: classify it, then read it as one message or
// as an mbox. explicit is set for command-line arguments, whose
// unrecognised format is reported rather than silently skipped.
func (w *walker) file(p string, fi os.FileInfo, explicit bool) error {
	if err := w.checkCtx(); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		w.report(p, err)
		return nil
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		w.report(p, err)
		return nil
	}
	head = head[:n]
	switch classify(p, head) {
	case kindMbox:
		return w.mbox(p, io.MultiReader(bytes.NewReader(head), f))
	case kindMessage:
		return w.message(p, fi, io.MultiReader(bytes.NewReader(head), f))
	default:
		if explicit {
			if n == 0 {
				w.report(p, fmt.Errorf("%w: empty file", ErrUnrecognized))
			} else {
				w.report(p, ErrUnrecognized)
			}
		}
		return nil
	}
}

// message reads a whole file as one message. r, if non-nil, reads the file
// from its start; otherwise the file is opened here.
func (w *walker) message(p string, fi os.FileInfo, r io.Reader) error {
	size := fi.Size()
	if !w.keep {
		if size == 0 {
			return nil
		}
		return w.deliver(p, nil, size)
	}
	if size > w.limit {
		w.report(p, tooLarge(size, w.limit))
		return nil
	}
	if r == nil {
		f, err := os.Open(p)
		if err != nil {
			w.report(p, err)
			return nil
		}
		defer f.Close()
		r = f
	}
	raw, err := readLimited(r, size, w.limit)
	if err != nil {
		w.report(p, err)
		return nil
	}
	if len(raw) == 0 {
		return nil
	}
	return w.deliver(p, raw, int64(len(raw)))
}

// readLimited reads r to the end, expecting about sizeHint bytes and
// failing with ErrTooLarge beyond limit (the file may have grown).
func readLimited(r io.Reader, sizeHint, limit int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, sizeHint+1))
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: over the %d-byte limit", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

func tooLarge(size, limit int64) error {
	return fmt.Errorf("%w: %d bytes, over the %d-byte limit", ErrTooLarge, size, limit)
}

// mbox streams the messages of an mbox file.
func (w *walker) mbox(p string, r io.Reader) error {
	s := &mboxScanner{keep: w.keep, limit: w.limit}
	s.emit = func(m mboxMessage) error {
		source := p + "#" + strconv.Itoa(m.index)
		if m.oversize {
			w.report(source, tooLarge(m.size, w.limit))
			return w.checkCtx()
		}
		return w.deliver(source, m.raw, m.size)
	}
	err := s.scan(r)
	var re *readError
	if errors.As(err, &re) {
		w.report(p, re.err)
		return nil
	}
	return err
}
