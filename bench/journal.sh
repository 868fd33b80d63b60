#!/usr/bin/env bash
# Journal list under load on PostgreSQL: GET /api/v1/journal/entries?limit=20
# for one client, with wrk at 32 connections, next to pgbench running the
# same SQL (the session check and the list query) in the same run; at
# 10,000 and at 1,000,000 entries spread over 10,000 clients.
#
#   bench/journal.sh            # needs wrk, pgbench, psql and PostgreSQL on 127.0.0.1:5432
#
# Prints requests/s, p50/p99 and the API/pgbench ratio for both sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=between_bench
URL="$PG/$DB"
PORT=${BENCH_PORT:-18080}
BASE="http://127.0.0.1:$PORT"
DURATION=${BENCH_DURATION:-20s}
CONNECTIONS=32
PASSWORD='quiet harbour lantern 42'
export PGOPTIONS='--client-min-messages=warning'

for tool in wrk pgbench psql curl; do
  command -v "$tool" >/dev/null || { echo "bench/journal.sh needs $tool" >&2; exit 1; }
done

cargo build --release -q -p between-api
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"

DATA_DIR=$(mktemp -d)
DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$PORT DATA_DIR=$DATA_DIR RUN_WORKER=false \
  JWT_SECRET=bench-secret-bench-secret-bench-secret-0 RATE_LIMIT_PER_MINUTE=100000 RUST_LOG=warn \
  "${CARGO_TARGET_DIR:-target}/release/between" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA_DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.2; done

post() { curl -sf -X POST "$BASE$1" -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} -d "$2"; }
token_of() { psql "$URL" -Atc "SELECT payload::json->>'token' FROM outbox WHERE kind = '$1' ORDER BY created_at DESC LIMIT 1"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# One real therapist and client, through the API.
post /api/v1/auth/signup "{\"email\":\"t@bench.invalid\",\"password\":\"$PASSWORD\",\"display_name\":\"T\",\"time_zone\":\"UTC\"}" >/dev/null
post /api/v1/auth/verify-email "{\"token\":\"$(token_of verify_email)\"}" >/dev/null
THERAPIST=$(post /api/v1/auth/login "{\"email\":\"t@bench.invalid\",\"password\":\"$PASSWORD\"}" | json "['access_token']")
post /api/v1/invitations '{"email":"c@bench.invalid"}' "$THERAPIST" >/dev/null
post "/api/v1/invitations/$(token_of invitation)/accept" "{\"password\":\"$PASSWORD\",\"display_name\":\"C\",\"time_zone\":\"UTC\"}" >/dev/null
TOKEN=$(post /api/v1/auth/login "{\"email\":\"c@bench.invalid\",\"password\":\"$PASSWORD\"}" | json "['access_token']")
CLIENT=$(psql "$URL" -Atc "SELECT id FROM users WHERE email = 'c@bench.invalid'")
SESSION=$(psql "$URL" -Atc "SELECT id FROM sessions WHERE user_id = '$CLIENT'")

# The bench client's own 200 entries, then 9,999 more clients.
psql "$URL" -q <<SQL
INSERT INTO journal_entries (id, client_id, kind, body, mood, tags, created_at, updated_at, version)
SELECT gen_random_uuid(), '$CLIENT', 'free', 'entry ' || g || ' ' || md5(g::text), 1 + g % 5, '[]', now(), now(), 1
FROM generate_series(1, 200) g;
CREATE TABLE bench_clients (n serial PRIMARY KEY, id uuid NOT NULL);
INSERT INTO bench_clients (id) SELECT gen_random_uuid() FROM generate_series(1, 9999);
INSERT INTO users (id, email, password_hash, display_name, role, time_zone, email_verified_at, created_at, updated_at)
SELECT id, 'seed' || n || '@bench.invalid', 'x', 'Seed ' || n, 'client', 'UTC', now(), now(), now() FROM bench_clients;
SQL

seed_to() { # total entries
  local have
  have=$(psql "$URL" -Atc "SELECT count(*) FROM journal_entries")
  psql "$URL" -q <<SQL
DROP INDEX IF EXISTS journal_entries_search;
INSERT INTO journal_entries (id, client_id, kind, body, mood, tags, created_at, updated_at, version)
SELECT gen_random_uuid(), c.id, 'free', 'seeded entry ' || g || ' ' || md5(g::text), 1 + g % 5, '[]', now(), now(), 1
FROM generate_series($have + 1, $1) g JOIN bench_clients c ON c.n = 1 + g % 9999;
CREATE INDEX journal_entries_search ON journal_entries
    USING gin (to_tsvector('simple', coalesce(title, '') || ' ' || body));
VACUUM ANALYZE;
SQL
}

PGB_SQL=$(mktemp)
cat > "$PGB_SQL" <<SQL
SELECT users.role FROM sessions INNER JOIN users ON users.id = sessions.user_id WHERE sessions.id = '$SESSION' AND sessions.user_id = '$CLIENT' AND sessions.revoked_at IS NULL AND sessions.expires_at > now() AND users.disabled_at IS NULL LIMIT 1;
SELECT e.*, s.* FROM journal_entries e LEFT JOIN journal_shares s ON s.entry_id = e.id AND s.revoked_at IS NULL WHERE e.client_id = '$CLIENT' ORDER BY e.id DESC LIMIT 21;
SQL

measure() { # label
  local wrk_out pgb_out api_rps pgb_tps
  curl -sf "$BASE/api/v1/journal/entries?limit=20" -H "authorization: Bearer $TOKEN" | json "['items'][0]['body']" >/dev/null
  wrk_out=$(wrk -t2 -c$CONNECTIONS -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/journal/entries?limit=20")
  pgb_out=$(pgbench -n -M prepared -c $CONNECTIONS -j 2 -T "${DURATION%s}" -f "$PGB_SQL" "$URL" 2>&1)
  api_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$wrk_out")
  pgb_tps=$(awk '/^tps =/ {print $3}' <<<"$pgb_out")
  echo "== $1 entries"
  echo "API   GET /api/v1/journal/entries?limit=20: $api_rps req/s; p50 $(awk '$1=="50%" {print $2}' <<<"$wrk_out"), p99 $(awk '$1=="99%" {print $2}' <<<"$wrk_out"); non-2xx: $(awk '/Non-2xx/ {print $5}' <<<"$wrk_out")"
  echo "pgbench same SQL (session check + list): $pgb_tps tps; latency avg $(awk '/latency average/ {print $4, $5}' <<<"$pgb_out")"
  python3 -c "print(f'ratio API/pgbench: {float($api_rps)/float($pgb_tps):.0%}')"
}

seed_to 10000
measure "10,000"
seed_to 1000000
measure "1,000,000"
