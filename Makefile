# Ticketer. `make run` starts it on embedded defaults; `make test` runs every test.
SHELL := /bin/bash
GO ?= go

.PHONY: run build test lint bench generate fuzz

run:
	$(GO) run ./cmd/ticketer serve

build:
	$(GO) build -o bin/ticketer ./cmd/ticketer

# -v so CI can see skipped tests; -count=1 so results are never cached.
test:
	$(GO) test -race -count=1 -v -timeout 20m ./... 2>&1 | grep -v -e '^=== \(RUN\|PAUSE\|CONT\|NAME\)' -e '^    --- PASS' ; exit $${PIPESTATUS[0]}

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
