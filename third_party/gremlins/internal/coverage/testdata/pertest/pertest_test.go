package pertest

import (
	"fmt"
	"testing"
)

func TestDouble(t *testing.T) {
	if !ready || Double(2) != 4 {
		t.Fatal("Double(2) != 4")
	}
	Count()
}

func TestSign(t *testing.T) {
	t.Run("positive", func(t *testing.T) {
		if Sign(1) != "+" {
			t.Fatal("Sign(1) != +")
		}
	})
	Count()
}

func ExampleDouble() {
	fmt.Println(Double(1))
	// Output: 2
}

func BenchmarkDouble(b *testing.B) {
	for b.Loop() {
		Double(3)
	}
}
