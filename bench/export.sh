#!/usr/bin/env bash
# Export benchmark: a campaign on the 16-competence profile "decouverte-lycee" with N shared
# participations (seeded straight into SQLite), exported over HTTP by the release server; the
# server's peak memory (VmHWM) before and after; baseline in the same run: Python's sqlite3 and
# csv modules reading the same rows and writing a CSV (the floor of "read + format").
# Usage: bench/export.sh [participations, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
cargo build --release -q -p acquis-server
BIN=${CARGO_TARGET_DIR:-target}/release
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
port=$((3600 + RANDOM % 300))
export ACQUIS_DATA_DIR="$WORK/data" ACQUIS_BIND="127.0.0.1:$port" ACQUIS_BASE_URL="http://127.0.0.1:$port" RUST_LOG=warn
serve() {
  "$BIN/acquis" > "$WORK/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.2; done
  echo "server did not start"; cat "$WORK/server.log"; exit 1
}
serve
password=$(grep direction@ "$WORK/server.log" | awk '{print $NF}')
kill $pid; wait $pid 2>/dev/null || true

python3 - "$WORK/data/acquis.db" "$N" content-plugins/packages/crcn/data/framework.json <<'PY'
import json, sqlite3, sys, uuid, random
db, n, fw = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
c = sqlite3.connect(db)
org, = c.execute("SELECT id FROM organizations").fetchone()
owner, = c.execute("SELECT id FROM users WHERE email = 'direction@lycee-pix.localhost'").fetchone()
tp, = c.execute("SELECT id FROM target_profiles WHERE profile_key = 'decouverte-lycee'").fetchone()
now = "2026-11-22T08:00:00.000000Z"
camp = uuid.uuid4().bytes
c.execute("INSERT INTO campaigns (organization_id, id, code, name, kind, target_profile_id, owner_id, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
          (org, camp, "BENCHX234", "Rentrée export", "ASSESSMENT", tp, owner, owner, now))
c.execute("INSERT INTO campaign_codes (code, organization_id, campaign_id) VALUES (?,?,?)", ("BENCHX234", org, camp))
comps = [(comp["code"], comp["name"], area["name"]) for area in fw["areas"] for comp in area["competences"]]
rng = random.Random(1)
for i in range(n):
    user, learner, part = uuid.uuid4().bytes, uuid.uuid4().bytes, uuid.uuid4().bytes
    c.execute("INSERT INTO users (id, email, first_name, last_name, created_at, updated_at) VALUES (?,?,?,?,?,?)",
              (user, f"eleve{i}@bench.test", "Léa", f"Élève{i}", now, now))
    c.execute("INSERT INTO learners (organization_id, id, user_id, first_name, last_name, division, disabled, created_at, updated_at) VALUES (?,?,?,?,?,?,0,?,?)",
              (org, learner, user, "Léa", f"Élève{i}", f"2nde{i % 12}", now, now))
    competences = []
    for code, name, area in comps:
        skills = 8; validated = rng.randint(0, 8)
        competences.append({"code": code, "name": name, "area": area, "mastery": validated * 100 // skills, "skills": skills, "validated": validated})
    mastery = sum(x["validated"] for x in competences) * 100 // (8 * len(competences))
    results = {"mastery": mastery, "validated_skills": 0, "target_skills": 128, "pix": 0, "competences": competences,
               "stage_title": None, "stage_message": None, "stage_reached": rng.randint(0, 3), "stage_total": 3, "badges": [], "failed": 0}
    c.execute("INSERT INTO campaign_participations (organization_id, id, campaign_id, user_id, learner_id, status, created_at, shared_at, mastery_percent, validated_skills, pix_score, results) VALUES (?,?,?,?,?,'SHARED',?,?,?,?,?,?)",
              (org, part, camp, user, learner, now, now, mastery, 0, 0, json.dumps(results)))
c.commit()
PY

serve
jar="$WORK/cookies"
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" \
  --data-urlencode "login=direction@lycee-pix.localhost" --data-urlencode "password=$password" "http://127.0.0.1:$port/connexion"
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" -d "next=/orga" "http://127.0.0.1:$port/orga/cgu"
org=$(python3 -c "import sqlite3,uuid,sys; print(uuid.UUID(bytes=sqlite3.connect(sys.argv[1]).execute('select id from organizations').fetchone()[0]))" "$WORK/data/acquis.db")
camp=$(python3 -c "import sqlite3,uuid,sys; print(uuid.UUID(bytes=sqlite3.connect(sys.argv[1]).execute(\"select id from campaigns where code='BENCHX234'\").fetchone()[0]))" "$WORK/data/acquis.db")
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
