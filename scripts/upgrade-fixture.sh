#!/usr/bin/env bash
# Writes the upgrade test's fixtures (cmd/ticketer/testdata/upgrade/): a
# SQLite database and a PostgreSQL dump made by this tree's migrations, with
# a user, a token, a mailbox with sealed relay credentials, three imported
# mails (tickets, messages, an attachment) and the acknowledgements River
# has queued. Run it once per release, at the release commit, and commit the
# result under a folder named for the newest migration
# (v0006 = migrations 0001-0006); the test then proves every later release
# upgrades that database.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(ls internal/store/migrations/sqlite | sort | tail -1 | cut -c1-4)
out=cmd/ticketer/testdata/upgrade/v$version
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/ticketer" ./cmd/ticketer
export TICKETER_ENCRYPTION_KEY_BASE64=MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=
export TICKETER_LOG_LEVEL=warn
fill() {
  "$work/ticketer" user add --email admin@acme.test --name "Ada Admin" --role admin >/dev/null
  "$work/ticketer" token create --email admin@acme.test >/dev/null
  "$work/ticketer" mailbox add --name "ACME Support" --address support@acme.test --smtp-relay smtp://relayuser:relaypass@relay.acme.test:587 >/dev/null
  "$work/ticketer" import --mailbox support@acme.test cmd/ticketer/testdata/upgrade/mail >/dev/null
}

# SQLite, with its blobs (the same files serve the PostgreSQL fixture).
TICKETER_DATA_DIR="$work/sqlite" fill
cp "$work/sqlite/ticketer.db" "$out/sqlite.db"
rm -rf "$out/blobs" && cp -r "$work/sqlite/blobs" "$out/blobs"

# PostgreSQL: a plain SQL dump (psql's \ lines dropped: the test runs it as
# one simple-protocol batch).
admin=${TICKETER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=ticketer_upgrade_fixture_$$
psql -q "$admin" -c "CREATE DATABASE $db"
trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$work"' EXIT
url=${admin%/*}/$db?sslmode=disable
TICKETER_DATA_DIR="$work/pg" TICKETER_DATABASE_URL=$url fill
pg_dump --inserts --no-owner --no-privileges "$url" | grep -v '^\\' > "$out/postgres.sql"
echo "wrote $out"
