#!/usr/bin/env bash
# Memory of refused SIECLE imports: the release server on a fresh SQLite database with the demo
# (« Lycée Pix », which imports its students); a zipped SIECLE export of N students (default
# 100,000), each with an impossible birth date (31/02), uploaded UPLOADS times (default 50) by the
# demo's administrator, every upload refused with N errors. Prints the server's resident memory
# (VmRSS) once started, after one refused upload and after every tenth, its peak (VmHWM), the
# size of the refusal page and of the error report, and the time of a refusal.
# Usage: bench/import_memory.sh [students, default 100000] [uploads, default 50]
# ACQUIS_BENCH_SERVER names another server binary (e.g. an earlier build, to compare).
set -Eeuo pipefail
trap 'echo "bench/import_memory.sh: line $LINENO: \`$BASH_COMMAND\` failed (status $?)" >&2' ERR
cd "$(dirname "$0")/.."
N=${1:-100000}
UPLOADS=${2:-50}
if [ -z "${ACQUIS_BENCH_SERVER:-}" ]; then cargo build --release -q -p acquis-server; fi
SERVER=${ACQUIS_BENCH_SERVER:-${CARGO_TARGET_DIR:-target}/release/acquis}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
port=$((3900 + RANDOM % 90))
url="http://127.0.0.1:$port"
ACQUIS_DATA_DIR="$WORK/data" ACQUIS_BIND="127.0.0.1:$port" ACQUIS_BASE_URL="$url" RUST_LOG=warn \
  "$SERVER" > "$WORK/server.log" 2>&1 &
pid=$!
up=
for _ in $(seq 600); do
  if curl -fs "$url/health" >/dev/null; then up=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
[ -n "$up" ] || { echo "the server did not start:" >&2; tail -n 30 "$WORK/server.log" >&2; exit 1; }

# The export: ISO-8859-15 like SIECLE's, zipped (a 100,000-student XML is over the 20 Mo cap).
python3 - "$WORK/refused.zip" "$N" <<'PY'
import sys, zipfile
path, n = sys.argv[1], int(sys.argv[2])
parts = ['<?xml version="1.0" encoding="ISO-8859-15"?>\n<BEE_ELEVES VERSION="2.1">\n<PARAMETRES>\n'
         '<UAJ>0754321X</UAJ>\n</PARAMETRES>\n<DONNEES>\n<ELEVES>\n']
for i in range(n):
    parts.append(f'<ELEVE ELEVE_ID="{i}">\n<ID_NATIONAL>{i:09d}ZZ</ID_NATIONAL>\n'
                 '<NOM_DE_FAMILLE>DURAND</NOM_DE_FAMILLE>\n<PRENOM>Zoé</PRENOM>\n'
                 '<DATE_NAISS>31/02/2012</DATE_NAISS>\n<CODE_SEXE>2</CODE_SEXE>\n<CODE_PAYS>100</CODE_PAYS>\n'
                 '<CODE_COMMUNE_INSEE_NAISS>33063</CODE_COMMUNE_INSEE_NAISS>\n</ELEVE>\n')
parts.append('</ELEVES>\n<STRUCTURES>\n')
for i in range(n):
    parts.append(f'<STRUCTURES_ELEVE ELEVE_ID="{i}">\n<STRUCTURE>\n<CODE_STRUCTURE>3A</CODE_STRUCTURE>\n'
                 '<TYPE_STRUCTURE>D</TYPE_STRUCTURE>\n</STRUCTURE>\n</STRUCTURES_ELEVE>\n')
parts.append('</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n')
with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('ElevesSansAdresses.xml', ''.join(parts).encode('iso-8859-15'))
PY

password=$(grep 'direction@lycee-pix.localhost' "$WORK/server.log" | sed 's/.*mot de passe[^:]*: *//')
jar="$WORK/cookies"
curl -fsS -c "$jar" -b "$jar" -o /dev/null -H "Origin: $url" \
  --data-urlencode "login=direction@lycee-pix.localhost" --data-urlencode "password=$password" "$url/connexion"
curl -fsS -c "$jar" -b "$jar" -o /dev/null -H "Origin: $url" -d "next=/orga" "$url/orga/cgu"
org=$(python3 -c "import sqlite3,uuid,sys; print(uuid.UUID(bytes=sqlite3.connect(sys.argv[1]).execute('select id from organizations').fetchone()[0]))" "$WORK/data/acquis.db")

rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
# One refused upload; a file still being read after 3 s redirects to its progress page, which is
# followed until the refusal. Prints "status bytes seconds" of the refusal page.
upload() {
  local start end out
  start=$(date +%s.%N)
  out=$(curl -sS -L -c "$jar" -b "$jar" -H "Origin: $url" -o "$WORK/page.html" \
    -w '%{http_code} %{size_download} %{url_effective}' \
    -F "file=@$WORK/refused.zip;filename=ElevesSansAdresses.zip" "$url/orga/$org/eleves/import")
  while grep -q 'http-equiv="refresh"' "$WORK/page.html"; do
    sleep 0.5
    out=$(curl -sS -c "$jar" -b "$jar" -o "$WORK/page.html" -w '%{http_code} %{size_download} %{url_effective}' \
      "${out##* }")
  done
  end=$(date +%s.%N)
  set -- $out
  echo "$1 $2 $(python3 -c "print(f'{$end - $start:.2f}')")"
}

started=$(rss)
rows=()
times=()
for i in $(seq "$UPLOADS"); do
  read -r status bytes secs < <(upload)
  [ "$status" = 422 ] || { echo "upload $i: HTTP $status, expected a refusal (422)" >&2; tail -n 20 "$WORK/server.log" >&2; exit 1; }
  times+=("$secs")
  if [ "$i" = 1 ] || [ $((i % 10)) = 0 ]; then rows+=("| after $i | $(rss) | $(hwm) |"); fi
  if [ "$i" = 1 ]; then page_bytes=$bytes; fi
done
report=$(grep -o 'href="[^"]*/erreurs"' "$WORK/page.html" | sed 's/href="//;s/"$//' || true)
report_bytes=$(curl -fsS -b "$jar" -o /dev/null -w '%{size_download}' "$url$report")
errors=$(grep -o '[0-9]* erreurs' "$WORK/page.html" | head -1)
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (${#times[@]} + 1) / 2 ))p")
echo "Upload: $(stat -c %s "$WORK/refused.zip") bytes zipped, $N students, refused with $errors; page $page_bytes bytes, error report $report_bytes bytes; a refusal takes $median s (median)."
echo
echo "| moment | server RSS (MiB) | server peak RSS (MiB) |"
echo "|---|---|---|"
echo "| started (demo in) | $started | — |"
printf '%s\n' "${rows[@]}"
