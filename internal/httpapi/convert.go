package httpapi

import (
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
)

// Conversions from the store's values to the API's shapes (api/openapi.yaml).

// convertAll converts each of a list (never nil: an empty list is [] in JSON).
func convertAll[T, U any](list []T, convert func(T) U) []U {
	out := make([]U, 0, len(list))
	for _, v := range list {
		out = append(out, convert(v))
	}
	return out
}

func nullTime(t time.Time) nullable.Nullable[time.Time] {
	if t.IsZero() {
		return nullable.NewNullNullable[time.Time]()
	}
	return nullable.NewNullableWithValue(t)
}

func toUser(u store.User) oapi.User {
	role, disabled, created := oapi.Role(u.Role), u.Disabled, u.CreatedAt
	return oapi.User{Id: u.ID, Email: u.Email, Name: u.Name, Role: &role, Disabled: &disabled, CreatedAt: &created}
}

func toTicket(t store.Ticket) oapi.Ticket {
	out := oapi.Ticket{Id: t.ID, Subject: t.Subject, Status: oapi.Status(t.Status), Priority: oapi.Priority(t.Priority),
		Assignee: nullable.NewNullNullable[oapi.User](), Requester: oapi.Address{Email: t.Requester.Email, Name: t.Requester.Name},
		MailboxId: t.MailboxID, Tags: t.Tags, MessageCount: t.MessageCount, UndeliveredCount: t.Undelivered, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		FirstResponseAt: nullTime(t.FirstResponseAt), SolvedAt: nullTime(t.SolvedAt), SpamAt: nullTime(t.SpamAt),
		SnoozeUntil: nullTime(t.SnoozeUntil)}
	out.Team = toTeamRef(t.Team)
	out.Sla = toTicketSLA(t.SLA)
	out.Csat = nullable.NewNullNullable[oapi.CSAT]()
	if c := t.CSAT; c != nil {
		out.Csat = nullable.NewNullableWithValue(oapi.CSAT{Rating: oapi.CSATRating(c.Rating), Comment: c.Comment, At: c.At})
	}
	if t.RequesterID != 0 {
		rid := t.RequesterID
		out.RequesterId = &rid
	}
	if t.Assignee != nil {
		out.Assignee = nullable.NewNullableWithValue(oapi.User{Id: t.Assignee.ID, Email: t.Assignee.Email, Name: t.Assignee.Name})
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return withLinks(out, t, nil)
}

func toAddress(a store.Address) oapi.Address { return oapi.Address{Email: a.Email, Name: a.Name} }

func toAddrs(list []store.Address) []oapi.Address { return convertAll(list, toAddress) }

func toMessage(m store.Message) oapi.Message {
	out := oapi.Message{Id: m.ID, Kind: oapi.MessageKind(m.Kind), MessageId: m.MessageID, From: oapi.Address{Email: m.From.Email, Name: m.From.Name},
		To: toAddrs(m.To), Cc: toAddrs(m.Cc), Subject: m.Subject, Text: m.Text, Html: m.HTML, VisibleText: m.VisibleText,
		Attachments: []oapi.Attachment{}, CreatedAt: m.CreatedAt, Delivery: nullable.NewNullNullable[oapi.Delivery](),
		AuthorId: nullable.NewNullNullable[int64]()}
	if m.AuthorID != 0 {
		out.AuthorId = nullable.NewNullableWithValue(m.AuthorID)
	}
	if m.AutoReason != "" {
		out.AutoReason = &m.AutoReason
	}
	if m.Problems != "" {
		out.Problems = &m.Problems
	}
	out.ThreadedBy = nullable.NewNullNullable[oapi.ThreadedBy]()
	if m.ThreadedBy != "" {
		out.ThreadedBy = nullable.NewNullableWithValue(oapi.ThreadedBy(m.ThreadedBy))
		key := m.ThreadedKey
		out.ThreadedKey = &key
	}
	if m.Truncated {
		out.Truncated = &m.Truncated
	}
	if m.Party != "" {
		party := oapi.MessageParty(m.Party)
		out.Party = &party
	}
	for _, a := range m.Attachments {
		inline := a.Inline
		att := oapi.Attachment{Id: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, Inline: &inline}
		if a.ContentID != "" {
			cid := a.ContentID
			att.ContentId = &cid
		}
		out.Attachments = append(out.Attachments, att)
	}
	if m.DeliveryStatus != "" {
		attempts := m.DeliveryAttempts
		out.Delivery = nullable.NewNullableWithValue(oapi.Delivery{Status: oapi.DeliveryStatus(m.DeliveryStatus), Error: m.DeliveryError, Attempts: &attempts,
			NextAttemptAt: nullTime(m.DeliveryNextAt)})
	}
	return out
}

func toMailbox(m store.Mailbox) oapi.Mailbox {
	out := oapi.Mailbox{Id: m.ID, Name: m.Name, Address: m.Address, Provider: m.Provider, HasSmtpRelay: m.SMTPRelay != "",
		AckEnabled: m.AckEnabled, AckSubject: m.AckSubject, AckBody: m.AckBody, Status: m.Status, LastError: m.LastError,
		LastSyncAt: nullTime(m.LastSyncAt), CreatedAt: m.CreatedAt,
		RelayError: m.RelayError, RelayErrorSince: nullTime(m.RelayErrorSince), RelayWarning: m.RelayWarning,
		SenderAgentName: m.SenderAgentName, SystemMail: m.SystemMail, ReopenDays: &m.ReopenDays, Signature: &m.Signature, Portal: &m.Portal, Csat: &m.CSAT,
		TeamId: nullable.NewNullNullable[int64](), Alert: nullable.NewNullNullable[oapi.MailboxAlert]()}
	if m.TeamID != 0 {
		out.TeamId = nullable.NewNullableWithValue(m.TeamID)
	}
	if a := m.Alert; a != nil {
		out.Alert = nullable.NewNullableWithValue(oapi.MailboxAlert{Reason: oapi.MailboxAlertReason(a.Reason), Detail: a.Detail,
			Since: a.Since, RaisedAt: a.RaisedAt})
	}
	return out
}

func toToken(t store.APIToken) oapi.APIToken {
	return oapi.APIToken{Id: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: nullTime(t.LastUsedAt), RevokedAt: nullTime(t.RevokedAt),
		Scopes: toScopes(t.Scopes)}
}

func toEvent(e store.Event) oapi.Event {
	out := oapi.Event{Id: e.ID, Actor: e.Actor, ActorId: nullable.NewNullNullable[int64](), Kind: oapi.EventKind(e.Kind), Field: e.Field,
		Before: e.OldValue, After: e.NewValue, CreatedAt: e.CreatedAt}
	if e.ActorID != 0 {
		out.ActorId = nullable.NewNullableWithValue(e.ActorID)
	}
	return out
}

func toInbound(in store.Inbound) oapi.Inbound {
	out := oapi.Inbound{Id: in.ID, MailboxId: in.MailboxID, Source: in.Source, Status: in.Status, Error: in.Error,
		Attempts: in.Attempts, Size: in.Size, Sha256: in.SHA256, ReceivedAt: in.ReceivedAt,
		Reason: in.Reason, MessageId: in.RFCMessageID, From: toAddress(in.From), Subject: in.Subject,
		TicketMessageId: nullable.NewNullNullable[int64]()}
	if in.MessageID != 0 {
		out.TicketMessageId = nullable.NewNullableWithValue(in.MessageID)
	}
	return out
}

func toScopes(list []string) *[]oapi.TokenScope {
	out := make([]oapi.TokenScope, 0, len(list))
	for _, v := range list {
		out = append(out, oapi.TokenScope(v))
	}
	return &out
}
