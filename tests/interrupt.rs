//! Runs that survive: a run killed with SIGKILL part way and resumed from
//! its last checkpoint, or stopped by SIGINT/SIGTERM and resumed, writes the
//! same bytes as a run that never stopped, at any thread count; a damaged
//! checkpoint is refused; a full disk leaves the previous results intact.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{erythro, expect_error, expect_success};

/// A run long enough to interrupt (about a second per simulated week at
/// this scale), with the body and events on both sides of any stop.
const RUN: &str = "(
  run: (days: 24.0, burn_in_days: 12.0, seed: 7),
  scale: (cells_per_agent: 3.2e7),
  body: Some(()),
  events: [
    Bleeding(from_day: 2.0, to_day: 14.0, ml_per_day: 40.0),
    Transfusion(day: 15.0, units: 1.0),
  ],
)
";

/// The files whose bytes a resumed run must reproduce.
const SAME: [&str; 5] = [
    "summary.json",
    "timeseries.csv",
    "config.ron",
    "lineage.json",
    "histograms/volume.csv",
];

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("stop.ron");
    fs::write(&config, RUN).unwrap();
    (dir, config)
}

fn spawn(cwd: &Path, args: &[&OsStr]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until `path` exists (the child is then inside its step loop).
fn wait_for(path: &Path, child: &mut Child) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before {}",
            path.display()
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn uninterrupted(cwd: &Path, config: &Path) -> PathBuf {
    let out = cwd.join("whole");
    let args = [
        OsStr::new("run"),
        config.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    expect_success(&erythro(cwd, &args));
    out
}

fn assert_same_bytes(a: &Path, b: &Path) {
    for name in SAME {
        let (x, y) = (
            fs::read(a.join(name)).unwrap(),
            fs::read(b.join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs after the restart");
    }
    assert!(!b.join("INCOMPLETE").exists());
    assert!(
        !b.join("checkpoint").exists(),
        "a finished run keeps no checkpoint"
    );
}

fn resume(cwd: &Path, dir: &Path, threads: &str) -> String {
    let args = [
        OsStr::new("run"),
        OsStr::new("--resume"),
        dir.as_os_str(),
        OsStr::new("--threads"),
        OsStr::new(threads),
    ];
    let out = erythro(cwd, &args);
    expect_success(&out);
    common::stderr(&out)
}

#[test]
fn sigkill_part_way_then_resume_gives_the_same_bytes_at_another_thread_count() {
    let (dir, config) = setup();
    let whole = uninterrupted(dir.path(), &config);
    let out = dir.path().join("killed");
    let mut child = spawn(
        dir.path(),
        &[
            OsStr::new("run"),
            config.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--threads"),
            OsStr::new("2"),
            OsStr::new("--checkpoint-every"),
            OsStr::new("3"),
        ],
    );
    wait_for(&out.join("checkpoint/run.ckpt"), &mut child);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert!(
        !out.join("summary.json").exists(),
        "the killed run must not have finished"
    );
    let said = resume(dir.path(), &out, "1");
    assert!(said.contains("resuming stop at day"), "{said}");
    assert_same_bytes(&whole, &out);
    // Nothing left to resume.
    let again = erythro(
        dir.path(),
        &[OsStr::new("run"), OsStr::new("--resume"), out.as_os_str()],
    );
    assert!(expect_error(&again).contains("no checkpoint"));
}

#[test]
fn sigint_stops_at_a_step_with_a_checkpoint_and_the_samples_so_far() {
    let (dir, config) = setup();
    let whole = uninterrupted(dir.path(), &config);
    for (signal_name, threads) in [("INT", "1"), ("TERM", "2")] {
        let out = dir.path().join(format!("stopped-{signal_name}"));
        let mut child = spawn(
            dir.path(),
            &[
                OsStr::new("run"),
                config.as_os_str(),
                OsStr::new("--out"),
                out.as_os_str(),
                OsStr::new("--checkpoint-every"),
                OsStr::new("2"),
            ],
        );
        wait_for(&out.join("checkpoint/run.ckpt"), &mut child);
        signal(&child, signal_name);
        let status = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&status.stderr).into_owned();
        assert_eq!(status.status.code(), Some(130), "{stderr}");
        assert!(
            stderr.contains("resume with `erythro run --resume"),
            "{stderr}"
        );
        let marker = fs::read_to_string(out.join("INCOMPLETE")).unwrap();
        assert!(marker.contains("interrupted at day"), "{marker}");
        let partial = fs::read_to_string(out.join("timeseries.csv")).unwrap();
        let full = fs::read_to_string(whole.join("timeseries.csv")).unwrap();
        assert!(partial.lines().count() < full.lines().count());
        assert!(
            full.starts_with(&partial),
            "the samples so far are the run's own"
        );
        resume(dir.path(), &out, threads);
        assert_same_bytes(&whole, &out);
    }
}

#[test]
fn a_second_signal_exits_at_once_and_leaves_the_previous_results_intact() {
    let (dir, config) = setup();
    let out = uninterrupted(dir.path(), &config);
    let before = fs::read(out.join("summary.json")).unwrap();
    let mut child = spawn(
        dir.path(),
        &[
            OsStr::new("run"),
            config.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--checkpoint-every"),
            OsStr::new("1"),
        ],
    );
    wait_for(&out.join("checkpoint/run.ckpt"), &mut child);
    signal(&child, "INT");
    signal(&child, "INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    // Either way the results directory is whole: the old one, or the
    // interrupted one with its marker.
    let now = fs::read(out.join("summary.json")).unwrap();
    assert!(now == before || out.join("INCOMPLETE").exists());
}

#[test]
fn damaged_checkpoints_are_refused_with_a_clear_message() {
    let (dir, config) = setup();
    let out = dir.path().join("damaged");
    let mut child = spawn(
        dir.path(),
        &[
            OsStr::new("run"),
            config.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--checkpoint-every"),
            OsStr::new("1"),
        ],
    );
    let ckpt = out.join("checkpoint/run.ckpt");
    wait_for(&ckpt, &mut child);
    signal(&child, "TERM");
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let good = fs::read(&ckpt).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let mut old = good.clone();
    old[8] = 0;
    for (bytes, why) in [
        (good[..good.len() / 2].to_vec(), "truncated"),
        (flipped, "checksum"),
        (b"(run: (days: 3.0))".to_vec(), "not an erythro checkpoint"),
        (old, "checkpoint format 0"),
    ] {
        fs::write(&ckpt, &bytes).unwrap();
        let o = erythro(
            dir.path(),
            &[OsStr::new("run"), OsStr::new("--resume"), out.as_os_str()],
        );
        let err = expect_error(&o);
        assert!(
            err.contains("cannot resume from") && err.contains(why),
            "{err}"
        );
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_previous_results_stay() {
    let (dir, config) = setup();
    let out = uninterrupted(dir.path(), &config);
    let before = fs::read(out.join("timeseries.csv")).unwrap();
    // Files may not grow past 16 KiB: the write of timeseries.csv fails as
    // on a full disk (SIGXFSZ ignored, so the write returns the error).
    let script = format!(
        "trap '' XFSZ; ulimit -f 16; exec '{}' run '{}' --out '{}'",
        env!("CARGO_BIN_EXE_erythro"),
        config.display(),
        out.display()
    );
    let o = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = expect_error(&o);
    assert!(
        err.contains("cannot write") && err.contains("File too large"),
        "{err}"
    );
    assert_eq!(fs::read(out.join("timeseries.csv")).unwrap(), before);
    // No staging directory is left beside the results.
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".partial-")), "{names:?}");
}
