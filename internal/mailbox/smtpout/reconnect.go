package smtpout

import "errors"

// ReconnectError is a send the provider refused because the mailbox's
// credentials were refused (a revoked refresh token, a deleted grant, a
// rotated API key). The message is not at fault and retrying will not help
// until an admin reconnects the mailbox: the connector records the reason on
// the mailbox, and the message waits instead of failing.
type ReconnectError struct {
	Err error
}

func (e *ReconnectError) Error() string {
	return "waiting for the mailbox to be reconnected: " + e.Err.Error()
}
func (e *ReconnectError) Unwrap() error { return e.Err }

// IsReconnect reports whether err says the mailbox must be reconnected.
func IsReconnect(err error) bool {
	var r *ReconnectError
	return errors.As(err, &r)
}
