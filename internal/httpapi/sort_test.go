package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"
)

// pageTickets follows next_cursor from a ticket list URL to the last page;
// it returns the ticket ids in order.
func pageTickets(t *testing.T, c *client, path string) []int64 {
	t.Helper()
	var seen []int64
	cursor := ""
	for range 20 {
		var page struct {
			Items      []apiTicket
			NextCursor *string `json:"next_cursor"`
		}
		c.do("GET", path+"&cursor="+cursor, nil).must(t, 200).json(t, &page)
		for _, tk := range page.Items {
			seen = append(seen, tk.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	return seen
}

// GET /api/v1/tickets?sort=: each order pages through every ticket once in
// its order; an unknown order, and a cursor of another order, are refused.
func TestTicketListSortParameter(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		var ids []int64
		for i, subject := range []string{"Charlie", "alpha", "Bravo"} {
			h.clock.advance(60e9)
			ids = append(ids, h.newTicket(i+1, ""))
			agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[i]), map[string]any{"priority": []string{"low", "urgent", "high"}[i]}).must(t, 200)
			if _, err := h.st.DB().Exec(h.ctx, `UPDATE tickets SET subject = $1 WHERE id = $2`, subject, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		walk := func(sort string) []int64 {
			return pageTickets(t, agent, "/api/v1/tickets?limit=1&sort="+url.QueryEscape(sort))
		}
		for sort, want := range map[string][]int64{
			"-updated":  {ids[2], ids[1], ids[0]},
			"created":   {ids[0], ids[1], ids[2]},
			"-priority": {ids[1], ids[2], ids[0]},
			"subject":   {ids[1], ids[2], ids[0]},
			"-subject":  {ids[0], ids[2], ids[1]},
		} {
			if got := walk(sort); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("sort=%s: %v, want %v", sort, got, want)
			}
		}
		if _, field := agent.do("GET", "/api/v1/tickets?sort=size", nil).must(t, 400).errorOf(t); field != "sort" {
			t.Fatalf("unknown order: field %q", field)
		}
		var page struct {
			NextCursor *string `json:"next_cursor"`
		}
		agent.do("GET", "/api/v1/tickets?limit=1&sort=-priority", nil).must(t, 200).json(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no next page")
		}
		for _, other := range []string{"", "&sort=priority", "&sort=subject"} {
			if _, field := agent.do("GET", "/api/v1/tickets?cursor="+*page.NextCursor+other, nil).must(t, 400).errorOf(t); field != "cursor" {
				t.Fatalf("a -priority cursor with %q: field %q", other, field)
			}
		}
	})
}
