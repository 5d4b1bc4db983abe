#!/usr/bin/env bash
# Load benchmark of the student journey: virtual students (bench/load) join a campaign, answer
# until the end and send, against the release server on SQLite and PostgreSQL; /health measured
# by the same client in the same run; pgbench (TPC-B, 16 clients) in the same window as the
# ceiling of one write transaction per answer on this machine.
# Usage: bench/load.sh [seconds per measure, default 20] [student counts, default "50 200 500"].
# Then paced runs (ACQUIS_BENCH_PACED, default "200:1000 200:1500"): STUDENTS:RATE, the students
# together offering RATE answers per second, each thinking between answers for a time drawn
# around the mean (±50 %), latency counted from each answer's scheduled instant.
# ACQUIS_BENCH_SERVER names another server binary (to compare two builds in one window), and
# ACQUIS_BENCH_LOAD another load generator; ACQUIS_BENCH_PG_CONNECTIONS the server's PostgreSQL
# pool (20);
# ACQUIS_BENCH_BACKENDS="postgres" runs one backend only; ACQUIS_BENCH_PG_SQL is run on the
# PostgreSQL database after the migrations (to measure a schema change before writing it); ACQUIS_LOAD_SLOW=MS lists on stderr
# where the answers slower than MS milliseconds led.
# Any failure stops the script with the line and command that failed (and the server's log when
# the server is the cause): it used to stop without a word when a step failed under `set -e`.
set -Eeuo pipefail
trap 'echo "bench/load.sh: line $LINENO: \`$BASH_COMMAND\` failed (status $?)" >&2' ERR
cd "$(dirname "$0")/.."
DURATION=${1:-20}
COUNTS=${2:-50 200 500}
PG_ADMIN=${ACQUIS_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
# Both binaries named: nothing to build (e.g. a quick check with debug builds).
if [ -z "${ACQUIS_BENCH_SERVER:-}" ] || [ -z "${ACQUIS_BENCH_LOAD:-}" ]; then
  cargo build --release -q -p acquis-server -p acquis-load
fi
BIN=${CARGO_TARGET_DIR:-target}/release
SERVER=${ACQUIS_BENCH_SERVER:-$BIN/acquis}
LOAD=${ACQUIS_BENCH_LOAD:-$BIN/acquis-load}
PACED=${ACQUIS_BENCH_PACED-200:1000 200:1500}
WORK=$(mktemp -d)
# ACQUIS_BENCH_LOGS=DIR keeps the servers' logs there.
trap 'kill $(jobs -p) 2>/dev/null || true; if [ -n "${ACQUIS_BENCH_LOGS:-}" ]; then cp "$WORK"/*.log "$ACQUIS_BENCH_LOGS"/; fi; rm -rf "$WORK"' EXIT
ulimit -n 65536 2>/dev/null || true

# Stops the script loudly, with the end of the server's log.
fail() {
  echo "bench/load.sh: $1" >&2
  if [ -f "${2:-}" ]; then echo "--- last lines of $2:" >&2; tail -n 30 "$2" >&2; fi
  exit 1
}

echo "| backend | students | answers/s | p50 answer+next (ms) | p99 (ms) | tests finished | /health req/s | /health p50 (ms) | /health p99 (ms) | p50 ratio | server CPU ms/answer | PostgreSQL CPU ms/answer | load generator CPU ms/answer |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
paced=()
for backend in ${ACQUIS_BENCH_BACKENDS:-sqlite postgres}; do
  port=$((3100 + RANDOM % 500)); env=()
  if [ "$backend" = postgres ]; then
    db="acquis_load_$(date +%s)"
    psql "$PG_ADMIN" -qc "DO \$\$ BEGIN CREATE ROLE acquis_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;" >/dev/null
    psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
    base=${PG_ADMIN%/*}
    app_url="${base/\/\/*@/\/\/acquis_app@}/$db"
    # The server reaches PostgreSQL over its Unix socket (ACQUIS_BENCH_PG_SOCKET, by default
    # /var/run/postgresql when it exists), as the README recommends on one machine; set it empty
    # for loopback TCP.
    socket=${ACQUIS_BENCH_PG_SOCKET-/var/run/postgresql}
    [ -n "$socket" ] && [ -S "$socket/.s.PGSQL.5432" ] && app_url="postgres://acquis_app@localhost/$db?host=$socket"
    env=(ACQUIS_MIGRATE_DATABASE_URL="$base/$db" ACQUIS_DATABASE_URL="$app_url" ACQUIS_DATABASE_MAX_CONNECTIONS=${ACQUIS_BENCH_PG_CONNECTIONS:-20})
  fi
  env "${env[@]}" ACQUIS_DATA_DIR="$WORK/$backend" ACQUIS_BIND="127.0.0.1:$port" ACQUIS_BASE_URL="http://127.0.0.1:$port" \
      ACQUIS_LOGIN_ATTEMPTS_PER_MINUTE=100000000 RUST_LOG=warn "$SERVER" > "$WORK/$backend.log" 2>&1 &
  server=$!
  # The server listens once migrations, content and the demo are in: on PostgreSQL that can take
  # longer than the 30 s this loop used to give it, after which the next step failed silently.
  up=
  for _ in $(seq 600); do
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null; then up=1; break; fi
    kill -0 "$server" 2>/dev/null || fail "the $backend server exited before answering /health" "$WORK/$backend.log"
    sleep 0.2
  done
  [ -n "$up" ] || fail "the $backend server did not answer /health within 120 s" "$WORK/$backend.log"
  # Virtual students sign up as anyone: the demo establishment must not import its students
  # (else each would have to be one of the imported list, « Qui êtes-vous ? »).
  if [ "$backend" = postgres ]; then
    psql "$base/$db" -qc "UPDATE organizations SET manages_students = false" >/dev/null
    # An experiment on the schema, run after the migrations (as the administrator).
    if [ -n "${ACQUIS_BENCH_PG_SQL:-}" ]; then psql "$base/$db" -qc "$ACQUIS_BENCH_PG_SQL" >/dev/null; fi
  else
    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE organizations SET manages_students = 0'); c.commit()" "$WORK/$backend/acquis.db"
  fi
  url="http://127.0.0.1:$port"; jar="$WORK/$backend.jar"
  # The demo's logins, printed once: « mot de passe » then a colon after an ordinary or a
  # non-breaking space.
  password=$(grep 'direction@lycee-pix.localhost' "$WORK/$backend.log" | sed 's/.*mot de passe[^:]*: *//' || true)
  [ -n "$password" ] || fail "no demo login in the $backend server's output (was the database empty?)" "$WORK/$backend.log"
  curl -fsS -c "$jar" -b "$jar" -H "Origin: $url" -o /dev/null -d "login=direction%40lycee-pix.localhost&password=$password" "$url/connexion"
  curl -fsS -c "$jar" -b "$jar" -H "Origin: $url" -o /dev/null -d "next=/orga" "$url/orga/cgu"
  list=$(curl -fsS -c "$jar" -b "$jar" -o /dev/null -w '%{url_effective}' -L "$url/orga")
  form=$(curl -fsS -c "$jar" -b "$jar" "${list}/nouvelle")
  # The longest built-in profile, so that few tests end (and sign up again) inside the window.
  tp=$(grep -o 'option value="[0-9a-f-]*">Campagne de rentrée Tle' <<< "$form" | sed 's/option value="//;s/".*//' || true)
  [ -n "$tp" ] || fail "no « Campagne de rentrée Tle » profile offered on the $backend server" "$WORK/$backend.log"
  settings=$(curl -fsS -c "$jar" -b "$jar" -H "Origin: $url" -o /dev/null -w '%{redirect_url}' \
    -d "name=Charge&kind=ASSESSMENT&target_profile_id=$tp&multiple_sendings=non&external_id=non" "$list")
  code=$(curl -fsS -c "$jar" -b "$jar" "$settings" | grep -o '<code>[A-Z0-9]\{9\}</code>' | head -1 | sed 's/<[^>]*>//g' || true)
  [ -n "$code" ] || fail "no campaign on the longest profile (profile '$tp')" "$WORK/$backend.log"
  for n in $COUNTS; do
    row=$("$LOAD" "$url" "$code" "$n" "$DURATION")
    echo "| $backend ${row}"
  done
  for p in $PACED; do
    row=$("$LOAD" "$url" "$code" "${p%%:*}" "$DURATION" "${p##*:}")
    paced+=("| $backend ${row}")
  done
  # This server only (a bare `wait` waits for every job), and its end is expected.
  kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true
  # Each run's database goes with it (they used to pile up, one per run).
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
done

echo
echo "Paced (think time; latency from each answer's scheduled instant):"
echo
echo "| backend | students | offered answers/s | answers/s | p50 answer+next (ms) | p99 (ms) | tests finished | /health req/s | /health p50 (ms) | /health p99 (ms) | p50 ratio | server CPU ms/answer | PostgreSQL CPU ms/answer | load generator CPU ms/answer |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${paced[@]}"

# The ceiling of one write transaction per answer: TPC-B with 16 clients.
db="acquis_pgbench_$(date +%s)"
psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
pgb=${PG_ADMIN%/*}/$db
pgbench -q -i -s 16 "$pgb" >/dev/null 2>&1
tps=$(pgbench -c 16 -j 2 -T "$DURATION" "$pgb" 2>/dev/null | awk '/^tps/ { print int($3) }')
psql "$PG_ADMIN" -qc "DROP DATABASE $db" >/dev/null
echo
echo "pgbench TPC-B, 16 clients, ${DURATION} s, same machine and window: $tps tps"
