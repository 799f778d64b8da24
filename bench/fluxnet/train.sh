#!/usr/bin/env bash
# bench/fluxnet/train.sh - train the FluxNet Q-table on the training set of
# bench/fluxnet/split.tsv with `prism train`.
#
#   bench/fluxnet/train.sh [--learners P] [--episodes E] [--time-limit S]
#                          [--seed S] [--out FILE]
#
# One learner (default) runs `prism train` over the curriculum, E passes.
# With --learners P > 1, P learners run side by side (seeds S, S+1000, ...),
# each on the whole curriculum, and their tables are merged by
# `prism train --merge` (visit-weighted mean of Q): P times the experience in
# the same wall time. Logs go to bench/out/fluxnet_train/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
PRISM_INSTANCES=${PRISM_INSTANCES:-/work/shared/instances}
LOGDIR=${BENCH_OUT:-$ROOT/bench/out}/fluxnet_train
learners=1 episodes=4 tl=15 seed=1 out=$ROOT/bench/fluxnet/trained.qt
while [ $# -gt 0 ]; do
  case $1 in
    --learners) learners=$2; shift 2 ;;
    --episodes) episodes=$2; shift 2 ;;
    --time-limit) tl=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "train.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
[ -x "$PRISM" ] || { echo "train.sh: no solver at $PRISM (make first)" >&2; exit 1; }
mkdir -p "$LOGDIR"
graphs=()
while IFS=$'\t' read -r set inst k why; do
  [ "$set" = train ] || continue
  f=$PRISM_INSTANCES/$inst.col
  [ -f "$f" ] || { echo "train.sh: missing $f" >&2; exit 2; }
  graphs+=("$f:$k")
done < "$ROOT/bench/fluxnet/split.tsv"
echo "train.sh: ${#graphs[@]} training graphs, $learners learner(s), $episodes episodes, $tl s each"
if [ "$learners" -le 1 ]; then
  rm -f "$out"
  "$PRISM" train "${graphs[@]}" --qtable "$out" --episodes "$episodes" --time-limit "$tl" \
    --seed "$seed" -j 1 --backend cpu | tee "$LOGDIR/learner_1.log"
  exit "${PIPESTATUS[0]}"
fi
pids=() tables=()
for i in $(seq 1 "$learners"); do
  t=$LOGDIR/learner_$i.qt
  rm -f "$t"
  tables+=("$t")
  "$PRISM" train "${graphs[@]}" --qtable "$t" --episodes "$episodes" --time-limit "$tl" \
    --seed $((seed + 1000 * (i - 1))) -j 1 --backend cpu > "$LOGDIR/learner_$i.log" 2>&1 &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
[ $rc -eq 0 ] || { echo "train.sh: a learner failed (see $LOGDIR)" >&2; exit 2; }
# per pass: mean reward over learners and graphs (fields: see prism train --help)
grep -h "^c episode [0-9]* graph" "$LOGDIR"/learner_*.log | awk '
  { n[$3]++; r[$3] += $11; t[$3] += $9; if ($3 > m) m = $3 }
  END { for (e = 1; e <= m; e++)
          printf "train.sh: episode %d: %d solves, mean reward %.3f, mean time %.2f s\n",
                 e, n[e], r[e] / n[e], t[e] / n[e] }'
rm -f "$out"
"$PRISM" train --merge "${tables[@]}" --qtable "$out"
