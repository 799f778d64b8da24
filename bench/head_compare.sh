#!/usr/bin/env bash
# head_compare.sh - time a peer solver, HEAD (Moalic & Gondran 2018, the
# authors' code), on the same specs and seeds as prism, on the same machine.
# HEAD is not part of prism: build it outside the repository (e.g. from
# github.com/graphcoloring/HEAD with its own Makefile) and point HEAD_BIN at
# the binary.
#
#   HEAD_BIN=/path/to/head bench/head_compare.sh [-n SEEDS] [-s FIRST] OUT.tsv SPEC...
#
# SPEC is INSTANCE:K:SECONDS. Each run: `head I.col K -r -1 -d SEED -q`
# (HEAD's default 30 000 tabu iterations per generation, its 2 OpenMP
# threads, restarting whenever its pair converges) under `timeout SECONDS`;
# the time is the wall clock of the whole run (reading included, as in
# prism's own times). Rows go to OUT.tsv in sweep.sh's format with label
# HEAD, and bench/sweep_summary.sh prints them.
set -u
N=5; S=1
while getopts "n:s:" o; do
  case $o in n) N=$OPTARG ;; s) S=$OPTARG ;; *) exit 1 ;; esac
done
shift $((OPTIND - 1))
OUTF=$1; shift
HEAD_BIN=${HEAD_BIN:?set HEAD_BIN to the HEAD binary}
INST=${PRISM_INSTANCES:-/work/shared/instances}
for spec in "$@"; do
  IFS=: read -r inst k tl <<< "$spec"
  for ((s = S; s < S + N; s++)); do
    t0=$(date +%s.%N)
    out=$(OMP_NUM_THREADS=2 timeout "$tl" "$HEAD_BIN" "$INST/$inst.col" "$k" -r -1 -d "$s" -q 2>&1)
    t1=$(date +%s.%N)
    if printf '%s\n' "$out" | grep -q "Success / #Runs : 1"; then
      t=$(awk -v a="$t0" -v b="$t1" "BEGIN{printf \"%.3f\", b - a}"); best=$k
    else
      t=inf; best=-
    fi
    printf "HEAD\t%s\t%s\t%s\t%s\t%s\t0\n" "$inst" "$k" "$s" "$t" "$best" >> "$OUTF"
    echo "HEAD $inst:$k seed $s: $t" >&2
  done
done
"$(dirname "$0")/sweep_summary.sh" "$OUTF"
