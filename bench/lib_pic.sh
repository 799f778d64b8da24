#!/usr/bin/env bash
# lib_pic.sh [GRAPH] [BATCHES] [ROUNDS] - the same fixed-work CPU solve
# through build/libprism.a (non-PIC objects) and build/libprism.so (-fPIC,
# hidden symbols), alternating; prints the seconds of each run.
set -eu
cd "$(dirname "$0")/.."
graph=${1:-bench/out/g400.col}
batches=${2:-300}
rounds=${3:-5}
out=bench/out
mkdir -p $out
if [ ! -f "$graph" ]; then # G(400, 1/2), fixed seed
  awk 'BEGIN { srand(1); n = 400; m = 0
    for (u = 1; u <= n; u++) for (v = u + 1; v <= n; v++) if (rand() < 0.5) e[m++] = u " " v
    print "p edge", n, m; for (i = 0; i < m; i++) print "e", e[i] }' > "$graph"
fi
cc -O2 -Iinclude bench/lib_pic.c build/libprism.a\
  -lm -pthread $( [ -n "$(readelf -d build/libprism.so | grep cudart)" ] && echo "-L${CUDA_HOME:-/usr/local/cuda}/lib64 -lcudart -lstdc++ -Wl,-rpath,${CUDA_HOME:-/usr/local/cuda}/lib64") \
  -o $out/lib_pic_static
cc -O2 -Iinclude bench/lib_pic.c -Lbuild -lprism -Wl,-rpath,"$PWD/build" -o $out/lib_pic_shared
for r in $(seq "$rounds"); do
  for kind in static shared; do
    echo "$kind $(./$out/lib_pic_$kind "$graph" "$batches" "$r")"
  done
done | awk '{ s[$1] += $2; n[$1]++; print } END { for (k in s) printf "%s mean %.3f s\n", k, s[k] / n[k] }'
