// Package switchcase is the module TestCaseClausesOfSwitchesThatRan measures:
// the line numbers matter.
package switchcase

func Sign(n int) string {
	switch {
	case n > 0:
		return "positive"
	case n < 0,
		n == -0:
		return "not positive"
	}
	return "unreachable"
}

func Kind(v any) string {
	switch v.(type) {
	case int, int8:
		return "int"
	}
	return "other"
}

func Never(n int) string {
	switch {
	case n > 0:
		return "positive"
	}
	return "other"
}
