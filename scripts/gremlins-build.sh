#!/usr/bin/env bash
# Builds our fork of gremlins v0.6.0 (third_party/gremlins, its own Go module,
# see its FORK.md) into .bin/gremlins for scripts/mutate.sh and
# scripts/mutate-by-hand.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .bin
(cd third_party/gremlins && go build -o ../../.bin/gremlins ./cmd/gremlins)
