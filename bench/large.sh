#!/usr/bin/env bash
# large.sh - the large-graph benchmark (issue 16): time limit and SIGINT
# latency, moves/s per core against n, and the color count after 60 s
# against the greedy starts, on generated sparse graphs from 10^3 to 10^6
# vertices (bench/gen_large.c) and a few DIMACS files.
#
#   bench/large.sh [-P PARALLEL] [-d GRAPH_DIR] [-o OUT_DIR] [-q] [PART...]
#
# PART: limits | sigint | moves | quality (default: all). -q: the quick
# version (graphs up to 10^5, shorter limits). Needs build/prism (make) and
# gcc; writes rows to OUT_DIR/*.tsv and prints markdown tables on stdout.
set -u
P=$(nproc); DIR=${TMPDIR:-/tmp}/prism-large; OUT=bench/out/large; QUICK=0
while getopts "P:d:o:q" o; do
  case $o in
    P) P=$OPTARG ;; d) DIR=$OPTARG ;; o) OUT=$OPTARG ;; q) QUICK=1 ;;
    *) exit 1 ;;
  esac
done
shift $((OPTIND - 1))
PARTS=${*:-limits sigint moves quality}
PRISM=${PRISM:-build/prism}
BACKENDS=${BACKENDS:-cpu} # limits and sigint run on each; moves and quality on the CPU
INST=${PRISM_INSTANCES:-../shared/instances}
mkdir -p "$DIR" "$OUT" build
gcc -O2 -o build/gen_large bench/gen_large.c -lm || exit 1

# name  generator arguments
GRAPHS="g1e3d6:gnm 1000 3000
g1e3d20:gnm 1000 10000
g1e4d6:gnm 10000 30000
g1e4d20:gnm 10000 100000
g1e5d6:gnm 100000 300000
g1e5d20:gnm 100000 1000000
geo1e5:geometric 100000 10
pl1e5:powerlaw 100000 500000"
[ $QUICK = 1 ] || GRAPHS="$GRAPHS
g1e6d6:gnm 1000000 3000000
g1e6d20:gnm 1000000 10000000
geo1e6:geometric 1000000 10
pl1e6:powerlaw 1000000 5000000"
names=()
while IFS=: read -r name args; do
  names+=("$name")
  [ -s "$DIR/$name.edges" ] || echo "$args" >> "$DIR/.todo.$$"
  [ -s "$DIR/$name.edges" ] || echo "$name" >> "$DIR/.todon.$$"
done <<< "$GRAPHS"
if [ -f "$DIR/.todo.$$" ]; then
  paste -d' ' "$DIR/.todon.$$" "$DIR/.todo.$$" |
    xargs -P "$P" -L 1 sh -c 'build/gen_large $1 $2 $3 1 > '"$DIR"'/$0.edges'
  rm -f "$DIR/.todo.$$" "$DIR/.todon.$$"
fi
dimacs=(myciel5 le450_15c DSJC500.5 DSJC1000.5)
paths=()
for d in "${dimacs[@]}"; do [ -f "$INST/$d.col" ] && paths+=("$INST/$d.col"); done
for nme in "${names[@]}"; do paths+=("$DIR/$nme.edges"); done
export PRISM OUT

# --time-limit T: wall seconds from exec to exit, minus T
limits() {
  local T=$([ $QUICK = 1 ] && echo 5 || echo 10) be
  for be in $BACKENDS; do
    printf '%s\n' "${paths[@]}" | xargs -P $((P / 2 > 0 ? P / 2 : 1)) -I{} sh -c '
      s=$(date +%s.%N); $PRISM color {} --backend '"$be"' --time-limit '"$T"' -j 2 \
        > $OUT/limits.'"$be"'.$(basename {}).out 2>&1
      e=$(date +%s.%N); echo "$(basename {})	'"$be"'	$(awk "BEGIN {print $e - $s - '"$T"'}")"'
  done > "$OUT/limits.tsv"
  echo "### --time-limit $T, -j 2: seconds past the limit (wall, from exec to exit)"
  echo
  echo "| graph | backend | over (s) |"; echo "|---|---|---|"
  sort "$OUT/limits.tsv" | awk -F'\t' '{printf "| %s | %s | %.3f |\n", $1, $2, $3}'
  echo
}

# SIGINT after S seconds: wall seconds from the signal to exit, and whether
# an s line and a verified coloring came out
sigint() {
  local S=$([ $QUICK = 1 ] && echo 3 || echo 8) be
  for be in $BACKENDS; do
    printf '%s\n' "${paths[@]}" | xargs -P $((P / 2 > 0 ? P / 2 : 1)) -I{} sh -c '
      f={}; b=$(basename $f); o=$OUT/sigint.'"$be"'.$b
      $PRISM color $f --backend '"$be"' --time-limit 0 -j 2 --output $o.sol > $o.out 2>&1 &
      pid=$!
      sleep '"$S"'; s=$(date +%s.%N); kill -INT $pid; wait $pid; e=$(date +%s.%N)
      v=$($PRISM verify $f $o.sol > /dev/null 2>&1 && echo yes || echo no)
      echo "$b	'"$be"'	$(awk "BEGIN {print $e - $s}")	$(grep -c "^s " $o.out)	$v"'
  done > "$OUT/sigint.tsv"
  echo "### SIGINT after $S s, -j 2: seconds from the signal to exit"
  echo
  echo "| graph | backend | exit after (s) | s lines | coloring verifies |"
  echo "|---|---|---|---|---|"
  sort "$OUT/sigint.tsv" |
    awk -F'\t' '{printf "| %s | %s | %.3f | %s | %s |\n", $1, $2, $3, $4, $5}'
  echo
}

# moves/s of one TabuCol replica on one core at a fixed k (the best start's
# count - 1 and - 2, from random colorings: few and many conflicts), from the
# telemetry's moves and batch times
moves() {
  local T=$([ $QUICK = 1 ] && echo 8 || echo 20)
  for f in "${paths[@]}"; do
    b=$(basename "$f")
    k0=$($PRISM color "$f" --backend cpu --param batch_moves=1 --param max_batches=1 2>/dev/null |
      awk '/^c start:/ {print $4}')
    [ -n "$k0" ] || continue
    for d in 1 2; do
      [ $((k0 - d)) -ge 2 ] && echo "$f $b $((k0 - d)) $d"
    done
  done | xargs -P "$P" -L 1 sh -c '
    t=$OUT/moves.$1.$3.jsonl
    $PRISM color $0 --backend cpu -k $2 --time-limit '"$T"' -j 1 --param replicas=1 --param mode=0 \
      --telemetry $t > /dev/null 2>&1
    awk -v g=$1 -v k=$2 -F"[,:]" "{for (i = 1; i < NF; i++) {
        if (\$i ~ /\"moves\"/) m += \$(i+1); if (\$i ~ /\"batch_us\"/) us += \$(i+1);
        if (\$i ~ /\"best_conflicts\"/) c = \$(i+1) } }
      END { printf \"%s\t%s\t%.0f\t%.3f\t%s\n\", g, k, m, us / 1e6, c }" $t' \
    > "$OUT/moves.tsv"
  echo "### moves/s, one TabuCol replica on one core (-j 1, mode 0), ${T} s at a fixed k"
  echo
  echo "| graph | k | moves | engine s | moves/s | conflicts at the end |"
  echo "|---|---|---|---|---|---|"
  sort -k1,1 -k2,2n "$OUT/moves.tsv" |
    awk -F'\t' '{printf "| %s | %s | %d | %.2f | %.3g | %s |\n", $1, $2, $3, $4, ($4 > 0 ? $3 / $4 : 0), $5}'
  echo
}

# 60 s minimising (-j 2): the three greedy starts and the final count
quality() {
  local T=$([ $QUICK = 1 ] && echo 20 || echo 60)
  printf '%s\n' "${paths[@]}" | grep -v '\.col$' | xargs -P $((P / 2 > 0 ? P / 2 : 1)) -I{} sh -c '
    f={}; b=$(basename $f)
    $PRISM color $f --backend cpu --time-limit '"$T"' -j 2 > $OUT/quality.$b.out 2>&1
    awk -v g=$b "/^c DSATUR [0-9]+ colors/ {d=\$3} /^c smallest-last [0-9]+ colors/ {s=\$3}
      /^c RLF [0-9]+ colors/ {r=\$3} /^c start:/ {w=\$3} /^o / {k=\$2}
      END {printf \"%s\t%s\t%s\t%s\t%s\t%s\n\", g, d, s, r, w, k}" $OUT/quality.$b.out' \
    > "$OUT/quality.tsv"
  echo "### colors after $T s (-j 2) against the greedy starts"
  echo
  echo "| graph | DSATUR | smallest-last | RLF | start | final |"; echo "|---|---|---|---|---|---|"
  sort "$OUT/quality.tsv" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3 ? $3 : "-", $4 ? $4 : "-", $5, $6}'
  echo
}

echo "## large graphs: $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $PRISM"
echo
for part in $PARTS; do $part; done
