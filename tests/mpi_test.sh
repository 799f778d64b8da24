#!/usr/bin/env bash
# mpi_test.sh PRISM - `mpirun -np N prism color` on the CPU engine (docs/mpi.md):
# verified colorings from 2 and 4 ranks, one s line (rank 0 alone prints),
# exit codes, the target stop, bad input on every rank or on one rank, a rank
# that crashes mid-run (never a hang: every run is under `timeout`), and
# reproducibility for a fixed seed and rank count with time-independent
# stopping. Prints "N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
PRISM=${1:-./build/prism}
INST=${PRISM_INSTANCES:-../shared/instances}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "    $2"; }
check() { if eval "$2"; then ok "$1"; else bad "$1" "condition: $2"; fi; }
if ! command -v mpirun >/dev/null; then echo "0 passed, 0 failed, 1 skipped (no mpirun)"; exit 0; fi
# ASan's leak check would report Open MPI's own allocations at exit
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
MR="timeout -s KILL 120 mpirun --oversubscribe --allow-run-as-root"
verified() { # graph, solution file, k
  "$PRISM" verify "$1" "$2" >"$T/v" 2>&1 && grep -q "^OK: proper coloring with $3 colors" "$T/v"
}

# --- verified colorings, one s line, exit codes ---------------------------------
for np in 2 4; do
  $MR -np $np "$PRISM" color examples/myciel5.col -t 1 -o "$T/sol$np" >"$T/out" 2>"$T/err"; rc=$?
  check "np $np myciel5: exit 0" "[ $rc -eq 0 ]"
  check "np $np myciel5: exactly one s line" '[ "$(grep -c "^s " "$T/out")" -eq 1 ] && grep -q "^s SATISFIABLE$" "$T/out"'
  check "np $np myciel5: one b line, o lines only decreasing" \
    '[ "$(grep -c "^b " "$T/out")" -eq 1 ] && grep "^o " "$T/out" | awk "NR>1 && \$2>=p {exit 1} {p=\$2}"'
  check "np $np myciel5: only c/b/o/s lines" '! grep -v -E "^(c|b|o|s)( |$)" "$T/out"'
  check "np $np myciel5: the output file verifies (6 colors)" "verified examples/myciel5.col '$T/sol$np' 6"
  check "np $np: one 'c mpi' line from rank 0" '[ "$(grep -c "^c mpi: $np ranks" "$T/out")" -eq 1 ]'
done
$MR -np 2 "$PRISM" color examples/myciel5.col -k 1 -q >"$T/out" 2>&1; rc=$?
check "np 2 -k 1 below the bound: exit 20, UNSATISFIABLE, no o line" \
  "[ $rc -eq 20 ] && grep -q '^s UNSATISFIABLE' '$T/out' && ! grep -q '^o' '$T/out'"
printf 'p edge 0 0\n' >"$T/empty.col"
$MR -np 2 "$PRISM" color "$T/empty.col" -q >"$T/out" 2>&1; rc=$?
check "np 2 empty graph: OPTIMUM FOUND as in one process" "[ $rc -eq 0 ] && grep -q '^s OPTIMUM FOUND' '$T/out'"
$MR -np 2 "$PRISM" color examples/myciel5.col -k 5 -t 1 -q >"$T/out" 2>&1; rc=$?
check "np 2 -k 5 unknown at the time limit: exit 0" "[ $rc -eq 0 ] && grep -q '^s UNKNOWN' '$T/out'"

# --- the target stop on a DIMACS instance ---------------------------------------
if [ -f "$INST/le450_15c.col" ]; then
  for np in 2 4; do
    $MR -np $np "$PRISM" color "$INST/le450_15c.col" -k 15 -t 100 -q -o "$T/le$np" >"$T/out" 2>&1; rc=$?
    check "np $np le450_15c -k 15: exit 10, OPTIMUM FOUND" "[ $rc -eq 10 ] && grep -q '^s OPTIMUM FOUND' '$T/out'"
    check "np $np le450_15c -k 15: stopped at the target, file verifies" "verified '$INST/le450_15c.col' '$T/le$np' 15"
  done
else
  skip=$((skip + 1)); echo "skip le450_15c (no $INST)"
fi

# --- reproducible for a fixed seed and rank count (time-independent stop) ---------
if [ -f "$INST/DSJC125.5.col" ]; then
  G="$INST/DSJC125.5.col"
  run() { # np, threads, tag
    $MR -np "$1" "$PRISM" color "$G" -t 0 -s 7 -j "$2" --param max_batches=30 \
      --param migrate_rounds=2 -o "$T/d$3" >"$T/o$3" 2>&1
    { grep -E "^(o|s) " "$T/o$3"; grep -o "^c [0-9]* moves in [0-9]* batches" "$T/o$3"; cat "$T/d$3"; } >"$T/r$3"
  }
  run 2 1 a; run 2 1 b; run 2 2 c
  check "np 2 fixed seed: same o lines, moves, coloring twice" 'cmp -s "$T/ra" "$T/rb" && grep -q "^l " "$T/ra"'
  check "np 2 fixed seed: the same with 2 threads per rank" 'cmp -s "$T/ra" "$T/rc"'
  "$PRISM" color "$G" -t 0 -s 7 --param max_batches=30 --param migrate_rounds=2 -o "$T/dp" >"$T/op" 2>&1
  { grep -E "^(o|s) " "$T/op"; grep -o "^c [0-9]* moves in [0-9]* batches" "$T/op"; cat "$T/dp"; } >"$T/rp"
  run 1 1 s
  check "np 1 under mpirun = the plain run" 'cmp -s "$T/rs" "$T/rp" && grep -q "^l " "$T/rp"'
  run 4 1 f
  check "np 4: a verified coloring" "verified '$G' '$T/df' \$(awk '/^s col/{print \$3}' '$T/df')"
else
  skip=$((skip + 1)); echo "skip reproducibility (no $INST)"
fi

# --- telemetry merged on rank 0 (every rank's records, tagged "rank") --------------
for np in 2 4; do
  J="$T/tel$np.jsonl"
  $MR -np $np "$PRISM" color examples/myciel5.col -t 0 -s 3 --param max_batches=12 \
    --param migrate_rounds=2 --telemetry "$J" -q >"$T/out" 2>&1; rc=$?
  check "np $np telemetry: exit 0, the file written" "[ $rc -eq 0 ] && [ -s '$J' ]"
  every=1
  for r in $(seq 0 $((np - 1))); do
    grep -q "^{\"rank\":$r,\"record\":\"run\"" "$J" && grep -q "^{\"rank\":$r,\"batch\":" "$J" || every=0
  done
  check "np $np telemetry: run and batch records of every rank" "[ $every -eq 1 ]"
  check "np $np telemetry: rank 0's run record first, the merged end record last" \
    "head -1 '$J' | grep -q '^{\"rank\":0,\"record\":\"run\"' && tail -1 '$J' | grep -q '^{\"record\":\"end\",\"ranks\":$np,'"
  batches=$(tail -1 "$J" | sed 's/.*"batches":\([0-9]*\).*/\1/')
  check "np $np telemetry: as many batch records as batches, all ranks ($batches)" \
    "[ \"\$(grep -c '\"batch\":' '$J')\" -eq '$batches' ] && [ '$batches' -eq $((12 * np)) ]"
  if command -v python3 >/dev/null; then
    check "np $np telemetry: valid JSON Lines (python json)" \
      "python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' '$J'"
  fi
  check "np $np telemetry: prism report reads it" "'$PRISM' report '$J' -o '$T/rep$np.html' >/dev/null 2>&1 && [ -s '$T/rep$np.html' ]"
done

# --- failures end the run with a clear error, never a hang ----------------------------
$MR -np 2 "$PRISM" color /nonexistent.col >"$T/out" 2>"$T/err"; rc=$?
check "np 2 missing file: exit 1, one error line" \
  '[ $rc -eq 1 ] && [ "$(grep -c "^prism: error: .*cannot open" "$T/err")" -eq 1 ]'
$MR -np 2 "$PRISM" color examples/myciel5.col -k abc >"$T/out" 2>"$T/err"; rc=$?
check "np 2 bad option: exit 1, one error line" \
  '[ $rc -eq 1 ] && [ "$(grep -c "^prism: error: -k needs" "$T/err")" -eq 1 ]'
printf 'p edge 3 2\ne 1 2\ne 2 9\n' >"$T/broken.col"
$MR -np 1 "$PRISM" color examples/myciel5.col -t 5 -q : -np 1 "$PRISM" color "$T/broken.col" -t 5 -q \
  >"$T/out" 2>"$T/err"; rc=$?
check "bad input on rank 1 only: exit 1, its error and rank 0's, no s line" \
  '[ $rc -eq 1 ] && grep -q "^prism: error: .*broken.col:3" "$T/err" && grep -q "rank 1 of 2 failed before the solve" "$T/err" && ! grep -q "^s " "$T/out"'
printf 'p edge 3 1\ne 1 2\n' >"$T/other.col"
$MR -np 1 "$PRISM" color examples/myciel5.col -t 5 -q : -np 1 "$PRISM" color "$T/other.col" -t 5 -q \
  >"$T/out" 2>"$T/err"; rc=$?
check "another graph on rank 1: exit 1, clear error" \
  '[ $rc -eq 1 ] && grep -q "rank 1 of 2 read a graph different" "$T/err" && ! grep -q "^s " "$T/out"'
$MR -np 2 "$PRISM" color examples/myciel5.col -t 5 -q --telemetry /nonexistent/dir/t.jsonl >"$T/out" 2>"$T/err"; rc=$?
check "rank 0 dies in the solve: MPI_Abort, exit 1, the error and 'stopped early'" \
  '[ $rc -eq 1 ] && grep -q "cannot open telemetry file" "$T/err" && grep -q "rank 0 of 2 stopped early" "$T/err" && ! grep -q "^s " "$T/out"'
if [ -f "$INST/DSJC250.5.col" ]; then
  start=$(date +%s)
  $MR -np 1 "$PRISM" color "$INST/DSJC250.5.col" -k 20 -t 60 -q : \
    -np 1 timeout -s SEGV 2 "$PRISM" color "$INST/DSJC250.5.col" -k 20 -t 60 -q >"$T/out" 2>"$T/err"; rc=$?
  took=$(( $(date +%s) - start ))
  check "rank 1 crashes mid-run: the job ends nonzero well before the time limit (${took} s)" \
    "[ $rc -ne 0 ] && [ $rc -ne 137 ] && [ $took -lt 40 ] && ! grep -q '^s ' '$T/out'"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
