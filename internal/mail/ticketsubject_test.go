package mail

import "testing"

// One subject form for every mail of a ticket, "Re: <subject> [#42]"; what
// customers send back in it, and in the older "[#42] <subject>" form, finds
// the ticket and reads as the same subject.
func TestTicketSubject(t *testing.T) {
	t.Parallel()
	if got := TicketSubject("Printer on fire", 42); got != "Re: Printer on fire [#42]" {
		t.Fatalf("TicketSubject = %q", got)
	}
	for _, subject := range []string{
		TicketSubject("Printer on fire", 42),
		"RE: " + TicketSubject("Printer on fire", 42),
		"AW: Re: Printer on fire [#42]",
		"[#42] Printer on fire",
		"Re: [#42] Printer on fire",
		"Re: [Ticket #42] Printer on fire",
	} {
		t.Run(subject, func(t *testing.T) {
			t.Parallel()
			id, ok := TicketTokenFromSubject(subject)
			if !ok || id != 42 {
				t.Fatalf("token: %d %v", id, ok)
			}
			if n := NormalizeSubject(subject); n != "Printer on fire" {
				t.Fatalf("normalized: %q", n)
			}
		})
	}
}
