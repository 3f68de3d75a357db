package mail

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use, once. For the large expressions
// (the localized quote separators and phone signatures, hundreds of KB
// each once compiled): every process links this package, and an idle
// server that reads no mail should not carry them (issue 11).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
