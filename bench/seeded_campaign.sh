# Sourced by bench/export.sh and bench/results.sh: builds and starts the release server on a
# fresh SQLite database with the demo, seeds a campaign of $N shared participations
# (bench/seed_campaign.py), restarts the server and signs the demo's administrator in.
# Sets WORK, port, pid, jar, org and camp; the caller's EXIT trap cleans up.
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

python3 bench/seed_campaign.py "$WORK/data/acquis.db" "$N" content-plugins/packages/crcn/data

serve
jar="$WORK/cookies"
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" \
  --data-urlencode "login=direction@lycee-pix.localhost" --data-urlencode "password=$password" "http://127.0.0.1:$port/connexion"
curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: http://127.0.0.1:$port" -d "next=/orga" "http://127.0.0.1:$port/orga/cgu"
org=$(python3 -c "import sqlite3,uuid,sys; print(uuid.UUID(bytes=sqlite3.connect(sys.argv[1]).execute('select id from organizations').fetchone()[0]))" "$WORK/data/acquis.db")
camp=$(python3 -c "import sqlite3,uuid,sys; print(uuid.UUID(bytes=sqlite3.connect(sys.argv[1]).execute(\"select id from campaigns where code='BENCHX234'\").fetchone()[0]))" "$WORK/data/acquis.db")
