package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// InvitationTTL is how long an invitation (or password reset) link works.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationPath is where the web UI serves the page of an invitation link.
const InvitationPath = "/invite/"

// Refusals of an invitation link, for the person who opened it.
var (
	errInvitationUnknown = domain.NotFound("this invitation link is not valid; ask an admin for a new one")
	errInvitationUsed    = domain.Conflict("this invitation link was used already; ask an admin for a new one")
	errInvitationExpired = domain.Conflict("this invitation link has expired; ask an admin for a new one")
	errInviteDisabled    = domain.Conflict("this user is disabled; enable them first")
)

// NewInvitation is an invitation just made: its link exists only here.
type NewInvitation struct {
	Token, URL string
	ExpiresAt  time.Time
	User       store.User
}

// Invite makes a single-use link with which a user sets their password (and
// is signed in), valid for InvitationTTL. It replaces the user's earlier
// unused links. by is the admin who asked, 0 for the command line. A user
// who has a password can be sent one too: it is then a reset link, and
// their current password keeps working until the link is used.
func (s *Service) Invite(ctx context.Context, userID, by int64) (NewInvitation, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return NewInvitation{}, err
	}
	if u.Disabled {
		return NewInvitation{}, errInviteDisabled
	}
	now := s.now()
	inv := NewInvitation{Token: randomToken("tki_"), ExpiresAt: now.Add(InvitationTTL), User: u}
	inv.URL = strings.TrimRight(s.cfg.BaseURL, "/") + InvitationPath + inv.Token
	_, err = s.store.CreateInvitation(ctx, s.store.DB().W(), store.Invitation{UserID: u.ID, TokenHash: HashToken(inv.Token),
		CreatedBy: by, CreatedAt: now, ExpiresAt: inv.ExpiresAt})
	if err != nil {
		return NewInvitation{}, err
	}
	s.log.Info("invitation made", "user", u.Email, "by", by, "expires", inv.ExpiresAt)
	return inv, nil
}

// Invitation returns the user a link is for while it can still be used,
// so that its page can greet them; it does not use the link up.
func (s *Service) Invitation(ctx context.Context, token string) (store.User, store.Invitation, error) {
	inv, err := s.store.InvitationByTokenHash(ctx, s.store.DB().W(), HashToken(strings.TrimSpace(token)))
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, inv, errInvitationUnknown
	}
	if err != nil {
		return store.User{}, inv, err
	}
	switch {
	case !inv.UsedAt.IsZero():
		return store.User{}, inv, errInvitationUsed
	case !s.now().Before(inv.ExpiresAt):
		return store.User{}, inv, errInvitationExpired
	}
	u, err := s.store.GetUser(ctx, inv.UserID)
	if err != nil {
		return store.User{}, inv, err
	}
	if u.Disabled {
		return store.User{}, inv, errInvitationUnknown
	}
	return u, inv, nil
}

// AcceptInvitation sets the password of the link's user, uses the link up,
// ends the user's other sessions and signs them in.
func (s *Service) AcceptInvitation(ctx context.Context, token, password string, c Client) (NewSession, error) {
	u, inv, err := s.Invitation(ctx, token)
	if err != nil {
		return NewSession{}, err
	}
	if !s.passwordAllowed(u.Email) {
		return NewSession{}, ErrSSOOnly
	}
	hash, err := HashPassword(password)
	if err != nil {
		return NewSession{}, domain.Invalid("password", err.Error())
	}
	now := s.now()
	err = s.store.DB().InTx(ctx, func(tx *store.Tx) error {
		ok, err := s.store.UseInvitation(ctx, tx, inv.ID, now)
		if err != nil {
			return err
		}
		if !ok { // used or expired since Invitation looked
			return errInvitationUsed
		}
		if err := s.store.UpdateUser(ctx, tx, u.ID, store.UserChange{PasswordHash: &hash}); err != nil {
			return err
		}
		return s.store.DeleteUserSessions(ctx, tx, u.ID)
	})
	if err != nil {
		return NewSession{}, err
	}
	s.log.Info("invitation used", "user", u.Email)
	return s.openSession(ctx, u, c, now, store.SessionInvitation)
}

// ChangePassword is a user changing their own password: it needs the
// current one. Their other sessions end; the one that asked stays.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	u, err := s.store.GetUser(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" || !CheckPassword(u.PasswordHash, current) {
		// Not ErrInvalidCredentials: a 401 would sign the web UI out.
		return domain.Invalid("current", "is not your current password")
	}
	if next == current {
		return domain.Invalid("new", "must differ from the current password")
	}
	hash, err := HashPassword(next)
	if err != nil {
		return domain.Invalid("new", err.Error())
	}
	return s.store.DB().InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.UpdateUser(ctx, tx, u.ID, store.UserChange{PasswordHash: &hash}); err != nil {
			return err
		}
		if p.SessionID == 0 {
			return s.store.DeleteUserSessions(ctx, tx, u.ID)
		}
		return s.store.DeleteOtherSessions(ctx, tx, u.ID, p.SessionID)
	})
}

// DevLoginEnabled reports whether DevLogin can work at all: enabled, and
// the base URL on this machine. The sign-in page shows its button only then.
func (s *Service) DevLoginEnabled() bool {
	return s.cfg.AllowDevLogin && config.IsLocalURL(s.cfg.BaseURL)
}

// InvitationMail is the subject and text of the mail carrying an invitation
// link; a user who has a password gets a reset link. from names the admin
// who asked (may be empty).
func InvitationMail(inv NewInvitation, from string) (subject, text string) {
	by := ""
	if from != "" {
		by = " " + from + " asked for it."
	}
	if inv.User.PasswordHash != "" {
		return "Reset your Ticketer password", "Hello " + inv.User.Name + ",\n\n" +
			"to set a new password for " + inv.User.Email + ", open this link:" + by + "\n\n" + inv.URL + "\n\n" +
			"It works once, until " + inv.ExpiresAt.UTC().Format("2 January 2006 15:04 MST") + ". " +
			"Your current password keeps working until then; if you did not expect this mail, ignore it.\n"
	}
	return "You are invited to Ticketer", "Hello " + inv.User.Name + ",\n\n" +
		"you have a Ticketer account as " + inv.User.Email + "." + by + " To set your password and sign in, open this link:\n\n" +
		inv.URL + "\n\n" +
		"It works once, until " + inv.ExpiresAt.UTC().Format("2 January 2006 15:04 MST") + ".\n"
}
