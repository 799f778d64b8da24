#!/usr/bin/env bash
# bench/suite_cpu.sh — the CPU target table of the search-quality issue.
#
# Targets (issue 10, -j 2, median of 5 seeds): le450_15c:15 <= 5 s,
# DSJC250.5:28 <= 1 s, DSJC500.5:48 <= 15 s, DSJC1000.5:84 <= 45 s,
# DSJC1000.5:83 <= 150 s, flat300_28_0:31 <= 0.5 s, DSJC500.1:12 <= 5 s;
# with --chromatic also every instance of best_known.tsv with a numeric
# chromatic number and at most 500 vertices, at k = chromatic number.
# Writes bench/results/cpu_YYYY-MM-DD.md (raw rows in bench/out/).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
PRISM_INSTANCES=${PRISM_INSTANCES:-$ROOT/../shared/instances}
OUTDIR=${BENCH_OUT:-$ROOT/bench/out}
export PRISM PRISM_INSTANCES BENCH_OUT=$OUTDIR

SEEDS=5; TL=60; LONG_TL=300; THREADS=2; BACKEND=cpu; RESULT=""; DRY=0; MAXN=500; CHROM=0
EXTRA=()

usage() {
    cat <<'EOF'
usage: bench/suite_cpu.sh [options] [-- run.sh options...]

  --seeds N            seeds per instance (default 5)
  --time-limit S       time limit of the short specs (default 60)
  --long-time-limit S  time limit for DSJC1000.5:83 (default 300; :84 gets 2/3,
                       DSJC500.5:48 2/5 of it)
  --chromatic          add the known-chromatic-number list (n <= --max-vertices)
  --threads J          solver threads (default 2)
  --backend B          solver backend (default cpu; '' = solver default)
  --max-vertices N     size cap for the chromatic-number list (default 500)
  --param NAME=VAL     engine parameter for every run (repeatable)
  --out FILE           result file (default bench/results/cpu_YYYY-MM-DD.md,
                       with -2, -3, ... appended when that file exists)
  --dry-run            print the spec list and the run.sh command; run nothing
  -h, --help

Environment: PRISM, PRISM_INSTANCES, BENCH_OUT as for bench/run.sh.
EOF
}
die() { echo "suite_cpu.sh: $*" >&2; exit 1; }

ORIG_CMD="bench/suite_cpu.sh"
for a in "$@"; do ORIG_CMD+=" $(printf '%q' "$a")"; done

while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) SEEDS=${2:?}; shift 2 ;;
        --time-limit) TL=${2:?}; shift 2 ;;
        --long-time-limit) LONG_TL=${2:?}; shift 2 ;;
        --threads) THREADS=${2:?}; shift 2 ;;
        --backend) BACKEND=${2-}; shift 2 ;;
        --max-vertices) MAXN=${2:?}; shift 2 ;;
        --chromatic) CHROM=1; shift ;;
        --param) EXTRA+=(--param "${2:?}"); shift 2 ;;
        --out) RESULT=${2:?}; shift 2 ;;
        --dry-run) DRY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; EXTRA+=("$@"); break ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

BK=$PRISM_INSTANCES/best_known.tsv
[ -r "$BK" ] || die "cannot read $BK"

SPECS=(le450_15c:15 DSJC250.5:28 "DSJC500.5:48:$((LONG_TL * 2 / 5))"
       "DSJC1000.5:84:$((LONG_TL * 2 / 3))" "DSJC1000.5:83:$LONG_TL" flat300_28_0:31
       DSJC500.1:12)
# Chromatic-number instances (skipping specs already in the target list).
[ $CHROM = 1 ] && while IFS= read -r s; do
    dup=0
    for t in "${SPECS[@]}"; do [ "${t%:*}" = "$s" ] || [ "$t" = "$s" ] && dup=1; done
    [ $dup = 1 ] || SPECS+=("$s")
done < <(awk -F'\t' -v maxn="$MAXN" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    /^#/ { next }
    {
        c = $(col["chromatic"]); n = $(col["vertices"])
        if (c ~ /^[0-9]+$/ && n ~ /^[0-9]+$/ && n + 0 <= maxn + 0) print $(col["name"]) ":" c
    }' "$BK")

BARGS=(); [ -n "$BACKEND" ] && BARGS=(--backend "$BACKEND")
RUNCMD=(bench/run.sh --seeds "$SEEDS" --time-limit "$TL" --threads "$THREADS"
        ${BARGS[@]+"${BARGS[@]}"} --label cpu-suite ${EXTRA[@]+"${EXTRA[@]}"} "${SPECS[@]}")

if [ $DRY = 1 ]; then
    echo "${#SPECS[@]} specs:"; printf '  %s\n' "${SPECS[@]}"
    echo "command: ${RUNCMD[*]}"
    exit 0
fi

DATE=$(date +%Y-%m-%d)
if [ -z "$RESULT" ]; then
    RESULT=$ROOT/bench/results/cpu_$DATE.md; i=2
    while [ -e "$RESULT" ]; do RESULT=$ROOT/bench/results/cpu_$DATE-$i.md; i=$((i + 1)); done
fi
mkdir -p "$(dirname "$RESULT")" "$OUTDIR" || die "cannot create output folders"
TSV=$OUTDIR/cpu_suite_$(date +%Y%m%d-%H%M%S).tsv

cd "$ROOT" || exit 1
START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
"${RUNCMD[@]}" --tsv "$TSV" > "$TSV.md"
rc=$?
END=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
[ -s "$TSV.md" ] || die "run.sh produced no table (exit $rc); raw rows: $TSV"

MODEL=$(lscpu 2>/dev/null | awk -F: '/^Model name/ {sub(/^[ \t]+/, "", $2); print $2; exit}')
CPUS=$(lscpu 2>/dev/null | awk -F: '/^CPU\(s\)/ {gsub(/[ \t]/, "", $2); print $2; exit}')
CPS=$(lscpu 2>/dev/null | awk -F: '/^Core\(s\) per socket/ {gsub(/[ \t]/, "", $2); print $2; exit}')
SOCK=$(lscpu 2>/dev/null | awk -F: '/^Socket\(s\)/ {gsub(/[ \t]/, "", $2); print $2; exit}')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (working tree has uncommitted changes)")

{
    echo "# prism CPU benchmark — $DATE"
    echo
    echo "- machine: ${MODEL:-unknown}, ${CPUS:-?} CPUs (${SOCK:-?} socket(s) x ${CPS:-?} core(s)), $(uname -sr)"
    echo "- date: $START to $END"
    echo "- git commit: $COMMIT$DIRTY"
    echo "- solver: $PRISM"
    echo "- command: \`$ORIG_CMD\`"
    echo "- run as: \`${RUNCMD[*]} --tsv $TSV\`"
    echo "- each run: \`prism color INSTANCE.col -k K -t S -s SEED -j $THREADS${BACKEND:+ --backend $BACKEND}\`; time limit $TL s unless the spec names one (INSTANCE:K:S)"
    echo "- raw rows: \`${TSV#$ROOT/}\` (not committed)"
    [ $rc = 0 ] || echo "- **run.sh exit status $rc: some runs errored or instance files were missing**"
    echo
    echo "Times are the solver's own \`c K colors after X s\` for the first coloring with at most K colors."
    echo "median counts failed runs as +inf (\`>S\` = not reached within S s by at least half the runs);"
    echo "min/max over all runs (\`>S\` when none/some failed). moves/s = median over runs of total moves / engine seconds (runs with no engine moves left out; \`-\` = none)."
    echo
    cat "$TSV.md"
} > "$RESULT"
rm -f "$TSV.md"
echo "suite_cpu.sh: wrote $RESULT" >&2
cat "$RESULT"
exit $rc
