#!/usr/bin/env bash
# mbrl_cli_test.sh PRISM - end-to-end checks of the MBRL controller through the
# prism command: --controller mbrl with --qtable/--model (created, re-loaded
# and re-saved), broken model files refused with one line and exit 1, the
# planner_us telemetry field, prism train --controller mbrl. Prints
# "N passed, N failed, N skipped"; non-zero on failure.
set -u
PRISM=${1:-./build/prism}
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

awk 'BEGIN { srand(7); n = 80; m = 0
  for (u = 1; u <= n; u++) for (v = u + 1; v <= n; v++) if (rand() < 0.5) { e[++m] = u " " v }
  print "p edge", n, m; for (i = 1; i <= m; i++) print "e", e[i] }' > "$T/g80.col"
awk 'BEGIN { srand(8); n = 60; m = 0
  for (u = 1; u <= n; u++) for (v = u + 1; v <= n; v++) if (rand() < 0.3) { e[++m] = u " " v }
  print "p edge", n, m; for (i = 1; i <= m; i++) print "e", e[i] }' > "$T/g60.col"
SMALL="-p batch_moves=500 -p mbrl_ensemble=2 -p mbrl_hidden=16 -p mbrl_warmup=16 -p mbrl_plan_conf=0"

# --- prism color --controller mbrl ------------------------------------------
$PRISM color "$T/g80.col" -t 1 --controller mbrl $SMALL >"$T/out" 2>"$T/err"
check "color --controller mbrl (no files) exits 0" "[ $? -eq 0 ] && grep -q '^s SATISFIABLE' '$T/out'"
check "it reports plans, Dyna and one-step errors" "grep -qE '^c mbrl: [1-9][0-9]* plans .* [1-9][0-9]* Dyna updates.*one-step RMSE model/persistence' '$T/out'"
$PRISM color "$T/g80.col" -t 1 --controller mbrl --qtable "$T/q.qt" --model "$T/m.wm" $SMALL \
  --telemetry "$T/tel.jsonl" >"$T/out" 2>"$T/err"
check "with --qtable and --model: exit 0" "[ $? -eq 0 ] && grep -q '^s SATISFIABLE' '$T/out'"
check "both files written, no .tmp" "[ -s '$T/q.qt' ] && [ -s '$T/m.wm' ] && [ ! -e '$T/q.qt.tmp' ] && [ ! -e '$T/m.wm.tmp' ]"
check "telemetry has planner_us, some > 0" "grep -q '\"planner_us\":[1-9]' '$T/tel.jsonl'"
cp "$T/m.wm" "$T/m1.wm"
$PRISM color "$T/g60.col" -t 1 --controller mbrl --qtable "$T/q.qt" --model "$T/m.wm" $SMALL >"$T/out" 2>"$T/err"
check "a second run (another graph) loads and re-saves the model" "[ $? -eq 0 ] && ! cmp -s '$T/m.wm' '$T/m1.wm'"
$PRISM color "$T/g60.col" -t 0.5 --controller mbrl --model "$T/m.wm" >"$T/out" 2>"$T/err"
check "default shapes load the saved (smaller) model" "[ $? -eq 0 ] && grep -q '^s SATISFIABLE' '$T/out'"
$PRISM color "$T/g60.col" -t 0.5 --controller mbrl --qtable "$T/q.qt" -p fluxnet_epsilon=0 >"$T/out" 2>"$T/err"
check "Q-table alone, no exploration" "[ $? -eq 0 ]"

# --- broken model files are refused, never overwritten ------------------------
head -c 300 "$T/m1.wm" > "$T/trunc.wm"
$PRISM color "$T/g80.col" -t 0.5 --controller mbrl --model "$T/trunc.wm" >"$T/out" 2>"$T/err"
rc=$?
check "truncated model: exit 1, one line 'truncated'" "[ $rc -eq 1 ] && grep -q 'trunc.wm: truncated' '$T/err' && [ \$(wc -l < '$T/err') -eq 1 ]"
check "truncated model left as it was" "[ \$(wc -c < '$T/trunc.wm') -eq 300 ]"
check "nothing on the result stream" "! grep -q '^s ' '$T/out'"
cp "$T/m1.wm" "$T/flip.wm"
flip_byte "$T/flip.wm" 3000
$PRISM color "$T/g80.col" -t 0.5 --controller mbrl --model "$T/flip.wm" >"$T/out" 2>"$T/err"
check "flipped byte: exit 1, 'checksum mismatch'" "[ $? -eq 1 ] && grep -q '^prism: error: .*flip.wm: checksum mismatch' '$T/err'"
cp "$T/q.qt" "$T/notamodel.wm"
$PRISM color "$T/g80.col" -t 0.5 --controller mbrl --model "$T/notamodel.wm" >"$T/out" 2>"$T/err"
check "a Q-table given as model: exit 1, 'bad magic'" "[ $? -eq 1 ] && grep -q 'bad magic' '$T/err'"
$PRISM color "$T/g80.col" -t 0.5 --controller mbrl --qtable "$T/m1.wm" >"$T/out" 2>"$T/err"
check "a model given as Q-table: exit 1" "[ $? -eq 1 ] && grep -q 'bad magic' '$T/err'"
if [ -f tests/broken_model/EXPECTED ]; then
  n=0 okn=0
  while IFS=$'\t' read -r f want; do
    case "$f" in '#'*|'') continue ;; esac
    n=$((n + 1))
    $PRISM color "$T/g60.col" -t 0.5 --controller mbrl --model "tests/broken_model/$f" >"$T/out" 2>"$T/err"
    [ $? -eq 1 ] && grep -qF "$want" "$T/err" && [ "$(wc -l < "$T/err")" -eq 1 ] && okn=$((okn + 1))
  done < tests/broken_model/EXPECTED
  check "every tests/broken_model file refused ($okn of $n)" "[ $n -ge 5 ] && [ $okn -eq $n ]"
else skip=$((skip + 1)); echo "skip broken_model (no tests/broken_model)"; fi

# --- prism train --controller mbrl --------------------------------------------
$PRISM train "$T/g80.col" --controller mbrl --qtable "$T/t.qt" >"$T/out" 2>"$T/err"
check "train mbrl without --model exits 1" "[ $? -eq 1 ] && grep -q 'needs --model' '$T/err'"
$PRISM train "$T/g80.col" --controller bogus --qtable "$T/t.qt" >"$T/out" 2>"$T/err"
check "train with an unknown controller exits 1" "[ $? -eq 1 ] && grep -q 'unknown controller' '$T/err'"
$PRISM train "$T/g60.col" "$T/g80.col" --controller mbrl --qtable "$T/t.qt" --model "$T/t.wm" \
  --episodes 2 --time-limit 0.5 $SMALL >"$T/out" 2>"$T/err"
check "train --controller mbrl exits 0" "[ $? -eq 0 ]"
check "train prints 4 progress lines" "[ \$(grep -cE '^c episode [12] graph g(60|80) best_k [0-9]+ time [0-9.]+ reward -?[0-9.]+ epsilon [0-9.]+ steps [0-9]+$' '$T/out') -eq 4 ]"
check "train wrote both files" "[ -s '$T/t.qt' ] && [ -s '$T/t.wm' ] && grep -q 'saved .*t.qt and .*t.wm' '$T/out'"
$PRISM color "$T/g60.col" -t 0.5 --controller mbrl --qtable "$T/t.qt" --model "$T/t.wm" $SMALL >"$T/out" 2>"$T/err"
check "color uses what train wrote" "[ $? -eq 0 ] && grep -q '^s SATISFIABLE' '$T/out'"
$PRISM train "$T/g80.col" --controller mbrl --qtable "$T/t.qt" --model "$T/trunc.wm" >"$T/out" 2>"$T/err"
check "train refuses a broken model" "[ $? -eq 1 ] && grep -q 'trunc.wm: truncated' '$T/err'"

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
