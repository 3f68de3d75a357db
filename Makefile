# Ticketer. `make run` starts it on embedded defaults; `make test` runs every test.
SHELL := /bin/bash
GO ?= go

.PHONY: run build test test-deps lint bench generate fuzz

# Tools installed with `go install` (versitygw) live here.
export PATH := $(PATH):$(shell $(GO) env GOPATH)/bin

run:
	$(GO) run ./cmd/ticketer serve

build:
	$(GO) build -o bin/ticketer ./cmd/ticketer

# -v so CI can see skipped tests; -count=1 so results are never cached.
test: test-deps
	$(GO) test -race -count=1 -v -timeout 20m ./... 2>&1 | grep -v -e '^=== \(RUN\|PAUSE\|CONT\|NAME\)' -e '^    --- PASS' ; exit $${PIPESTATUS[0]}

# Installs what the tests need where it is missing (versitygw, Dovecot) and
# starts PostgreSQL if it is down.
test-deps:
	bash scripts/test-deps.sh

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	staticcheck ./...

# The data dirs live on the working disk, like a real data dir: on these
# machines /tmp creates files about 20 times slower than the disk under /work.
bench:
	mkdir -p .benchtmp
	TMPDIR=$(CURDIR)/.benchtmp $(GO) test -run='^$$' -bench=. -benchtime=1x -timeout 30m ./internal/bench/ ./internal/importer/ ./internal/mailbox/imap/

generate:
	$(GO) generate ./...

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=60s ./internal/mail
