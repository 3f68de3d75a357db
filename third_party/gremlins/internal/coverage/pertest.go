/*
 * Copyright 2026 Ticketer's fork of gremlins (see FORK.md)
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

package coverage

import (
	"bufio"
	"bytes"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-gremlins/gremlins/internal/log"
)

// Targets tells, for each package gremlins runs, which of its top-level
// tests cover which code (Ticketer's fork, FORK.md change 4): a mutant is
// then run with the tests that reach it instead of all of its package's.
type Targets map[string]*PackageTests

// PackageTests holds the top-level tests of one package, each with the
// blocks it covers when run alone.
type PackageTests struct {
	Tests []TestCoverage
	// Untargeted is set when some test failed when run alone: running a
	// subset of the tests could then fail for a reason other than the
	// mutant, so every mutant of the package runs all of its tests.
	Untargeted bool
}

// TestCoverage is one top-level test (or example, or fuzz target's seed
// corpus) and the code it covered when run alone.
type TestCoverage struct {
	Name    string
	Profile Profile
}

// For returns the tests of pkg that cover pos. ok is false when the mutant
// must run all of the package's tests: the package has no per-test
// coverage, some test failed alone, or no single test covers pos (code run
// by the package as a whole only, which must not be reported NOT COVERED
// nor run with no test). Blocks hit during package init or TestMain appear
// in every test's profile, so their mutants get every test.
func (t Targets) For(pkg string, pos token.Position) (tests []string, ok bool) {
	pt, found := t[pkg]
	if !found || pt.Untargeted {
		return nil, false
	}
	for _, tc := range pt.Tests {
		if tc.Profile.IsCovered(pos) {
			tests = append(tests, tc.Name)
		}
	}
	if len(tests) == 0 {
		return nil, false
	}

	return tests, true
}

// RunPattern is the -run pattern that runs exactly the given top-level
// tests (and all of their subtests).
func RunPattern(tests []string) string {
	quoted := make([]string, len(tests))
	for i, name := range tests {
		quoted[i] = regexp.QuoteMeta(name)
	}

	return "^(" + strings.Join(quoted, "|") + ")$"
}

// testNames keeps, from a test binary's -test.list output, the names -run
// selects: tests, examples and fuzz targets (whose seed corpus runs as a
// test). Benchmarks do not run under -run alone.
func testNames(list []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		name := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Example") || strings.HasPrefix(name, "Fuzz") {
			names = append(names, name)
		}
	}

	return names
}

// perTest builds each package's test binary once with coverage and runs
// each of its top-level tests alone with a coverage profile.
func (c *Coverage) perTest() (Targets, error) {
	args := []string{"list"}
	if c.buildTags != "" {
		args = append(args, "-tags", c.buildTags)
	}
	args = append(args, "-f", "{{.ImportPath}}\t{{.Dir}}", c.scanPath())
	out, err := c.cmdContext("go", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	targets := make(Targets)
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, dir, found := strings.Cut(line, "\t")
		if !found {
			continue
		}
		pt, err := c.packageTests(pkg, dir, i)
		if err != nil {
			return nil, err
		}
		if pt != nil {
			targets[pkg] = pt
		}
	}

	return targets, nil
}

// packageTests returns nil for a package without tests.
func (c *Coverage) packageTests(pkg, dir string, n int) (*PackageTests, error) {
	bin := filepath.Join(c.workDir, fmt.Sprintf("pkg%d.test", n))
	args := []string{"test", "-c", "-cover", "-vet=off", "-o", bin}
	if c.buildTags != "" {
		args = append(args, "-tags", c.buildTags)
	}
	args = append(args, pkg)
	if out, err := c.cmdContext("go", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the tests of %s: %w\n%s", pkg, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, nil //nolint:nilnil // no test files: go test -c writes nothing
	}
	defer func() { _ = os.Remove(bin) }()

	list := c.cmdContext(bin, "-test.list", ".")
	list.Dir = dir
	out, err := list.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the tests of %s: %w", pkg, err)
	}
	pt := &PackageTests{}
	for i, name := range testNames(out) {
		cov := filepath.Join(c.workDir, fmt.Sprintf("pkg%d-%d.cov", n, i))
		cmd := c.cmdContext(bin, "-test.run", RunPattern([]string{name}), "-test.count", "1",
			"-test.timeout", "10m", "-test.coverprofile", cov)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			log.Infof("\n%s failed when run alone, its package's mutants run all its tests: %v\n%s\n", name, err, out)
			pt.Untargeted = true

			return pt, nil
		}
		profile, err := c.profileOf(cov)
		_ = os.Remove(cov)
		if err != nil {
			return nil, fmt.Errorf("coverage of %s in %s: %w", name, pkg, err)
		}
		pt.Tests = append(pt.Tests, TestCoverage{Name: name, Profile: profile})
	}

	return pt, nil
}

func (c *Coverage) profileOf(path string) (Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()

	return c.parse(f)
}
