#!/usr/bin/env bash
# Campaign page benchmark: the Activité, Résultats and Analyse tabs of a campaign with N shared
# participations on the 16-competence profile « decouverte-lycee » (seeded into SQLite, each with
# the knowledge of the profile's 68 tubes), served by the release server, 30 timed requests per
# page after 3 warm-ups; baseline in the same run: /health over the same connection setup.
# Usage: bench/results.sh [participations, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
source bench/seeded_campaign.sh
url="http://127.0.0.1:$port"
measure() {
  local path=$1
  for _ in 1 2 3; do curl -s -b "$jar" -o /dev/null "$url$path"; done
  for _ in $(seq 30); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$url$path"; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f", a[int(NR/2)+1]*1000, a[int(NR*0.9)+1]*1000}'
}
status=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$url/orga/$org/campagnes/$camp/analyse")
[ "$status" = 200 ] || { echo "analysis page answered $status"; cat "$WORK/server.log"; exit 1; }
read -r h50 h90 <<<"$(measure /health)"
echo "| page | p50 (ms) | p90 (ms) | p50 / health p50 |"
echo "|---|---|---|---|"
echo "| /health (baseline) | $h50 | $h90 | 1.0 |"
for tab in "" /resultats /analyse "/resultats?palier=2"; do
  read -r p50 p90 <<<"$(measure "/orga/$org/campagnes/$camp$tab")"
  python3 -c "import sys; t,a,b,h=sys.argv[1:]; print(f'| {t or \"(Activité)\"} | {a} | {b} | {float(a)/float(h):.0f} |')" "$tab" "$p50" "$p90" "$h50"
done
