#!/usr/bin/env bash
# sweep.sh - a tuning sweep: many solver runs side by side (each -j 1 by
# default: results do not depend on the thread count), from a job file.
#
#   bench/sweep.sh [-P N] [-j J] JOBS OUT.tsv
#
# JOBS: one run per line, tab-separated: label, instance (name under
# $PRISM_INSTANCES or a path), k, seed, time limit, parameters (NAME=VAL
# separated by spaces; may be empty). Runs go in file order, N at a time
# (put the longest first). OUT.tsv gets one row per run: label instance k
# seed seconds-to-k (inf when not reached) best-k moves; then the summary
# (bench/sweep_summary.sh OUT.tsv) is printed.
set -u
P=$(nproc); J=1
while getopts "P:j:" o; do
  case $o in P) P=$OPTARG ;; j) J=$OPTARG ;; *) exit 1 ;; esac
done
shift $((OPTIND - 1))
JOBS=$1 OUTF=$2
export PRISM=${PRISM:-build/prism} PRISM_INSTANCES=${PRISM_INSTANCES:-/work/shared/instances} J OUTF
: > "$OUTF"
grep -v '^#' "$JOBS" | grep . | xargs -P "$P" -d '\n' -n 1 bash -c '
  IFS=$'"'"'\t'"'"' read -r label inst k seed tl params <<< "$1"
  f=$inst; [ -f "$f" ] || f=$PRISM_INSTANCES/$inst.col
  pa=(); for x in $params; do pa+=(--param "$x"); done
  o=$("$PRISM" color "$f" -k "$k" -s "$seed" -j "$J" -t "$tl" ${pa[@]+"${pa[@]}"} 2>&1)
  t=$(printf "%s\n" "$o" | awk -v k="$k" "/^o /{hit=(\$2<=k)} hit&&/colors after/{print \$5; exit}")
  best=$(printf "%s\n" "$o" | awk "/^o /{b=\$2} END{print b}")
  mv=$(printf "%s\n" "$o" | awk "/moves in/{print \$2}" | tail -1)
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$label" "$(basename "$inst" .col)" "$k" "$seed" "${t:-inf}" "${best:--}" "${mv:-0}" >> "$OUTF"
' _
"$(dirname "$0")/sweep_summary.sh" "$OUTF"
