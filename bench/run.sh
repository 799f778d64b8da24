#!/usr/bin/env bash
# bench/run.sh — run instance x k x seed jobs of `prism color` and summarize.
#
#   bench/run.sh [options] SPEC...          run jobs, print a markdown table
#   bench/run.sh --summarize FILE.tsv...    re-print the table from raw TSV rows
#
# SPEC is INSTANCE:K or INSTANCE:K:SECONDS (per-spec time limit). INSTANCE is a
# name looked up as $PRISM_INSTANCES/INSTANCE.col, or a path to a graph file.
# See bench/README.md for the column definitions.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PRISM=${PRISM:-$ROOT/build/prism}
PRISM_INSTANCES=${PRISM_INSTANCES:-$ROOT/../shared/instances}
OUTDIR=${BENCH_OUT:-$ROOT/bench/out}

usage() {
    cat <<'EOF'
usage: bench/run.sh [options] INSTANCE:K[:SECONDS]...
       bench/run.sh --summarize RAW.tsv...

options:
  --seeds N          seeds per spec (default 5): seeds S..S+N-1
  --seed-start S     first seed (default 1)
  --time-limit S     solver time limit in seconds, -t (default 60)
  --threads J        worker threads, -j (default 2)
  --param NAME=VAL   engine parameter, passed as -p NAME=VAL (repeatable)
  --backend B        pass --backend B (default: solver's own default)
  --label L          label stored in the raw rows (default "default")
  --tsv FILE         raw per-run TSV (default bench/out/run_<label>_<stamp>_<pid>.tsv)
  --md FILE          also write the markdown table to FILE
  --summarize        treat the arguments as raw TSV files; run nothing
  --format md|tsv    summary table format (default md; tsv is for scripts)
  -h, --help

environment: PRISM (solver binary, default build/prism),
             PRISM_INSTANCES (default /work/shared/instances),
             BENCH_OUT (raw output folder, default bench/out)
Exit status: 0 when all runs completed (found or not), 1 on usage errors,
2 when some run errored (solver crash, bad exit code) or an instance was missing.
EOF
}

die() { echo "run.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- summary ---
# Reads raw TSV rows (header lines skipped) and prints one markdown row per
# (label, instance, k) in order of first appearance.
summarize() {
    awk -F'\t' '
    function fmt_t(x) { return sprintf("%.3f", x) }
    function fmt_rate(r) {
        if (r >= 1e9) return sprintf("%.2fG", r / 1e9)
        if (r >= 1e6) return sprintf("%.2fM", r / 1e6)
        if (r >= 1e3) return sprintf("%.1fk", r / 1e3)
        return sprintf("%.0f", r)
    }
    function isort(a, n,    i, j, v) {   # ascending, in place, a[1..n]
        for (i = 2; i <= n; i++) {
            v = a[i]; j = i - 1
            while (j >= 1 && a[j] > v) { a[j + 1] = a[j]; j-- }
            a[j + 1] = v
        }
    }
    $1 == "label" || /^#/ || NF < 19 { next }
    {
        key = $1 SUBSEP $2 SUBSEP $3
        if (!(key in seen)) { seen[key] = 1; order[++ng] = key; lab[key] = $1; inst[key] = $2; kk[key] = $3 }
        if ($9 == "missing") { missing[key] = 1; next }
        n = ++runs[key]
        tl = $5 + 0
        if (!(key in tlim) || tl > tlim[key]) tlim[key] = tl
        if ($9 == "ok") { succ[key]++; ts[key, ++ns[key]] = $10 + 0 }
        else if ($9 != "timeout") nerr[key]++
        if ($9 == "infeasible") ninf[key]++
        if ($16 != "" && $16 != "-") rate[key, ++nr[key]] = $16 + 0
        labs[$1] = 1
    }
    END {
        nl = 0; for (l in labs) nl++
        if (nl > 1 || multi) { lc = "| label "; ls = "|---" } else { lc = ""; ls = "" }
        if (fmt == "tsv") print "label\tinstance\tk\tok\truns\terrors\tinfeasible\tmedian_s\tmin_s\tmax_s\tmoves_per_s"
        else {
            print lc "| instance | k | ok/seeds | median s | min s | max s | moves/s |"
            print ls "|---|---:|---:|---:|---:|---:|---:|"
        }
        for (g = 1; g <= ng; g++) {
            key = order[g]
            pre = (lc != "") ? "| " lab[key] " " : ""
            if (!(key in runs) && fmt == "tsv") {
                printf "%s\t%s\t%s\t0\t0\t0\t0\tmissing\t-\t-\t-\n", lab[key], inst[key], kk[key]
                continue
            }
            if (!(key in runs)) {
                printf "%s| %s | %s | missing | - | - | - | - |\n", pre, inst[key], kk[key]
                continue
            }
            n = runs[key]; s = succ[key] + 0
            cens = (tlim[key] > 0) ? ">" tlim[key] : ">limit"
            # times: successes sorted; failures are +inf (sort after them all)
            m = 0; delete t
            for (i = 1; i <= ns[key]; i++) t[++m] = ts[key, i]
            isort(t, m)
            if (n % 2 == 1) {
                mid = (n + 1) / 2
                med = (mid <= s) ? fmt_t(t[mid]) : cens
            } else {
                lo = n / 2; hi = lo + 1
                med = (hi <= s) ? fmt_t((t[lo] + t[hi]) / 2) : cens
            }
            mn = (s > 0) ? fmt_t(t[1]) : cens
            mx = (s == n) ? fmt_t(t[s]) : cens
            m = 0; delete r
            for (i = 1; i <= nr[key]; i++) r[++m] = rate[key, i]
            isort(r, m)
            if (m == 0) mr = "-"
            else if (m % 2 == 1) mr = fmt_rate(r[(m + 1) / 2])
            else mr = fmt_rate((r[m / 2] + r[m / 2 + 1]) / 2)
            note = ""
            if (nerr[key] - ninf[key] > 0) note = note " (" (nerr[key] - ninf[key]) " err)"
            if (ninf[key] > 0) note = note " (" ninf[key] " infeasible)"
            if (fmt == "tsv")
                printf "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", lab[key], inst[key], kk[key], s, n, nerr[key] - ninf[key], ninf[key], med, mn, mx, mr
            else
                printf "%s| %s | %s | %d/%d%s | %s | %s | %s | %s |\n", pre, inst[key], kk[key], s, n, note, med, mn, mx, mr
        }
    }' multi="${SUMMARY_LABEL_COLUMN:-}" fmt="$FORMAT" "$@"
}

# ------------------------------------------------------------------- args ---
SEEDS=5; SEED_START=1; TL=60; THREADS=2; LABEL=default; BACKEND=""
TSV=""; MD=""; MODE=run; FORMAT=md
PARAMS=()
SPECS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) [ $# -ge 2 ] || die "--seeds needs a value"; SEEDS=$2; shift 2 ;;
        --seed-start) [ $# -ge 2 ] || die "--seed-start needs a value"; SEED_START=$2; shift 2 ;;
        --time-limit) [ $# -ge 2 ] || die "--time-limit needs a value"; TL=$2; shift 2 ;;
        --threads) [ $# -ge 2 ] || die "--threads needs a value"; THREADS=$2; shift 2 ;;
        --param) [ $# -ge 2 ] || die "--param needs NAME=VAL"; PARAMS+=("$2"); shift 2 ;;
        --param=*) PARAMS+=("${1#--param=}"); shift ;;
        --backend) [ $# -ge 2 ] || die "--backend needs a value"; BACKEND=$2; shift 2 ;;
        --label) [ $# -ge 2 ] || die "--label needs a value"; LABEL=$2; shift 2 ;;
        --tsv) [ $# -ge 2 ] || die "--tsv needs a file"; TSV=$2; shift 2 ;;
        --md) [ $# -ge 2 ] || die "--md needs a file"; MD=$2; shift 2 ;;
        --summarize) MODE=summarize; shift ;;
        --format) [ $# -ge 2 ] || die "--format needs md or tsv"; FORMAT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; SPECS+=("$@"); break ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) SPECS+=("$1"); shift ;;
    esac
done
[ ${#SPECS[@]} -gt 0 ] || { usage >&2; exit 1; }
[ "$FORMAT" = md ] || [ "$FORMAT" = tsv ] || die "--format: md or tsv"

if [ "$MODE" = summarize ]; then
    for f in "${SPECS[@]}"; do [ -r "$f" ] || die "cannot read '$f'"; done
    if [ -n "$MD" ]; then summarize "${SPECS[@]}" | tee "$MD"; else summarize "${SPECS[@]}"; fi
    exit 0
fi

isnum() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
[[ $SEEDS =~ ^[1-9][0-9]*$ ]] || die "--seeds: positive integer expected, got '$SEEDS'"
[[ $SEED_START =~ ^[0-9]+$ ]] || die "--seed-start: integer expected, got '$SEED_START'"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "--threads: positive integer expected, got '$THREADS'"
isnum "$TL" || die "--time-limit: number expected, got '$TL'"
[[ $LABEL =~ ^[A-Za-z0-9._+=-]+$ ]] || die "--label: use letters, digits and ._+=- only"
[ -x "$PRISM" ] || die "solver '$PRISM' not found or not executable (run make -j2, or set PRISM)"

# Parameters: names must exist in `prism params`; a preflight run on a 2-vertex
# graph from stdin lets the solver check values and ranges before any job runs.
KNOWN=$("$PRISM" params 2>/dev/null | awk '/^  [a-z_0-9]+ +(int|real|bool|string)/ {print $1}')
PARGS=()
for p in ${PARAMS[@]+"${PARAMS[@]}"}; do
    name=${p%%=*}
    [ "$name" != "$p" ] || die "--param '$p': expected NAME=VAL"
    if [ -n "$KNOWN" ] && ! grep -qx -- "$name" <<<"$KNOWN"; then
        die "--param '$name' is not an engine parameter (see '$PRISM params')"
    fi
    PARGS+=(-p "$p")
done
BARGS=()
[ -n "$BACKEND" ] && BARGS=(--backend "$BACKEND")
if ! pre=$(printf 'p edge 2 1\ne 1 2\n' | "$PRISM" color - -t 1 ${BARGS[@]+"${BARGS[@]}"} ${PARGS[@]+"${PARGS[@]}"} 2>&1 >/dev/null); then
    die "solver rejected the options: $pre"
fi
PSTR=$(IFS=' '; echo "${PARAMS[*]-}"); [ -n "$PSTR" ] || PSTR=-

# Parse specs up front so a typo fails before hours of runs.
S_INST=(); S_K=(); S_TL=(); S_FILE=()
for spec in "${SPECS[@]}"; do
    IFS=: read -r inst k stl extra <<<"$spec"
    [ -z "${extra:-}" ] || die "bad SPEC '$spec' (INSTANCE:K[:SECONDS])"
    [[ ${k:-} =~ ^[0-9]+$ ]] || die "bad SPEC '$spec': K must be an integer"
    [ -z "${stl:-}" ] || isnum "$stl" || die "bad SPEC '$spec': SECONDS must be a number"
    if [[ $inst == */* || $inst == *.* && -f $inst ]]; then
        file=$inst; inst=$(basename "$inst"); inst=${inst%.*}
    else
        file=$PRISM_INSTANCES/$inst.col
    fi
    S_INST+=("$inst"); S_K+=("$k"); S_TL+=("${stl:-$TL}"); S_FILE+=("$file")
done

mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
STAMP=$(date +%Y%m%d-%H%M%S)
[ -n "$TSV" ] || TSV=$OUTDIR/run_${LABEL}_${STAMP}_$$.tsv
LOGDIR=${TSV%.tsv}.logs
mkdir -p "$LOGDIR" "$(dirname "$TSV")" || die "cannot create $LOGDIR"
HEADER="label	instance	k	seed	time_limit	threads	params	exit	result	t_k	t_src	best	lb	moves	engine_s	moves_per_s	wall_s	backend	log"
printf '%s\n' "$HEADER" > "$TSV"

now() { date +%s.%N 2>/dev/null || date +%s; }
HAVE_TIMEOUT=0; command -v timeout >/dev/null 2>&1 && HAVE_TIMEOUT=1

total=$(( ${#SPECS[@]} * SEEDS )); job=0; bad=0
for i in "${!SPECS[@]}"; do
    inst=${S_INST[$i]}; k=${S_K[$i]}; tl=${S_TL[$i]}; file=${S_FILE[$i]}
    if [ ! -r "$file" ]; then
        echo "run.sh: skipping $inst:$k — instance file '$file' not found" >&2
        printf '%s\t%s\t%s\t-\t%s\t%s\t%s\t-\tmissing\t\t\t\t\t\t\t\t\t\t\n' \
            "$LABEL" "$inst" "$k" "$tl" "$THREADS" "$PSTR" >> "$TSV"
        job=$((job + SEEDS)); bad=1
        continue
    fi
    for ((seed = SEED_START; seed < SEED_START + SEEDS; seed++)); do
        job=$((job + 1))
        log=$LOGDIR/${inst}_k${k}_s${seed}.log
        cmd=("$PRISM" color "$file" -k "$k" -t "$tl" -s "$seed" -j "$THREADS"
             ${BARGS[@]+"${BARGS[@]}"} ${PARGS[@]+"${PARGS[@]}"})
        # Watchdog only against hangs: the solver enforces -t itself.
        wd=()
        if [ $HAVE_TIMEOUT = 1 ] && awk -v t="$tl" 'BEGIN{exit !(t > 0)}'; then
            wd=(timeout -k 10 "$(awk -v t="$tl" 'BEGIN{printf "%d", t * 1.5 + 30}')")
        fi
        printf '[%d/%d] %s k=%s seed=%s ... ' "$job" "$total" "$inst" "$k" "$seed" >&2
        t0=$(now)
        { echo "c cmd: ${cmd[*]}"; ${wd[@]+"${wd[@]}"} "${cmd[@]}" 2>&1; echo "c exit: $?"; } > "$log"
        t1=$(now)
        # Everything below comes from the solver's own lines:
        #  'o X' then 'c X colors after T s' : first X <= k gives the time to k
        #  'c N moves in B batches, T s'     : moves and engine seconds
        row=$(awk -v k="$k" -v w0="$t0" -v w1="$t1" '
            /^c exit: / { rc = $3 }
            /^b [0-9]+/ { lb = $2 }
            /^o [0-9]+$/ { if (best == "" || $2 + 0 < best + 0) best = $2; if (tk == "" && $2 + 0 <= k) pend = $2 }
            /^c [0-9]+ colors after [0-9.]+ s/ { if (pend != "" && $2 == pend && tk == "") tk = $5; pend = "" }
            /^c [0-9]+ moves in [0-9]+ batches, [0-9.]+ s/ { mv = $2; es = $7 }
            /^c engine backend / { be = $4 }
            END {
                if (rc == "") rc = "?"
                if (rc == 10) res = "ok"; else if (rc == 0) res = "timeout"
                else if (rc == 20) res = "infeasible"; else res = "error"
                src = (tk != "") ? "solver" : ""
                if (res == "ok" && tk == "") { tk = sprintf("%.3f", w1 - w0); src = "wall" }
                if (res != "ok") { tk = ""; src = "" }
                mps = (mv + 0 > 0 && es + 0 > 0) ? sprintf("%.0f", mv / es) : "-"
                if (be == "") be = "-"
                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%s", rc, res, tk, src, best, lb, mv, es, mps, w1 - w0, be
            }' "$log")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$LABEL" "$inst" "$k" "$seed" "$tl" "$THREADS" "$PSTR" "$row" "$log" >> "$TSV"
        IFS='|' read -r rc res tk _ best lb _ _ mps _ _ <<<"${row//$'\t'/|}"
        case $res in
            ok) msg="ok ${tk} s" ;;
            timeout) msg="not reached (best ${best:-?}) by ${tl} s" ;;
            infeasible) msg="infeasible (lower bound ${lb:-?} > k)" ;;
            *) msg="ERROR exit $rc, see $log"; bad=1 ;;
        esac
        [ "$mps" != "-" ] && msg="$msg, $mps moves/s"
        echo "$msg" >&2
    done
done

echo "run.sh: raw rows in $TSV" >&2
if [ -n "$MD" ]; then summarize "$TSV" | tee "$MD"; else summarize "$TSV"; fi
[ $bad = 0 ] || exit 2
exit 0
