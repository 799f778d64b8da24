#!/usr/bin/env bash
# par.sh - many short solver runs side by side, for tuning: each run uses
# --threads J (default 1; results do not depend on it), P runs at a time.
#
#   bench/par.sh [-P N] [-j J] [-n SEEDS] [-s FIRST] [-t S] [-l LABEL]
#                [-p NAME=VAL]... SPEC...
#
# SPEC is INSTANCE:K (an instance name under $PRISM_INSTANCES or a path).
# Prints one row per spec: label, instance, k, reached/seeds, median and
# max seconds to k (failures count as +inf), and the seconds of each run.
set -u
P=$(nproc); J=1; N=5; S=1; T=60; L=default; PARAMS=""
while getopts "P:j:n:s:t:l:p:" o; do
  case $o in
    P) P=$OPTARG ;; j) J=$OPTARG ;; n) N=$OPTARG ;; s) S=$OPTARG ;;
    t) T=$OPTARG ;; l) L=$OPTARG ;; p) PARAMS="$PARAMS --param $OPTARG" ;;
    *) exit 1 ;;
  esac
done
shift $((OPTIND - 1))
PRISM=${PRISM:-build/prism}
INST=${PRISM_INSTANCES:-/work/shared/instances}
out=$(mktemp -d)
jobs=()
for spec in "$@"; do
  f=${spec%%:*}; k=${spec#*:}
  [ -f "$f" ] || f="$INST/$f.col"
  for ((s = S; s < S + N; s++)); do jobs+=("$f $k $s"); done
done
export PRISM PARAMS
printf '%s\n' "${jobs[@]}" | xargs -P "$P" -L 1 bash -c '
  f=$1; k=$2; s=$3
  o=$("$PRISM" color "$f" -k "$k" -s "$s" -j '"$J"' -t '"$T"' $PARAMS 2>&1)
  t=$(printf "%s\n" "$o" | awk -v k="$k" "/^o /{hit=(\$2<=k)} hit&&/colors after/{print \$5; exit}")
  best=$(printf "%s\n" "$o" | awk "/^o /{b=\$2} END{print b}")
  echo "$(basename "$f" .col) $k $s ${t:-inf} $best" >> "'"$out"'/rows"
' _
sort -k1,1 -k2,2n -k3,3n "$out/rows" | awk -v L="$L" -v T="$T" '
  { key=$1" "$2; if (!(key in n)) order[++m]=key; n[key]++; t[key, n[key]]=$4; bk[key]=bk[key]" "$5
    if ($4!="inf") ok[key]++ }
  END {
    for (i=1;i<=m;i++) { key=order[i]; c=n[key]
      for (a=1;a<=c;a++) v[a]=(t[key,a]=="inf")?1e9:t[key,a]
      for (a=1;a<=c;a++) for (b=a+1;b<=c;b++) if (v[b]<v[a]) {x=v[a];v[a]=v[b];v[b]=x}
      med=v[int((c+1)/2)]; mx=v[c]
      runs=""; for (a=1;a<=c;a++) runs=runs" "(t[key,a]=="inf"?"-":t[key,a])
      printf "%-10s %-14s %3d/%d  med %8s  max %8s  |%s | best%s\n", L, key, ok[key]+0, c,
        (med>=1e9?">"T:sprintf("%.2f",med)), (mx>=1e9?">"T:sprintf("%.2f",mx)), runs, bk[key] } }'
rm -rf "$out"
