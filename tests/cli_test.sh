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
check "telemetry lines are JSON objects" '[ "$(grep -c "^{\"batch\":" "$T/tel.jsonl")" -eq "$(($(wc -l <"$T/tel.jsonl") - 2))" ]'
check "telemetry: run record first, end record last" 'head -1 "$T/tel.jsonl" | grep -q "^{\"record\":\"run\"" && tail -1 "$T/tel.jsonl" | grep -q "^{\"record\":\"end\""'
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
  check "same seed, same telemetry trajectory" 'diff <(sed "/^{\"record\":/d;s/\"elapsed_s\":[^,]*,//;s/,\"batch_us\":.*//" "$T/d1.jsonl") <(sed "/^{\"record\":/d;s/\"elapsed_s\":[^,]*,//;s/,\"batch_us\":.*//" "$T/d2.jsonl") >/dev/null'
  check "DSJC125.5 reaches 17" 'grep -q "^o 17" "$T/run1"'
else
  skip=$((skip + 4)); echo "SKIP determinism tests: $g not found"
fi

# --- checkpoints: SIGINT, resume, broken checkpoints (docs/checkpoint.md) --------------
M=examples/myciel5.col
wait_for_o() { # file: until an 'o' line is there (at most 10 s)
  for _ in $(seq 100); do grep -q "^o " "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1
}
mkdir -p "$T/ck"
for sig in INT TERM; do
  $PRISM color $M -t 0 -s 3 --checkpoint "$T/ck/run.ckp" >"$T/out" 2>"$T/err" & pid=$!
  wait_for_o "$T/out"; sleep 0.3; kill -$sig $pid; wait $pid; rc=$?
  check "SIG$sig with --checkpoint: exit 0, s line, checkpoint written" \
    '[ $rc -eq 0 ] && grep -q "^s SATISFIABLE" "$T/out" && [ -s "$T/ck/run.ckp" ] && grep -q "^c checkpoint $T/ck/run.ckp: best 6 colors" "$T/out"'
done
check "no temporary files left next to the checkpoint" '[ "$(ls "$T/ck")" = run.ckp ]'
$PRISM color $M -t 0.5 --resume "$T/ck/run.ckp" --print-coloring -o "$T/ck/res.sol" >"$T/out" 2>"$T/err"; rc=$?
check "--resume: exit 0, the stored best first, s and v lines" \
  '[ $rc -eq 0 ] && [ "$(grep -m1 "^o " "$T/out")" = "o 6" ] && grep -q "^s SATISFIABLE" "$T/out" && grep -q "^v " "$T/out" && grep -q "^c resume .*best 6 colors (verified).*seed 3" "$T/out" && [ ! -s "$T/err" ]'
grep "^v" "$T/out" >"$T/ck/res.v"
$PRISM verify $M "$T/ck/res.v" >/dev/null 2>&1; check "--resume: the v lines verify" '[ $? -eq 0 ]'
$PRISM verify $M "$T/ck/res.sol" >/dev/null 2>&1; check "--resume: the solution file verifies" '[ $? -eq 0 ]'
$PRISM color $M -t 0.3 --resume "$T/ck/run.ckp" --checkpoint "$T/ck/run.ckp" -q >"$T/out" 2>&1; rc=$?
$PRISM color $M -t 0.3 --resume "$T/ck/run.ckp" -q >"$T/out2" 2>&1; rc2=$?
check "--resume and --checkpoint on the same file, then resumed again" '[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && grep -q "^o 6" "$T/out2"'
for j in 1 2; do
  $PRISM color $M -t 0 --param max_batches=12 --param batch_moves=3000 -j $j --resume "$T/ck/run.ckp" \
    --param replicas=4 --param islands=2 --print-coloring -q >"$T/ck/det$j" 2>&1
done
check "--resume: same result with 1 and 2 threads" 'cmp -s "$T/ck/det1" "$T/ck/det2" && grep -q "^v " "$T/ck/det1"'
$PRISM color --help >"$T/out" 2>&1
check "color --help documents the checkpoint options" 'grep -q -- "--checkpoint FILE" "$T/out" && grep -q -- "--checkpoint-every S" "$T/out" && grep -q -- "--resume FILE" "$T/out"'
$PRISM color $M -t 2 --checkpoint "$T/ck/every.ckp" --checkpoint-every 0.1 >"$T/out" 2>&1; rc=$?
check "--checkpoint-every: written during the run and at the end" '[ $rc -eq 0 ] && [ "$(grep -c "^c checkpoint " "$T/out")" -ge 2 ]'
$PRISM color "$T/k3.col" --resume "$T/ck/run.ckp" >"$T/out" 2>"$T/err"; rc=$?
check "--resume of another graph: exit 1, one line" '[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^prism: error: $T/ck/run.ckp: checkpoint of another graph" "$T/err" && ! grep -q -E "^(o|s|v) " "$T/out"'
$PRISM color $M --resume "$T/ck/none.ckp" >"$T/out" 2>"$T/err"; rc=$?
check "--resume of a missing file: exit 1, one line" '[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "none.ckp: cannot open" "$T/err"'
for f in /dev/zero "$T"; do
  $PRISM color $M --resume "$f" >"$T/out" 2>"$T/err"; rc=$?
  check "--resume $f: exit 1, one line" '[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^prism: error: $f: " "$T/err"'
done
$PRISM color $M --checkpoint-every 0 --checkpoint "$T/ck/x.ckp" >"$T/out" 2>"$T/err"; rc=$?
check "--checkpoint-every 0: exit 1" '[ $rc -eq 1 ] && grep -q "seconds > 0" "$T/err"'
$PRISM color $M -t 0.2 --checkpoint "$T/nodir/x.ckp" -q >"$T/out" 2>"$T/err"; rc=$?
check "checkpoint into a missing directory: exit 1, one line" '[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "x.ckp: cannot write the checkpoint" "$T/err"'
if [ -f tests/broken_checkpoint/EXPECTED ]; then
  while IFS=$'\t' read -r name msg; do
    case "$name" in ''|'#'*) continue ;; esac
    f=tests/broken_checkpoint/$name
    $PRISM color $M --resume "$f" -t 0.2 >"$T/out" 2>"$T/err"; rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -qF -- "prism: error: $f: $msg" "$T/err" \
       && ! grep -q -E "^(o|s|v) " "$T/out"; then
      ok "broken checkpoint $name"
    else
      bad "broken checkpoint $name" "rc=$rc stderr=$(head -c 300 "$T/err")"
    fi
  done <tests/broken_checkpoint/EXPECTED
fi

# --- output files: written whole (temporary file, rename) or not at all -------------------
mkdir -p "$T/od"
$PRISM color $M -t 0.2 -o "$T/od/sol" -q >/dev/null 2>&1
check "-o leaves only the solution file" '[ "$(ls "$T/od")" = sol ]'
$PRISM color $M -t 0.2 -o "$T/nodir/sol" -q >"$T/out" 2>"$T/err"; rc=$?
check "-o into a missing directory: exit 1, one line" '[ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "cannot write" "$T/err"'

# --- hard inputs: every coloring printed is checked by prism verify ------------------------
hard() { # name, graph file, expected k, expected s line, extra options...
  local name=$1 f=$2 k=$3 s=$4; shift 4
  $PRISM color "$f" --print-coloring -o "$T/h.sol" -q "$@" >"$T/out" 2>"$T/err"; local rc=$?
  grep "^v" "$T/out" >"$T/h.v"
  if [ $rc -eq 0 ] && grep -q "^o $k$" "$T/out" && [ "$(grep -c "^s " "$T/out")" -eq 1 ] && grep -q "^s $s$" "$T/out" \
     && $PRISM verify "$f" "$T/h.sol" >/dev/null 2>&1 && $PRISM verify "$f" "$T/h.v" >/dev/null 2>&1 \
     && [ "$(awk '/^o /{k=$2} END{print k}' "$T/out")" = "$k" ] && [ ! -s "$T/err" ]; then
    ok "hard input: $name"
  else
    bad "hard input: $name" "rc=$rc out=$(tr '\n' ' ' <"$T/out" | head -c 300) err=$(head -c 200 "$T/err")"
  fi
}
printf 'p edge 1 0\n' >"$T/one.col"
printf 'p edge 9 0\n' >"$T/noedge.col"
awk '/^p/{print "p edge", $3 + 20, $4; next} {print}' $M >"$T/iso.col" # 20 isolated vertices
awk 'BEGIN{n=12; print "p edge", n, n*(n-1)/2; for(i=1;i<=n;i++) for(j=i+1;j<=n;j++) print "e", i, j}' >"$T/k12.col"
awk 'BEGIN{n=30; print "p edge", n+5, n*(n-1)/2; for(i=1;i<=n;i++) for(j=i+1;j<=n;j++) print "e", i, j}' >"$T/k30iso.col"
hard "a single vertex" "$T/one.col" 1 "OPTIMUM FOUND"
hard "no edges" "$T/noedge.col" 1 "OPTIMUM FOUND"
hard "K12: 12 colors" "$T/k12.col" 12 "OPTIMUM FOUND"
hard "K30 and 5 isolated vertices" "$T/k30iso.col" 30 "OPTIMUM FOUND"
hard "isolated vertices, search to the time limit" "$T/iso.col" 6 SATISFIABLE -t 0.5
hard "isolated vertices, PartialCol, 2 islands, 3 threads" "$T/iso.col" 6 SATISFIABLE -t 0.5 -j 3 --param mode=1 --param islands=2
hard "time limit hit inside a long batch" $M 6 SATISFIABLE -t 0.3 --param batch_moves=100000000
$PRISM color "$T/one.col" -k 1 -q >"$T/out" 2>&1; rc=$?
check "single vertex, -k 1: exit 10, OPTIMUM FOUND" '[ $rc -eq 10 ] && grep -q "^o 1$" "$T/out" && grep -q "^s OPTIMUM FOUND" "$T/out"'
$PRISM color "$T/k12.col" -k 11 -q >"$T/out" 2>&1; rc=$?
check "K12, -k 11: exit 20, UNSATISFIABLE" '[ $rc -eq 20 ] && grep -q "^s UNSATISFIABLE" "$T/out" && ! grep -q "^o " "$T/out"'
printf 'p edge 0 0\n' >"$T/zero.col"
$PRISM color "$T/zero.col" -o "$T/h.sol" -q >"$T/out" 2>&1; rc=$?
check "no vertices: OPTIMUM FOUND, an empty solution that verifies" '[ $rc -eq 0 ] && grep -q "^s OPTIMUM FOUND" "$T/out" && $PRISM verify "$T/zero.col" "$T/h.sol" >/dev/null 2>&1'

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
