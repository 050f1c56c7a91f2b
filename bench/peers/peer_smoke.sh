#!/bin/sh
# ctest smoke run of posmode_bench_peer: start the mock exchange program, read its readiness
# line, run the harness for a few samples against it, stop the program. Timings mean nothing here.
# Usage: peer_smoke.sh MOCK_PROGRAM PEER_HARNESS
set -eu
mock=$1
peer=$2
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM
key=peersmokekey0123456789
secret=peersmokesecret0123456789
"$mock" --binance-account "$key:$secret" --ca-out "$dir/ca.pem" >"$dir/out" 2>"$dir/err" &
pid=$!
tries=0
until grep -q '^ready ' "$dir/out" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "peer_smoke: the mock exchange did not get ready" >&2
    cat "$dir/err" >&2
    exit 1
  fi
  sleep 0.1
done
port=$(sed -n 's/^ready port=\([0-9]*\) .*/\1/p' "$dir/out")
"$peer" --port "$port" --ca "$dir/ca.pem" --key "$key" --secret "$secret" --samples 50 \
  --warm-up 10 --csv "$dir/samples.csv"
test "$(wc -l <"$dir/samples.csv")" -eq 51
