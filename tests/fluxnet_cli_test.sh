#!/usr/bin/env bash
# fluxnet_cli_test.sh PRISM - end-to-end checks of FluxNet through the prism
# command: --controller fluxnet/random, --qtable load/save and refusal of a
# broken table, prism train (progress lines, atomic save, transfer between
# runs, --merge). Prints "N passed, N failed, N skipped"; non-zero on failure.
set -u
PRISM=${1:-./build/prism}
INST=${PRISM_INSTANCES:-../shared/instances}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "    $2"; }
check() { if eval "$2"; then ok "$1"; else bad "$1" "condition: $2"; fi; }
# invert the byte at offset $2 of file $1 (255 - b differs from b: writing a
# fixed value failed when the byte already held it, as a trained file's can)
flip_byte() {
  local b
  b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# A graph where the engine runs for a while: G(80, 0.5) minimising.
awk 'BEGIN { srand(7); n = 80; m = 0
  for (u = 1; u <= n; u++) for (v = u + 1; v <= n; v++) if (rand() < 0.5) { e[++m] = u " " v }
  print "p edge", n, m; for (i = 1; i <= m; i++) print "e", e[i] }' > "$T/g80.col"
awk 'BEGIN { srand(8); n = 60; m = 0
  for (u = 1; u <= n; u++) for (v = u + 1; v <= n; v++) if (rand() < 0.3) { e[++m] = u " " v }
  print "p edge", n, m; for (i = 1; i <= m; i++) print "e", e[i] }' > "$T/g60.col"

# --- prism color with a controller -------------------------------------------
$PRISM color "$T/g80.col" -t 1 --controller fluxnet --qtable "$T/q.qt" -p batch_moves=500 >"$T/out" 2>"$T/err"
rc=$?
check "color --controller fluxnet exits 0" "[ $rc -eq 0 ] && grep -q '^s SATISFIABLE' '$T/out'"
check "the table is saved at exit" "[ -s '$T/q.qt' ] && [ ! -e '$T/q.qt.tmp' ]"
sz1=$(wc -c < "$T/q.qt")
cp "$T/q.qt" "$T/q1.qt"
$PRISM color "$T/g80.col" -t 1 --controller fluxnet --qtable "$T/q.qt" -p batch_moves=500 >"$T/out" 2>"$T/err"
check "a second run loads and re-saves it" "[ $? -eq 0 ] && ! cmp -s '$T/q.qt' '$T/q1.qt' && [ \$(wc -c < '$T/q.qt') -eq $sz1 ]"
$PRISM color "$T/g80.col" -t 0.5 --controller random -p batch_moves=500 >"$T/out" 2>"$T/err"
check "color --controller random exits 0" "[ $? -eq 0 ] && grep -q '^s SATISFIABLE' '$T/out'"
$PRISM color "$T/g80.col" -t 0.5 --controller bogus >"$T/out" 2>"$T/err"
check "unknown controller exits 1" "[ $? -eq 1 ] && grep -q 'unknown controller' '$T/err'"

# --- broken tables are refused, never overwritten ----------------------------
head -c 100 "$T/q1.qt" > "$T/trunc.qt"
$PRISM color "$T/g80.col" -t 0.5 --controller fluxnet --qtable "$T/trunc.qt" >"$T/out" 2>"$T/err"
check "truncated table: exit 1, 'truncated'" "[ $? -eq 1 ] && grep -q 'trunc.qt: truncated' '$T/err'"
check "truncated table left as it was" "[ \$(wc -c < '$T/trunc.qt') -eq 100 ]"
cp "$T/q1.qt" "$T/flip.qt"
flip_byte "$T/flip.qt" 2000
$PRISM color "$T/g80.col" -t 0.5 --controller fluxnet --qtable "$T/flip.qt" >"$T/out" 2>"$T/err"
check "flipped byte: exit 1, 'checksum mismatch'" "[ $? -eq 1 ] && grep -q 'checksum mismatch' '$T/err'"
echo "not a table" > "$T/text.qt"
$PRISM color "$T/g80.col" -t 0.5 --controller fluxnet --qtable "$T/text.qt" >"$T/out" 2>"$T/err"
check "wrong magic: exit 1, 'bad magic'" "[ $? -eq 1 ] && grep -q 'bad magic' '$T/err'"
if [ -f tests/broken_qtable/layout_2x2.qt ]; then
  cp tests/broken_qtable/layout_2x2.qt "$T/layout.qt"
  $PRISM color "$T/g80.col" -t 0.5 --controller fluxnet --qtable "$T/layout.qt" >"$T/out" 2>"$T/err"
  check "other layout: exit 1, 'layout mismatch'" "[ $? -eq 1 ] && grep -q 'layout mismatch (states 2 actions 2' '$T/err'"
else skip=$((skip + 1)); echo "skip other layout (no tests/broken_qtable)"; fi

# --- prism train --------------------------------------------------------------
$PRISM train --help >"$T/out" 2>&1
check "train --help" "[ $? -eq 0 ] && grep -q -- '--episodes' '$T/out'"
$PRISM train "$T/g80.col" >"$T/out" 2>"$T/err"
check "train without --qtable exits 1" "[ $? -eq 1 ] && grep -q 'needs --qtable' '$T/err'"
$PRISM train --qtable "$T/t.qt" >"$T/out" 2>"$T/err"
check "train without graphs exits 1" "[ $? -eq 1 ] && grep -q 'at least one GRAPH' '$T/err'"
$PRISM train "$T/g80.col" --qtable "$T/t.qt" --episodes 0 >"$T/out" 2>"$T/err"
check "train --episodes 0 exits 1" "[ $? -eq 1 ]"
$PRISM train "$T/g60.col:3" "$T/g80.col" --qtable "$T/t.qt" --episodes 2 --time-limit 0.5 \
  -p batch_moves=500 >"$T/out" 2>"$T/err"
rc=$?
check "train exits 0" "[ $rc -eq 0 ]"
check "train prints 4 progress lines" "[ \$(grep -cE '^c episode [12] graph g(60|80) best_k [0-9]+ time [0-9.]+ reward -?[0-9.]+ epsilon [0-9.]+ steps [0-9]+$' '$T/out') -eq 4 ]"
check "train reports the target" "grep -q 'target 3 colors' '$T/out'"
check "train saved the table, no .tmp" "[ -s '$T/t.qt' ] && [ ! -e '$T/t.qt.tmp' ]"
check "train prints a best config" "grep -q '^c best config g80' '$T/out'"
$PRISM train "$T/g80.col" --qtable "$T/t.qt" --episodes 1 --time-limit 0.5 -p batch_moves=500 >"$T/out2" 2>"$T/err"
check "a second train continues the table" "[ $? -eq 0 ] && grep -qE '^c qtable .*: [1-9][0-9]* episodes, [1-9][0-9]* updates' '$T/out2'"
$PRISM color "$T/g60.col" -t 0.5 --controller fluxnet --qtable "$T/t.qt" -p batch_moves=500 >"$T/out" 2>"$T/err"
check "color uses the trained table (transfer)" "[ $? -eq 0 ]"
cp "$T/t.qt" "$T/t2.qt"
$PRISM train --merge "$T/t.qt" "$T/t2.qt" --qtable "$T/m.qt" >"$T/out" 2>"$T/err"
check "train --merge writes a table" "[ $? -eq 0 ] && [ -s '$T/m.qt' ] && grep -q '^c wrote' '$T/out'"
$PRISM train --merge "$T/t.qt" "$T/trunc.qt" --qtable "$T/m2.qt" >"$T/out" 2>"$T/err"
check "train --merge refuses a broken input" "[ $? -eq 1 ] && grep -q truncated '$T/err' && [ ! -e '$T/m2.qt' ]"
$PRISM train "$T/g80.col" --qtable "$T/trunc.qt" --episodes 1 --time-limit 0.2 >"$T/out" 2>"$T/err"
check "train refuses a broken table" "[ $? -eq 1 ] && grep -q truncated '$T/err'"

if [ -f "$INST/DSJC125.5.col" ]; then
  $PRISM color "$INST/DSJC125.5.col" -k 18 -t 20 --controller fluxnet --qtable "$T/t.qt" >"$T/out" 2>"$T/err"
  check "DSJC125.5 -k 18 with fluxnet exits 10" "[ $? -eq 10 ]"
else skip=$((skip + 1)); echo "skip DSJC125.5 (no instances)"; fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
