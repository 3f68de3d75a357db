package order

import "testing"

func TestFirst(t *testing.T) { Set() }

// TestSecond passes after TestFirst only: it fails when run alone.
func TestSecond(t *testing.T) {
	if Get() != 1 {
		t.Fatal("state not set")
	}
}
