//! The sweep engine's guarantees, through the library (the command line's
//! own tests are in the root `tests/sweep.rs`): `sweep.csv` is the same
//! bytes however the runs share the threads and whether the sweep ran in
//! one go or was finished later, and an invalid point is recorded as failed
//! while the others run.

use std::fs;
use std::path::Path;

use erythro_sweep::{execute, finish, pending, prepare, spec, Quiet, RunId};

/// A 2 x 2 grid with 2 replicates: 8 small runs (about 27,000 marrow agents, 2 days).
const GRID: &str = "(
  base: Inline((
    run: (days: 2.0, burn_in_days: 12.0),
    scale: (cells_per_agent: 3.2e7),
    body: Some(()),
  )),
  seed: 3,
  replicates: 2,
  grid: [
    (path: \"body.diet_fe_mg_per_day\", values: List([14.0, 2.0])),
    (path: \"plasma.tsat\", values: List([0.3, 1.5])),
  ],
)
";

fn sweep_in(dir: &Path) -> erythro_sweep::Sweep {
    spec::parse(GRID, "grid.ron", dir, "grid".into()).unwrap()
}

/// Runs `runs` of the sweep into `out` with `workers` x `inner` threads.
fn run(out: &Path, runs: Option<&[RunId]>, workers: usize, inner: usize) -> String {
    let sweep = sweep_in(out.parent().unwrap());
    prepare(out, &sweep, true).unwrap();
    let todo = match runs {
        Some(r) => r.to_vec(),
        None => pending(&sweep, out),
    };
    execute(&sweep, out, &todo, workers, inner, &Quiet).unwrap();
    if !pending(&sweep, out).is_empty() {
        return String::new();
    }
    finish(&sweep, out).unwrap().table.csv
}

#[test]
fn sweep_csv_does_not_depend_on_threads_or_on_finishing_later() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let one = run(&dir.join("one"), None, 1, 1);
    assert_eq!(run(&dir.join("side_by_side"), None, 2, 1), one);
    assert_eq!(run(&dir.join("within"), None, 1, 2), one);
    // Half the runs, then the rest: the same bytes as in one go.
    let sweep = sweep_in(dir);
    let all = sweep.runs();
    let later = dir.join("later");
    assert_eq!(run(&later, Some(&all[..3]), 2, 1), "");
    assert_eq!(pending(&sweep, &later), all[3..].to_vec());
    assert_eq!(run(&later, None, 2, 1), one);
    assert_eq!(fs::read_to_string(later.join("sweep.csv")).unwrap(), one);

    // Saturation 1.5 is out of range: those points fail with the reason,
    // the others finish.
    let rows: Vec<&str> = one.lines().skip(1).collect();
    assert_eq!(rows.len(), 8);
    for row in rows {
        let tsat_ok = row.split(',').nth(4) == Some("0.3");
        assert_eq!(row.contains(",ok,"), tsat_ok, "{row}");
        assert_eq!(row.contains("plasma.tsat"), !tsat_ok, "{row}");
    }
}
