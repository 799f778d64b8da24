#!/usr/bin/env bash
# cli_test.sh PRISM - end-to-end tests of the prism command: output lines,
# exit codes, error messages, the solution file, determinism, telemetry.
# Prints "N passed, N failed, N skipped" and exits non-zero on any failure.
set -u
PRISM=${1:-./build/prism}
INST=${PRISM_INSTANCES:-../shared/instances}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "    $2"; }
check() { # name, condition (string evaluated)
  if eval "$2"; then ok "$1"; else bad "$1" "condition: $2"; fi
}

# --- usage and help ---------------------------------------------------------
$PRISM --help >"$T/out" 2>&1; check "help exits 0" '[ $? -eq 0 ] && grep -q "usage: prism COMMAND" "$T/out"'
$PRISM color --help >"$T/out" 2>&1; check "color --help" '[ $? -eq 0 ] && grep -q -- "--time-limit" "$T/out"'
$PRISM frobnicate >"$T/out" 2>&1; check "unknown command exits 1" '[ $? -eq 1 ]'
$PRISM color examples/myciel5.col -k abc >"$T/out" 2>&1; check "bad -k exits 1" '[ $? -eq 1 ] && grep -q "positive integer" "$T/out"'
$PRISM color examples/myciel5.col --param nosuch=1 >"$T/out" 2>&1; check "unknown param exits 1" '[ $? -eq 1 ] && grep -q "unknown parameter" "$T/out"'
$PRISM color examples/myciel5.col --param replicas=2000 >"$T/out" 2>&1; check "param out of range exits 1" '[ $? -eq 1 ] && grep -q "out of range" "$T/out"'
$PRISM params >"$T/out" 2>&1; check "params lists the table" 'grep -q "chemical_potential" "$T/out" && grep -q "range" "$T/out"'
$PRISM devices --mib 16 >"$T/out" 2>&1; check "devices: exit 0, the matrix or one 'no CUDA device' line" '[ $? -eq 0 ] && { grep -q "^device 0: " "$T/out" || { [ "$(wc -l <"$T/out")" -eq 1 ] && grep -q "^no CUDA device: " "$T/out"; }; }'
$PRISM devices --mib 0 >"$T/out" 2>&1; check "devices --mib 0 exits 1" '[ $? -eq 1 ] && grep -q "^prism: error: --mib" "$T/out"'
$PRISM color /nonexistent.col >"$T/out" 2>&1; check "missing file exits 1" '[ $? -eq 1 ] && grep -q "cannot open" "$T/out"'

# --- a solve with the output conventions -------------------------------------
$PRISM color examples/myciel5.col -t 1 -o "$T/sol" --print-coloring >"$T/out" 2>"$T/err"; rc=$?
check "myciel5 exits 0" "[ $rc -eq 0 ]"
check "b line" 'grep -q "^b [0-9]*$" "$T/out"'
check "o 6 line" 'grep -q "^o 6$" "$T/out"'
check "one s line" '[ "$(grep -c "^s " "$T/out")" -eq 1 ] && grep -q "^s SATISFIABLE$" "$T/out"'
check "v lines hold 47 colors" '[ "$(grep "^v" "$T/out" | tr " " "\n" | grep -c "^[0-9]")" -eq 47 ]'
check "only c/b/o/s/v lines on stdout" '! grep -v -E "^(c|b|o|s|v)( |$)" "$T/out"'
check "solution file header" 'head -1 "$T/sol" | grep -q "^s col 6$"'
check "solution file has 47 l lines" '[ "$(grep -c "^l " "$T/sol")" -eq 47 ]'
$PRISM verify examples/myciel5.col "$T/sol" >"$T/out" 2>&1; check "verify accepts the solution" '[ $? -eq 0 ] && grep -q "^OK" "$T/out"'
sed 's/^l 1 .*/l 1 99/' "$T/sol" | sed 's/^s col 6/s col 7/' >"$T/bad"
awk '/^l 2 /{print "l 2 " 1; next} {print}' "$T/sol" >"$T/bad2"
# make vertex 1 and one of its neighbours share a color
nb=$(grep -m1 -E "^e 1 " examples/myciel5.col | awk '{print $3}')
c1=$(awk '/^l 1 /{print $3}' "$T/sol")
awk -v nb="$nb" -v c="$c1" '$1=="l" && $2==nb {print "l " nb " " c; next} {print}' "$T/sol" >"$T/bad3"
$PRISM verify examples/myciel5.col "$T/bad3" >"$T/out" 2>&1; check "verify rejects a conflict" '[ $? -eq 1 ] && grep -q "NOT OK" "$T/out"'
head -10 "$T/sol" >"$T/bad4"
$PRISM verify examples/myciel5.col "$T/bad4" >"$T/out" 2>&1; check "verify rejects a partial coloring" '[ $? -eq 1 ] && grep -q "no color" "$T/out"'

# --- fixed-k exit codes ----------------------------------------------------------
$PRISM color examples/myciel5.col -k 6 -q >"$T/out" 2>&1; rc=$?
check "-k 6 finds it: exit 10" "[ $rc -eq 10 ] && grep -q '^s SATISFIABLE' '$T/out'"
$PRISM color examples/myciel5.col -k 1 -q >"$T/out" 2>&1; rc=$?
check "-k 1 below the bound: exit 20" "[ $rc -eq 20 ] && grep -q '^s UNSATISFIABLE' '$T/out' && ! grep -q '^o' '$T/out'"
$PRISM color examples/myciel5.col -k 5 -t 1 -q >"$T/out" 2>&1; rc=$?
check "-k 5 unknown at the time limit: exit 0" "[ $rc -eq 0 ] && grep -q '^s UNKNOWN' '$T/out'"
printf 'p edge 3 3\ne 1 2\ne 2 3\ne 1 3\n' >"$T/k3.col"
$PRISM color "$T/k3.col" -q >"$T/out" 2>&1; check "triangle: OPTIMUM FOUND" '[ $? -eq 0 ] && grep -q "^s OPTIMUM FOUND" "$T/out" && grep -q "^o 3" "$T/out"'
printf 'p edge 3 3\ne 1 2\ne 2 3\ne 1 3\n' | $PRISM color - -q >"$T/out" 2>&1; check "stdin graph" '[ $? -eq 0 ] && grep -q "^s OPTIMUM FOUND" "$T/out"'
printf 'p edge 3 0\n' >"$T/empty.col"
$PRISM color "$T/empty.col" -q >"$T/out" 2>&1; check "edgeless graph: 1 color" '[ $? -eq 0 ] && grep -q "^o 1" "$T/out"'

# --- determinism and telemetry ------------------------------------------------------
$PRISM color examples/myciel5.col -k 5 -t 1 -s 7 --param batch_moves=2000 --telemetry "$T/tel.jsonl" -q >/dev/null 2>&1
check "telemetry written" '[ -s "$T/tel.jsonl" ]'
check "telemetry lines are JSON objects" '[ "$(grep -c "^{\"batch\":" "$T/tel.jsonl")" -eq "$(wc -l <"$T/tel.jsonl")" ]'
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/tel.jsonl" 2>/dev/null
  check "telemetry parses as JSON" '[ $? -eq 0 ]'
fi
g=../shared/instances/DSJC125.5.col
if [ -f "$g" ]; then
  for s in 1 2; do
    $PRISM color "$g" -k 17 -s 3 -j $s -t 30 --telemetry "$T/d$s.jsonl" -q --print-coloring >"$T/run$s" 2>&1
  done
  $PRISM color "$g" -k 17 -s 3 -j 1 -t 30 --telemetry "$T/d3.jsonl" -q --print-coloring >"$T/run3" 2>&1
  check "same seed, same result (1 thread twice)" 'cmp -s "$T/run1" "$T/run3"'
  check "same seed, same result (1 vs 2 threads)" 'cmp -s "$T/run1" "$T/run2"'
  check "same seed, same telemetry trajectory" 'diff <(sed "s/\"elapsed_s\":[^,]*,//;s/,\"batch_us\":.*//" "$T/d1.jsonl") <(sed "s/\"elapsed_s\":[^,]*,//;s/,\"batch_us\":.*//" "$T/d2.jsonl") >/dev/null'
  check "DSJC125.5 reaches 17" 'grep -q "^o 17" "$T/run1"'
else
  skip=$((skip + 4)); echo "SKIP determinism tests: $g not found"
fi

# --- every broken input: exit 1, one line naming the file ---------------------------
if [ -f tests/broken/EXPECTED ]; then
  while IFS=$'\t' read -r name line msg; do
    [ -z "$name" ] && continue
    $PRISM color "tests/broken/$name" -q >"$T/out" 2>"$T/err"; rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "tests/broken/$name" "$T/err" \
       && grep -qF -- "$msg" "$T/err" && ! grep -q -E "^(o|s|v) " "$T/out"; then
      ok "broken input $name"
    else
      bad "broken input $name" "rc=$rc stderr=$(head -c 300 "$T/err")"
    fi
  done <tests/broken/EXPECTED
fi

# --- DSATUR over every shared instance, verified through the CLI ----------------------
if [ -d "$INST" ]; then
  n=0 good=0
  for f in "$INST"/*.col; do
    n=$((n + 1))
    $PRISM color "$f" --dsatur-only -o "$T/ds.sol" -q >"$T/out" 2>&1; rc=$?
    k=$(awk '/^o /{k=$2} END{print k}' "$T/out")
    if [ $rc -eq 0 ] && grep -q '^b ' "$T/out" && [ -n "$k" ] && grep -q -E '^s (SATISFIABLE|OPTIMUM FOUND)$' "$T/out" \
       && $PRISM verify "$f" "$T/ds.sol" >/dev/null 2>&1; then
      good=$((good + 1))
    else
      echo "    $(basename "$f"): rc=$rc"
    fi
  done
  check "DSATUR via CLI verified on all $n instances" "[ $good -eq $n ]"
else
  skip=$((skip + 1)); echo "SKIP instances: $INST not found"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
