#!/usr/bin/env bash
# ladder.sh - the temperature ladder over all islands (param ladder = 1)
# against one ladder per island (0), with temperatures on, on one instance
# and target: moves to the target (they do not depend on the machine's load)
# and wall time. Markdown rows on stdout.
#
#   bench/ladder.sh [GRAPH] [K] [SEEDS] [MAX_BATCHES]
#   defaults: ../shared/instances/DSJC250.5.col 28 "1 .. 10" 4000
set -u
PRISM=${PRISM:-./build/prism}
G=${1:-../shared/instances/DSJC250.5.col}
K=${2:-28}
SEEDS=${3:-1 2 3 4 5 6 7 8 9 10}
MB=${4:-4000}
COMMON="--param islands=4 --param replicas=8 --param max_batches=$MB -j 2 -t 120"
echo "| config | seed | reached | moves | batches | wall s | swaps accepted / tried |"
echo "|---|---|---|---|---|---|---|"
for cfg in "T=1 ladder=0|--param global_temperature=1 --param ladder=0" \
           "T=1 ladder=1|--param global_temperature=1 --param ladder=1" \
           "T=0 ladder=0 (default)|--param global_temperature=0 --param ladder=0"; do
  name=${cfg%%|*}
  args=${cfg#*|}
  for s in $SEEDS; do
    out=$("$PRISM" color "$G" -k "$K" -s "$s" $COMMON $args 2>&1)
    reached=no
    echo "$out" | grep -q "^s SATISFIABLE\|^s OPTIMUM" && reached=yes
    mv=$(echo "$out" | sed -n 's/^c \([0-9]*\) moves in \([0-9]*\) batches, \([0-9.]*\) s$/\1 | \2 | \3/p')
    sw=$(echo "$out" | sed -n 's/^c ladder over all [0-9]* replicas: [0-9]* sweeps, \([0-9]*\) of \([0-9]*\) swaps accepted/\1 \/ \2/p')
    echo "| $name | $s | $reached | $mv | ${sw:--} |"
  done
done
