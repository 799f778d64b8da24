#!/usr/bin/env bash
# sweep_summary.sh ROWS.tsv... - one line per (instance:k, label): runs that
# reached k / runs, median and mean seconds (failures count as +inf for the
# median; the mean is over successes), and each run's seconds.
cat "$@" | sort -t$'\t' -k2,2 -k3,3n -k1,1 -k4,4n | awk -F'\t' '
  { key=$2":"$3"\t"$1; if (!(key in n)) order[++m]=key; n[key]++
    t[key, n[key]]=$5; if ($5!="inf") { ok[key]++; sum[key]+=$5 } }
  END {
    for (i=1;i<=m;i++) { key=order[i]; c=n[key]
      for (a=1;a<=c;a++) v[a]=(t[key,a]=="inf")?1e9:t[key,a]+0
      for (a=1;a<=c;a++) for (b=a+1;b<=c;b++) if (v[b]<v[a]) {x=v[a];v[a]=v[b];v[b]=x}
      med=(c%2)?v[(c+1)/2]:(v[c/2]+v[c/2+1])/2
      runs=""; for (a=1;a<=c;a++) runs=runs" "(t[key,a]=="inf"?"-":sprintf("%.1f",t[key,a]))
      split(key,kk,"\t")
      printf "%-18s %-28s %2d/%-2d med %8s  mean %7s |%s\n", kk[1], kk[2], ok[key]+0, c,
        (med>=1e8?"inf":sprintf("%.2f",med)), (ok[key]?sprintf("%.2f",sum[key]/ok[key]):"-"), runs } }'
