package httpapi

// Messages on a ticket (replies, notes, retries), attachments, and the
// inbound mail log.

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// What the messages list carries of each message at most; the body
// endpoint has the rest. The ticket list cuts subjects the same way.
const (
	listSubjectChars = 1000
	listBodyChars    = 100_000
	// A messages page is as long as the longest page: ordinary tickets
	// come whole, as before the list was paged.
	defaultMessagesPage = maxPageSize
)

func (s *Server) ListMessages(ctx context.Context, req oapi.ListMessagesRequestObject) (oapi.ListMessagesResponseObject, error) {
	limit := defaultMessagesPage
	if req.Params.Limit != nil {
		var err error
		if limit, err = pageLimit(req.Params.Limit); err != nil {
			return nil, err
		}
	}
	p := store.MessagePage{Limit: limit + 1, SubjectChars: listSubjectChars, BodyChars: listBodyChars}
	var err error
	if p.AfterTime, p.AfterID, err = cursorParam(req.Params.Cursor); err != nil {
		return nil, err
	}
	list, err := s.tickets.MessagesPage(ctx, principalFrom(ctx).User, req.Id, p)
	if err != nil {
		return nil, err
	}
	list, next := nextPage(list, limit, func(m store.Message) string { return encodeCursor(m.CreatedAt, m.ID) })
	return oapi.ListMessages200JSONResponse{Items: convertAll(list, toMessage), NextCursor: next}, nil
}

func (s *Server) GetMessageBody(ctx context.Context, req oapi.GetMessageBodyRequestObject) (oapi.GetMessageBodyResponseObject, error) {
	m, err := s.tickets.Message(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetMessageBody200JSONResponse{Id: m.ID, Subject: m.Subject, Text: m.Text, Html: m.HTML, VisibleText: m.VisibleText}, nil
}

func (s *Server) CreateReply(ctx context.Context, req oapi.CreateReplyRequestObject) (oapi.CreateReplyResponseObject, error) {
	var in ticket.ReplyInput
	switch {
	case req.JSONBody != nil:
		in.Body, in.Cc = deref(req.JSONBody.Body), req.JSONBody.Cc
		if req.JSONBody.MacroId != nil {
			in.MacroID = *req.JSONBody.MacroId
		}
		if req.JSONBody.AfterMessageId != nil {
			in.AfterMessageID = *req.JSONBody.AfterMessageId
		}
		in.Force = req.JSONBody.Force != nil && *req.JSONBody.Force
	case req.MultipartBody != nil:
		var err error
		if in, err = readReplyForm(req); err != nil {
			return nil, err
		}
	default:
		return nil, domain.BadRequest("body", "send application/json or multipart/form-data")
	}
	m, err := s.tickets.Reply(ctx, principalFrom(ctx).User, req.Id, in)
	var newer *ticket.NewerMessagesError
	if errors.As(err, &newer) { // a collision: the agent reads these first
		body := oapi.CreateReply409JSONResponse{Messages: convertAll(newer.Messages, toMessage)}
		body.Error.Code, body.Error.Message = oapi.NewerMessages, newer.Error()
		return body, nil
	}
	if err != nil {
		return nil, err
	}
	return oapi.CreateReply202JSONResponse(toMessage(m)), nil
}

// readReplyForm reads a multipart reply: the "body" field, "cc" fields (one
// address each, or comma-separated), and every file part as an attachment.
func readReplyForm(req oapi.CreateReplyRequestObject) (ticket.ReplyInput, error) {
	var in ticket.ReplyInput
	var total int64
	var cc []string
	ccGiven := false
	for {
		part, err := req.MultipartBody.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return in, err
			}
			return in, domain.BadRequest("body", "malformed multipart body: "+err.Error())
		}
		name, filename := part.FormName(), part.FileName()
		data, err := io.ReadAll(io.LimitReader(part, MaxUploadBytes-total+1))
		part.Close()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return in, err
			}
			return in, domain.BadRequest(name, "reading the part: "+err.Error())
		}
		total += int64(len(data))
		if total > MaxUploadBytes {
			return in, &http.MaxBytesError{Limit: MaxUploadBytes}
		}
		switch {
		case filename != "":
			ct := part.Header.Get("Content-Type")
			if mt, _, err := mime.ParseMediaType(ct); err == nil {
				ct = mt
			} else {
				ct = "application/octet-stream"
			}
			in.Files = append(in.Files, ticket.File{Name: filename, ContentType: ct, Data: data})
		case name == "body":
			in.Body = string(data)
		case name == "macro_id":
			id, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
			if err != nil || id <= 0 {
				return in, domain.BadRequest("macro_id", "must be a macro id")
			}
			in.MacroID = id
		case name == "after_message_id":
			id, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
			if err != nil || id <= 0 {
				return in, domain.BadRequest("after_message_id", "must be a message id")
			}
			in.AfterMessageID = id
		case name == "force":
			f, err := strconv.ParseBool(strings.TrimSpace(string(data)))
			if err != nil {
				return in, domain.BadRequest("force", "must be true or false")
			}
			in.Force = f
		case name == "cc":
			ccGiven = true
			for a := range strings.SplitSeq(string(data), ",") {
				if a = strings.TrimSpace(a); a != "" {
					cc = append(cc, a)
				}
			}
		}
	}
	if ccGiven {
		in.Cc = &cc
	}
	return in, nil
}

func (s *Server) CreateForward(ctx context.Context, req oapi.CreateForwardRequestObject) (oapi.CreateForwardResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	in := ticket.ForwardInput{To: req.Body.To, Body: deref(req.Body.Body)}
	if req.Body.MessageIds != nil {
		in.MessageIDs = *req.Body.MessageIds
	}
	m, err := s.tickets.Forward(ctx, principalFrom(ctx).User, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.CreateForward202JSONResponse(toMessage(m)), nil
}

func (s *Server) CreateNote(ctx context.Context, req oapi.CreateNoteRequestObject) (oapi.CreateNoteResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	m, err := s.tickets.AddNote(ctx, principalFrom(ctx).User, req.Id, req.Body.Body)
	if err != nil {
		return nil, err
	}
	return oapi.CreateNote201JSONResponse(toMessage(m)), nil
}

func (s *Server) RetryMessage(ctx context.Context, req oapi.RetryMessageRequestObject) (oapi.RetryMessageResponseObject, error) {
	m, err := s.tickets.RetryMessage(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.RetryMessage202JSONResponse(toMessage(m)), nil
}

// download streams an attachment: always a download, never rendered in our
// origin, because email content is hostile.
type download struct {
	a    store.Attachment
	body io.ReadCloser
}

func (d download) VisitGetAttachmentContentResponse(w http.ResponseWriter) error {
	defer d.body.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.a.Filename}))
	h.Set("Content-Length", strconv.FormatInt(d.a.Size, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, d.body)
	return err
}

func (s *Server) GetAttachmentContent(ctx context.Context, req oapi.GetAttachmentContentRequestObject) (oapi.GetAttachmentContentResponseObject, error) {
	a, err := s.tickets.Attachment(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	rc, err := s.blobs.Open(ctx, a.BlobKey)
	if err != nil {
		return nil, err
	}
	return download{a: a, body: rc}, nil
}
