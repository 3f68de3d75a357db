package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/survey"
	"github.com/ticketer/ticketer/internal/ticket"
)

// The satisfaction survey (/survey/{token}): the mailed Good and Bad links
// open a page with that rating chosen; only its POST stores it, so a mail
// scanner that follows links votes for no one. The form carries a token
// derived from the link's (survey.CSRF), and cross-origin posts are refused
// before (routes.go). Unknown links are 404, expired ones 410.

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", survey.CSP)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the link is a secret
	token := r.PathValue("token")
	v, err := s.tickets.Survey(r.Context(), token)
	if err != nil {
		s.surveyProblem(w, r, err)
		return
	}
	p := surveyPageOf(token, v)
	if rt := r.URL.Query().Get("rating"); rt == ticket.RatingGood || rt == ticket.RatingBad {
		p.Rating = rt
	}
	name := "survey"
	switch {
	case r.URL.Query().Get("done") == "1" && v.CSAT != nil:
		name, p.Title = "thanks", "Thank you"
	case v.CSAT != nil:
		p.Notice = "You rated this " + ratingWord(v.CSAT.Rating) + " on " + v.CSAT.At.Format("2 Jan 2006") + ". You may change your answer."
	}
	s.renderSurvey(w, http.StatusOK, name, p)
}

func (s *Server) surveyRate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", survey.CSP)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.PathValue("token")
	if err := r.ParseForm(); err != nil {
		s.renderSurvey(w, http.StatusBadRequest, "dead", survey.Page{Title: "This form could not be read", Message: "Go back and send it again."})
		return
	}
	if !survey.CheckCSRF(token, r.PostFormValue("csrf")) {
		s.renderSurvey(w, http.StatusForbidden, "dead", survey.Page{Title: "This form has expired",
			Message: "Open the link in the mail again and send your rating from there."})
		return
	}
	rating, comment := r.PostFormValue("rating"), r.PostFormValue("comment")
	_, err := s.tickets.RateSurvey(r.Context(), token, rating, comment)
	if de, ok := domain.As(err); ok {
		v, rerr := s.tickets.Survey(r.Context(), token)
		if rerr != nil {
			s.surveyProblem(w, r, rerr)
			return
		}
		p := surveyPageOf(token, v)
		p.Rating, p.Comment, p.Error = rating, comment, de.Message
		if de.Field == "rating" {
			p.Error = "Choose Good or Bad."
		}
		s.renderSurvey(w, http.StatusUnprocessableEntity, "survey", p)
		return
	}
	if err != nil {
		s.surveyProblem(w, r, err)
		return
	}
	http.Redirect(w, r, "/survey/"+url.PathEscape(token)+"?done=1", http.StatusSeeOther)
}

func surveyPageOf(token string, v ticket.SurveyView) survey.Page {
	p := survey.Page{Title: "How did we do?", Token: token, CSRF: survey.CSRF(token), TicketID: v.TicketID, Subject: v.Subject,
		ExpiresAt: v.ExpiresAt, MaxComment: ticket.MaxSurveyComment}
	if v.CSAT != nil {
		p.Rating, p.Comment = v.CSAT.Rating, v.CSAT.Comment
	}
	return p
}

func ratingWord(r string) string {
	if r == ticket.RatingGood {
		return "Good"
	}
	return "Bad"
}

func (s *Server) surveyProblem(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.renderSurvey(w, http.StatusNotFound, "dead", survey.Page{Title: "This survey link is not known",
			Message: "Check that the whole link from the mail was opened."})
	case errors.Is(err, ticket.ErrSurveyExpired):
		s.renderSurvey(w, http.StatusGone, "dead", survey.Page{Title: "This survey has closed",
			Message: "A survey link takes answers for 30 days after the ticket was solved. Thank you all the same."})
	default:
		s.log.Error("survey", "method", r.Method, "err", err)
		s.renderSurvey(w, http.StatusInternalServerError, "dead", survey.Page{Title: "Something went wrong on our side",
			Message: "Try again in a moment."})
	}
}

func (s *Server) renderSurvey(w http.ResponseWriter, status int, name string, p survey.Page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.surveyViews.Render(w, name, p); err != nil {
		s.log.Error("survey page", "page", name, "err", err)
	}
}
