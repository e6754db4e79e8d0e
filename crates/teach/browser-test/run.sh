#!/usr/bin/env bash
# Starts `erythro teach --port 0`, reads the address it prints, runs the
# Playwright test against it and stops the server; fails if the server, the
# browser or the test fails. Run from anywhere: `bash crates/teach/browser-test/run.sh`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
log="$(mktemp)"
cd "$root"
cargo build --release --locked --quiet
target/release/erythro teach --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
    url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log" || true)"
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "erythro teach exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; echo "erythro teach printed no address" >&2; exit 1; }
echo "erythro teach at $url"
cd "$here"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
TEACH_URL="$url" node --test test.mjs
