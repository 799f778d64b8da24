#!/usr/bin/env bash
# migration_test.sh - on a GPU machine: build with nvcc, run the elite
# migration test (peer copy against the staged path, both against the CPU
# engine move for move) and the other multi-island GPU tests, then a short
# solve per path that prints the migration counters. The tests use devices
# 0 and 1 when there are two, else device 0 twice (two engines on one GPU).
#
#   dev/cuda/migration_test.sh                 # on the GPU machine
#   EMU=1 dev/cuda/migration_test.sh           # the same in the CPU emulator
#                                              # (two devices, lagging streams)
#   SKIP_TESTS=1 ...                           # only the two solves
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${EMU:-0}" = 1 ]; then
  EMU_SAN=0 dev/cuda/emu/build.sh
  B=build-emu
  export EMU_DEVICES=2 EMU_ASYNC=20
  n=2
else
  make -j"$(nproc)" all
  B=build
  n=$(nvidia-smi -L | wc -l)
fi
[ "${SKIP_TESTS:-0}" = 1 ] || "$B"/prism_tests cuda_migration_peer_and_staged cuda_islands_over_devices \
  cuda_solve_end_to_end cuda_pipeline_groups
gpus=$([ "$n" -ge 2 ] && echo 0,1 || echo 0,0)
# a G(125, 1/2) in DIMACS form (chi about 17): at k = 12, out of reach, every
# island stays at one k, so every recombination migrates an elite around the ring
g=$(mktemp /tmp/gnp125.XXXXXX.col)
awk 'BEGIN { srand(7); n = 125; m = 0
  for (u = 1; u <= n; u++) for (v = u + 1; v <= n; v++) if (rand() < 0.5) e[++m] = u " " v
  print "p edge", n, m; for (i = 1; i <= m; i++) print "e", e[i] }' > "$g"
for peer in 1 0; do
  "$B"/prism color "$g" -k 12 --backend cuda --gpus "$gpus" --seed 1 --time-limit 0 \
    -p islands=4 -p replicas=8 -p elite_cycle=1 -p max_batches=24 -p batch_moves=500 \
    -p gpu_peer_copy=$peer 2>&1 | grep -E "^c (engine:|gpu elite migration)"
done
rm -f "$g"
