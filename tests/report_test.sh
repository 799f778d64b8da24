#!/usr/bin/env bash
# report_test.sh PRISM [SCREENSHOT.png] - the HTML report end to end: a short
# solve with --report, 'prism report' on a telemetry file, both pages loaded
# in headless Chromium (no console errors; the page's check script finds
# every chart drawn), broken telemetry refused with one error line, and
# optionally a screenshot of the report (docs/report.png).
# Prints "N passed, N failed, N skipped" and exits non-zero on any failure.
set -u
PRISM=${1:-./build/prism}
SHOT=${2:-}
INST=${PRISM_INSTANCES:-../shared/instances}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "    $2"; }
check() { if eval "$2"; then ok "$1"; else bad "$1" "condition: $2"; fi; }

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
# Loads $1 headless; the DOM after the page's scripts ran goes to $1.dom,
# Chromium's log (console messages included) to $1.log.
load() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$T/profile" --enable-logging=stderr --v=0 --dump-dom "file://$1" \
    >"$1.dom" 2>"$1.log"
}
# The page's check: data-charts="N" data-charts-drawn="N" with N >= $2.
drawn() {
  local n d
  n=$(grep -o 'data-charts="[0-9]*"' "$1.dom" | head -1 | tr -dc 0-9)
  d=$(grep -o 'data-charts-drawn="[0-9]*"' "$1.dom" | head -1 | tr -dc 0-9)
  [ -n "$n" ] && [ -n "$d" ] && [ "$n" -eq "$d" ] && [ "$n" -ge "$2" ]
}
no_console_errors() { ! grep -Eiq 'CONSOLE|Uncaught|SyntaxError|ReferenceError|TypeError' "$1.log"; }
self_contained() { ! grep -Eq '(src|href)=|url\(|@import|https?:' "$1"; }

# --- a solve with --report (telemetry recorded to a temporary file) ----------------
TMPDIR="$T" $PRISM color examples/myciel5.col -t 1 -s 2 --report "$T/a.html" >"$T/out" 2>"$T/err"; rc=$?
check "color --report exits 0" "[ $rc -eq 0 ]"
check "color --report writes the page" '[ -s "$T/a.html" ] && grep -q "^c report written to" "$T/out"'
check "color --report leaves no temporary file" '[ -z "$(ls "$T" | grep -v "^a.html$" | grep -v "^out$" | grep -v "^err$")" ]'
check "report is self-contained (no external resources)" 'self_contained "$T/a.html"'
check "nothing but the solver's lines on stdout" '! grep -qv "^[cbos] " "$T/out"'

# --- prism report on a telemetry file: islands, swaps, a controller ------------------
g=$INST/DSJC125.5.col
[ -f "$g" ] || g=examples/myciel5.col
$PRISM color "$g" -t 2 -s 3 -p islands=2 -p replicas=6 -p global_temperature=1 \
  --controller random --telemetry "$T/b.jsonl" -q >/dev/null 2>&1
$PRISM report "$T/b.jsonl" -o "$T/b.html" >"$T/out" 2>&1; rc=$?
check "prism report exits 0" "[ $rc -eq 0 ] && [ -s \"$T/b.html\" ] && [ ! -s \"$T/out\" ]"
check "report has the charts of this run" 'for id in colors conflicts islands throughput modes temperature swaps actions rewards; do grep -q "id=\"chart-$id\"" "$T/b.html" || exit 1; done'
check "report notes the absent views" 'grep -q "No .world_model_error. field" "$T/b.html" && grep -q "Not a CUDA run" "$T/b.html"'
check "report is self-contained (no external resources)" 'self_contained "$T/b.html"'

# --- broken telemetry: exit 1, one error line, no page ----------------------------
head -c "$(($(head -3 "$T/b.jsonl" | wc -c) + 40))" "$T/b.jsonl" >"$T/trunc.jsonl"
printf '\x7fELF\x02\x01\x01\x00garbage\n' >"$T/garbage.jsonl"
: >"$T/empty.jsonl"
for f in trunc garbage empty missing; do
  $PRISM report "$T/$f.jsonl" -o "$T/$f.html" >"$T/out" 2>"$T/err"; rc=$?
  check "broken telemetry ($f): exit 1, one error line, no page" \
    "[ $rc -eq 1 ] && [ \$(wc -l <\"$T/err\") -eq 1 ] && grep -q '^prism: error: $T/$f.jsonl' \"$T/err\" && [ ! -e \"$T/$f.html\" ] && [ ! -s \"$T/out\" ]"
done
$PRISM report "$T/trunc.jsonl" -o "$T/x.html" 2>"$T/err"
check "the truncated line is named by its number" 'grep -q "trunc.jsonl:4: " "$T/err"'

# --- headless Chromium ---------------------------------------------------------------
if [ -z "$CHROMIUM" ]; then
  skip=$((skip + 4))
  echo "SKIP headless browser tests: chromium not found (.ci/run installs Debian's chromium)"
else
  for p in a b; do
    load "$T/$p.html"
    check "chromium loads $p.html without console errors" 'no_console_errors "$T/$p.html"'
    min=3; [ $p = b ] && min=8
    check "chromium: every chart of $p.html drawn (at least $min)" 'drawn "$T/$p.html" $min'
  done
  if [ -n "$SHOT" ]; then
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
      --user-data-dir="$T/profile" --hide-scrollbars --screenshot="$SHOT" \
      --window-size=1200,1600 "file://$T/b.html" >/dev/null 2>&1
    echo "screenshot: $SHOT"
  fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
