#!/usr/bin/env bash
# bench/mbrl/run.sh - the MBRL benchmark of issue 12 (docs/mbrl.md):
#
#   1. a train/test split: the train and test rows of bench/fluxnet/split.tsv
#      (../shared/instances) plus generated graphs (bench/gen_graph.py:
#      random, planted, Leighton-style, geometric), train and test made with
#      different seeds; no test graph is trained on
#   2. training on the training set at equal real experience:
#        FluxNet   prism train --qtable        (E episodes)
#        MBRL      prism train --controller mbrl --qtable --model  (E episodes)
#        MBRL/2    the same with half the episodes (half the real experience)
#   3. the test set, every arm at the same time limit, one thread, seeds 1..S:
#        default   --controller none
#        fixed     the best fixed config from tuning (--fixed "NAME=VAL ..."; optional)
#        fluxnet   --controller fluxnet with the trained table (a fresh copy per run)
#        mbrl      --controller mbrl with the trained table and model (fresh copies)
#        mbrl-half as mbrl, trained on half the experience
#   4. prints a table: per arm the successes, the median time to target with a
#      bootstrap 95% confidence interval (failures count as +inf), and the
#      world model's one-step RMSE against the persistence baseline (next =
#      current) per output, from the MBRL runs' own reports.
#
#   bench/mbrl/run.sh [--seeds S] [--time-limit T] [--episodes E]
#                     [--train-time T] [--fixed "NAME=VAL ..."] [--jobs P] [--smoke]
#
# --jobs P: P test runs side by side (each single-threaded); only with P idle
# cores (timings under load are not comparable). Training is sequential.
# --smoke: a tiny version (train: two small generated graphs; test:
# DSJC125.5:17 and a generated Leighton-style graph; 2 seeds, short limits) to check the script; its numbers
# mean nothing. Defaults: 5 seeds, 60 s per test run, 4 episodes of 10 s per
# training graph: hours on one core - run it on an idle machine.
# Output: the table on stdout; raw rows and logs in bench/out/mbrl_<stamp>/.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
INST=${PRISM_INSTANCES:-$ROOT/../shared/instances}
[ -d "$INST" ] || INST=/work/shared/instances
seeds=5 tl=60 episodes=4 train_tl=10 fixed= smoke= jobs=1
while [ $# -gt 0 ]; do
  case $1 in
    --seeds) seeds=$2; shift 2 ;;
    --time-limit) tl=$2; shift 2 ;;
    --episodes) episodes=$2; shift 2 ;;
    --train-time) train_tl=$2; shift 2 ;;
    --fixed) fixed=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
[ -x "$PRISM" ] || { echo "run.sh: no solver at $PRISM (make first)" >&2; exit 1; }
OUT=$ROOT/bench/out/mbrl_$(date -u +%Y%m%d_%H%M%S)
mkdir -p "$OUT/graphs" "$OUT/logs"
gen() { # NAME KIND ARGS...: a generated graph in $OUT/graphs/NAME.col
  local name=$1; shift
  python3 "$ROOT/bench/gen_graph.py" "$@" > "$OUT/graphs/$name.col" ||
    { echo "run.sh: gen_graph.py $* failed" >&2; echo /nonexistent; return; }
  echo "$OUT/graphs/$name.col"
}

# ------------------------------------------------------------ the split
train=() test=() # train: GRAPH[:K]; test: GRAPH:K
if [ -n "$smoke" ]; then
  train+=("$(gen tr_planted planted 150 12 0.75 11):12" "$(gen tr_gnp gnp 100 0.5 12)")
  test+=("$INST/DSJC125.5.col:17" "$(gen te_leighton leighton 150 12 3500 22):12")
else
  while IFS=$'\t' read -r set inst k _; do
    case "$set" in
      train) train+=("$INST/$inst.col:$k") ;;
      test) test+=("$INST/$inst.col:$k") ;;
    esac
  done < <(grep -v '^#' "$ROOT/bench/fluxnet/split.tsv")
  train+=("$(gen tr_gnp gnp 300 0.5 101)" "$(gen tr_planted planted 400 20 0.4 102):20"
          "$(gen tr_leighton leighton 450 15 8000 103):15" "$(gen tr_geo geometric 500 0.15 104)")
  test+=("$(gen te_planted planted 400 20 0.4 202):20" "$(gen te_leighton leighton 450 15 8000 203):15"
         "$(gen te_planted2 planted 300 12 0.5 204):12")
fi
for g in "${train[@]%:*}" "${test[@]%:*}"; do
  [ -f "$g" ] || { echo "run.sh: missing graph $g" >&2; exit 2; }
done
half=$(( (episodes + 1) / 2 ))
{
  echo "# bench/mbrl/run.sh $([ -n "$smoke" ] && echo '--smoke ')seeds $seeds time-limit $tl episodes $episodes train-time $train_tl"
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -n) $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD)"
  printf '# train:'; for g in "${train[@]}"; do printf ' %s' "${g##*/}"; done; echo
  printf '# test:'; for g in "${test[@]}"; do printf ' %s' "${g##*/}"; done; echo
} | tee "$OUT/header.txt"

# ------------------------------------------------------------ training
echo "training FluxNet ($episodes episodes), MBRL ($episodes) and MBRL/2 ($half) ..." >&2
"$PRISM" train "${train[@]}" --qtable "$OUT/flux.qt" --episodes "$episodes" -t "$train_tl" \
  -q > "$OUT/logs/train_flux.log" 2>&1 || { echo "run.sh: FluxNet training failed" >&2; exit 2; }
"$PRISM" train "${train[@]}" --controller mbrl --qtable "$OUT/mbrl.qt" --model "$OUT/mbrl.wm" \
  --episodes "$episodes" -t "$train_tl" -q > "$OUT/logs/train_mbrl.log" 2>&1 ||
  { echo "run.sh: MBRL training failed" >&2; exit 2; }
"$PRISM" train "${train[@]}" --controller mbrl --qtable "$OUT/mbrl_half.qt" \
  --model "$OUT/mbrl_half.wm" --episodes "$half" -t "$train_tl" -q \
  > "$OUT/logs/train_mbrl_half.log" 2>&1 || { echo "run.sh: MBRL/2 training failed" >&2; exit 2; }

# ------------------------------------------------------------ testing
arms="default fluxnet mbrl mbrl-half"
[ -n "$fixed" ] && arms="default fixed fluxnet mbrl mbrl-half"
# one test run: GRAPH K ARM SEED -> a raw row in $OUT/rows/ (every run starts
# from its own copy of the trained files, so runs never see each other)
run_one() {
  local g=$1 k=$2 arm=$3 seed=$4 name extra=() tag
  name=$(basename "$g" .col)
  tag=${name}_${arm}_$seed
  local log=$OUT/logs/$tag.log
  case $arm in
    fixed) for a in $fixed; do extra+=(-p "$a"); done ;;
    fluxnet) cp "$OUT/flux.qt" "$OUT/tmp/$tag.qt"; extra=(--controller fluxnet --qtable "$OUT/tmp/$tag.qt") ;;
    mbrl|mbrl-half)
      local src=mbrl; [ "$arm" = mbrl-half ] && src=mbrl_half
      cp "$OUT/$src.qt" "$OUT/tmp/$tag.qt"; cp "$OUT/$src.wm" "$OUT/tmp/$tag.wm"
      extra=(--controller mbrl --qtable "$OUT/tmp/$tag.qt" --model "$OUT/tmp/$tag.wm") ;;
  esac
  "$PRISM" color "$g" -k "$k" -t "$tl" -s "$seed" -j 1 --backend cpu "${extra[@]}" > "$log" 2>&1
  local ttt
  ttt=$(awk -v k="$k" '$1 == "c" && $3 == "colors" && $4 == "after" && $2 <= k { print $5; exit }' "$log")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$k" "$arm" "$seed" "${ttt:-inf}" > "$OUT/rows/$tag"
  rm -f "$OUT/tmp/$tag.qt" "$OUT/tmp/$tag.wm"
}
export -f run_one
export OUT PRISM tl fixed
mkdir -p "$OUT/rows" "$OUT/tmp"
for spec in "${test[@]}"; do # interleaved: the arms share the machine's load alike
  for seed in $(seq 1 "$seeds"); do
    for arm in $arms; do printf '%s %s %s %s\n' "${spec%:*}" "${spec##*:}" "$arm" "$seed"; done
  done
done > "$OUT/jobs.txt"
echo "testing: $(wc -l < "$OUT/jobs.txt") runs, $jobs at a time ..." >&2
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ < "$OUT/jobs.txt"
{ printf 'instance\tk\tarm\tseed\tttt\n'
  while read -r g k arm seed; do cat "$OUT/rows/$(basename "$g" .col)_${arm}_$seed"; done < "$OUT/jobs.txt"
} > "$OUT/raw.tsv"

# ------------------------------------------------------------ the table
python3 - "$OUT" "$tl" "$arms" <<'PY'
import csv, glob, math, os, random, re, sys
out, tl, arms = sys.argv[1], float(sys.argv[2]), sys.argv[3].split()
rows = list(csv.DictReader(open(os.path.join(out, 'raw.tsv')), delimiter='\t'))
def med(v):
    v = sorted(v); n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
def ci(v, rng):
    ms = sorted(med([rng.choice(v) for _ in v]) for _ in range(2000))
    return ms[50], ms[1949]
def f(x): return '>%g' % tl if math.isinf(x) else '%.2f' % x
rng = random.Random(1)
insts = []
for r in rows:
    if (r['instance'], r['k']) not in insts: insts.append((r['instance'], r['k']))
print('\n## Time to target (s): median [bootstrap 95% CI], successes / runs\n')
print('| instance:k | ' + ' | '.join(arms) + ' |')
print('|---|' + '---|' * len(arms))
allv = {a: [] for a in arms}
for inst, k in insts:
    cells = []
    for a in arms:
        v = [float(r['ttt']) for r in rows if r['instance'] == inst and r['k'] == k and r['arm'] == a]
        allv[a] += v
        lo, hi = ci(v, rng)
        cells.append('%s [%s, %s] %d/%d' % (f(med(v)), f(lo), f(hi), sum(not math.isinf(x) for x in v), len(v)))
    print('| %s:%s | %s |' % (inst, k, ' | '.join(cells)))
cells = []
for a in arms:
    v = allv[a]; lo, hi = ci(v, rng)
    cells.append('%s [%s, %s] %d/%d' % (f(med(v)), f(lo), f(hi), sum(not math.isinf(x) for x in v), len(v)))
print('| **all** | %s |' % ' | '.join(cells))
# world model one-step error, from 'c mbrl: ... one-step RMSE model/persistence over N: out a/b ...'
print('\n## World model: one-step RMSE, model vs persistence (next = current), test runs\n')
names = ['conflicts', 'colors', 'moves', 'reward', 'done']
for a in [x for x in arms if x.startswith('mbrl')]:
    sums = {n: [0.0, 0.0] for n in names}; total = 0
    for log in glob.glob(os.path.join(out, 'logs', '*_%s_*.log' % a)):
        for line in open(log):
            m = re.search(r'one-step RMSE model/persistence over (\d+):(.*)', line)
            if not m: continue
            n = int(m.group(1)); total += n
            for name, mo, pe in re.findall(r' (\w+) ([0-9.e+-]+)/([0-9.e+-]+)', m.group(2)):
                sums[name][0] += n * float(mo) ** 2; sums[name][1] += n * float(pe) ** 2
    if not total: print('%s: no one-step reports (the model never warmed up)' % a); continue
    print('| %s (%d transitions) | model | persistence | model / persistence |' % (a, total))
    print('|---|---|---|---|')
    for name in names:
        mo, pe = math.sqrt(sums[name][0] / total), math.sqrt(sums[name][1] / total)
        print('| %s | %.4g | %.4g | %s |' % (name, mo, pe, '%.2f' % (mo / pe) if pe > 0 else 'n/a (persistence exact)'))
    print()
PY
echo "raw rows and logs: $OUT" >&2
