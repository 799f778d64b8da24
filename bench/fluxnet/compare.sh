#!/usr/bin/env bash
# bench/fluxnet/compare.sh - FluxNet against the fixed config on the test set
# of bench/fluxnet/split.tsv: time-to-target and success rate of
#   (a) default  the default fixed config (--controller none)
#   (b) random   a uniformly random FluxNet action every batch
#   (c) trained  FluxNet with the table trained on the training set
#                (each run starts from its own copy of that table)
#   (d) empty    FluxNet from an empty table
#   (e) greedy   as (c) with fluxnet_epsilon=0: no exploration (optional arm)
#   NAME=VAL[,NAME=VAL...]  a fixed config: the defaults with these parameters
#                (optional arms, e.g. "a global_temperature=1.5")
# at equal time budgets, one thread each, the same seeds.
#
#   bench/fluxnet/compare.sh [--seeds N] [--time-limit S] [--jobs P]
#                            [--qtable FILE] [--arms "a b c d"] [--md FILE]
#   bench/fluxnet/compare.sh --summarize RAW.tsv [--seeds N] [--time-limit S]
#                            (re-print the tables from raw rows, seeds 1..N)
#
# --jobs P runs P solves side by side (default 1: sequential). Use P at most
# the number of idle cores: every run is single-threaded, and the arms are
# interleaved so that they share the machine's load alike.
# Writes bench/results/fluxnet_YYYY-MM-DD.md (never overwritten: -2, -3, ...)
# and the raw rows and logs to bench/out/fluxnet_<stamp>/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
PRISM_INSTANCES=${PRISM_INSTANCES:-/work/shared/instances}
seeds=5 tl=30 jobs=1 qtable=$ROOT/bench/fluxnet/trained.qt arms="a b c d" md= summarize_only=
cmdline="bench/fluxnet/compare.sh $*"
while [ $# -gt 0 ]; do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --time-limit) tl=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --qtable) qtable=$2; shift 2 ;;
    --arms) arms=$2; shift 2 ;;
    --md) md=$2; shift 2 ;;
    --summarize) summarize_only=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
# ------------------------------------------------------------- summary
# summarize RAW -> markdown tables (seeds 1..$seeds, arms $arms, limit $tl)
summarize() {
  awk -F'\t' -v arms="$arms" -v tl="$tl" -v maxseed="$seeds" '
function med(list,    a, n, i, j, v) {   # median of ";"-separated values, inf sorts last
  n = split(list, a, ";")
  for (i = 2; i <= n; i++) { v = a[i]; j = i - 1
    while (j >= 1 && (a[j] == "inf" ? 1e300 : a[j] + 0) > (v == "inf" ? 1e300 : v + 0)) { a[j + 1] = a[j]; j-- }
    a[j + 1] = v }
  if (n % 2) return a[(n + 1) / 2]
  if (a[n / 2] == "inf" || a[n / 2 + 1] == "inf") return "inf"
  return (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(x) { return x == "inf" ? sprintf(">%s", tl) : sprintf("%.2f", x) }
NR == 1 || $4 > maxseed { next }
{
  key = $2 ":" $3
  if (!(key in seen)) { seen[key] = 1; order[++ni] = key }
  L[key, $1] = L[key, $1] (L[key, $1] == "" ? "" : ";") $6
  N[key, $1]++; if ($5 == "found") S[key, $1]++
  ALL[$1] = ALL[$1] (ALL[$1] == "" ? "" : ";") $6
  capped[$1, $2, $4] = $5 == "found" ? ($6 > 0.001 ? $6 : 0.001) : tl   # paired by (instance, seed)
  if (!(($2, $4) in pairseen)) { pairseen[$2, $4] = 1; pairs[++np] = $2 SUBSEP $4 }
  NA[$1]++; if ($5 == "found") SA[$1]++
  if ($5 == "found") { sum[$1] += $6 } else { sum[$1] += tl }
}
END {
  na = split(arms, A, " ")
  name["a"] = "(a) default"; name["b"] = "(b) random"; name["c"] = "(c) trained"; name["d"] = "(d) empty"; name["e"] = "(e) trained, greedy"
  for (i = 1; i <= na; i++) if (!(A[i] in name)) name[A[i]] = A[i]
  printf "| instance:k |"; for (i = 1; i <= na; i++) printf " %s |", name[A[i]]; printf "\n"
  printf "|---|"; for (i = 1; i <= na; i++) printf "---|"; printf "\n"
  for (r = 1; r <= ni; r++) {
    key = order[r]; printf "| %s |", key
    for (i = 1; i <= na; i++) {
      a = A[i]; printf " %s (%d/%d) |", fmt(med(L[key, a])), S[key, a], N[key, a]
      m[a, r] = med(L[key, a])
    }
    printf "\n"
  }
  printf "| **all runs** |"
  for (i = 1; i <= na; i++) { a = A[i]; printf " **%s (%d/%d)** |", fmt(med(ALL[a])), SA[a], NA[a] }
  printf "\n\n"
  printf "| arm | success | median time-to-target, all runs (s) | vs (a) | geo-mean ratio of instance medians vs (a) | mean time, failures = %s s | paired geo-mean ratio vs (a) [90%% CI] |\n", tl
  printf "|---|---|---|---|---|---|---|\n"
  srand(1)
  for (i = 1; i <= na; i++) {
    a = A[i]; ma = med(ALL[a]); m0 = med(ALL["a"])
    ratio = (ma == "inf" || m0 == "inf" || !("a" in NA)) ? "n/a" : sprintf("%+.0f%%", 100 * (ma / m0 - 1))
    lg = 0; cnt = 0
    for (r = 1; r <= ni; r++) if (m[a, r] != "inf" && m["a", r] != "inf" && m["a", r] > 0) { lg += log(m[a, r] / m["a", r]); cnt++ }
    gm = cnt ? sprintf("%.2f (%d instances)", exp(lg / cnt), cnt) : "n/a"
    # paired: per (instance, seed) ln(t_arm / t_a), failures = the limit;
    # 90% interval from 2000 bootstrap resamples of the pairs
    pr = "n/a"; nl = 0
    if (a != "a" && ("a" in NA)) {
      for (j = 1; j <= np; j++) {
        split(pairs[j], q, SUBSEP)
        if (((a, q[1], q[2]) in capped) && (("a", q[1], q[2]) in capped))
          lr[++nl] = log(capped[a, q[1], q[2]] / capped["a", q[1], q[2]])
      }
      if (nl) {
        mean = 0; for (j = 1; j <= nl; j++) mean += lr[j]; mean /= nl
        for (b = 1; b <= 2000; b++) { s = 0
          for (j = 1; j <= nl; j++) s += lr[1 + int(rand() * nl)]
          bs[b] = s / nl }
        for (b = 2; b <= 2000; b++) { v = bs[b]; j = b - 1
          while (j >= 1 && bs[j] > v) { bs[j + 1] = bs[j]; j-- }
          bs[j + 1] = v }
        pr = sprintf("%.2f [%.2f, %.2f] (%d pairs)", exp(mean), exp(bs[100]), exp(bs[1900]), nl)
      }
    }
    printf "| %s | %d/%d | %s | %s | %s | %.2f | %s |\n", name[a], SA[a], NA[a], fmt(ma), ratio, gm, sum[a] / NA[a], pr
  }
}' "$1"
}

if [ -n "$summarize_only" ]; then
  summarize "$summarize_only"
  exit 0
fi

[ -x "$PRISM" ] || { echo "compare.sh: no solver at $PRISM (make first)" >&2; exit 1; }
case " $arms " in *" c "*|*" e "*) [ -f "$qtable" ] || { echo "compare.sh: no trained table $qtable (bench/fluxnet/train.sh)" >&2; exit 1; } ;; esac
stamp=$(date +%Y%m%d-%H%M%S)
OUT=${BENCH_OUT:-$ROOT/bench/out}/fluxnet_$stamp
mkdir -p "$OUT/logs" "$OUT/tables"

# ------------------------------------------------------------- one solve
# run_one ARM INSTANCE K SEED -> one TSV row on stdout:
# arm instance k seed status ttt_s wall_s batches
run_one() {
  local arm=$1 inst=$2 k=$3 seed=$4
  local log=$OUT/logs/${arm}_${inst}_k${k}_s${seed}.log extra=()
  case $arm in
    a) extra=(--controller none) ;;
    b) extra=(--controller random) ;;
    c) local t=$OUT/tables/c_${inst}_${seed}.qt
       cp "$qtable" "$t"; extra=(--controller fluxnet --qtable "$t") ;;
    d) local t=$OUT/tables/d_${inst}_${seed}.qt
       rm -f "$t"; extra=(--controller fluxnet --qtable "$t") ;;
    e) local t=$OUT/tables/e_${inst}_${seed}.qt
       cp "$qtable" "$t"; extra=(--controller fluxnet --qtable "$t" -p fluxnet_epsilon=0) ;;
    *=*) local kv; IFS=, read -ra kv <<< "$arm"
       for x in "${kv[@]}"; do extra+=(-p "$x"); done ;;
    *) echo "compare.sh: unknown arm '$arm'" >&2; return 1 ;;
  esac
  local t0=$(date +%s.%N)
  "$PRISM" color "$PRISM_INSTANCES/$inst.col" -k "$k" -t "$tl" -s "$seed" -j 1 \
    --backend cpu "${extra[@]}" > "$log" 2>&1
  local rc=$? t1=$(date +%s.%N)
  local wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  local status ttt batches
  batches=$(awk '/ moves in .* batches/ { print $(NF-3) }' "$log")
  if [ $rc -eq 10 ]; then
    status=found
    # the 'c K colors after X s' line of the first coloring with <= k colors
    ttt=$(awk -v k="$k" '$1 == "c" && $3 == "colors" && $4 == "after" && $2 <= k { print $5; exit }' "$log")
  elif [ $rc -eq 0 ]; then status=timeout; ttt=inf
  else status=error; ttt=inf
  fi
  rm -f "$OUT/tables/${arm}_${inst}_${seed}.qt" "$OUT/tables/${arm}_${inst}_${seed}.qt.tmp"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arm" "$inst" "$k" "$seed" "$status" "${ttt:-inf}" \
    "$wall" "${batches:-0}"
}
export -f run_one
export OUT PRISM PRISM_INSTANCES tl qtable

# ------------------------------------------------------------- the jobs
specs=()
while IFS=$'\t' read -r set inst k why; do
  [ "$set" = test ] && specs+=("$inst:$k")
done < "$ROOT/bench/fluxnet/split.tsv"
for s in "${specs[@]}"; do
  [ -f "$PRISM_INSTANCES/${s%%:*}.col" ] || { echo "compare.sh: missing instance ${s%%:*}" >&2; exit 2; }
done
jobsfile=$OUT/jobs.txt
: > "$jobsfile"
for seed in $(seq 1 "$seeds"); do
  for s in "${specs[@]}"; do
    for arm in $arms; do echo "$arm ${s%%:*} ${s##*:} $seed" >> "$jobsfile"; done
  done
done
n=$(wc -l < "$jobsfile")
echo "compare.sh: $n solves (${#specs[@]} instances x arms '$arms' x $seeds seeds), ${tl} s each, $jobs at a time; raw: $OUT"
raw=$OUT/raw.tsv
printf 'arm\tinstance\tk\tseed\tstatus\tttt_s\twall_s\tbatches\n' > "$raw"
T0=$(date +%s)
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ < "$jobsfile" >> "$raw"
T1=$(date +%s)
errors=$(awk -F'\t' 'NR > 1 && $5 == "error"' "$raw" | wc -l)
summary=$(summarize "$raw")

# ------------------------------------------------------------- report
day=$(date +%Y-%m-%d)
if [ -z "$md" ]; then
  md=$ROOT/bench/results/fluxnet_$day.md
  i=2
  while [ -e "$md" ]; do md=$ROOT/bench/results/fluxnet_$day-$i.md; i=$((i + 1)); done
fi
mkdir -p "$(dirname "$md")"
commit=${PRISM_COMMIT:-$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)}
dirty=$(cd "$ROOT" && git status --porcelain 2>/dev/null | grep -q . && echo " (working tree with uncommitted changes)")
cpu=$(lscpu 2>/dev/null | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }')
{
  echo "# FluxNet comparison, $day"
  echo
  echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores; $(uname -sr)"
  echo "- commit: $commit$dirty"
  echo "- command: \`$cmdline\` ($jobs solves at a time, one thread each, \`--backend cpu\`)"
  echo "- solver: $PRISM"
  echo "- trained table: $qtable"
  echo "- $n solves, $seeds seeds (1..$seeds), time limit $tl s, wall $((T1 - T0)) s, $errors errors"
  echo "- raw rows: $raw"
  echo
  echo "Per test instance: median time-to-target in seconds over the seeds (a run"
  echo "that does not reach k counts as slower than any that does, so the median is"
  echo "'>$tl' when half or more fail), then (successes/runs). Time-to-target is the"
  echo "solver's own 'c K colors after X s' (from the start, bounds and DSATUR included)."
  echo
  echo "$summary"
  if [ "$seeds" -gt 5 ]; then
    echo
    echo "The same, seeds 1..5 only:"
    echo
    seeds=5 summarize "$raw"
  fi
} > "$md"
echo "$summary"
echo "compare.sh: wrote $md"
[ "$errors" -eq 0 ] || { echo "compare.sh: $errors runs errored (see $OUT/logs)" >&2; exit 2; }
