#!/usr/bin/env bash
# Mutation testing with gremlins, one package at a time, then a table of test
# efficacy (killed / (killed + lived)) and mutator coverage ((killed + lived)
# / all mutants) per package.
#
#   scripts/mutate.sh [--min PERCENT] [--workers N] [--dry-run] [PKG[:FILE,FILE] ...]
#
# PKG:FILE,... limits the mutants to those files of the package (the
# store's leases, logins and connectors). Gremlins runs the tests of PKG and
# of the packages below it. Without packages: the ones whose rules users depend on.
# --min fails the run when a package is below PERCENT on either figure.
# --dry-run only counts the mutants (runnable or not covered), running none
# (--min then checks the mutator coverage only).
# Not viable: the mutant does not build (in neither figure).
# Accepted (equivalent or unreachable) mutants are listed in
# mutants-accepted.txt; they still count in the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

min=""
workers=1
dry=""
while [ $# -gt 0 ]; do
  case "$1" in
    --min) min=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --dry-run) dry=--dry-run; shift ;;
    *) break ;;
  esac
done
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
  pkgs=(internal/mail internal/ticket internal/auth internal/secret internal/config
    internal/mailbox/smtpin internal/mailbox/smtpout internal/store:connectors.go,logins.go)
fi

# Our fork of gremlins v0.6.0, which runs the mutants in switch case
# expressions (third_party/gremlins/FORK.md), built into .bin on every run:
# go build's cache makes that quick, and a stale binary is never used.
bash scripts/gremlins-build.sh
gremlins() { "$PWD/.bin/gremlins" "$@"; }

# Gremlins times each mutant against a multiple of the coverage run: a cached
# coverage run would make every mutant time out.
export GOFLAGS="${GOFLAGS:-} -count=1"
# The store's tests must not skip their PostgreSQL half here either.
export TICKETER_TEST_REQUIRE_POSTGRES="${TICKETER_TEST_REQUIRE_POSTGRES:-1}"

# MUTATE_LOGS=DIR keeps each package's gremlins output there.
if [ -n "${MUTATE_LOGS:-}" ]; then
  logs=$MUTATE_LOGS
  mkdir -p "$logs"
else
  logs=$(mktemp -d)
  trap 'rm -rf "$logs"' EXIT
fi
rows=()
failed=0
for spec in "${pkgs[@]}"; do
  pkg=${spec%%:*}
  # A loaded machine slows every mutant's build: a generous timeout keeps
  # "timed out" for mutants that really hang.
  args=(unleash $dry --workers "$workers" --test-cpu 1 --timeout-coefficient "${MUTATE_TIMEOUT_COEFFICIENT:-10}")
  # Test helper packages below PKG (smtpouttest, postfixtest, storetest...)
  # are test code: their mutants are not rules of the product.
  args+=(--exclude-files '(^|/)[a-z]+test/')
  # Gremlins matches --exclude-files against paths relative to PKG: the
  # other files of PKG, and its subpackages.
  if [ "$spec" != "$pkg" ]; then
    keep="|${spec#*:}|"
    keep=${keep//,/|}
    for f in "$pkg"/*.go; do
      b=$(basename "$f")
      case "$b" in *_test.go) continue ;; esac
      [[ "$keep" == *"|$b|"* ]] || args+=(--exclude-files "^${b//./\\.}\$")
    done
    for d in "$pkg"/*/; do
      [ -d "$d" ] && args+=(--exclude-files "^$(basename "$d")/")
    done
  fi
  log="$logs/$(tr '/:,' '___' <<<"$spec").log"
  start=$(date +%s)
  echo "--- gremlins $spec" >&2
  if ! gremlins "${args[@]}" "./$pkg" >"$log" 2>&1; then
    cat "$log" >&2
    echo "gremlins failed on $spec" >&2
    exit 1
  fi
  grep -E '^ *(LIVED|NOT COVERED|TIMED OUT)' "$log" >&2 || true
  eff=$(grep -Eo 'Test efficacy: [0-9.]+' "$log" | grep -Eo '[0-9.]+$' || echo 0)
  cov=$(grep -Eo 'Mutator coverage: [0-9.]+' "$log" | grep -Eo '[0-9.]+$' || echo 0)
  killed=$(grep -Eo 'Killed: [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0)
  lived=$(grep -Eo 'Lived: [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0)
  uncovered=$(grep -Eo 'Not covered: [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0)
  timedout=$(grep -Eo 'Timed out: [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0)
  notviable=$(grep -Eo 'Not viable: [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0)
  # A dry run runs no mutant: no efficacy; the killed column holds the runnable.
  if [ -n "$dry" ]; then
    eff=
    killed="$(grep -Eo 'Runnable: [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0) runnable"
  fi
  rows+=("$(printf '| %s | %s | %s%% | %s | %s | %s | %s | %s | %ss |' "$spec" "${eff:+$eff%}" "$cov" "$killed" "$lived" "$uncovered" "$timedout" "$notviable" "$(($(date +%s) - start))")")
  if [ -n "$min" ] && { { [ -z "$dry" ] && awk -v v="$eff" -v m="$min" 'BEGIN{exit !(v < m)}'; } || awk -v v="$cov" -v m="$min" 'BEGIN{exit !(v < m)}'; }; then
    failed=1
  fi
done

echo "| package | efficacy | mutator coverage | killed | lived | not covered | timed out | not viable | time |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then
  echo "mutation testing: a package is below ${min}% efficacy or mutator coverage" >&2
  exit 1
fi
