#!/usr/bin/env bash
# bench/mpi/run.sh - prism under mpirun on the CPU engine (docs/mpi.md):
#  1. 1, 2 and 4 ranks each give a verified coloring (minimising, -t TL);
#  2. time to target at equal total cores: 1 process x 2 threads (default
#     islands, and --param islands=2) against mpirun -np 2 x 1 thread.
# The time to target is read from rank 0's 'c K colors after S s' line (from
# the start of the solve, mpirun's start-up excluded); wall is the whole
# command; moves (summed over the ranks) measure the work, which does not
# depend on the machine's load. Every coloring is checked with prism verify on its --output file.
# Writes bench/results/mpi_DATE.md (override with OUT=FILE).
#
#   bench/mpi/run.sh [SEEDS] [SPEC...]     SPEC = instance:k (default
#                                          le450_15c:15 DSJC250.5:28)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
INST=${PRISM_INSTANCES:-$ROOT/../shared/instances}
SEEDS=${1:-3}; shift || true
SPECS=("$@"); [ ${#SPECS[@]} -gt 0 ] || SPECS=(le450_15c:15 DSJC250.5:28)
TL=${TL:-60}
OUT=${OUT:-$ROOT/bench/results/mpi_$(date -u +%Y-%m-%d).md}
MR="mpirun --oversubscribe --allow-run-as-root"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

# run TAG COMMAND... : prints "wall_s rc"
timed() {
  local t0 t1 rc
  t0=$(date +%s.%N); "$@" >"$T/out" 2>"$T/err"; rc=$?; t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}') $rc"
}
verify() { "$PRISM" verify "$1" "$2" 2>&1 | head -1; }

{
echo "# prism under mpirun (CPU engine), $(date -u +%Y-%m-%d)"
echo
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average at start $(cut -d' ' -f1-3 /proc/loadavg) (shared)"
echo "- Open MPI $(mpirun --version 2>/dev/null | head -1 | awk '{print $NF}'), prism $(git -C "$ROOT" rev-parse --short HEAD)"
echo "- command: \`bench/mpi/run.sh $SEEDS ${SPECS[*]}\` (\`$MR\`)"
echo
echo "## 1, 2 and 4 ranks: verified colorings (DSJC125.5, minimising, -t 5, seed 1)"
echo
echo "| ranks | colors | verify | wall s |"
echo "|---|---|---|---|"
for np in 1 2 4; do
  read -r wall rc < <(timed $MR -np $np "$PRISM" color "$INST/DSJC125.5.col" -t 5 -q -o "$T/sol")
  echo "| $np | $(awk '/^s col/{print $3}' "$T/sol") | $(verify "$INST/DSJC125.5.col" "$T/sol") | $wall |"
done
echo
echo "## Time to target at equal total cores (2)"
echo
echo "| instance | k | configuration | seed | reached | solve s | wall s | moves (all ranks) | verify |"
echo "|---|---|---|---|---|---|---|---|---|"
for spec in "${SPECS[@]}"; do
  name=${spec%%:*}; k=${spec##*:}; g="$INST/$name.col"
  for s in $(seq 1 "$SEEDS"); do
    for cfg in "1 x 2 threads" "1 x 2 threads, islands=2" "mpirun -np 2 x 1 thread"; do
      case $cfg in
        "1 x 2 threads") cmd=("$PRISM" color "$g" -k "$k" -t "$TL" -s "$s" -j 2 -o "$T/sol") ;;
        "1 x 2 threads, islands=2") cmd=("$PRISM" color "$g" -k "$k" -t "$TL" -s "$s" -j 2 --param islands=2 -o "$T/sol") ;;
        *) cmd=($MR -np 2 "$PRISM" color "$g" -k "$k" -t "$TL" -s "$s" -j 1 -o "$T/sol") ;;
      esac
      rm -f "$T/sol"
      read -r wall rc < <(timed "${cmd[@]}")
      solve=$(awk -v k="$k" '$1=="c" && $3=="colors" && $4=="after" && $2<=k {print $5; exit}' "$T/out")
      v=$([ -f "$T/sol" ] && verify "$g" "$T/sol" || echo "-")
      moves=$(awk '$1=="c" && $3=="moves" && $4=="in" {print $2}' "$T/out")
      echo "| $name | $k | $cfg | $s | $([ "$rc" = 10 ] && echo yes || echo "no (exit $rc)") | ${solve:--} | $wall | ${moves:--} | $v |"
    done
  done
done
} | tee "$OUT"
