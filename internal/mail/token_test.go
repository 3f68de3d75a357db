package mail

import "testing"

func TestTicketTokenFromSubject(t *testing.T) {
	tests := []struct {
		in   string
		id   int64
		want bool
	}{
		{"Re: [#42] Printer", 42, true},
		{"RE: AW: [#7] Zugang", 7, true},
		{"Fwd: Re: Printer [#1234]", 1234, true},
		{"[# 9] spaced", 9, true},
		{"[Ticket #15] typed by hand", 15, true},
		{"Printer #42", 0, false},
		{"[#0] zero", 0, false},
		{"[#99999999999999999999] overflow", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		id, ok := TicketTokenFromSubject(tt.in)
		if id != tt.id || ok != tt.want {
			t.Errorf("TicketTokenFromSubject(%q) = %d,%v want %d,%v", tt.in, id, ok, tt.id, tt.want)
		}
	}
}

func TestTicketTokenFromAddress(t *testing.T) {
	tests := []struct {
		in   string
		id   int64
		want bool
	}{
		{"support+t42@example.com", 42, true},
		{"Support <support+T7@example.com>", 7, true},
		{"support+tag+t9@example.com", 9, true},
		{"support+42@example.com", 0, false},
		{"support+billing@example.com", 0, false},
		{"support@example.com", 0, false},
		{"support+t@example.com", 0, false},
		{"+t5", 0, false},
		// The angle address wins over a comment after it, even one with an "@".
		{"<support+t11@example.com> (support@example.org)", 11, true},
		{"Support <support+t12@example.com> (support@example.org)", 12, true},
		{"<> support+t5@example.com", 0, false}, // an empty angle address: nothing after it is read
		{"+t5@example.com", 5, true},
	}
	for _, tt := range tests {
		id, ok := TicketTokenFromAddress(tt.in)
		if id != tt.id || ok != tt.want {
			t.Errorf("TicketTokenFromAddress(%q) = %d,%v want %d,%v", tt.in, id, ok, tt.id, tt.want)
		}
	}
}

func TestNormalizeSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Re: [#42] Printer", "Printer"},
		{"RE: AW: Fwd: FW: SV: Antw: Printer  jammed", "Printer jammed"},
		{"Re[2]: re : Printer", "Printer"},
		{"[#42] Re: Printer", "Printer"},
		{"Printer [#42]", "Printer"},
		{"Regarding printer", "Regarding printer"},
		{"  ", ""},
	}
	for _, tt := range tests {
		eq(t, "NormalizeSubject("+tt.in+")", NormalizeSubject(tt.in), tt.want)
	}
}

// TestBaseAddress: the mailbox an address reaches, whatever its case and plus
// tag, so replies to support+t42@ find the support@ mailbox.
func TestBaseAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Support+t42@Example.com": "support@example.com",
		" support@example.com ":   "support@example.com",
		"support+a+b@example.com": "support@example.com",
		"+t42@example.com":        "@example.com",
		"support@example.com":     "support@example.com",
		"not an address":          "not an address",
		"Sales+Quote@Example.ORG": "sales@example.org",
	} {
		if got := BaseAddress(in); got != want {
			t.Errorf("BaseAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
