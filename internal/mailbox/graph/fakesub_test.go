package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Subscriptions of the fake, as documented at
// https://learn.microsoft.com/en-us/graph/api/subscription-post-subscriptions,
// .../subscription-update, .../subscription-delete and
// https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks:
//   - POST /subscriptions checks changeType, resource (the account's Inbox
//     messages, or a shared mailbox's with the .Shared grant), an
//     expirationDateTime in the future and at most 10,080 minutes away, a
//     clientState of at most 128 characters, an https notificationUrl
//     (http only to localhost: the test server), then validates both URLs
//     the way Graph does (POST ?validationToken=..., 200 text/plain echo
//     within 10 s, else 400) before answering 201;
//   - PATCH renews (same limits; 404 once removed or expired), DELETE 204;
//   - notify and lifecycle POST what Graph posts to the URLs.
type fakeSub struct {
	id, box, folder         string
	resource, changeType    string
	notifyURL, lifecycleURL string
	clientState             string
	expires                 time.Time
	created, renewed        int
}

// maxMailLifetime is Outlook messages' maximum subscription lifetime.
const maxMailLifetime = 10080 * time.Minute

func (f *fakeMicrosoft) now() time.Time {
	if f.clock != nil {
		return f.clock()
	}
	return time.Now()
}

func acceptableURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost")
}

// validate POSTs the validation request to u and checks the echo.
func validate(u string) error {
	token := "Validation: Testing client application reachability for subscription Request-Id: 6f2d&x=<b>"
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Post(u+"?validationToken="+url.QueryEscape(token), "text/plain; charset=utf-8", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || string(body) != token {
		return fmt.Errorf("answered %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return nil
}

type subJSON struct {
	ChangeType               string    `json:"changeType"`
	NotificationURL          string    `json:"notificationUrl"`
	LifecycleNotificationURL string    `json:"lifecycleNotificationUrl"`
	Resource                 string    `json:"resource"`
	ExpirationDateTime       time.Time `json:"expirationDateTime"`
	ClientState              string    `json:"clientState"`
}

func (f *fakeMicrosoft) writeSub(w http.ResponseWriter, status int, s *fakeSub) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
		"id": s.id, "resource": s.resource, "applicationId": fakeClientID, "changeType": s.changeType, "clientState": s.clientState,
		"notificationUrl": s.notifyURL, "lifecycleNotificationUrl": s.lifecycleURL, "expirationDateTime": s.expires.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		"creatorId": "8ee44408-0679-472c-bc2a-692812af3437", "latestSupportedTlsVersion": "v1_2", "notificationUrlAppId": nil})
}

// createSubscription runs under f.mu (api); the validation requests are
// sent with the lock released, as Ticketer's endpoint may call back.
func (f *fakeMicrosoft) createSubscription(w http.ResponseWriter, r *http.Request, _ string) {
	var in subJSON
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		graphError(w, 400, "InvalidRequest", "Could not process subscription creation payload.")
		return
	}
	box, folder := "", ""
	root, rest, _ := strings.Cut(strings.TrimPrefix(in.Resource, "/"), "/mailFolders('")
	if name, ok := strings.CutSuffix(rest, "')/messages"); ok && (name == "inbox" || name == "sentitems") {
		folder = name
	}
	switch {
	case folder == "":
		graphError(w, 400, "InvalidRequest", "Resource not found or not supported by this fake: "+in.Resource)
		return
	case root == "me":
		box = f.account
	case strings.HasPrefix(root, "users/"):
		u, _ := url.PathUnescape(strings.TrimPrefix(root, "users/"))
		box = strings.ToLower(u)
		g := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if box != f.account && (!g.shared || !f.access[box]) {
			graphError(w, 403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]")
			return
		}
	default:
		graphError(w, 400, "InvalidRequest", "Resource not found or not supported by this fake: "+in.Resource)
		return
	}
	now := f.now()
	switch {
	case in.ChangeType != "created":
		graphError(w, 400, "InvalidRequest", "changeType must be created here")
		return
	case !acceptableURL(in.NotificationURL) || in.LifecycleNotificationURL != "" && !acceptableURL(in.LifecycleNotificationURL):
		graphError(w, 400, "InvalidRequest", "The Notification Url must be https")
		return
	case !in.ExpirationDateTime.After(now) || in.ExpirationDateTime.Sub(now) > maxMailLifetime:
		graphError(w, 400, "InvalidRequest", "Subscription expiration can only be 10080 minutes in the future.")
		return
	case len(in.ClientState) > 128:
		graphError(w, 400, "InvalidRequest", "clientState is longer than 128 characters")
		return
	}
	f.mu.Unlock()
	err := validate(in.NotificationURL)
	if err == nil && in.LifecycleNotificationURL != "" {
		err = validate(in.LifecycleNotificationURL)
	}
	f.mu.Lock()
	if err != nil {
		graphError(w, 400, "ValidationError", "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. ("+err.Error()+")")
		return
	}
	f.tokenN++
	s := &fakeSub{id: fmt.Sprintf("7f105c7d-2dc5-4530-97cd-%012d", f.tokenN), box: box, folder: folder, resource: in.Resource, changeType: in.ChangeType,
		notifyURL: in.NotificationURL, lifecycleURL: in.LifecycleNotificationURL, clientState: in.ClientState,
		expires: in.ExpirationDateTime, created: 1}
	f.subs[s.id] = s
	f.writeSub(w, http.StatusCreated, s)
}

func (f *fakeMicrosoft) liveSub(id string) (*fakeSub, bool) {
	s, ok := f.subs[id]
	if ok && !f.now().Before(s.expires) {
		delete(f.subs, id) // Graph removes expired subscriptions
		ok = false
	}
	return s, ok
}

func (f *fakeMicrosoft) renewSubscription(w http.ResponseWriter, r *http.Request, _ string) {
	if f.patched == nil {
		f.patched = map[string]int{}
	}
	f.patched[r.PathValue("sid")]++
	s, ok := f.liveSub(r.PathValue("sid"))
	if !ok {
		graphError(w, 404, "ResourceNotFound", "The object was not found.")
		return
	}
	var in struct {
		ExpirationDateTime time.Time `json:"expirationDateTime"`
	}
	now := f.now()
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || !in.ExpirationDateTime.After(now) || in.ExpirationDateTime.Sub(now) > maxMailLifetime {
		graphError(w, 400, "InvalidRequest", "Subscription expiration can only be 10080 minutes in the future.")
		return
	}
	s.expires = in.ExpirationDateTime
	s.renewed++
	f.writeSub(w, http.StatusOK, s)
}

func (f *fakeMicrosoft) deleteSubscription(w http.ResponseWriter, r *http.Request, _ string) {
	if _, ok := f.liveSub(r.PathValue("sid")); !ok {
		graphError(w, 404, "ResourceNotFound", "The object was not found.")
		return
	}
	delete(f.subs, r.PathValue("sid"))
	w.WriteHeader(http.StatusNoContent)
}

// subscriptions returns copies of the live subscriptions.
func (f *fakeMicrosoft) subscriptions() []fakeSub {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeSub
	for id := range f.subs {
		if s, ok := f.liveSub(id); ok {
			out = append(out, *s)
		}
	}
	return out
}

// post sends a notification batch to u, as Graph does.
func post(u string, items ...map[string]any) (int, error) {
	body, _ := json.Marshal(map[string]any{"value": items})
	resp, err := http.Post(u, "application/json; charset=utf-8", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// notifyCreated posts a "created" change notification for message id to
// every subscription of box (clientState as given at creation unless
// state is not ""); it returns the status codes.
func (f *fakeMicrosoft) notifyCreated(box, id, state string) []int {
	return f.notifyIn(box, "inbox", id, state)
}

// notifyIn is notifyCreated for a message new in folder.
func (f *fakeMicrosoft) notifyIn(box, folder, id, state string) []int {
	var codes []int
	for _, s := range f.subscriptions() {
		if s.box != box || s.folder != folder {
			continue
		}
		cs := s.clientState
		if state != "" {
			cs = state
		}
		code, err := post(s.notifyURL, map[string]any{"subscriptionId": s.id, "subscriptionExpirationDateTime": s.expires.Format(time.RFC3339),
			"changeType": "created", "resource": "Users/" + box + "/Messages/" + id, "clientState": cs, "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95",
			"resourceData": map[string]any{"@odata.type": "#Microsoft.Graph.Message", "@odata.id": "Users/" + box + "/Messages/" + id,
				"@odata.etag": "W/\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\"", "id": id}})
		if err != nil {
			f.t.Errorf("notify: %v", err)
		}
		codes = append(codes, code)
	}
	return codes
}

// lifecycle posts a lifecycle event of a subscription to its
// lifecycleNotificationUrl; subscriptionRemoved removes it first.
func (f *fakeMicrosoft) lifecycle(id, event string) int {
	f.mu.Lock()
	s, ok := f.subs[id]
	var cp fakeSub
	if ok {
		cp = *s
		if event == "subscriptionRemoved" {
			delete(f.subs, id)
		}
	}
	f.mu.Unlock()
	if !ok {
		f.t.Fatalf("lifecycle of an unknown subscription %s", id)
	}
	code, err := post(cp.lifecycleURL, map[string]any{"subscriptionId": cp.id, "subscriptionExpirationDateTime": cp.expires.Format(time.RFC3339),
		"tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95", "clientState": cp.clientState, "lifecycleEvent": event})
	if err != nil {
		f.t.Errorf("lifecycle: %v", err)
	}
	return code
}

func (f *fakeMicrosoft) requestsTo(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}
