#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time with a seed that is printed first:
#   run_fuzzer.sh BINARY SECONDS CORPUS... [-flag=value...]
# The seed is $POSMODE_FUZZ_SEED when set (to replay a failure), else random.
set -euo pipefail
binary=$1
seconds=$2
shift 2
seed=${POSMODE_FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
echo "fuzz: $(basename "$binary") seed ${seed} for ${seconds} s (replay: POSMODE_FUZZ_SEED=${seed})"
exec "$binary" "$@" -seed="$seed" -max_total_time="$seconds"
