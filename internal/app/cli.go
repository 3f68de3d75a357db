package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/importer"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

const usage = `usage: ticketer <command> [flags]

commands:
  serve                          HTTP API, inbound SMTP listener and workers (migrates on start)
  migrate [--status]             apply database migrations and exit (--status: list applied and pending)
  backup --to FILE|DIR           consistent online backup (tar FILE, or an empty DIR); --verify FILE checks one
  restore FILE|DIR               fill the configured, empty, data dir or database from a backup
  move --to-database postgres://... [--to-blobs s3://...]   copy this SQLite install into PostgreSQL (and S3); resumable
  contact export EMAIL [--to FILE.zip]   a ZIP of everything held about a person (GDPR art. 15)
  contact erase EMAIL            erase a person's mail, attachments, name and address; tickets stay (art. 17)
  user add --email E --name N --role admin|agent [--password-stdin]
                                 without a password, also prints a single-use link that sets one
  user list                      id, email, name, role and disabled of every user
  user set-password --email E    the password is the first line of standard input
  token create --email E         print a new API token for that user
  mailbox add --name N --address A [--smtp-relay URL] [--imap URL [--since YYYY-MM-DD]]
  mailbox retention --address A --days N   erase closed tickets older than N days (0: keep)
  import [--mailbox ADDRESS] PATH...   ingest .eml files, mbox files and Maildir folders
  healthcheck                    exit 0 when the configured server answers /readyz, else 1

Configuration comes from TICKETER_* environment variables; "ticketer serve -h" lists them.
`

// Env is how Run sees the process: arguments, environment and standard streams.
type Env struct {
	Args   []string // without the program name
	Lookup config.Lookup
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Ready, when set, is told the listening addresses once serve is up.
	Ready Ready
}

// Run is the whole program; main only calls it. Asking a command for its
// flags with -h is a success, not an error.
func Run(ctx context.Context, e Env) error {
	err := dispatch(ctx, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, e Env) error {
	if len(e.Args) == 0 {
		fmt.Fprint(e.Stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := e.Args[0], e.Args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, e, rest)
	case "migrate":
		return runMigrate(ctx, e, rest)
	case "backup":
		return runBackup(ctx, e, rest)
	case "restore":
		return runRestore(ctx, e, rest)
	case "move":
		return runMove(ctx, e, rest)
	case "contact":
		return runContact(ctx, e, rest)
	case "user":
		return runUser(ctx, e, rest)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New("usage: ticketer token create --email E")
		}
		return runTokenCreate(ctx, e, rest[1:])
	case "mailbox":
		if len(rest) > 0 && rest[0] == "retention" {
			return runMailboxRetention(ctx, e, rest[1:])
		}
		if len(rest) == 0 || rest[0] != "add" {
			return errors.New("usage: ticketer mailbox add --name N --address A [--smtp-relay URL] [--imap URL]")
		}
		return runMailboxAdd(ctx, e, rest[1:])
	case "import":
		return runImport(ctx, e, rest)
	case "healthcheck":
		return runHealthcheck(ctx, e, rest)
	case "help", "-h", "--help":
		fmt.Fprint(e.Stdout, usage)
		return nil
	default:
		fmt.Fprint(e.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func withApp(ctx context.Context, e Env, name string, work bool, fn func(a *App) error) error {
	cfg, _, err := config.Load(name, nil, e.Lookup, e.Stderr)
	if err != nil {
		return err
	}
	log := NewLogger(e.Stderr, cfg.LogFormat, cfg.LogLevel)
	a, err := Open(ctx, cfg, log, work)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func runServe(ctx context.Context, e Env, args []string) error {
	cfg, rest, err := config.Load("serve", args, e.Lookup, e.Stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", rest)
	}
	log := NewLogger(e.Stderr, cfg.LogFormat, cfg.LogLevel)
	a, err := Open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, e.Ready)
}

func newFlags(name string, e Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	return fs
}

func runUserAdd(ctx context.Context, e Env, args []string) error {
	fs := newFlags("user add", e)
	email := fs.String("email", "", "email address (login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "agent", "admin or agent")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.Contains(*email, "@") {
		return errors.New("user add: --email must be an email address")
	}
	if !slices.Contains(domain.Roles(), domain.Role(*role)) {
		return fmt.Errorf("user add: --role must be one of %s, got %q", domain.Join(domain.Roles()), *role)
	}
	hash := ""
	if *pwStdin {
		password, err := readPassword(e.Stdin)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		if hash, err = auth.HashPassword(password); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
	}
	return withApp(ctx, e, "user add", false, func(a *App) error {
		id, err := a.Store.CreateUser(ctx, store.User{Email: *email, Name: *name, Role: domain.Role(*role), PasswordHash: hash, CreatedAt: time.Now()})
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("user add: a user with email %s exists already", *email)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, id)
		if hash == "" {
			return inviteNewUser(ctx, e, a, id)
		}
		return nil
	})
}

func runTokenCreate(ctx context.Context, e Env, args []string) error {
	fs := newFlags("token create", e)
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "cli", "a label for the token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withApp(ctx, e, "token create", false, func(a *App) error {
		u, err := a.Store.UserByEmail(ctx, *email)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("token create: no user with email %q (add one with: ticketer user add)", *email)
		}
		if err != nil {
			return err
		}
		token, err := auth.NewToken()
		if err != nil {
			return err
		}
		if _, err := a.Store.CreateAPIToken(ctx, u.ID, *name, auth.HashToken(token), time.Now()); err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, token)
		return nil
	})
}

func runMailboxAdd(ctx context.Context, e Env, args []string) error {
	fs := newFlags("mailbox add", e)
	name := fs.String("name", "", "display name, used as the From name")
	address := fs.String("address", "", "the support address")
	relay := fs.String("smtp-relay", "", "smtp://[user:pass@]host:port or smtps://... (query: tls=starttls|opportunistic|none, insecure=1, ca=/path/ca.pem, helo=NAME); without it mail goes to the outbox folder")
	imapURL := fs.String("imap", "", "imap://user:pass@host:port/FOLDER or imaps://... (query: sent=FOLDER, tls=none, auth=xoauth2, auth=oauth, insecure=1)")
	since := fs.String("since", "", "with --imap: backfill mail received since this day (YYYY-MM-DD); default everything")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addr := strings.ToLower(strings.TrimSpace(*address))
	if local, domain, ok := strings.Cut(addr, "@"); !ok || local == "" || domain == "" || strings.Contains(local, "+") {
		return fmt.Errorf("mailbox add: --address must be a plain email address (no +tag), got %q", *address)
	}
	if *name == "" {
		*name = addr
	}
	var relayWarning string
	if *relay != "" {
		rc, err := smtpout.ParseRelayURL(*relay)
		if err == nil {
			err = rc.Check()
		}
		if err != nil {
			return fmt.Errorf("mailbox add: --smtp-relay: %w", err)
		}
		relayWarning = rc.Warning()
	}
	provider := "smtp"
	var sinceDay time.Time
	if *imapURL != "" {
		if _, err := imap.ParseURL(*imapURL); err != nil {
			return fmt.Errorf("mailbox add: --imap must be imap://user:pass@host:port/FOLDER or imaps://...: %w", err)
		}
		provider = "imap"
	}
	if *since != "" {
		var err error
		if sinceDay, err = time.Parse("2006-01-02", *since); err != nil || *imapURL == "" {
			return fmt.Errorf("mailbox add: --since takes a day (YYYY-MM-DD) and needs --imap, got %q", *since)
		}
	}
	return withApp(ctx, e, "mailbox add", false, func(a *App) error {
		sealedRelay, err := a.Secrets.Seal(*relay)
		if err != nil {
			return err
		}
		sealedIMAP, err := a.Secrets.Seal(*imapURL)
		if err != nil {
			return err
		}
		id, err := a.Store.CreateMailbox(ctx, store.Mailbox{Name: *name, Address: addr, Provider: provider, SMTPRelay: sealedRelay,
			IMAP: sealedIMAP, AckEnabled: true, CreatedAt: time.Now(), RelayWarning: relayWarning})
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("mailbox add: a mailbox with address %s exists already", addr)
		}
		if err != nil {
			return err
		}
		if !sinceDay.IsZero() {
			if err := a.Store.SetConnectorSettings(ctx, id, provider, "", sinceDay); err != nil {
				return err
			}
		}
		fmt.Fprintln(e.Stdout, id)
		return nil
	})
}

// ImportSummary is what an import did.
type ImportSummary struct {
	Read, New, Duplicates, Failed int
}

func runImport(ctx context.Context, e Env, args []string) error {
	fs := newFlags("import", e)
	mailboxAddr := fs.String("mailbox", "", "the mailbox the messages belong to (default: by recipient, else the first mailbox)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths := fs.Args()
	if len(paths) == 0 {
		return errors.New("usage: ticketer import [--mailbox ADDRESS] PATH [PATH ...]")
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	return withApp(ctx, e, "import", false, func(a *App) error {
		if err := a.ensureDefaultMailbox(ctx); err != nil {
			return err
		}
		mbs, err := a.Store.ListMailboxes(ctx)
		if err != nil {
			return err
		}
		pick := mailboxPicker(mbs)
		if *mailboxAddr != "" {
			mb, err := a.Store.MailboxByAddress(ctx, *mailboxAddr)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("import: no mailbox %s (add it with: ticketer mailbox add)", *mailboxAddr)
			}
			if err != nil {
				return err
			}
			pick = func([]byte) int64 { return mb.ID }
		}
		var progress *importer.Progress
		if f, ok := e.Stderr.(*os.File); ok && importer.IsTerminal(f) {
			total, _, err := importer.Count(ctx, paths)
			if err != nil {
				return err
			}
			progress = importer.NewProgress(e.Stderr, true, total, time.Now)
		} else {
			progress = importer.NewProgress(e.Stderr, false, 0, time.Now)
		}
		var sum ImportSummary
		pipe := newImportPipe(ctx, a.Tickets, func(source string, res ticket.Result, err error) {
			switch {
			case err != nil:
				sum.Failed++
				a.Log.Warn("import failed", "source", source, "err", err)
			case res.Outcome == ticket.OutcomeDuplicate:
				sum.Duplicates++
			default:
				sum.New++
			}
			progress.Add(1)
		})
		err = importer.Walk(ctx, paths, a.Cfg.SMTPMaxBytes*4, func(it importer.Item) error {
			sum.Read++
			pipe.Add(it.Source, pick(it.Raw), it.Raw)
			return ctx.Err()
		}, func(source string, err error) {
			sum.Read++
			pipe.Failed(source, err)
		})
		pipe.Close()
		progress.Done()
		// A bulk load leaves the search index in many pieces: merge it once.
		if err := a.Store.OptimizeSearch(ctx); err != nil {
			a.Log.Warn("search index not optimized after the import", "err", err)
		}
		fmt.Fprintf(e.Stdout, "read %d, new %d, duplicates %d, failed %d\n", sum.Read, sum.New, sum.Duplicates, sum.Failed)
		return err
	})
}

// mailboxPicker routes a message to the mailbox it was addressed to, by its
// headers, else to the first mailbox.
func mailboxPicker(mbs []store.Mailbox) func(raw []byte) int64 {
	byAddr := map[string]int64{}
	for _, mb := range mbs {
		byAddr[mb.Address] = mb.ID
	}
	first := mbs[0].ID
	return func(raw []byte) int64 {
		if len(mbs) == 1 {
			return first
		}
		for _, a := range mail.HeaderRecipients(raw) {
			if id, ok := byAddr[mail.BaseAddress(a)]; ok {
				return id
			}
		}
		return first
	}
}
