//! End-to-end tests of `erythro sweep`: the same `sweep.csv` at any thread
//! count and split, an interrupted sweep resumed to the same bytes, failed
//! points recorded while the rest go on, bad paths refused with a
//! suggestion, the sensitivity output of a Latin hypercube, and a job
//! array's shards merged to the one-process bytes.
//!
//! Every run is small (about 27,000 marrow agents, a few days after a
//! 12-day burn-in), so a run takes well under a second in the optimised
//! test profile.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

mod common;
use common::{erythro, expect_error, expect_success};

/// A grid of 2 x 2 points with 2 replicates: 8 small runs of `days` days.
fn grid_sweep(days: f64) -> String {
    format!(
        "(
  base: Inline((
    run: (days: {days:?}, burn_in_days: 12.0),
    scale: (cells_per_agent: 3.2e7),
    body: Some(()),
  )),
  seed: 3,
  replicates: 2,
  grid: [
    (path: \"body.diet_fe_mg_per_day\", values: List([14.0, 2.0])),
    (path: \"plasma.tsat\", values: Linear(from: 0.3, to: 0.1, count: 2)),
  ],
)
"
    )
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).unwrap();
    path
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Runs `erythro sweep SWEEP --out OUT EXTRA...`.
fn sweep(dir: &Path, file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("sweep"),
        file.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    erythro(dir, &args)
}

/// The run directories finished so far.
fn finished_runs(out: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(out.join("points")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Every run's summary, by run directory.
fn summaries(out: &Path) -> Vec<(String, String)> {
    finished_runs(out)
        .into_iter()
        .map(|n| {
            let s = read(&out.join("points").join(&n).join("summary.json"));
            (n, s)
        })
        .collect()
}

#[test]
fn sweep_csv_is_identical_at_1_and_2_threads_and_any_split() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let file = write(dir, "grid.ron", &grid_sweep(2.0));
    let splits: [(&str, &[&str]); 3] = [
        ("t1", &["--threads", "1"]),
        ("t2", &["--threads", "2"]),
        ("t2_within", &["--threads", "2", "--point-threads", "2"]),
    ];
    for (name, args) in splits {
        expect_success(&sweep(dir, &file, &dir.join(name), args));
    }
    let reference = read(&dir.join("t1").join("sweep.csv"));
    for (name, _) in &splits[1..] {
        assert!(
            read(&dir.join(name).join("sweep.csv")) == reference,
            "sweep.csv of {name} differs from t1"
        );
        assert_eq!(summaries(&dir.join(name)), summaries(&dir.join("t1")));
    }

    // One row per point and replicate, in plan order, with the swept values,
    // the seed and the final blood count.
    let mut lines = reference.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..6],
        [
            "point",
            "replicate",
            "seed",
            "body.diet_fe_mg_per_day",
            "plasma.tsat",
            "status"
        ]
    );
    for column in [
        "hb_g_dl",
        "mcv_fl",
        "mchc_g_dl",
        "rdw_cv_pct",
        "ferritin_ug_l",
    ] {
        assert!(header.contains(&column), "no {column} in {header:?}");
    }
    assert_eq!(header.last(), Some(&"error"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 8, "{reference}");
    let mut seeds = std::collections::HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len(), "row {i}");
        assert_eq!(row[0], (i / 2).to_string());
        assert_eq!(row[1], (i % 2).to_string());
        assert!(seeds.insert(row[2]), "seed {} repeats", row[2]);
        assert_eq!(row[5], "ok");
    }
    assert_eq!((rows[0][3], rows[0][4]), ("14", "0.3"));
    assert_eq!((rows[2][3], rows[2][4]), ("14", "0.1"));
    assert_eq!((rows[4][3], rows[4][4]), ("2", "0.3"));

    // Each run repeats from its own resolved config.
    let run = dir.join("t1").join("points").join("p0001-r1");
    let again = dir.join("again");
    let o = erythro(
        dir,
        &[
            OsStr::new("run"),
            run.join("config.ron").as_os_str(),
            OsStr::new("--out"),
            again.as_os_str(),
        ],
    );
    expect_success(&o);
    assert_eq!(
        read(&again.join("summary.json")),
        read(&run.join("summary.json"))
    );
}

#[test]
fn interrupted_sweep_resumes_to_the_same_sweep_csv() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let file = write(dir, "grid.ron", &grid_sweep(8.0));
    let whole = dir.join("whole");
    expect_success(&sweep(dir, &file, &whole, &["--threads", "2"]));

    // Start the same sweep on one thread and kill it once two runs are done.
    let cut = dir.join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args([OsStr::new("sweep"), file.as_os_str()])
        .args([OsStr::new("--out"), cut.as_os_str()])
        .args(["--threads", "1"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while finished_runs(&cut).len() < 2 {
        assert!(Instant::now() < deadline, "no two runs finished in time");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = finished_runs(&cut).len();
    assert!(
        (2..8).contains(&before),
        "{before} runs finished before the kill"
    );
    assert!(
        !cut.join("sweep.csv").exists(),
        "an interrupted sweep wrote sweep.csv"
    );

    // Without --resume the directory is not touched.
    let err = expect_error(&sweep(dir, &file, &cut, &["--threads", "2"]));
    assert!(err.contains("--resume"), "{err}");
    assert_eq!(finished_runs(&cut).len(), before);

    let stdout = expect_success(&sweep(dir, &file, &cut, &["--threads", "2", "--resume"]));
    assert!(
        stdout.contains(&format!("8 runs ({} this time)", 8 - before)),
        "{stdout}"
    );
    assert!(
        read(&cut.join("sweep.csv")) == read(&whole.join("sweep.csv")),
        "the resumed sweep.csv differs from the uninterrupted one"
    );
    assert_eq!(summaries(&cut), summaries(&whole));
    let leftovers: Vec<String> = fs::read_dir(cut.join("points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");

    // A finished sweep resumes to itself without running anything.
    let stdout = expect_success(&sweep(dir, &file, &cut, &["--resume"]));
    assert!(stdout.contains("8 runs (0 this time)"), "{stdout}");
    assert!(read(&cut.join("sweep.csv")) == read(&whole.join("sweep.csv")));

    // A changed sweep is refused rather than mixed into the old results.
    let changed = write(dir, "grid.ron", &grid_sweep(8.0).replace("2.0]", "3.0]"));
    let err = expect_error(&sweep(dir, &changed, &cut, &["--resume"]));
    assert!(err.contains("holds a different sweep"), "{err}");
}

#[test]
fn a_sweep_stopped_by_sigterm_resumes_its_runs_part_way_to_the_same_sweep_csv() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let file = write(dir, "grid.ron", &grid_sweep(8.0));
    let whole = dir.join("whole");
    expect_success(&sweep(dir, &file, &whole, &["--threads", "2"]));

    let cut = dir.join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args([OsStr::new("sweep"), file.as_os_str()])
        .args([OsStr::new("--out"), cut.as_os_str()])
        .args(["--threads", "2", "--checkpoint-every", "1"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let checkpoints = cut.join("checkpoints");
    let deadline = Instant::now() + Duration::from_secs(120);
    while fs::read_dir(&checkpoints).map_or(0, |d| d.count()) == 0 {
        assert!(Instant::now() < deadline, "no checkpoint in time");
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended first");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("`--resume` finishes the sweep"), "{stderr}");
    let parked = fs::read_dir(&checkpoints).unwrap().count();
    assert!(parked >= 1, "the runs part way are checkpointed");
    assert!(!cut.join("sweep.csv").exists());

    expect_success(&sweep(dir, &file, &cut, &["--threads", "1", "--resume"]));
    assert!(
        read(&cut.join("sweep.csv")) == read(&whole.join("sweep.csv")),
        "the resumed sweep.csv differs from the uninterrupted one"
    );
    assert_eq!(summaries(&cut), summaries(&whole));
    assert_eq!(
        fs::read_dir(&checkpoints).unwrap().count(),
        0,
        "checkpoints left"
    );
}

#[test]
fn bad_field_path_is_refused_with_a_suggestion() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let file = write(
        dir,
        "typo.ron",
        &grid_sweep(2.0).replace("body.diet_fe_mg_per_day", "body.diet_fe_mg_per_dya"),
    );
    let out = dir.join("out");
    let err = expect_error(&sweep(dir, &file, &out, &[]));
    assert!(
        err.contains("unknown field path `body.diet_fe_mg_per_dya`"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `body.diet_fe_mg_per_day`"),
        "{err}"
    );
    assert!(!out.exists(), "a refused sweep created its directory");

    // The issue's own example spelling finds the real field by its name.
    let file = write(
        dir,
        "section.ron",
        &grid_sweep(2.0).replace("body.diet_fe_mg_per_day", "diet.diet_fe_mg_per_day"),
    );
    let err = expect_error(&sweep(dir, &file, &out, &[]));
    assert!(err.contains("`body.diet_fe_mg_per_day`"), "{err}");
    assert!(!out.exists());

    // --list-paths shows every valid path.
    let listed = expect_success(&erythro(
        dir,
        &[
            OsStr::new("sweep"),
            file.as_os_str(),
            OsStr::new("--list-paths"),
        ],
    ));
    for path in [
        "body.diet_fe_mg_per_day",
        "marrow.critical_hb_g_dl",
        "run.days",
    ] {
        assert!(listed.contains(path), "{path} not listed:\n{listed}");
    }
}

#[test]
fn failed_point_is_recorded_and_the_rest_go_on() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    // Sampling every half hour is finer than the 1-hour step: invalid.
    let file = write(
        dir,
        "bad_point.ron",
        "(
  base: Inline((run: (days: 2.0, burn_in_days: 12.0), scale: (cells_per_agent: 3.2e7))),
  grid: [(path: \"run.sample_every_hours\", values: List([24, 0.5, 12]))],
)",
    );
    let out = dir.join("out");
    // --dry-run shows the plan and the invalid run, and runs nothing.
    let plan = expect_success(&sweep(dir, &file, &out, &["--dry-run"]));
    assert!(
        plan.contains("3 points x 1 replicate(s) = 3 runs, 1 invalid"),
        "{plan}"
    );
    assert!(
        plan.contains("p0001-r0: run.sample_every_hours = 0.5"),
        "{plan}"
    );
    assert!(!out.exists(), "--dry-run created {}", out.display());

    let stdout = expect_success(&sweep(dir, &file, &out, &["--threads", "2"]));
    assert!(stdout.contains("1 run(s) failed"), "{stdout}");
    let csv = read(&out.join("sweep.csv"));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows[0].contains(",24,ok,"), "{}", rows[0]);
    assert!(rows[1].contains(",0.5,failed,"), "{}", rows[1]);
    assert!(
        rows[1].contains("run.sample_every_hours = 0.5"),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains(",12,ok,"), "{}", rows[2]);
    // The reason is quoted (it holds commas); the row has every column.
    let columns = csv.lines().next().unwrap().split(',').count();
    let unquoted = rows[1].split('"').next().unwrap();
    assert_eq!(unquoted.split(',').count(), columns, "{}", rows[1]);
    assert!(out.join("points/p0001-r0/failed.txt").is_file());

    // A recorded failure is a result: resuming does not run it again.
    let stdout = expect_success(&sweep(dir, &file, &out, &["--resume"]));
    assert!(stdout.contains("3 runs (0 this time)"), "{stdout}");
    assert_eq!(read(&out.join("sweep.csv")), csv);
}

#[test]
fn latin_hypercube_writes_sensitivity() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let file = write(
        dir,
        "lhs.ron",
        "(
  base: Inline((run: (days: 2.0, burn_in_days: 12.0), scale: (cells_per_agent: 3.2e7))),
  latin_hypercube: Some((samples: 8, ranges: [
    (path: \"plasma.tsat\", from: 0.06, to: 0.3),
    (path: \"marrow.critical_hb_g_dl\", from: 9.0, to: 14.0),
    (path: \"marrow.cycle_hours\", from: 18.0, to: 30.0, log: true),
  ])),
)",
    );
    let out = dir.join("out");
    let stdout = expect_success(&sweep(dir, &file, &out, &["--threads", "2"]));
    assert!(stdout.contains("partial rank correlation"), "{stdout}");
    let csv = read(&out.join("sensitivity.csv"));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("parameter,output,prcc,p_value,n"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 4, "{csv}");
    for row in &rows {
        let r: f64 = row[2].parse().unwrap();
        let p: f64 = row[3].parse().unwrap();
        assert!(
            (-1.0..=1.0).contains(&r) && (0.0..=1.0).contains(&p),
            "{row:?}"
        );
        assert_eq!(row[4], "8");
    }
    for output in ["hb_g_dl", "mcv_fl", "mchc_g_dl", "rdw_cv_pct"] {
        assert!(rows.iter().any(|r| r[0] == "plasma.tsat" && r[1] == output));
    }
    // Every value of each range falls in its own stratum.
    let sweep_csv = read(&out.join("sweep.csv"));
    let mut strata: Vec<usize> = sweep_csv
        .lines()
        .skip(1)
        .map(|l| {
            let tsat: f64 = l.split(',').nth(3).unwrap().parse().unwrap();
            ((tsat - 0.06) / (0.3 - 0.06) * 8.0) as usize
        })
        .collect();
    strata.sort();
    assert_eq!(strata, (0..8).collect::<Vec<_>>());
}

/// Runs `erythro ARGS...` in `dir` with the environment variables `vars`.
fn erythro_with(dir: &Path, args: &[&OsStr], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(dir)
        .output()
        .expect("cannot start the erythro binary")
}

#[test]
fn job_array_shards_merge_to_the_one_process_sweep_csv() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let file = write(dir, "grid.ron", &grid_sweep(1.0));
    let whole = dir.join("whole");
    expect_success(&sweep(dir, &file, &whole, &["--threads", "2"]));

    // A job array of two tasks with ids 1 and 2 (--array=1-2), then merged.
    let cut = dir.join("cut");
    let args = [
        OsStr::new("sweep"),
        file.as_os_str(),
        OsStr::new("--out"),
        cut.as_os_str(),
        OsStr::new("--shard"),
        OsStr::new("auto"),
    ];
    for id in ["1", "2"] {
        let vars = [
            ("SLURM_ARRAY_TASK_ID", id),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        let stdout = expect_success(&erythro_with(dir, &args, &vars));
        assert!(stdout.contains(&format!("shard {id}/2")), "{stdout}");
        assert!(stdout.contains("erythro sweep merge"), "{stdout}");
        assert!(!cut.join("sweep.csv").exists(), "a shard wrote sweep.csv");
    }
    let parts = [cut.join("shard-1-of-2"), cut.join("shard-2-of-2")];
    let (one, two) = (finished_runs(&parts[0]), finished_runs(&parts[1]));
    assert_eq!(one.len() + two.len(), 8, "{one:?} {two:?}");
    assert!(one.iter().all(|r| !two.contains(r)), "{one:?} {two:?}");
    let mut merge: Vec<&OsStr> = vec![OsStr::new("sweep"), OsStr::new("merge")];
    merge.extend(parts.iter().map(|p| p.as_os_str()));
    let stdout = expect_success(&erythro(dir, &merge));
    assert!(stdout.contains("8 runs merged from 2 shards"), "{stdout}");
    assert!(
        read(&cut.join("sweep.csv")) == read(&whole.join("sweep.csv")),
        "the merged sweep.csv differs from the one-process one"
    );
    assert_eq!(summaries(&cut), summaries(&whole));

    // Merging one part alone is refused, naming the missing shard.
    let err = expect_error(&erythro(
        dir,
        &[
            OsStr::new("sweep"),
            OsStr::new("merge"),
            parts[0].as_os_str(),
        ],
    ));
    assert!(err.contains("2/2 missing"), "{err}");
    // Bad shards are refused before anything runs.
    for (shard, says) in [("3/2", "between 1 and the count 2"), ("x", "expected I/N")] {
        let err = expect_error(&sweep(dir, &file, &dir.join("bad"), &["--shard", shard]));
        assert!(err.contains(says), "{shard}: {err}");
    }
    let err = expect_error(&erythro_with(
        dir,
        &args,
        &[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ],
    ));
    assert!(err.contains("would be shard 6"), "{err}");
    assert!(!dir.join("bad").exists());
}
