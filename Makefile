# Ticketer. `make run` starts it on embedded defaults; `make test` runs every test.
SHELL := /bin/bash
GO ?= go

.PHONY: run build test test-deps test-go test-web lint bench abuse generate fuzz web mutate

# Tools installed with `go install` (versitygw) live here.
export PATH := $(PATH):$(shell $(GO) env GOPATH)/bin

run: web
	$(GO) run ./cmd/ticketer serve

# The web UI (web/): npm ci when the lock file changed, vite build when a
# source changed. The binary embeds web/dist.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json
web: web/dist/index.html
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run --silent build

build:
	$(GO) build -o bin/ticketer ./cmd/ticketer

# Every test: Go (with the race detector), then the web UI's unit tests
# (vitest) and browser tests (Chromium driving the real binary).
test: test-deps
	$(MAKE) --no-print-directory test-go
	$(MAKE) --no-print-directory test-web

# -v so CI can see skipped tests; -count=1 so results are never cached.
# The second line tests our copy of enmime (third_party/enmime/FORK.md), the
# third the packages we changed in our copy of gremlins (third_party/gremlins/FORK.md).
test-go:
	$(GO) test -race -count=1 -v -timeout 45m ./... 2>&1 | grep -v -e '^=== \(RUN\|PAUSE\|CONT\|NAME\)' -e '^    --- PASS' ; exit $${PIPESTATUS[0]}
	cd third_party/enmime && $(GO) test -race -count=1 -v ./... 2>&1 | grep -v -e '^=== \(RUN\|PAUSE\|CONT\|NAME\)' -e '^    --- PASS' ; exit $${PIPESTATUS[0]}
	cd third_party/gremlins && $(GO) test -race -count=1 -v ./internal/coverage/ ./internal/engine/ 2>&1 | grep -v -e '^=== \(RUN\|PAUSE\|CONT\|NAME\)' -e '^    --- PASS' ; exit $${PIPESTATUS[0]}

test-web: web
	cd web && npm test && npm run e2e

# Installs what the tests need where it is missing (versitygw, Dovecot,
# Chromium, the UI's npm packages) and starts PostgreSQL if it is down.
test-deps: web/node_modules/.package-lock.json
	bash scripts/test-deps.sh

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	staticcheck ./...

# The data dirs live in .benchtmp, not /tmp: the test suites delete many
# files there, and on this machine's journal-less ext4 creating files within
# minutes of mass deletes is slow (the kernel steps over recently freed
# inodes). -p 1: one package at a time, as each benchmark measures the machine.
bench:
	mkdir -p .benchtmp
	TMPDIR=$(CURDIR)/.benchtmp $(GO) test -p 1 -run='^$$' -bench=. -benchtime=1x -timeout 30m ./internal/bench/ ./internal/importer/ ./internal/mailbox/imap/ ./internal/mailbox/graph/ ./internal/ticket/

# Mutation testing (our copy of gremlins v0.6.0, third_party/gremlins) of the packages
# whose rules users depend on, one at a time, then a table of efficacy and
# mutator coverage per package (README, "Mutation testing"). Slow: PKGS=
# chooses packages, e.g. make mutate PKGS="internal/secret internal/config".
mutate:
	bash scripts/mutate.sh $(PKGS)

# Hostile load against the real binary on 127.0.0.1 (internal/abuse): prints
# peak memory and an ordinary mail's time to the API during each attack.
# `go test ./...` (CI) runs the same suite at TICKETER_ABUSE_SIZE=small.
abuse:
	TICKETER_ABUSE_SIZE=full $(GO) test -count=1 -v -timeout 40m -run TestAbuse ./internal/abuse/

generate: web/node_modules/.package-lock.json
	$(GO) generate ./...
	cd web && npm run --silent generate

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=60s ./internal/mail
