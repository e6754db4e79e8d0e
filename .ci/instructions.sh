#!/usr/bin/env bash
# The instruction-count regression gate: runs benches/instructions.rs under
# Callgrind (gungraun), compares each benchmark's instruction count with
# benches/instructions-baseline.csv, prints a before/after table and fails
# if any count rose more than 2% (INSTRUCTIONS_MAX_RISE_PCT) above its
# baseline. Drops pass (re-baseline to keep them).
#
#   bash .ci/instructions.sh                # the gate, as CI runs it
#   bash .ci/instructions.sh --rebaseline   # rewrite the baseline from this run
#
# Needs valgrind and gungraun-runner at the version of the gungraun
# dev-dependency (`cargo install gungraun-runner --version V --locked`).
# Instruction counts, unlike wall time (10-25% run to run on the shared
# 2-core VMs), repeat to within a few instructions, so 2% is a real change.
set -euo pipefail
cd "$(dirname "$0")/.."

baseline=benches/instructions-baseline.csv
max_rise_pct="${INSTRUCTIONS_MAX_RISE_PCT:-2}"
rebaseline=false
case "${1:-}" in
    "") ;;
    --rebaseline) rebaseline=true ;;
    *)
        echo "usage: bash .ci/instructions.sh [--rebaseline]" >&2
        exit 2
        ;;
esac

# The counts are only meaningful with the benchmarks' client requests,
# written for x86_64 (benches/instructions.rs).
if [ "$(uname -m)" != x86_64 ]; then
    echo "the instruction gate runs on x86_64 only (this is $(uname -m))" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind is missing (Debian: apt-get install -y valgrind)" >&2
    exit 2
fi
version=$(sed -n 's/^gungraun = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ -z "$version" ]; then
    echo "no pinned gungraun version (gungraun = \"=X.Y.Z\") in Cargo.toml" >&2
    exit 2
fi
installed=$(gungraun-runner --version 2>/dev/null | awk '{print $2}' || true)
if [ "$installed" != "$version" ]; then
    echo "gungraun-runner ${installed:-missing}, the benchmarks need $version:" >&2
    echo "  cargo install gungraun-runner --version $version --locked" >&2
    exit 2
fi

# Fresh summaries only: a benchmark that failed to run must not be read
# from an earlier run.
target_dir="${CARGO_TARGET_DIR:-target}"
out_dir="$target_dir/gungraun/erythro/instructions"
rm -rf "$out_dir"
log="${TMPDIR:-/tmp}/erythro-instructions.log"
start=$(date +%s)
if ! cargo bench --locked --bench instructions -- --save-summary=json >"$log" 2>&1; then
    cat "$log" >&2
    echo "the instruction benchmarks failed" >&2
    exit 1
fi
echo "benchmarks ran in $(($(date +%s) - start)) s under Callgrind ($(valgrind --version), gungraun $version)"

python3 - "$out_dir" "$baseline" "$max_rise_pct" "$rebaseline" <<'EOF'
"""Reads gungraun's summaries, compares them with the baseline, prints the table."""
import glob
import json
import os
import subprocess
import sys

out_dir, baseline_path, max_rise_pct, rebaseline = sys.argv[1:5]
max_rise_pct = float(max_rise_pct)
rebaseline = rebaseline == "true"

now = {}
for path in sorted(glob.glob(os.path.join(out_dir, "*", "*", "summary.json"))):
    with open(path) as f:
        summary = json.load(f)
    name = summary["function_name"]
    (profile,) = [p for p in summary["profiles"] if p["tool"] == "Callgrind"]
    data = profile["data"]
    total = data["total"]["metrics"]["Ir"]["values"]["new"]
    # The kernels run on the rayon workers (threads 2 and up): if none of
    # them counted anything, the kernel toggles no longer match (a renamed
    # or inlined `advance`), and the count would silently drop.
    workers = sum(
        part["metrics"]["Ir"]["values"]["new"]
        for part in data["parts"]
        if (part["tool_run"].get("new") or {}).get("thread", 1) > 1
    )
    if workers == 0:
        sys.exit(
            f"{name}: no instructions counted on the worker threads; the "
            "--toggle-collect names in benches/instructions.rs no longer "
            "match the kernels"
        )
    now[name] = total

if not now:
    sys.exit(f"no summaries in {out_dir}")

base = {}
if os.path.exists(baseline_path):
    with open(baseline_path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line == "benchmark,instructions":
                continue
            name, count = line.split(",")
            base[name] = int(count)

rows = []
rose = []
missing = []
dropped = []
for name in sorted(set(now) | set(base)):
    b, n = base.get(name), now.get(name)
    if b is None or n is None:
        change = "new" if b is None else "not run"
        missing.append(name)
    else:
        pct = 100.0 * (n - b) / b
        change = f"{pct:+.3f}%"
        if pct > max_rise_pct:
            change += f"  ROSE > {max_rise_pct:g}%"
            rose.append(name)
        elif pct < -max_rise_pct:
            dropped.append(name)
    rows.append((name, "-" if b is None else f"{b:,}", "-" if n is None else f"{n:,}", change))

header = ("benchmark", "baseline", "now", "change")
widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
fmt = "  ".join(["{:<%d}" % widths[0]] + ["{:>%d}" % w for w in widths[1:3]] + ["{:<%d}" % widths[3]])
print()
print(fmt.format(*header))
print(fmt.format(*("-" * w for w in widths)))
for r in rows:
    print(fmt.format(*r))
print()

if rebaseline:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip()
    if commit and dirty:
        commit += " with uncommitted changes"
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    valgrind = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    with open(baseline_path + ".tmp", "w") as f:
        f.write(
            "# Instructions (Callgrind Ir, summed over the threads) of one run of\n"
            "# benches/instructions.rs: the baseline of the CI gate .ci/instructions.sh.\n"
            "# Re-mint deliberately with: bash .ci/instructions.sh --rebaseline\n"
            f"# Minted at {commit or 'an unknown commit'}, {rustc}, {valgrind}.\n"
            "benchmark,instructions\n"
        )
        for name in sorted(now):
            f.write(f"{name},{now[name]}\n")
    os.replace(baseline_path + ".tmp", baseline_path)
    print(f"baseline rewritten: {baseline_path} (commit it)")
    sys.exit(0)

if rose or missing:
    if rose:
        print(f"FAILED: {', '.join(rose)} rose more than {max_rise_pct:g}% above the baseline.")
    if missing:
        print(f"FAILED: {', '.join(missing)} in only one of the baseline and this run.")
    print("If the change is deliberate, re-baseline: bash .ci/instructions.sh --rebaseline")
    sys.exit(1)
if dropped:
    print(
        f"passed; {', '.join(dropped)} dropped by more than {max_rise_pct:g}%: "
        "re-baseline to keep the gain (bash .ci/instructions.sh --rebaseline)"
    )
else:
    print(f"passed: no count more than {max_rise_pct:g}% above its baseline")
EOF
