//! Job arrays through the library: the shards of a sweep hold every run
//! once, balanced by expected cost, and their merge writes the same
//! `sweep.csv` and `sensitivity.csv` bytes as the sweep run in one process,
//! for any shard count, and after a shard was resumed.

use std::fs;
use std::path::{Path, PathBuf};

use erythro_sweep::shard::{self, Shard};
use erythro_sweep::{execute, finish, pending, prepare, spec, Quiet, Sweep};

/// A Latin hypercube of 6 small runs (about 13,000 marrow agents, 1 day)
/// over the diet, crossed with a grid whose second value is invalid
/// (saturation above 1), so the sensitivity table and failed runs are both
/// in the bytes compared.
const HYPERCUBE: &str = "(
  base: Inline((
    run: (days: 1.0, burn_in_days: 12.0),
    scale: (cells_per_agent: 6.4e7),
    body: Some(()),
  )),
  seed: 5,
  grid: [(path: \"plasma.tsat\", values: List([0.3, 1.5]))],
  latin_hypercube: Some((
    samples: 6,
    ranges: [(path: \"body.diet_fe_mg_per_day\", from: 2.0, to: 20.0, log: true)],
  )),
)
";

fn sweep_in(dir: &Path, text: &str) -> Sweep {
    spec::parse(text, "lhs.ron", dir, "lhs".into()).unwrap()
}

/// The whole sweep in one process, into `out`.
fn one_process(sweep: &Sweep, out: &Path) {
    prepare(out, sweep, false).unwrap();
    execute(sweep, out, &pending(sweep, out), 2, 1, &Quiet).unwrap();
    finish(sweep, out).unwrap();
}

/// Shard `index` of `count` into `out/shard-I-of-N`; returns the part.
fn run_shard(sweep: &Sweep, out: &Path, index: usize, count: usize) -> PathBuf {
    let s = Shard::new(index, count).unwrap();
    let part = out.join(s.dir_name());
    shard::prepare(&part, sweep, s, true).unwrap();
    let todo = shard::pending(sweep, s, &part);
    execute(sweep, &part, &todo, 2, 1, &Quiet).unwrap();
    part
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn merged_shards_give_the_one_process_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sweep = sweep_in(dir, HYPERCUBE);
    let whole = dir.join("whole");
    one_process(&sweep, &whole);
    let expected_csv = read(&whole.join("sweep.csv"));
    let expected_prcc = read(&whole.join("sensitivity.csv"));

    for count in [2, 3] {
        let out = dir.join(format!("cut{count}"));
        let parts: Vec<PathBuf> = (1..=count)
            .map(|i| run_shard(&sweep, &out, i, count))
            .collect();
        // Merged into the directory holding the parts (the default).
        let merged = shard::merge(&parts, None).unwrap();
        assert_eq!(merged.out, std::path::absolute(&out).unwrap());
        assert!(
            read(&out.join("sweep.csv")) == expected_csv,
            "{count} shards: sweep.csv differs"
        );
        assert!(
            read(&out.join("sensitivity.csv")) == expected_prcc,
            "{count} shards: sensitivity.csv differs"
        );
        // Merging again into the same place is the same.
        shard::merge(&parts, Some(&out)).unwrap();
        assert!(read(&out.join("sweep.csv")) == expected_csv);
    }
}

#[test]
fn a_shard_resumes_alone_and_an_incomplete_merge_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sweep = sweep_in(dir, HYPERCUBE);
    let out = dir.join("cut");
    let first = run_shard(&sweep, &out, 1, 2);
    // Shard 2 stops after one of its runs.
    let s2 = Shard::new(2, 2).unwrap();
    let second = out.join(s2.dir_name());
    shard::prepare(&second, &sweep, s2, false).unwrap();
    let todo = shard::pending(&sweep, s2, &second);
    assert!(todo.len() >= 2, "{todo:?}");
    execute(&sweep, &second, &todo[..1], 1, 1, &Quiet).unwrap();

    let parts = [first.clone(), second.clone()];
    let e = format!("{:#}", shard::merge(&parts, None).err().unwrap());
    assert!(e.contains("shard 2/2") && e.contains("--resume"), "{e}");
    let e = format!("{:#}", shard::merge(&parts[..1], None).err().unwrap());
    assert!(e.contains("shard(s) 2/2 missing"), "{e}");
    let e = format!(
        "{:#}",
        shard::merge(&[first.clone(), first.clone()], None)
            .err()
            .unwrap()
    );
    assert!(e.contains("both shard 1/2"), "{e}");
    // The part of another cut is refused, not merged.
    let e = format!(
        "{:#}",
        shard::prepare(&second, &sweep, Shard::new(1, 2).unwrap(), true)
            .err()
            .unwrap()
    );
    assert!(e.contains("not shard 1/2"), "{e}");

    // Resumed, shard 2 runs only what it lacks, and the merge is whole.
    assert_eq!(shard::pending(&sweep, s2, &second), todo[1..].to_vec());
    run_shard(&sweep, &out, 2, 2);
    assert!(shard::pending(&sweep, s2, &second).is_empty());
    shard::merge(&parts, None).unwrap();
    let whole = dir.join("whole");
    one_process(&sweep, &whole);
    assert!(read(&out.join("sweep.csv")) == read(&whole.join("sweep.csv")));
}

#[test]
fn shards_hold_every_run_once_and_balance_the_expected_cost() {
    let tmp = tempfile::tempdir().unwrap();
    // Runs of 1 to 8 days at two scales: costs from 1 to 16 units.
    let text = "(
      base: Inline((run: (days: 1.0), scale: (cells_per_agent: 6.4e7))),
      grid: [
        (path: \"run.days\", values: List([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])),
        (path: \"scale.cells_per_agent\", values: List([6.4e7, 3.2e7])),
      ],
      replicates: 2,
    )";
    let sweep = sweep_in(tmp.path(), text);
    let runs = sweep.runs();
    for count in 1..=5 {
        let assigned = shard::assign(&sweep, count);
        assert_eq!(assigned, shard::assign(&sweep, count), "deterministic");
        let mut seen = Vec::new();
        let mut loads = Vec::new();
        for i in 1..=count {
            let mine = shard::runs_of(&sweep, Shard::new(i, count).unwrap());
            loads.push(
                mine.iter()
                    .map(|&r| shard::expected_cost(&sweep.config(r).unwrap()))
                    .sum::<f64>(),
            );
            seen.extend(mine);
        }
        seen.sort_by_key(|r| (r.point, r.replicate));
        assert_eq!(seen, runs, "{count} shards hold every run once");
        // LPT: no shard exceeds the mean by more than the largest run.
        let mean = loads.iter().sum::<f64>() / count as f64;
        let largest = runs
            .iter()
            .map(|&r| shard::expected_cost(&sweep.config(r).unwrap()))
            .fold(0.0, f64::max);
        let max = loads.iter().cloned().fold(0.0, f64::max);
        assert!(max <= mean + largest, "{count}: loads {loads:?}");
        // And for this sweep it is close to the mean.
        assert!(max <= 1.1 * mean, "{count}: loads {loads:?}");
    }
}
