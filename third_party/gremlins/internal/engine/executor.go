/*
 * Copyright 2022 The Gremlins Authors
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

package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-gremlins/gremlins/internal/configuration"
	"github.com/go-gremlins/gremlins/internal/coverage"
	"github.com/go-gremlins/gremlins/internal/engine/workdir"
	"github.com/go-gremlins/gremlins/internal/engine/workerpool"
	"github.com/go-gremlins/gremlins/internal/gomodule"
	"github.com/go-gremlins/gremlins/internal/log"
	"github.com/go-gremlins/gremlins/internal/mutator"
)

// DefaultTimeoutCoefficient is the default multiplier for the timeout length
// of each test run.
const DefaultTimeoutCoefficient = 3

// ExecutorDealer is the initializer for new workerpool.Executor.
type ExecutorDealer interface {
	NewExecutor(mut mutator.Mutator, outCh chan<- mutator.Mutator, wg *sync.WaitGroup) workerpool.Executor
}

// MutantExecutorDealer is a ExecutorDealer for the initialisation of a mutantExecutor.
//
// By default, it sets uses exec.Command to perform the tests on the source
// code. This can be overridden, for example in tests.
//
// The apply and rollback functions are wrappers around the TokenMutator apply and
// rollback. These can be overridden with nop functions in tests. Not an
// ideal setup. In the future we can think of a better way to handle this.
type MutantExecutorDealer struct {
	wdDealer          workdir.Dealer
	execContext       execContext
	mod               gomodule.GoModule
	buildTags         string
	testExecutionTime time.Duration
	dryRun            bool
	integrationMode   bool
	testCPU           int
	targets           coverage.Targets
}

// ExecutorDealerOption is the defining option for the initialisation of a ExecutorDealer.
type ExecutorDealerOption func(j MutantExecutorDealer) MutantExecutorDealer

// WithExecContext overrides the default exec.Command with a custom executor.
func WithExecContext(c execContext) ExecutorDealerOption {
	return func(m MutantExecutorDealer) MutantExecutorDealer {
		m.execContext = c

		return m
	}
}

// WithTargets makes each mutant run only the tests that cover it
// (Ticketer's fork, FORK.md change 4); nil runs all the tests.
func WithTargets(t coverage.Targets) ExecutorDealerOption {
	return func(m MutantExecutorDealer) MutantExecutorDealer {
		m.targets = t

		return m
	}
}

// NewExecutorDealer initialises a MutantExecutorDealer.
func NewExecutorDealer(mod gomodule.GoModule, wdd workdir.Dealer, elapsed time.Duration, opts ...ExecutorDealerOption) *MutantExecutorDealer {
	buildTags := configuration.Get[string](configuration.UnleashTagsKey)
	dryRun := configuration.Get[bool](configuration.UnleashDryRunKey)
	integrationMode := configuration.Get[bool](configuration.UnleashIntegrationMode)
	testCPU := configuration.Get[int](configuration.UnleashTestCPUKey)
	tCoefficient := configuration.Get[int](configuration.UnleashTimeoutCoefficientKey)

	coefficient := DefaultTimeoutCoefficient
	if tCoefficient != 0 {
		coefficient = tCoefficient
	}

	if testCPU != 0 && integrationMode {
		testCPU /= testCPU
	}

	jd := MutantExecutorDealer{
		mod:               mod,
		wdDealer:          wdd,
		buildTags:         buildTags,
		dryRun:            dryRun,
		integrationMode:   integrationMode,
		testCPU:           testCPU,
		testExecutionTime: elapsed * time.Duration(coefficient),
		execContext:       exec.CommandContext,
	}

	for _, opt := range opts {
		jd = opt(jd)
	}

	return &jd
}

// NewExecutor returns a new workerpool.Executor for the given mutator.Mutator.
// It gets an output channel of mutator.Mutator and a sync.WaitGroup. The channel
// will stream the results of the executor, and the wait group will be done when the
// executor is complete.
func (m MutantExecutorDealer) NewExecutor(mut mutator.Mutator, outCh chan<- mutator.Mutator, wg *sync.WaitGroup) workerpool.Executor {
	mj := mutantExecutor{
		mutant:            mut,
		outCh:             outCh,
		wg:                wg,
		wdDealer:          m.wdDealer,
		module:            m.mod,
		dryRun:            m.dryRun,
		integrationMode:   m.integrationMode,
		buildTags:         m.buildTags,
		execContext:       m.execContext,
		testCPU:           m.testCPU,
		testExecutionTime: m.testExecutionTime,
		targets:           m.targets,
	}

	return &mj
}

type execContext = func(ctx context.Context, name string, args ...string) *exec.Cmd

type mutantExecutor struct {
	mutant            mutator.Mutator
	wdDealer          workdir.Dealer
	outCh             chan<- mutator.Mutator
	wg                *sync.WaitGroup
	execContext       execContext
	module            gomodule.GoModule
	buildTags         string
	testExecutionTime time.Duration
	dryRun            bool
	integrationMode   bool
	testCPU           int
	targets           coverage.Targets
}

// Start is the implementation of the workerpool.Executor definition and is the
// method responsible for performing the actual mutation testing.
// The executor runs on its mutator.Mutator.
// If it is RUNNABLE, and it is not in dry-run mode, it will apply the mutation,
// run the tests and mark the TokenMutator as either KILLED or LIVED depending
// on the result. If the tests pass, it means the TokenMutator survived, so it
// will be LIVED, if the tests fail, the TokenMutator will be KILLED.
// The timeout of the test is managed outside the run of the test, using
// a context with timeout. This is done because the Go test command doesn't
// make it easy to distinguish failures from timeouts.
func (m *mutantExecutor) Start(w *workerpool.Worker) {
	defer m.wg.Done()
	workerName := fmt.Sprintf("%s-%d", w.Name, w.ID)
	rootDir, err := m.wdDealer.Get(workerName)
	if err != nil {
		panic("error, this is temporary")
	}

	workingDir := filepath.Join(rootDir, m.module.CallingDir)
	m.mutant.SetWorkdir(workingDir)

	if m.mutant.Status() == mutator.NotCovered || m.mutant.Status() == mutator.Skipped || m.dryRun {
		m.outCh <- m.mutant

		return
	}

	if err := m.mutant.Apply(); err != nil {
		log.Errorf("failed to apply mutation at %s - %s\n\t%v", m.mutant.Position(), m.mutant.Status(), err)

		return
	}

	m.mutant.SetStatus(m.runTests(rootDir, m.mutant.Pkg()))

	if err := m.mutant.Rollback(); err != nil {
		// What should we do now?
		log.Errorf("failed to restore mutation at %s - %s\n\t%v", m.mutant.Position(), m.mutant.Status(), err)
	}

	m.outCh <- m.mutant
}

func (m *mutantExecutor) runTests(rootDir, pkg string) mutator.Status {
	if !m.integrationMode {
		return m.buildAndRun(rootDir, pkg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.testExecutionTime)
	defer cancel()

	cmd := m.execContext(ctx, "go", m.getTestArgs(pkg)...)
	cmd.Dir = rootDir
	m.setEnv(cmd)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	rel, err := run(cmd)
	defer rel()

	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return mutator.TimedOut
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		// Ticketer's fork (FORK.md): go test exits with 1 when the mutant
		// does not build too; no test killed it.
		if exitErr.ExitCode() == 1 && notBuilt(out.Bytes()) {
			return mutator.NotViable
		}

		return getTestFailedStatus(exitErr.ExitCode())
	}

	return mutator.Lived
}

// buildAndRun builds the mutant's test binary with no time limit, then runs
// it in the package's directory (as go test does) under the timeout
// (Ticketer's fork, FORK.md change 4). The timeout, a multiple of the
// coverage run, then measures the tests alone: a build slowed down by a
// loaded machine no longer makes a mutant TIMED OUT, which hid it from
// both figures. A build that fails is NOT VIABLE: no test ran. Any failure
// of the tests (a failed test, a panic, os.Exit) kills the mutant.
func (m *mutantExecutor) buildAndRun(rootDir, pkg string) mutator.Status {
	bin := rootDir + ".test"
	defer func() { _ = os.Remove(bin) }()
	build := m.execContext(context.Background(), "go", m.getBuildArgs(pkg, bin)...)
	build.Dir = m.mutant.Workdir()
	m.setEnv(build)
	if err := build.Run(); err != nil {
		return mutator.NotViable
	}
	if _, err := os.Stat(bin); err != nil {
		return mutator.Lived // no test files: go test passes too
	}

	ctx, cancel := context.WithTimeout(context.Background(), m.testExecutionTime)
	defer cancel()
	cmd := m.execContext(ctx, bin, m.getRunArgs(pkg)...)
	cmd.Dir = filepath.Join(rootDir, strings.TrimPrefix(strings.TrimPrefix(pkg, m.module.Name), "/"))
	m.setEnv(cmd)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return mutator.TimedOut
	}
	if err != nil {
		return mutator.Killed
	}

	return mutator.Lived
}

func (m *mutantExecutor) setEnv(cmd *exec.Cmd) {
	cmd.Env = append(cmd.Env, os.Environ()...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("GOTMPDIR=%s", m.wdDealer.WorkDir()))
}

// getBuildArgs: go vet's findings are no part of the verdict, and vetting
// each mutant cost a build's worth of time (Ticketer's fork).
func (m *mutantExecutor) getBuildArgs(pkg, bin string) []string {
	args := []string{"test", "-c", "-vet=off"}
	if m.buildTags != "" {
		args = append(args, "-tags", m.buildTags)
	}

	return append(args, "-o", bin, pkg)
}

// getRunArgs are the test binary's flags go test would pass, and -run with
// only the tests that cover the mutant when the coverage run told them
// apart (else all of them run). The timeout stays the one of the whole
// package's coverage run, which a subset of its tests cannot need more
// than: only a mutant that hangs waits for it.
func (m *mutantExecutor) getRunArgs(pkg string) []string {
	args := []string{"-test.paniconexit0", "-test.timeout", (2*time.Second + m.testExecutionTime).String(), "-test.failfast"}
	if m.testCPU != 0 {
		args = append(args, "-test.cpu", strconv.Itoa(m.testCPU))
	}
	if tests, ok := m.targets.For(pkg, m.mutant.Position()); ok {
		args = append(args, "-test.run", coverage.RunPattern(tests))
	}

	return args
}

// notBuilt tells from go test's output whether a package or its tests did
// not build (or go test could not set them up), so no test ran.
func notBuilt(out []byte) bool {
	return bytes.Contains(out, []byte(" [build failed]")) || bytes.Contains(out, []byte(" [setup failed]"))
}

func (m *mutantExecutor) getTestArgs(pkg string) []string {
	args := []string{"test"}
	if m.buildTags != "" {
		args = append(args, "-tags", m.buildTags)
	}
	// Here we add some seconds to the timeout to be sure it's gremlins that catches the test
	// timeout and not the test itself. The timeout on the test prevents the test.* processes
	// from hanging forever.
	args = append(args, "-timeout", (2*time.Second + m.testExecutionTime).String())
	args = append(args, "-failfast")
	// Ticketer's fork (FORK.md change 4): vet is no part of the verdict.
	args = append(args, "-vet=off")

	if m.testCPU != 0 {
		// Ticketer's fork (FORK.md): two arguments. Upstream passed "-cpu 1"
		// as one, which go test takes for no flag: every run failed in setup
		// and every mutant was reported KILLED.
		args = append(args, "-cpu", strconv.Itoa(m.testCPU))
	}

	path := pkg
	if m.integrationMode {
		path = "./..."
	}
	args = append(args, path)

	return args
}

func run(cmd *exec.Cmd) (func(), error) {
	if err := cmd.Run(); err != nil {

		return func() {}, err
	}

	return func() {
		err := cmd.Process.Release()
		if err != nil {
			_ = cmd.Process.Kill()
		}
	}, nil
}

func getTestFailedStatus(exitCode int) mutator.Status {
	switch exitCode {
	case 1:
		return mutator.Killed
	case 2:
		return mutator.NotViable
	default:
		return mutator.Lived
	}
}
