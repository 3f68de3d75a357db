// Package domain holds what every domain package shares and nothing else:
// the one error type that says why a request was refused (packages below
// HTTP return it; httpapi maps its Kind to a status code once), and the
// typed values every layer reads: status, priority, role (enums.go).
package domain

import "errors"

// Kind is the class of a refusal; each maps to one HTTP status.
type Kind string

// Kinds.
const (
	KindInvalid    Kind = "invalid"     // a field's value breaks a rule (422)
	KindBadRequest Kind = "bad_request" // the request itself is malformed (400)
	KindNotFound   Kind = "not_found"   // no such thing, or not visible to the caller (404)
	KindConflict   Kind = "conflict"    // the current state forbids it (409)
	KindForbidden  Kind = "forbidden"   // the caller may not do it (403)
)

// Error is a refusal with its kind, the field it concerns ("" for the whole
// request) and a message meant for the person who sent it.
type Error struct {
	Kind    Kind
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalid is a field whose value breaks a rule.
func Invalid(field, message string) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: message}
}

// BadRequest is a malformed request (a parameter that cannot be read).
func BadRequest(field, message string) *Error {
	return &Error{Kind: KindBadRequest, Field: field, Message: message}
}

// NotFound is something that does not exist or that the caller cannot see.
func NotFound(message string) *Error {
	return &Error{Kind: KindNotFound, Message: message}
}

// Conflict is an action the current state does not allow.
func Conflict(message string) *Error {
	return &Error{Kind: KindConflict, Message: message}
}

// Forbidden is an action the caller's role does not allow.
func Forbidden(message string) *Error {
	return &Error{Kind: KindForbidden, Message: message}
}

// As returns err's *Error, if it wraps one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
