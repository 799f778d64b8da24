#!/usr/bin/env bash
# build.sh - build prism and its tests against the CPU emulator of the CUDA
# runtime (cuda_emu.h): the kernels of src/cuda compiled by g++ as C++, run
# as fibers, with AddressSanitizer and UBSan. No GPU or nvcc needed.
#
#   dev/cuda/emu/build.sh            -> build-emu/prism_tests, build-emu/prism
#   build-emu/prism_tests -l gpu     the GPU tests, emulated (slow: small T)
#
# Set EMU_SAN=0 for a faster build without sanitizers.
set -euo pipefail
cd "$(dirname "$0")/../../.."
B=${EMU_BUILD:-build-emu}
mkdir -p "$B"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer"
[ "${EMU_SAN:-1}" = 0 ] && SAN=""
OPT="-O1 -g $SAN"
CF="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter -Isrc -Iinclude -DPRISM_HAVE_CUDA=1 $OPT -pthread"
XF="-std=c++17 -Wall -Wextra -Wno-unused-parameter -Wno-unknown-pragmas -Isrc -Idev/cuda -DPRISM_EMU -DPRISM_HAVE_CUDA=1 $OPT -pthread"
objs=()
pids=()
for f in $(ls src/*/*.c tests/*.c | grep -v -e src/cli/main.c -e src/cuda/cuda_absent.c -e src/mpi/mpi_run.c); do
  o="$B/$(echo "${f%.c}" | tr / _).o"
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find src tests -name '*.h' -newer "$o" | head -1)" ]; then
    gcc $CF -c -o "$o" "$f" &
    pids+=($!)
  fi
  objs+=("$o")
done
for f in src/cuda/*.cu dev/cuda/emu/cuda_emu.cc; do
  o="$B/$(echo "${f%.*}" | tr / _).o"
  g++ $XF -x c++ -c -o "$o" "$f" &
  pids+=($!)
  objs+=("$o")
done
for p in "${pids[@]}"; do wait "$p"; done
lib=()
tst=()
for o in "${objs[@]}"; do
  case "$o" in
    "$B"/tests_*) tst+=("$o") ;;
    *) lib+=("$o") ;;
  esac
done
g++ $OPT -o "$B/prism_tests" "${tst[@]}" "${lib[@]}" -lm -pthread
gcc $CF -c -o "$B/src_cli_main.o" src/cli/main.c
g++ $OPT -o "$B/prism" "$B/src_cli_main.o" "${lib[@]}" -lm -pthread
g++ $XF -x c++ -c -o "$B/tabu_bench.o" dev/cuda/tabu_bench.cu
g++ $OPT -o "$B/tabu_bench" "$B/tabu_bench.o" "${lib[@]}" -lm -pthread
echo "built $B/prism_tests, $B/prism and $B/tabu_bench (CUDA emulated on the CPU)"
