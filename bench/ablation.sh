#!/usr/bin/env bash
# bench/ablation.sh — default config vs. each search mechanism switched off
# (or, for the mechanisms that are off by default, switched on).
# Writes bench/results/ablation_YYYY-MM-DD.md (raw rows in bench/out/).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
PRISM_INSTANCES=${PRISM_INSTANCES:-$ROOT/../shared/instances}
OUTDIR=${BENCH_OUT:-$ROOT/bench/out}
export PRISM PRISM_INSTANCES BENCH_OUT=$OUTDIR

SEEDS=3; TL=60; THREADS=2; BACKEND=cpu; RESULT=""; DRY=0; ONLY=""
DEFAULT_SPECS=(DSJC250.5:28 DSJC500.5:49 le450_15c:15 flat300_28_0:28)
EXTRA=()

usage() {
    cat <<'EOF'
usage: bench/ablation.sh [options] [INSTANCE:K[:SECONDS]...]

Default instances: DSJC250.5:28 DSJC500.5:49 le450_15c:15 flat300_28_0:28

  --seeds N          seeds per instance and variant (default 3)
  --time-limit S     time limit per run (default 60)
  --threads J        solver threads (default 2)
  --backend B        solver backend (default cpu; '' = solver default)
  --variants A,B,... run only these variants (names: see --list)
  --param NAME=VAL   extra engine parameter for every variant (repeatable)
  --out FILE         result file (default bench/results/ablation_YYYY-MM-DD.md,
                     with -2, -3, ... appended when that file exists)
  --list             print the variants and their parameters; run nothing
  --dry-run          print the run.sh commands; run nothing
  -h, --help
EOF
}
die() { echo "ablation.sh: $*" >&2; exit 1; }

ORIG_CMD="bench/ablation.sh"
for a in "$@"; do ORIG_CMD+=" $(printf '%q' "$a")"; done
LIST=0; SPECS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) SEEDS=${2:?}; shift 2 ;;
        --time-limit) TL=${2:?}; shift 2 ;;
        --threads) THREADS=${2:?}; shift 2 ;;
        --backend) BACKEND=${2-}; shift 2 ;;
        --variants) ONLY=${2:?}; shift 2 ;;
        --param) EXTRA+=(--param "${2:?}"); shift 2 ;;
        --out) RESULT=${2:?}; shift 2 ;;
        --list) LIST=1; shift ;;
        --dry-run) DRY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) SPECS+=("$1"); shift ;;
    esac
done
[ ${#SPECS[@]} -gt 0 ] || SPECS=("${DEFAULT_SPECS[@]}")
[ -x "$PRISM" ] || die "solver '$PRISM' not found (run make -j2, or set PRISM)"

# Parameter table from the solver itself: every name used below must exist.
PTABLE=$("$PRISM" params) || die "'$PRISM params' failed"
pdefault() { awk -v n="$1" '$1 == n && $3 == "default" { print $4; exit }' <<<"$PTABLE"; }
for p in temp_min temp_max swap_interval global_temperature tunneling_prob_base \
         recomb_interval elite_cycle chemical_potential belief_weight stress_weight; do
    [ -n "$(pdefault "$p")" ] || die "engine parameter '$p' not in '$PRISM params'; update bench/ablation.sh"
done
TMIN=$(pdefault temp_min)
for p in chemical_potential belief_weight stress_weight; do
    d=$(pdefault "$p")
    awk -v d="$d" 'BEGIN { exit !(d + 0 == 0) }' ||
        echo "ablation.sh: note: $p defaults to $d, not 0; its '-on' variant may equal the default" >&2
done

# name | description | params (space separated NAME=VAL)
VARIANTS=(
    "default|default configuration|"
    "no-tempering|single temperature, no replica exchange|temp_min=$TMIN temp_max=$TMIN swap_interval=0"
    "no-noise|no Metropolis noise at all|global_temperature=0"
    "no-tunneling|no Kempe-chain tunneling|tunneling_prob_base=0"
    "no-recomb|no GPX recombination|recomb_interval=0"
    "no-elite|no elite re-injection|elite_cycle=0"
    "chem-on|chemical potential ON (off by default)|chemical_potential=0.5"
    "belief-on|belief term ON (off by default)|belief_weight=0.5"
    "stress-on|reservoir stress ON (off by default)|stress_weight=1"
)

SEL=()
for v in "${VARIANTS[@]}"; do
    name=${v%%|*}
    if [ -z "$ONLY" ] || [[ ,$ONLY, == *,$name,* ]]; then SEL+=("$v"); fi
done
if [ -n "$ONLY" ]; then
    IFS=, read -ra want <<<"$ONLY"
    for w in "${want[@]}"; do
        ok=0; for v in "${VARIANTS[@]}"; do [ "${v%%|*}" = "$w" ] && ok=1; done
        [ $ok = 1 ] || die "unknown variant '$w' (see --list)"
    done
fi

if [ $LIST = 1 ]; then
    for v in "${VARIANTS[@]}"; do
        IFS='|' read -r name desc params <<<"$v"
        printf '%-14s %-42s %s\n' "$name" "$desc" "${params:--}"
    done
    exit 0
fi

BARGS=(); [ -n "$BACKEND" ] && BARGS=(--backend "$BACKEND")
STAMP=$(date +%Y%m%d-%H%M%S)
RAWDIR=$OUTDIR/ablation_$STAMP
cmd_for() {  # variant-line -> RUNCMD array
    local name desc params
    IFS='|' read -r name desc params <<<"$1"
    RUNCMD=(bench/run.sh --seeds "$SEEDS" --time-limit "$TL" --threads "$THREADS"
            ${BARGS[@]+"${BARGS[@]}"} --label "$name" ${EXTRA[@]+"${EXTRA[@]}"})
    for p in $params; do RUNCMD+=(--param "$p"); done
    RUNCMD+=("${SPECS[@]}" --tsv "$RAWDIR/$name.tsv")
}

if [ $DRY = 1 ]; then
    for v in "${SEL[@]}"; do cmd_for "$v"; echo "${RUNCMD[*]}"; done
    exit 0
fi

DATE=$(date +%Y-%m-%d)
if [ -z "$RESULT" ]; then
    RESULT=$ROOT/bench/results/ablation_$DATE.md; i=2
    while [ -e "$RESULT" ]; do RESULT=$ROOT/bench/results/ablation_$DATE-$i.md; i=$((i + 1)); done
fi
mkdir -p "$RAWDIR" "$(dirname "$RESULT")" || die "cannot create output folders"
cd "$ROOT" || exit 1

START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
rcall=0; TSVS=(); CMDS=()
for v in "${SEL[@]}"; do
    cmd_for "$v"
    echo "ablation.sh: variant ${v%%|*}" >&2
    CMDS+=("${RUNCMD[*]}")
    "${RUNCMD[@]}" > "$RAWDIR/${v%%|*}.md"
    rc=$?; [ $rc = 0 ] || rcall=$rc
    TSVS+=("$RAWDIR/${v%%|*}.tsv")
done
END=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

SUMMARY=$(bench/run.sh --summarize --format tsv "${TSVS[@]}") || die "summary failed"

# Pivot: one row per variant, one "ok/n, median" cell per instance:k.
spec_cols=$(printf '%s\n' "${SPECS[@]}" | awk -F: '{ print $1 ":" $2 }' | paste -sd' ' -)
desc_lines=$(for v in "${SEL[@]}"; do IFS='|' read -r n d p <<<"$v"; printf '%s\t%s\t%s\n' "$n" "$d" "${p:--}"; done)
TABLE=$(awk -F'\t' -v cols="$spec_cols" -v descs="$desc_lines" '
    BEGIN {
        nc = split(cols, col, " ")
        nv = split(descs, dl, "\n")
        for (i = 1; i <= nv; i++) { split(dl[i], f, "\t"); vname[i] = f[1]; vpar[i] = f[3] }
    }
    NR == 1 { next }
    {
        key = $1 SUBSEP $2 ":" $3
        if ($8 == "missing") cell[key] = "missing"
        else {
            c = $4 "/" $5 ", " $8 (($8 ~ /^>/) ? "" : " s")
            if ($6 > 0) c = c " (" $6 " err)"
            cell[key] = c
        }
    }
    END {
        h = "| variant | params |"; s = "|---|---|"
        for (j = 1; j <= nc; j++) { h = h " " col[j] " |"; s = s "---:|" }
        print h; print s
        for (i = 1; i <= nv; i++) {
            line = "| " vname[i] " | `" vpar[i] "` |"
            for (j = 1; j <= nc; j++) {
                k = vname[i] SUBSEP col[j]
                line = line " " ((k in cell) ? cell[k] : "-") " |"
            }
            print line
        }
    }' <<<"$SUMMARY")

MODEL=$(lscpu 2>/dev/null | awk -F: '/^Model name/ {sub(/^[ \t]+/, "", $2); print $2; exit}')
CPUS=$(lscpu 2>/dev/null | awk -F: '/^CPU\(s\)/ {gsub(/[ \t]/, "", $2); print $2; exit}')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (working tree has uncommitted changes)")
{
    echo "# prism ablation — $DATE"
    echo
    echo "- machine: ${MODEL:-unknown}, ${CPUS:-?} CPUs, $(uname -sr)"
    echo "- date: $START to $END"
    echo "- git commit: $COMMIT$DIRTY"
    echo "- command: \`$ORIG_CMD\`"
    echo "- per variant: \`bench/run.sh --seeds $SEEDS --time-limit $TL --threads $THREADS${BACKEND:+ --backend $BACKEND} --label VARIANT [--param ...] SPECS\` (exact commands below)"
    echo "- raw rows: \`${RAWDIR#$ROOT/}/\` (not committed)"
    [ $rcall = 0 ] || echo "- **some runs errored or instance files were missing (run.sh exit $rcall)**"
    echo
    echo "Cell: successes/seeds, median seconds to reach k (solver's own \`c K colors after\` time;"
    echo "failed runs count as +inf, \`>S\` = at least half did not reach k within S s)."
    echo "chem-on / belief-on / stress-on switch ON mechanisms that are off by default."
    echo
    echo "$TABLE"
    echo
    echo "## Per-variant detail"
    for i in "${!SEL[@]}"; do
        v=${SEL[$i]}; IFS='|' read -r n d p <<<"$v"
        echo
        echo "### $n — $d"
        echo
        echo "\`${CMDS[$i]}\`"
        echo
        cat "$RAWDIR/$n.md"
    done
} > "$RESULT"
echo "ablation.sh: wrote $RESULT" >&2
echo "$TABLE"
exit $rcall
