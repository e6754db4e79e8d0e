#!/usr/bin/env bash
# Fuzzing step of `.ci/run` (issue 15): builds the three cargo-fuzz targets
# of fuzz/ (config, sweep, checkpoint; docs/reliability.md "Fuzzing") and
# runs each for a bounded time from a fresh corpus under target/, so the
# corpus never enters git. Any crash, panic, per-input timeout or
# out-of-memory makes libFuzzer exit non-zero, and this script with it; the
# failing input is left in target/ci-fuzz/artifacts/<target>/. Prints the
# executions per target at the end. Locally: `bash .ci/fuzz.sh`.
#
# Knobs (environment): ERYTHRO_FUZZ_SECONDS (per target, default 60),
# ERYTHRO_FUZZ_TIMEOUT (seconds one input may take, default 10),
# ERYTHRO_FUZZ_TARGETS (default "config sweep checkpoint").
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${ERYTHRO_FUZZ_SECONDS:-60}
per_input=${ERYTHRO_FUZZ_TIMEOUT:-10}
targets=${ERYTHRO_FUZZ_TARGETS:-config sweep checkpoint}
work=target/ci-fuzz

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
echo "$(cargo fuzz --version)"

# `cargo fuzz build` has no --locked: check by hand that the fuzz
# workspace's lock file is left as committed.
lock_before=$(cksum fuzz/Cargo.lock)
start=$(date +%s)
# --sanitizer none: builds on the stable toolchain (no -Zsanitizer);
# libFuzzer's coverage instrumentation, debug assertions and overflow
# checks still apply.
(cd fuzz && cargo fuzz build --sanitizer none)
echo "fuzz build: $(($(date +%s) - start)) s"
if [ "$(cksum fuzz/Cargo.lock)" != "$lock_before" ]; then
    git --no-pager diff --stat -- fuzz/Cargo.lock >&2 || true
    echo "cargo fuzz build changed fuzz/Cargo.lock: commit the updated lock file" >&2
    exit 1
fi
host=$(rustc -vV | sed -n 's/^host: //p')
bin=fuzz/target/$host/release

rm -rf "$work"
mkdir -p "$work"

# The corpora: the committed seeds, every shipped config and sweep, and for
# the checkpoint target checkpoints minted now (a committed one goes stale
# whenever the model's layout changes).
for t in $targets; do
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
    if [ -d "fuzz/seeds/$t" ]; then
        cp fuzz/seeds/"$t"/* "$work/corpus/$t/"
    fi
    case $t in
        config | sweep)
            # Named by their path (configs/ and configs/conditions/ share names).
            for f in configs/*.ron configs/conditions/*.ron configs/sweeps/*.ron; do
                cp "$f" "$work/corpus/$t/${f//\//_}"
            done
            ;;
        checkpoint)
            ERYTHRO_SEED_DIR="$PWD/$work/corpus/$t" \
                cargo test --locked -q -p erythro-io --test fuzz_seeds -- --ignored
            ;;
    esac
    echo "corpus $t: $(ls "$work/corpus/$t" | wc -l) seeds"
done

summary=""
for t in $targets; do
    echo "fuzzing $t for $seconds s (an input may take at most $per_input s)"
    log="$work/$t.log"
    # -rss_limit_mb is libFuzzer's default, spelled out: an input that
    # needs more memory is a failure too (so is a larger single malloc).
    if ! "$bin/$t" "$work/corpus/$t" \
        -max_total_time="$seconds" -timeout="$per_input" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $t failed; the input is in $work/artifacts/$t/:" >&2
        ls -l "$work/artifacts/$t/" >&2
        echo "reproduce: $bin/$t <that file>" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corpus=$(ls "$work/corpus/$t" | wc -l)
    summary+=$(printf '%-11s %10s executions in %s s, no crash; corpus %s inputs' "$t" "$runs" "$seconds" "$corpus")$'\n'
done
printf '\n%s' "$summary"
