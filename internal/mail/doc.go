// Package mail turns raw RFC 5322 messages into the fields Ticketer needs
// (threading ids, addresses, bodies, attachments, auto-reply and bounce
// classification, the "new" part of a reply) and composes outbound mail.
//
// Everything here is a pure function over bytes: no I/O, no clock, no
// database, no package-level mutable state. Parsing is best effort because
// one malformed message must never block a mailbox: problems are reported in
// Message.Problems instead of failing, and Parse only errors when the input
// is not an email at all.
package mail
