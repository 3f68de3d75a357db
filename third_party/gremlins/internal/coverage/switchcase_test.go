/*
 * Copyright 2026 The Ticketer authors, in Ticketer's fork of Gremlins v0.6.0
 * (see third_party/gremlins/FORK.md).
 *
 *    Licensed under the Apache License, Version 2.0 (the "License");
 *    you may not use this file except in compliance with the License.
 *    You may obtain a copy of the License at
 *
 *        http://www.apache.org/licenses/LICENSE-2.0
 *
 *    Unless required by applicable law or agreed to in writing, software
 *    distributed under the License is distributed on an "AS IS" BASIS,
 *    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 *    See the License for the specific language governing permissions and
 *    limitations under the License.
 */

package coverage_test

import (
	"go/token"
	"path/filepath"
	"testing"

	"github.com/go-gremlins/gremlins/internal/coverage"
	"github.com/go-gremlins/gremlins/internal/gomodule"
)

// The real `go test -cover` on testdata/switchcase: the case expressions of
// a switch that ran are covered (Go's cover tool gives them no block), those
// of a switch that never ran are not, and the cover tool's own blocks stay.
func TestCaseClausesOfSwitchesThatRan(t *testing.T) {
	root, err := filepath.Abs("testdata/switchcase")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root) // Run changes directory: t.Chdir puts it back afterwards.
	mod := gomodule.GoModule{Name: "example.com/switchcase", Root: root, CallingDir: "."}
	res, err := coverage.New(t.TempDir(), mod).Run()
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name      string
		line, col int
		want      bool
	}{
		{"first case of a switch that ran", 7, 9, true},
		{"second case, first expression", 9, 9, true},
		{"second case, expression on the next line", 10, 5, true},
		{"type switch case that ran", 18, 7, true},
		{"case of a switch that never ran", 26, 9, false},
		{"body of a case that ran (cover's own block)", 8, 3, true},
		{"body of a case that never ran", 27, 3, false},
		{"after the switch that never ran", 29, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pos := token.Position{Filename: "switchcase.go", Line: tc.line, Column: tc.col}
			if got := res.Profile.IsCovered(pos); got != tc.want {
				t.Errorf("IsCovered(%d:%d) = %v, want %v", tc.line, tc.col, got, tc.want)
			}
		})
	}
}
