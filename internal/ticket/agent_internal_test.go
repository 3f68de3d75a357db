package ticket

import (
	"errors"
	"strings"
	"testing"
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
			var se *StateError
			if want != (err == nil) || (err != nil && !errors.As(err, &se)) {
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
		var fe *FieldError
		if _, err := normalizeTags(bad); !errors.As(err, &fe) || fe.Field != "tags" {
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
