#!/usr/bin/env bash
# Applies by hand the gremlins mutants that gremlins did not run (NOT COVERED)
# or that survived (LIVED), one at a time, and says which test fails.
#
#   scripts/mutate-by-hand.sh PKG [GREMLINS_LOG]
#
# Gremlins maps some executed code to no coverage block (code after a func
# literal on its line, constant and package-level variable declarations; our
# fork, third_party/gremlins, already runs the comparisons of switch cases)
# and reports those mutants NOT COVERED without running them. This script makes
# the same change at the same file:line:column (== to !=, < to <=, + to -,
# ++ to --...) through `go test -overlay`, so the source files are never
# modified, and runs the package's tests (-count=1 -failfast). The package's
# .go files are copied when the script starts and every run reads the copies
# (also through the overlay), so editing tests meanwhile changes no result.
# The unmutated copy must pass first. Each result is one line on stdout:
#   file:line:column  MUTATOR  KILLED TestName | TIMED OUT | LIVED | NOT VIABLE (does not build)
# A LIVED mutant is a missing test or an equivalent mutant (mutants-accepted.txt).
# Without GREMLINS_LOG it runs `gremlins unleash --dry-run` on PKG first.
# MUTATE_RUN=regexp runs only those tests (go test -run), to check a new test.
# MUTATE_TIMEOUT (go test -timeout, default 10m): a mutant that makes a loop
# endless is reported TIMED OUT, which kills it as gremlins counts it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/gremlins-build.sh
gremlins() { "$PWD/.bin/gremlins" "$@"; }
export TICKETER_TEST_REQUIRE_POSTGRES="${TICKETER_TEST_REQUIRE_POSTGRES:-1}"

pkg=${1:?usage: scripts/mutate-by-hand.sh PKG [GREMLINS_LOG]}
pkg=${pkg#./}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=${2:-}
if [ -z "$log" ]; then
  log="$work/gremlins.log"
  GOFLAGS="${GOFLAGS:-} -count=1" gremlins unleash --dry-run --exclude-files '(^|/)[a-z]+test/' "./$pkg" >"$log" 2>&1
fi

# The snapshot: every .go file of the package, unmutated, as overlay entries.
mkdir "$work/snap"
entries=()
for f in "$pkg"/*.go; do
  cp "$f" "$work/snap/"
  entries+=("\"$PWD/$f\":\"$work/snap/$(basename "$f")\"")
done
overlay() { # overlay FILE MUTATED: the snapshot with FILE replaced by MUTATED
  local IFS=,
  local e=("${entries[@]}")
  [ $# -eq 0 ] || e=("${e[@]/\"$1\":*/\"$1\":\"$2\"}")
  printf '{"Replace":{%s}}' "${e[*]}" >"$work/overlay.json"
}
overlay
if ! go test -count=1 ${MUTATE_RUN:+-run "$MUTATE_RUN"} -overlay "$work/overlay.json" "./$pkg" >"$work/test.out" 2>&1; then
  cat "$work/test.out" >&2
  echo "the unmutated tests of $pkg fail: no mutant can be judged" >&2
  exit 1
fi

grep -E '^ *(NOT COVERED|LIVED) ' "$log" | sed -E 's/^ *(NOT COVERED|LIVED) +([A-Z_]+) at ([^ ]+).*/\2 \3/' |
  while read -r mutator loc; do
    file=${loc%%:*}
    rest=${loc#*:}
    line=${rest%%:*}
    col=${rest#*:}
    src="$PWD/$pkg/$file"
    mutated="$work/mutated-$(basename "$file")"
    # Replace the operator that starts at the byte column, as gremlins does;
    # exit 3 when the column holds no operator this mutator changes.
    if ! perl -e '
      my ($src, $line, $col, $mut) = @ARGV;
      my %map = (
        CONDITIONALS_NEGATION => { "==" => "!=", "!=" => "==", "<=" => ">", ">=" => "<", "<" => ">=", ">" => "<=" },
        CONDITIONALS_BOUNDARY => { "<=" => "<", ">=" => ">", "<" => "<=", ">" => ">=" },
        ARITHMETIC_BASE       => { "+" => "-", "-" => "+", "*" => "/", "/" => "*", "%" => "*" },
        INCREMENT_DECREMENT   => { "++" => "--", "--" => "++" },
        INVERT_NEGATIVES      => { "-" => "+" },
      );
      my $m = $map{$mut} or exit 3;
      open(my $fh, "<", $src) or die "$src: $!";
      my @lines = <$fh>;
      my $l = \$lines[$line - 1];
      my $two = substr($$l, $col - 1, 2);
      my $one = substr($$l, $col - 1, 1);
      my $op = exists $m->{$two} ? $two : exists $m->{$one} ? $one : exit 3;
      substr($$l, $col - 1, length $op) = $m->{$op};
      print @lines;
    ' "$work/snap/$(basename "$file")" "$line" "$col" "$mutator" >"$mutated"; then
      printf '%s\t%s\tSKIPPED (no operator for this mutator at the column)\n' "$loc" "$mutator"
      continue
    fi
    overlay "$src" "$mutated"
    out="$work/test.out"
    if go test -count=1 -failfast -timeout "${MUTATE_TIMEOUT:-10m}" ${MUTATE_RUN:+-run "$MUTATE_RUN"} -overlay "$work/overlay.json" "./$pkg" >"$out" 2>&1; then
      printf '%s\t%s\tLIVED\n' "$loc" "$mutator"
    elif grep -qE '\[(build|setup) failed\]' "$out"; then
      printf '%s\t%s\tNOT VIABLE (does not build)\n' "$loc" "$mutator"
    elif grep -q '^panic: test timed out' "$out"; then
      printf '%s\t%s\tTIMED OUT\n' "$loc" "$mutator"
    else
      failing=$(grep -Eo -- '--- FAIL: [^ /]+' "$out" | head -1 | sed 's/--- FAIL: //' || true)
      printf '%s\t%s\tKILLED %s\n' "$loc" "$mutator" "${failing:-(no test name: see go test output)}"
    fi
  done
