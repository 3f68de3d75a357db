package ticket

import (
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

func TestCheckTransition(t *testing.T) {
	all := Statuses
	allowed := map[string]string{ // from -> the statuses it may move to (itself always)
		"new":     "open pending solved",
		"open":    "pending solved",
		"pending": "open solved",
		"solved":  "open pending closed",
		"closed":  "open",
	}
	for _, from := range all {
		for _, to := range all {
			err := checkTransition(from, to)
			want := from == to || strings.Contains(" "+allowed[from]+" ", " "+to+" ")
			if want != (err == nil) || (err != nil && !isKind(err, domain.KindConflict)) {
				t.Errorf("%s -> %s: %v, want allowed=%v", from, to, err, want)
			}
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	got, err := normalizeTags([]string{" VIP", "billing", "vip", "Billing "})
	if err != nil || strings.Join(got, ",") != "billing,vip" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range [][]string{{""}, {"a b"}, {"a,b"}, {strings.Repeat("x", 65)}, {"tab\there"}} {
		if _, err := normalizeTags(bad); !isKind(err, domain.KindInvalid) || !isField(err, "tags") {
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

func isKind(err error, k domain.Kind) bool {
	e, ok := domain.As(err)
	return ok && e.Kind == k
}

func isField(err error, field string) bool {
	e, ok := domain.As(err)
	return ok && e.Field == field
}
