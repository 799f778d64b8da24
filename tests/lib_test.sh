#!/usr/bin/env bash
# lib_test.sh BUILD [SANITIZER_FLAGS] - the installed library as a user sees
# it: make install PREFIX=<tmp>, every examples/*.c built with pkg-config
# against the shared and the static library, run on examples/myciel5.col,
# each coloring it prints checked by the installed `prism verify`.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
san=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "lib_test: FAIL: $*"; fails=$((fails + 1)); }

sanitizer=0
[ "$build" = build-san ] && sanitizer=1
if ! make -s install PREFIX="$tmp/inst" BUILD="$build" SANITIZER=$sanitizer > "$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "lib_test: FAIL: make install PREFIX=$tmp/inst"
  exit 1
fi
for f in bin/prism include/prism.h lib/libprism.a lib/libprism.so lib/libprism.so.0 \
         lib/libprism.so.0.1.0 lib/pkgconfig/prism.pc; do
  [ -e "$tmp/inst/$f" ] || fail "make install did not install $f"
done
soname=$(readelf -d "$tmp/inst/lib/libprism.so.0.1.0" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libprism.so.0 ] || fail "soname is '$soname', not libprism.so.0"

export PKG_CONFIG_PATH="$tmp/inst/lib/pkgconfig"
graph=examples/myciel5.col
cflags="-std=c11 -Wall -Wextra -Werror $san"
# check NAME OUTPUT: exit status 0 was checked; 'k 6' and the 'v' line verified
check() {
  local name=$1 out=$2
  grep -q '^k 6\b' "$out" || fail "$name: no 'k 6' line"
  grep -q 'NOT PROPER' "$out" && fail "$name: reports an improper coloring"
  grep '^v ' "$out" > "$tmp/v.txt"
  [ "$(wc -l < "$tmp/v.txt")" = 1 ] || fail "$name: expected one 'v' line"
  "$tmp/inst/bin/prism" verify "$graph" "$tmp/v.txt" > "$tmp/verify.txt" 2>&1 ||
    fail "$name: prism verify: $(cat "$tmp/verify.txt")"
  grep -q 'with 6 colors' "$tmp/verify.txt" || fail "$name: $(cat "$tmp/verify.txt")"
  case $name in
    color_arrays*)
      # every improvement proper, progress callback stopped it at batch 300
      grep -q '^o 6 colors at .*: proper$' "$out" || fail "$name: no improvement line"
      grep '^o ' "$out" | grep -qv ': proper$' && fail "$name: an improvement is not proper"
      grep -q '^c batch 300:' "$out" || fail "$name: no progress line for batch 300"
      grep -q '^c batch 400:' "$out" && fail "$name: did not stop at batch 300"
      ;;
  esac
}

n=0
for src in examples/*.c; do
  name=$(basename "$src" .c)
  args=$graph
  [ "$name" = color_file ] && args="$graph 1"
  # shared library
  if cc $cflags "$src" $(pkg-config --cflags --libs prism) -o "$tmp/$name" 2> "$tmp/cc.log"; then
    LD_LIBRARY_PATH="$tmp/inst/lib" "$tmp/$name" $args > "$tmp/out.txt" 2>&1 ||
      fail "$name (shared): exit $?: $(tail -3 "$tmp/out.txt")"
    LD_LIBRARY_PATH="$tmp/inst/lib" ldd "$tmp/$name" | grep -q "libprism.so.0 => $tmp/inst/lib" ||
      fail "$name (shared): not linked to the installed libprism.so.0"
    check "$name (shared)" "$tmp/out.txt"
  else
    fail "$name: does not build against the shared library: $(cat "$tmp/cc.log")"
  fi
  # static library (-l:libprism.a instead of -lprism)
  libs=$(pkg-config --static --libs prism | sed 's/-lprism\b/-l:libprism.a/')
  if cc $cflags "$src" $(pkg-config --cflags prism) $libs -o "$tmp/$name-static" 2> "$tmp/cc.log"; then
    "$tmp/$name-static" $args > "$tmp/out.txt" 2>&1 ||
      fail "$name (static): exit $?: $(tail -3 "$tmp/out.txt")"
    ldd "$tmp/$name-static" | grep -q libprism && fail "$name (static): needs libprism.so"
    check "$name (static)" "$tmp/out.txt"
  else
    fail "$name: does not build against the static library: $(cat "$tmp/cc.log")"
  fi
  n=$((n + 1))
done
[ "$n" -ge 2 ] || fail "expected at least 2 examples, found $n"
if [ "$fails" -gt 0 ]; then
  echo "lib_test: $fails failures"
  exit 1
fi
echo "lib_test: $n examples, shared and static, installed with pkg-config: OK"
