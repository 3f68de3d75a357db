package pertest

var ready = setup()

func setup() bool {
	return true
}

func Double(n int) int {
	return n * 2
}

func Sign(n int) string {
	switch {
	case n > 0:
		return "+"
	}
	return "-"
}

var calls int

// Count runs second only from its second call on: the package's tests
// reach it together, no test alone.
func Count() int {
	calls++
	if calls > 1 {
		return second()
	}
	return calls
}

func second() int {
	return calls * 10
}

func Never() int {
	return 1
}
