package coverage_test

import (
	"go/token"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-gremlins/gremlins/internal/coverage"
	"github.com/go-gremlins/gremlins/internal/gomodule"
)

// The real per-test coverage of testdata/pertest (Ticketer's fork, FORK.md
// change 4): each mutant position gets the top-level tests that cover it,
// and the positions no single test reaches get "run them all".
func TestPerTestTargets(t *testing.T) {
	root, err := filepath.Abs("testdata/pertest")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root) // Run changes directory: t.Chdir puts it back afterwards.
	mod := gomodule.GoModule{Name: "example.com/pertest", Root: root, CallingDir: "."}
	res, err := coverage.New(t.TempDir(), mod).Run()
	if err != nil {
		t.Fatal(err)
	}

	const pkg = "example.com/pertest"
	for _, tc := range []struct {
		name      string
		pkg, file string
		line, col int
		want      []string // nil: all the package's tests
	}{
		{"init runs before every test", pkg, "pertest.go", 6, 9, []string{"TestDouble", "TestSign", "ExampleDouble"}},
		{"a test and an example", pkg, "pertest.go", 10, 11, []string{"TestDouble", "ExampleDouble"}},
		{"a case expression, reached from a subtest", pkg, "pertest.go", 15, 9, []string{"TestSign"}},
		{"code both tests reach together, neither alone", pkg, "pertest.go", 34, 15, nil},
		{"code no test reaches", pkg, "pertest.go", 38, 9, nil},
		{"a package whose test fails alone", pkg + "/order", "order/order.go", 8, 9, nil},
		{"a package without tests", pkg + "/notest", "notest/notest.go", 4, 9, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pos := token.Position{Filename: tc.file, Line: tc.line, Column: tc.col}
			got, ok := res.Targets.For(tc.pkg, pos)
			if ok != (tc.want != nil) || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("For(%s, %v) = %q, %v; want %q", tc.pkg, pos, got, ok, tc.want)
			}
		})
	}
	// The package run still covers what only the tests together reach:
	// its mutant is runnable, and runs every test.
	if !res.Profile.IsCovered(token.Position{Filename: "pertest.go", Line: 34, Column: 15}) {
		t.Error("second() is not covered by the package run")
	}
	if pt := res.Targets[pkg+"/order"]; pt == nil || !pt.Untargeted {
		t.Errorf("order's tests: %+v, want Untargeted (TestSecond fails alone)", pt)
	}
	if _, ok := res.Targets[pkg+"/notest"]; ok {
		t.Error("a package without tests has targets")
	}
}

func TestRunPattern(t *testing.T) {
	for _, tc := range []struct {
		tests []string
		want  string
	}{
		{[]string{"TestA"}, "^(TestA)$"},
		{[]string{"TestA", "ExampleB", "FuzzC"}, "^(TestA|ExampleB|FuzzC)$"},
	} {
		if got := coverage.RunPattern(tc.tests); got != tc.want {
			t.Errorf("RunPattern(%q) = %q, want %q", tc.tests, got, tc.want)
		}
	}
}
