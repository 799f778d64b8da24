#!/usr/bin/env bash
# run.sh - the GPU benchmark, one command on a machine with an NVIDIA GPU.
#
#   bench/gpu/run.sh [STAGES]      STAGES: any of build tests sanitize micro pipeline ttt
#                                  (default: all of them, in that order)
#
# build     make -j16 CUDA_ARCH=sm_90, and build/tabu_bench (dev/cuda)
# tests     prism_tests -l gpu (the GPU tests; the rest run in CI)
# sanitize  compute-sanitizer memcheck and racecheck on the small GPU tests
# micro     dev/cuda/tabu_bench: every kernel variant checked against the CPU
#           reference, then moves/s per replica and in total, GPU (kernel
#           time) vs the CPU engine on all cores, on DSJC250.5 / 500.5 / 1000.5
# pipeline  solves with the pipeline's timeline (--trace): GPU busy fraction,
#           config and telemetry latencies, islands / pipeline on and off,
#           and the throughput with a controller publishing every batch
# ttt       time to target with `prism color -k K`, --backend cuda vs
#           --backend cpu -j NPROC, several seeds
#
# Instances come from $PRISM_INSTANCES (default bench/gpu/instances, else
# ../shared/instances). Logs go to $OUT (default bench/gpu/out); the last
# lines printed are a summary. Environment knobs: TTT_SEEDS (default "1 2 3"),
# TTT_LIMIT (seconds per run, default 60), GPU_R (GPU replicas, default 132),
# CPU_R (CPU replicas, default nproc), TTT_SET (instance:k list), GPU_PARAMS
# (extra --param options for the GPU runs, e.g. "--param islands=2"),
# TTT_BACKENDS (default "cuda cpu"), RCURVE_R (replica counts of the rcurve
# stage, default "1 16 66 132 264 528"), RCURVE_SET (instance:k, default
# DSJC500.5:48), RCURVE_PARAMS (extra --param options of the rcurve runs,
# e.g. "--param cell_size=2").
#
# rcurve    time to target against the GPU replica count (cuda only; 2
#           islands, or more of at most 132 replicas each, 1 for R = 1; seeds
#           and limit as in ttt)
# wide      one GPU run each on the wider targets (WIDE_SET, INSTANCE:K:LIMIT;
#           default flat300_28_0, le450_25c, wap01a, DSJC1000.9, G(2000, 0.5)),
#           descending to K (WIDE_DESCEND=0: at K only): best k and when
#           (bench/gpu/results/2026-12-01_h200_long_targets.txt ran these
#           by hand, one device call each)
# records   the record attempts (RECORD_SET, INSTANCE:K:LIMIT; default
#           DSJC500.5:47 and DSJC1000.5:82, 555 s each) at K, with a
#           checkpoint under $OUT; RECORD_RESUME=DIR continues from the
#           checkpoints of an earlier call; prints the fewest conflicting
#           edges at K and when
# lsweep    time to target against the lineages per cell (LSWEEP_L, default
#           "3 5 7 9 12") on LSWEEP_SET (INSTANCE:K:LIMIT; generated graphs
#           gnpN_sS = bench/gen_graph.py gnp N 0.5 S are made under $OUT),
#           seeds LSWEEP_SEEDS (default "6 7 8 9 10": not the seeds that
#           chose the default); prints each run and a median table;
#           LSWEEP_BACKEND=cpu runs the CPU engine instead (CPU_R replicas)
# multigpu  prism devices (peer matrix), moves/s on DSJC1000.5 k = 83 with
#           --gpus 0 vs all (2 and 4 islands of 132), and DSJC500.5 -> 48
#           with --gpus 0 vs all (seeds as in ttt)
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench/gpu/out}
mkdir -p "$OUT"
STAGES=${*:-build tests sanitize micro pipeline ttt}
INST=${PRISM_INSTANCES:-bench/gpu/instances}
[ -d "$INST" ] || INST=../shared/instances
NPROC=$(nproc)
GPU_R=${GPU_R:-132}
CPU_R=${CPU_R:-$NPROC}
TTT_SEEDS=${TTT_SEEDS:-1 2 3}
TTT_LIMIT=${TTT_LIMIT:-60}
TTT_SET=${TTT_SET:-DSJC250.5:28 DSJC500.5:48 DSJC1000.5:83 flat300_28_0:28 le450_25c:25}
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
has() { case " $STAGES " in *" $1 "*) return 0 ;; esac; return 1; }

say "# prism GPU benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
if command -v nvidia-smi >/dev/null; then
  say "# $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader)"
fi
say "# host: $NPROC cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
command -v nvcc >/dev/null && say "# $(nvcc --version | tail -2 | head -1)"

# PRISM_BIN: a folder of binaries built elsewhere (prism, prism_tests,
# tabu_bench, tabu_bench_prof, and libcudart if the machine lacks it), used
# instead of building here when they run.
if [ -n "${PRISM_BIN:-}" ] && [ -x "$PRISM_BIN/prism_tests" ]; then
  mkdir -p build
  cp "$PRISM_BIN"/prism "$PRISM_BIN"/prism_tests "$PRISM_BIN"/tabu_bench* build/
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$(cd "$PRISM_BIN" && pwd)"
  if ./build/prism_tests --list >/dev/null 2>&1; then
    say "build: prebuilt binaries from $PRISM_BIN"
    STAGES=${STAGES/build/}
  fi
fi

if has build; then
  make -j16 CUDA_ARCH=sm_90 >"$OUT/build.log" 2>&1 || { say "BUILD FAILED"; tail -30 "$OUT/build.log"; exit 1; }
  nvcc -O3 -arch=sm_90 -Isrc -std=c++17 dev/cuda/tabu_bench.cu build/libprism.a \
    -o build/tabu_bench -lpthread >>"$OUT/build.log" 2>&1 || { say "tabu_bench BUILD FAILED"; tail -30 "$OUT/build.log"; exit 1; }
  nvcc -O3 -arch=sm_90 -Isrc -std=c++17 -lineinfo -DPRISM_CUDA_PROFILE dev/cuda/tabu_bench.cu \
    src/cuda/engine_gpu.cu src/cuda/device.cu build/libprism.a -o build/tabu_bench_prof -lpthread \
    >>"$OUT/build.log" 2>&1 || say "tabu_bench_prof build failed"
  grep -i warning "$OUT/build.log" | head -5
  say "build: ok"
fi

if has tests; then
  ./build/prism_tests -l gpu >"$OUT/tests_gpu.log" 2>&1
  say "gpu tests: $(tail -1 "$OUT/tests_gpu.log")"
  grep -E '^(FAIL|SKIP)' "$OUT/tests_gpu.log" | head -20
fi

if has sanitize; then
  for tool in memcheck racecheck; do
    if [ $tool = memcheck ]; then what=cuda_small; else what=cuda_small_tiny; fi
    timeout ${SAN_TIMEOUT:-150} compute-sanitizer --tool $tool --error-exitcode 3 ./build/prism_tests $what \
      >"$OUT/sanitize_$tool.log" 2>&1
    rc=$?
    say "compute-sanitizer $tool: rc $rc; $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$OUT/sanitize_$tool.log" | tail -1); tests: $(grep -E 'passed' "$OUT/sanitize_$tool.log" | tail -1)"
  done
  # the pipelined solve (two islands, streams, host callbacks, k changes)
  timeout ${SAN_TIMEOUT:-150} compute-sanitizer --tool memcheck --error-exitcode 3 ./build/prism color \
    "$INST/DSJC125.5.col" --backend cuda --param replicas=6 --param islands=2 \
    --param batch_moves=2000 --param max_batches=30 -t 0 >"$OUT/sanitize_pipeline.log" 2>&1
  say "compute-sanitizer memcheck, pipelined solve: rc $?; $(grep -E 'ERROR SUMMARY' "$OUT/sanitize_pipeline.log" | tail -1); $(grep -E '^s ' "$OUT/sanitize_pipeline.log")"
fi

if has micro; then
  for spec in DSJC500.5:48 DSJC250.5:28 DSJC1000.5:83; do
    g=${spec%%:*}
    k=${spec##*:}
    [ -f "$INST/$g.col" ] || { say "micro $g: no instance"; continue; }
    ./build/tabu_bench -g "$INST/$g.col" -k "$k" -R "${MICRO_R:-132,264,528}" -Rc "${MICRO_RC:-132}" \
      -j "$NPROC" -v "${MICRO_VARIANTS:-all:128,all:256,all:512,G:128,G:256,none:256}" \
      >"$OUT/micro_$g.log" 2>&1
    say "micro $g k=$k (rc $?):"
    grep -E '^(#|  check|  [a-zA-Z]+ +[0-9]|  smem|## CPU|.*FAIL)' "$OUT/micro_$g.log" | tee -a "$SUMMARY"
    if [ -x build/tabu_bench_prof ]; then
      for v in ${PROF_VARIANTS:-all:256}; do
        ./build/tabu_bench_prof -g "$INST/$g.col" -k "$k" -R 132 -c 0 -C 0 -w 2 -b 2 -v "$v" \
          >>"$OUT/prof_$g.log" 2>&1
        say "  profile $v: $(grep 'cuda profile' "$OUT/prof_$g.log" | tail -1)"
      done
    fi
  done
fi

if has pipeline; then
  # DSJC500.5 at k = 47 (not reached): every batch runs its full length
  PG=${PIPE_GRAPH:-DSJC500.5}
  PK=${PIPE_K:-47}
  PB=${PIPE_BATCHES:-80}
  say "pipeline: $PG -k $PK, $PB batches, seed 1 (moves/s = moves / wall time of the search)"
  say "replicas islands pipeline controller | batches  busy%  gap_ms  cfg->dev_ms  cfg->kernel_ms  tel_ms | moves/s"
  for spec in ${PIPE_SET:-132:1:1:none 264:2:1:none 264:2:0:none 528:4:1:none 264:2:1:fluxnet 264:2:1:random}; do
    IFS=: read -r r i pp ctl <<<"$spec"
    tag="r${r}_i${i}_p${pp}_${ctl}"
    ./build/prism color "$INST/$PG.col" -k "$PK" -s 1 -t 0 -j "$NPROC" --backend cuda --param replicas="$r" \
      --param islands="$i" --param gpu_pipeline="$pp" --param max_batches="$PB" --controller "$ctl" \
      --trace "$OUT/trace_$tag.json" >"$OUT/pipe_$tag.log" 2>&1
    line=$(grep 'gpu pipeline' "$OUT/pipe_$tag.log")
    mv=$(grep -E '^c [0-9]+ moves in' "$OUT/pipe_$tag.log" | awk '{printf "%.3g", $2 / $(NF-1)}')
    stats=$(echo "$line" | python3 -c "
import re, sys
l = sys.stdin.read()
f = lambda p: (re.search(p, l) or [None, '?'])[1]
print(f(r'(\d+) batches'), f(r'kernels ([0-9.]+)%'), f(r'kernels ([0-9.]+) ms mean') if False else f(r'gap between kernels ([0-9.]+)'),
      f(r'on device ([0-9.]+)'), f(r'kernel start ([0-9.]+)'), f(r'host ([0-9.]+) ms'))")
    say "$(printf '%8s %7s %8s %10s | %s | %s' "$r" "$i" "$pp" "$ctl" "$stats" "$mv")"
  done
  ls "$OUT"/trace_*.json >/dev/null 2>&1 && say "traces: $(ls "$OUT"/trace_*.json | wc -l) files (chrome://tracing)"
fi

# the .col file of an instance name: $INST/NAME.col, else a generated
# G(n, 0.5) made under $OUT for gnpN_sS (bench/gen_graph.py gnp N 0.5 S) and
# gnp2000 (seed 1)
inst_file() {
  local g=$1 n s
  if [ -f "$INST/$g.col" ]; then echo "$INST/$g.col"; return; fi
  case $g in
    gnp2000) n=2000; s=1 ;;
    gnp*_s*) n=${g#gnp}; n=${n%%_s*}; s=${g##*_s} ;;
    *) echo "$INST/$g.col"; return ;;
  esac
  [ -f "$OUT/$g.col" ] || python3 bench/gen_graph.py gnp "$n" 0.5 "$s" >"$OUT/$g.col"
  echo "$OUT/$g.col"
}

# when LOG first printed a K-coloring (seconds; empty if never)
k_at() { # log k
  grep -E "^c $2 colors after" "$1" | head -1 | sed 's/.*after \([0-9.]*\) s/\1/'
}

# "SECONDS REACHED": the time to K if the run found it (exit 10), else its
# wall time with DIGITS decimals
ttt_result() { # rc at t0 t1 digits
  if [ "$1" = 10 ] && [ -n "$2" ]; then echo "$2 1"; else awk "BEGIN{printf \"%.$5f 0\", $4 - $3}"; fi
}

# one run: prints "SECONDS FOUND BESTK" (SECONDS to the target, or the limit)
ttt_one() { # backend graph k seed replicas threads
  local log="$OUT/ttt_$1_$2_$4.log" t0 t1 rc
  t0=$(date +%s.%N)
  ./build/prism color "$INST/$2.col" -k "$3" -s "$4" -t "$TTT_LIMIT" --backend "$1" \
    -j "$6" --param replicas="$5" ${TTT_PARAMS:-} $([ "$1" = cuda ] && echo "${GPU_PARAMS:-}") --telemetry "$OUT/tel_$1_$2_$4.jsonl" >"$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local best
  best=$(grep -E '^o ' "$log" | tail -1 | cut -d' ' -f2)
  echo "$(ttt_result "$rc" "$(k_at "$log" "$3")" "$t0" "$t1" 2) ${best:-?}"
}

if has ttt; then
  say "time to target (limit ${TTT_LIMIT}s; GPU: cuda, ${GPU_R} replicas; CPU: -j $NPROC, ${CPU_R} replicas; params: ${TTT_PARAMS:-defaults})"
  say "instance      k  backend  seed  seconds  reached  best_k  batches  host_ms/batch  kernel_ms/batch"
  for spec in $TTT_SET; do
    g=${spec%%:*}
    k=${spec##*:}
    [ -f "$INST/$g.col" ] || { say "ttt $g: no instance"; continue; }
    for seed in $TTT_SEEDS; do
      for be in ${TTT_BACKENDS:-cuda cpu}; do
        # the GPU engine uses the host threads for recombination
        if [ $be = cuda ]; then r=$GPU_R; j=$NPROC; else r=$CPU_R; j=$NPROC; fi
        res=$(ttt_one $be "$g" "$k" "$seed" "$r" "$j")
        tel="$OUT/tel_${be}_${g}_${seed}.jsonl"
        # per batch: wall time minus the run_batch time = host-side engine work
        st=$(python3 - "$tel" <<'EOF'
import json, os, sys
if not os.path.exists(sys.argv[1]):
    print("0 - -"); sys.exit()
rows = [r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if "record" not in r]
if len(rows) < 2:
    print("%d - -" % len(rows)); sys.exit()
wall = (rows[-1]["elapsed_s"] - rows[0]["elapsed_s"]) * 1e3 / (len(rows) - 1)
kern = sum(r["batch_us"] for r in rows[1:]) / 1e3 / (len(rows) - 1)
print("%d %.1f %.1f" % (len(rows), wall - kern, kern))
EOF
)
        set -- $res $st
        say "$(printf '%-12s %3s  %-7s  %4s  %7s  %7s  %6s  %7s  %13s  %15s' "$g" "$k" "$be" "$seed" "${1:-?}" "${2:-?}" "${3:-?}" "${4:-?}" "${5:-?}" "${6:-?}")"
      done
    done
  done
fi
if has rcurve; then
  say "time to target vs GPU replicas (limit ${TTT_LIMIT}s, seeds: $TTT_SEEDS; islands = max(2, ceil(R / 132)), 1 for R = 1; params: ${RCURVE_PARAMS:-defaults})"
  say "instance      k  replicas  islands  seed  seconds  reached  best_k"
  for spec in ${RCURVE_SET:-DSJC500.5:48}; do
    g=${spec%%:*}
    k=${spec##*:}
    [ -f "$INST/$g.col" ] || { say "rcurve $g: no instance"; continue; }
    for r in ${RCURVE_R:-1 16 66 132 264 528}; do
      isl=$(( (r + 131) / 132 )); [ "$isl" -lt 2 ] && [ "$r" -ge 2 ] && isl=2
      for seed in $TTT_SEEDS; do
        res=$(GPU_PARAMS="--param islands=$isl ${RCURVE_PARAMS:-}" ttt_one cuda "$g" "$k" "$seed" "$r" "$NPROC")
        set -- $res
        say "$(printf '%-12s %3s  %8s  %7s  %4s  %7s  %7s  %6s' "$g" "$k" "$r" "$isl" "$seed" "$1" "$2" "$3")"
      done
    done
  done
fi
if has wide; then
  # the issue's wider targets, one run each: INSTANCE:K:LIMIT (gnp2000 is a
  # G(2000, 0.5) from bench/gen_graph.py, seed 1). The search descends from
  # the start coloring one class at a time down to K (k_schedule 1;
  # WIDE_DESCEND=0 searches at K only), so best_k and its time say how far
  # it got; "last steps" are the last five k reached, k@seconds.
  kdesc=$([ "${WIDE_DESCEND:-1}" = 1 ] && echo "--param k_schedule=1")
  say "wider targets (GPU, auto configuration, seed ${WIDE_SEED:-1}, ${kdesc:-at K only})"
  say "instance        k  limit  seconds  reached  best_k  best_at  last steps"
  for spec in ${WIDE_SET:-flat300_28_0:28:60 le450_25c:25:60 wap01a:41:600 DSJC1000.9:222:600 gnp2000:148:600}; do
    IFS=: read -r g k lim <<<"$spec"
    f=$(inst_file "$g")
    [ -f "$f" ] || { say "wide $g: no instance"; continue; }
    log="$OUT/wide_$g.log"
    t0=$(date +%s.%N)
    ./build/prism color "$f" -k "$k" -s "${WIDE_SEED:-1}" -t "$lim" --backend cuda -j "$NPROC" $kdesc ${GPU_PARAMS:-} >"$log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    best=$(grep -E '^o ' "$log" | tail -1 | cut -d' ' -f2)
    bat=$(k_at "$log" "${best:-x}")
    steps=$(grep -E '^c [0-9]+ colors after' "$log" | tail -5 | awk '{printf "%s%s@%.1f", (NR > 1 ? " " : ""), $2, $5}')
    read -r sec ok <<<"$(ttt_result "$rc" "$(k_at "$log" "$k")" "$t0" "$t1" 1)"
    say "$(printf '%-14s %4s  %5s  %7s  %7s  %6s  %7s  %s' "$g" "$k" "$lim" "$sec" "$ok" "${best:-?}" "${bat:--}" "$steps")"
  done
fi
if has records; then
  # the record attempts: INSTANCE:K:LIMIT at K from random colorings (the
  # defaults), status lines in the log, a checkpoint every 60 s and at the
  # end ($OUT/record_G_K.ckpt). RECORD_RESUME=DIR continues from
  # DIR/record_G_K.ckpt (a device call is at most 10 minutes: two calls make
  # a 20-minute attempt). Prints the fewest conflicting edges any status
  # line showed at K, and when.
  say "record attempts (GPU, auto configuration, seed ${RECORD_SEED:-1}${RECORD_RESUME:+, resumed from $RECORD_RESUME})"
  say "instance        k  limit  seconds  reached  least_conflicts  at_s"
  for spec in ${RECORD_SET:-DSJC500.5:47:555 DSJC1000.5:82:555}; do
    IFS=: read -r g k lim <<<"$spec"
    f=$(inst_file "$g")
    [ -f "$f" ] || { say "records $g: no instance"; continue; }
    log="$OUT/record_${g}_$k.log"
    res=()
    [ -n "${RECORD_RESUME:-}" ] && res=(--resume "$RECORD_RESUME/record_${g}_$k.ckpt")
    t0=$(date +%s.%N)
    ./build/prism color "$f" -k "$k" -s "${RECORD_SEED:-1}" -t "$lim" --backend cuda -j "$NPROC" --status \
      --checkpoint "$OUT/record_${g}_$k.ckpt" "${res[@]}" ${GPU_PARAMS:-} >"$log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    read -r sec ok <<<"$(ttt_result "$rc" "$(k_at "$log" "$k")" "$t0" "$t1" 1)"
    least=$(grep -E "^c +[0-9]+\.[0-9]+ +[0-9]+ +$k " "$log" |
      awk '{ if (min == "" || $6 < min) { min = $6; at = $2 } } END { print (min == "" ? "- -" : min " " at) }')
    set -- $least
    say "$(printf '%-14s %4s  %5s  %7s  %7s  %15s  %s' "$g" "$k" "$lim" "$sec" "$ok" "$1" "$2")"
  done
fi
if has lsweep; then
  say "time to target vs lineages per cell (${LSWEEP_BACKEND:-cuda}; GPU: auto replicas and islands; seeds ${LSWEEP_SEEDS:-6 7 8 9 10}; ${GPU_PARAMS:-})"
  say "instance        k  lineages  seed  seconds  reached  best_k"
  lsum="$OUT/lsweep.tsv"
  : >"$lsum"
  for spec in ${LSWEEP_SET:-gnp500_s11:49:10 DSJC500.5:48:15 gnp1000_s7:85:60 DSJC1000.5:83:60}; do
    IFS=: read -r g k lim <<<"$spec"
    gi=$(dirname "$(inst_file "$g")")
    [ -f "$gi/$g.col" ] || { say "lsweep $g: no instance"; continue; }
    for L in ${LSWEEP_L:-3 5 7 9 12}; do
      for seed in ${LSWEEP_SEEDS:-6 7 8 9 10}; do
        res=$(INST=$gi TTT_LIMIT=$lim TTT_PARAMS="--param lineages=$L ${TTT_PARAMS:-}" ttt_one "${LSWEEP_BACKEND:-cuda}" "$g" "$k" "$seed" "$([ "${LSWEEP_BACKEND:-cuda}" = cuda ] && echo "$GPU_R" || echo "$CPU_R")" "$NPROC")
        set -- $res
        say "$(printf '%-14s %4s  %8s  %4s  %7s  %7s  %6s' "$g" "$k" "$L" "$seed" "$1" "$2" "$3")"
        printf '%s\t%s\t%s\t%s\t%s\n' "$g" "$k" "$L" "$1" "$2" >>"$lsum"
      done
    done
  done
  say "median seconds (a run that missed counts as its limit, shown with >), runs reached / runs:"
  python3 - "$lsum" <<'PYEOF' | tee -a "$SUMMARY"
import sys, collections
runs = collections.OrderedDict()
for line in open(sys.argv[1]):
    g, k, L, sec, ok = line.split()
    runs.setdefault((g, k), collections.OrderedDict()).setdefault(L, []).append((float(sec), ok == "1"))
for (g, k), byL in runs.items():
    cells = []
    for L, rs in byL.items():
        rs.sort()
        med = rs[len(rs) // 2]
        cells.append("L%s %s%.2f (%d/%d)" % (L, "" if med[1] else ">", med[0], sum(r[1] for r in rs), len(rs)))
    print("%-14s %4s  %s" % (g, k, "  ".join(cells)))
PYEOF
fi
if has multigpu; then
  ./build/prism devices 2>&1 | tee -a "$SUMMARY"
  say "moves/s, DSJC1000.5 -k 83 -s 1 (never reached: a fixed-time run), -t 12"
  for isl in 2 4; do
    for G in 0 all; do
      ./build/prism color "$INST/DSJC1000.5.col" -k 83 -s 1 -t 12 --backend cuda --gpus $G \
        --param replicas=$((132 * isl)) --param islands=$isl >"$OUT/multi_${isl}_$G.log" 2>&1
      mv=$(grep -E '^c [0-9]+ moves in' "$OUT/multi_${isl}_$G.log" | awk '{printf "%.3g", $2 / $(NF-1)}')
      say "islands $isl, --gpus $G: $mv moves/s; $(grep -o 'kernels [0-9.]*% of [0-9.]* s' "$OUT/multi_${isl}_$G.log")"
    done
  done
  say "time to target DSJC500.5 -> 48, 264 replicas in 2 islands (limit ${TTT_LIMIT}s)"
  for seed in $TTT_SEEDS; do
    for G in 0 all; do
      ./build/prism color "$INST/DSJC500.5.col" -k 48 -s "$seed" -t "$TTT_LIMIT" --backend cuda \
        --gpus $G --param replicas=264 --param islands=2 >"$OUT/multi_ttt_${seed}_$G.log" 2>&1
      say "seed $seed, --gpus $G: $(grep -E '^c 48 colors after' "$OUT/multi_ttt_${seed}_$G.log" | sed 's/^c 48 colors after //') $(grep -E '^s ' "$OUT/multi_ttt_${seed}_$G.log")"
    done
  done
fi
say "done $(date -u '+%H:%M:%S')"
