#!/usr/bin/env bash
# config_ttt.sh - time to target of GPU configurations (replicas:islands) on
# one instance, GPU only: which configuration the ttt stage should use.
#   bench/gpu/config_ttt.sh GRAPH K "R:I ..." "SEEDS" LIMIT
set -u
cd "$(dirname "$0")/../.."
INST=${PRISM_INSTANCES:-bench/gpu/instances}
OUT=${OUT:-bench/gpu/out}
g=$1 k=$2
echo "config ttt: $g -k $k, limit $5 s (GPU)"
for c in $3; do
  IFS=: read -r r i <<<"$c"
  for s in $4; do
    log="$OUT/cfg_${g}_r${r}_i${i}_s$s.log"
    ./build/prism color "$INST/$g.col" -k "$k" -s "$s" -t "$5" -j "$(nproc)" --backend cuda \
      --param replicas="$r" --param islands="$i" ${CFG_PARAMS:-} >"$log" 2>&1
    at=$(grep -E "^c $k colors after" "$log" | sed 's/.*after \([0-9.]*\) s/\1/')
    best=$(grep -E '^o ' "$log" | tail -1 | cut -d' ' -f2)
    echo "  R=$r islands=$i seed $s: ${at:-not reached} (best $best) $(grep -o 'kernels [0-9.]*%' "$log")"
  done
done
