package ticket

import (
	"slices"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	all := domain.Statuses()
	allowed := map[domain.Status]string{ // from -> the statuses it may move to (itself always)
		"new":     "open pending solved",
		"open":    "pending solved",
		"pending": "open solved",
		"solved":  "open pending closed",
		"closed":  "open",
	}
	for _, from := range all {
		for _, to := range all {
			err := checkTransition(from, to)
			want := from == to || strings.Contains(" "+allowed[from]+" ", " "+string(to)+" ")
			de, isDomain := domain.As(err)
			if want != (err == nil) || (err != nil && (!isDomain || de.Kind != domain.KindConflict)) {
				t.Errorf("%s -> %s: %v, want allowed=%v", from, to, err, want)
			}
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	got, err := normalizeTags([]string{" VIP", "billing", "vip", "Billing "})
	if err != nil || strings.Join(got, ",") != "billing,vip" {
		t.Fatalf("%v %v", got, err)
	}
	// The longest tag, 64 characters, is one (65 is refused below).
	long := strings.Repeat("x", 64)
	if got, err := normalizeTags([]string{long}); err != nil || !slices.Equal(got, []string{long}) {
		t.Fatalf("a tag of 64 characters: %v %v", got, err)
	}
	for _, bad := range [][]string{{""}, {"a b"}, {"a,b"}, {strings.Repeat("x", 65)}, {"tab\there"}} {
		_, err := normalizeTags(bad)
		if fe, ok := domain.As(err); !ok || fe.Kind != domain.KindInvalid || fe.Field != "tags" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = strings.Repeat("t", i+1)
	}
	if _, err := normalizeTags(many); err == nil {
		t.Error("51 tags accepted")
	}
}
