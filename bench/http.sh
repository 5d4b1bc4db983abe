#!/usr/bin/env bash
# HTTP benchmark of the foundation: an authenticated establishment page against /health, and the
# login cost, on SQLite and PostgreSQL, with wrk (Debian package `wrk`), in one run.
# Usage: bench/http.sh [seconds per measure, default 10]. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
PG_ADMIN=${ACQUIS_BENCH_PG:-postgres://postgres@127.0.0.1:5432/test}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p acquis-server
BIN=${CARGO_TARGET_DIR:-target}/release/acquis
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat > "$WORK/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "login=direction%40lycee-pix.localhost&password=" .. os.getenv("BENCH_PASSWORD")
LUA

# wrk summary → "req/s p50 p99" (latencies in ms)
measure() {
  wrk -t2 -c"$1" -d"${DURATION}s" --latency "${@:2}" 2>/dev/null | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }'
}

run_backend() {
  local backend=$1 port=$2 env=()
  if [ "$backend" = postgres ]; then
    local db="acquis_bench_$(date +%s)"
    psql "$PG_ADMIN" -qc "DO \$\$ BEGIN CREATE ROLE acquis_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;" >/dev/null
    psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
    local base=${PG_ADMIN%/*}
    env=(ACQUIS_MIGRATE_DATABASE_URL="$base/$db" ACQUIS_DATABASE_URL="${base/\/\/*@/\/\/acquis_app@}/$db")
  fi
  env "${env[@]}" ACQUIS_DATA_DIR="$WORK/$backend" ACQUIS_BIND="127.0.0.1:$port" ACQUIS_BASE_URL="http://127.0.0.1:$port" \
      ACQUIS_LOGIN_ATTEMPTS_PER_MINUTE=100000000 RUST_LOG=warn "$BIN" > "$WORK/$backend.log" 2>&1 &
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  local password; password=$(grep 'direction@lycee-pix.localhost' "$WORK/$backend.log" | sed 's/.*mot de passe : //')
  local jar="$WORK/$backend.jar" url="http://127.0.0.1:$port"
  curl -fs -c "$jar" -b "$jar" -o /dev/null -d "login=direction%40lycee-pix.localhost&password=$password" "$url/connexion"
  curl -fs -c "$jar" -b "$jar" -o /dev/null -d "next=/orga" "$url/orga/cgu"
  local page; page=$(curl -fs -c "$jar" -b "$jar" -o /dev/null -w '%{url_effective}' -L "$url/orga")
  page=${page/campagnes/equipe}
  local cookie; cookie=$(awk '$6 == "acquis_session" { print $7 }' "$jar")
  # Captured first: `grep -q` closing the pipe early would fail curl under pipefail.
  local body; body=$(curl -fs -H "Cookie: acquis_session=$cookie" "$page")
  grep -q "Liste des membres" <<< "$body" || { echo "authenticated page not reachable ($page)" >&2; tail -20 "$WORK/$backend.log" >&2; exit 1; }
  read -r h_rps h_p50 h_p99 < <(measure 32 "$url/health")
  read -r s_rps s_p50 s_p99 < <(measure 32 -H "Cookie: acquis_session=$cookie" "${page/equipe/campagnes}")
  read -r p_rps p_p50 p_p99 < <(measure 32 -H "Cookie: acquis_session=$cookie" "$page")
  read -r l_rps l_p50 l_p99 < <(BENCH_PASSWORD=$password measure 2 -s "$WORK/login.lua" "$url/connexion")
  awk -v b="$backend" -v hr="$h_rps" -v h50="$h_p50" -v h99="$h_p99" -v pr="$p_rps" -v p50="$p_p50" -v p99="$p_p99" \
      -v sr="$s_rps" -v s50="$s_p50" -v s99="$s_p99" \
      -v lr="$l_rps" -v l50="$l_p50" -v l99="$l_p99" 'BEGIN {
    printf "| %s | /health | %d | %.2f | %.2f | 1 |\n", b, hr, h50, h99
    printf "| %s | /orga/{id}/campagnes (signed in, campaign list) | %d | %.2f | %.2f | %.2f |\n", b, sr, s50, s99, hr / sr
    printf "| %s | /orga/{id}/equipe (signed in, team read) | %d | %.2f | %.2f | %.2f |\n", b, pr, p50, p99, hr / pr
    printf "| %s | POST /connexion (argon2id verify) | %d | %.2f | %.2f | %.0f |\n", b, lr, l50, l99, hr / lr }'
  kill %% 2>/dev/null || true; wait 2>/dev/null || true
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; fi
}

echo "| backend | route | requests/s | p50 ms | p99 ms | cost vs /health |"
echo "|---|---|---|---|---|---|"
[ "${ONLY:-}" = postgres ] || run_backend sqlite 3801
run_backend postgres 3802
