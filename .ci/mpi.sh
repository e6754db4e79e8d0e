#!/usr/bin/env bash
# MPI checks of `.ci/run` (issue 13), run after `cargo build --release
# --features mpi`: a small run and a small sweep under mpirun with 1, 2 and
# 3 ranks, and a two-shard sweep merged, each compared file by file with
# the same work done in one process (no mpirun). Small on purpose: about
# 13,000 marrow agents, two days, so the whole step takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/erythro
work=target/ci-mpi
rm -rf "$work"
mkdir -p "$work"
# As root in a container: allowed explicitly; more ranks than cores.
mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none)

cat >"$work/small.ron" <<'RON'
(
    run: (days: 2.0, burn_in_days: 12.0, sample_every_hours: 12.0),
    scale: (cells_per_agent: 6.4e7),
    body: Some(()),
    // Blood loss and a donation draw which cells are lost, a transfusion
    // makes cells: every path that must not depend on the rank.
    events: [
        Bleeding(from_day: 0.0, to_day: 2.0, ml_per_day: 40.0),
        Donation(day: 1.0, ml: 450.0),
        Transfusion(day: 1.5, units: 1.0),
    ],
)
RON
cat >"$work/grid.ron" <<'RON'
(
    base: Inline((
        run: (days: 1.0, burn_in_days: 12.0),
        scale: (cells_per_agent: 6.4e7),
        body: Some(()),
    )),
    seed: 7,
    grid: [
        (path: "body.diet_fe_mg_per_day", values: List([14.0, 2.0])),
        // 1.5 is out of range: a failed run travels back to rank 0 too.
        (path: "plasma.tsat", values: List([0.3, 1.5])),
    ],
    replicates: 2,
)
RON

same() {
    # Every file of a results directory, byte for byte.
    if ! diff -r "$1" "$2" >/dev/null; then
        diff -r "$1" "$2" | head -20 >&2
        echo "$2 differs from $1" >&2
        exit 1
    fi
    echo "  $2: same bytes as $1"
}

echo "one process (no mpirun)"
"$bin" run "$work/small.ron" --threads 2 --out "$work/run-1proc" >/dev/null
"$bin" sweep "$work/grid.ron" --threads 2 --out "$work/sweep-1proc" >/dev/null 2>&1
for n in 1 2 3; do
    echo "mpirun -n $n"
    "${mpirun[@]}" -n "$n" "$bin" run "$work/small.ron" --threads 1 --out "$work/run-np$n" >/dev/null
    same "$work/run-1proc" "$work/run-np$n"
    "${mpirun[@]}" -n "$n" "$bin" sweep "$work/grid.ron" --threads 1 --out "$work/sweep-np$n" >/dev/null 2>&1
    for f in sweep.csv plan.csv; do
        cmp "$work/sweep-1proc/$f" "$work/sweep-np$n/$f"
    done
    same "$work/sweep-1proc/points" "$work/sweep-np$n/points"
done

echo "two shards, merged"
for i in 1 2; do
    "$bin" sweep "$work/grid.ron" --threads 2 --out "$work/sweep-shards" --shard "$i/2" >/dev/null 2>&1
done
"$bin" sweep merge "$work"/sweep-shards/shard-*-of-2 >/dev/null
cmp "$work/sweep-1proc/sweep.csv" "$work/sweep-shards/sweep.csv"
same "$work/sweep-1proc/points" "$work/sweep-shards/points"

echo "a mismatched launcher (PMI_SIZE=3, as MPICH's mpiexec sets) is refused"
if PMI_SIZE=3 "$bin" run "$work/small.ron" --out "$work/refused" 2>"$work/refused.txt"; then
    echo "a process told it is one of 3 ranks ran alone" >&2
    exit 1
fi
grep -q "sees 1" "$work/refused.txt" || { cat "$work/refused.txt" >&2; exit 1; }
test ! -e "$work/refused"
echo "MPI runs, sweeps and shards give the one-process bytes"
