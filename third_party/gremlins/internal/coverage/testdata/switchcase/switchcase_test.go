package switchcase

import "testing"

func TestRun(t *testing.T) {
	if Sign(1) != "positive" || Sign(-1) != "not positive" || Kind(1) != "int" {
		t.Fatal("wrong")
	}
}
