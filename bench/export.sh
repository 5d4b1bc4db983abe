#!/usr/bin/env bash
# Export benchmark: a campaign on the 16-competence profile "decouverte-lycee" with N shared
# participations (seeded straight into SQLite), exported over HTTP by the release server; the
# server's peak memory (VmHWM) before and after; baseline in the same run: Python's sqlite3 and
# csv modules reading the same rows and writing a CSV (the floor of "read + format").
# Usage: bench/export.sh [participations, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
source bench/seeded_campaign.sh
hwm() { awk '/VmHWM/ {print $2}' /proc/$pid/status; }
# One warm-up (catalog load), then three timed runs.
curl -s -b "$jar" -o "$WORK/out.csv" "http://127.0.0.1:$port/orga/$org/campagnes/$camp/export"
before=$(hwm)
times=()
for _ in 1 2 3; do
  times+=("$(curl -s -b "$jar" -o "$WORK/out.csv" -w '%{time_total}' "http://127.0.0.1:$port/orga/$org/campagnes/$camp/export")")
done
after=$(hwm)
lines=$(($(wc -l < "$WORK/out.csv") - 1))
cols=$(head -1 "$WORK/out.csv" | awk -F';' '{print NF}')
base=$(python3 - "$WORK/data/acquis.db" <<'PY'
import csv, io, json, sqlite3, sys, time
t = time.perf_counter()
c = sqlite3.connect(sys.argv[1])
out = io.StringIO(); w = csv.writer(out, delimiter=';')
for row in c.execute("SELECT l.last_name, l.first_name, l.division, p.created_at, p.shared_at, p.mastery_percent, p.results FROM campaign_participations p JOIN learners l ON l.id = p.learner_id ORDER BY p.id"):
    r = json.loads(row[6])
    w.writerow(list(row[:6]) + [x for comp in r["competences"] for x in (comp["mastery"], comp["skills"], comp["validated"])])
print(time.perf_counter() - t)
PY
)
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "| participations | columns | export over HTTP, median of 3 (s) | baseline: Python sqlite3 + csv (s) | ratio | server peak memory growth (MiB) |"
echo "|---|---|---|---|---|---|"
python3 -c "import sys; n,c,m,b,g=sys.argv[1:]; print(f'| {n} | {c} | {float(m):.3f} | {float(b):.3f} | {float(m)/float(b):.2f} | {int(g)/1024:.1f} |')" "$lines" "$cols" "$median" "$base" "$((after - before))"
