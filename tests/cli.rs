//! End-to-end tests of the `erythro` binary: determinism across thread
//! counts, the resolved config, the output files, and the errors a user
//! sees for bad configs and arguments.
//!
//! Every run uses a small config (about 27,000 marrow agents, 2 days after
//! a 12-day burn-in) in its own temporary directory, so each run takes well
//! under a few seconds in the optimised test profile.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

mod common;
use common::{erythro, expect_error, expect_success};

/// A config small enough to run in a second or two.
const SMALL: &str = "(
  run: (days: 2.0, burn_in_days: 12.0, seed: 7),
  scale: (cells_per_agent: 3.2e7),
)
";

/// Summary fields every run must report as finite numbers.
const CBC_KEYS: [&str; 6] = [
    "mcv_fl",
    "mchc_g_dl",
    "rdw_cv_pct",
    "rbc_1e12_per_l",
    "hb_g_dl",
    "mean_divisions",
];

fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected {needle:?} in:\n{haystack}"
    );
}

/// Writes `text` to `dir/name` and returns its path.
fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Runs `config` into `out` with extra arguments and expects success.
fn run_into(cwd: &Path, config: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("run"),
        config.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    expect_success(&erythro(cwd, &args))
}

/// Runs `config` into `out` and expects the error exit; returns stderr.
fn refuse(cwd: &Path, config: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("run"),
        config.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    expect_error(&erythro(cwd, &args))
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_text(path: &Path) -> String {
    String::from_utf8(read(path)).unwrap()
}

/// Asserts that `out` was not created and that no staging (`.NAME.partial-*`)
/// or set-aside (`.NAME.old-*`) sibling was left next to it.
fn assert_no_output(out: &Path) {
    assert!(!out.exists(), "{} should not exist", out.display());
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let parent = out.parent().unwrap();
    if !parent.exists() {
        return;
    }
    let leftovers: Vec<String> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.")) || n.contains(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

/// Parses summary.json and checks the blood count fields are finite numbers.
fn summary(out: &Path) -> serde_json::Map<String, serde_json::Value> {
    let text = read_text(&out.join("summary.json"));
    let value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary.json: {e}\n{text}"));
    let map = value
        .as_object()
        .unwrap_or_else(|| panic!("summary.json is not an object:\n{text}"))
        .clone();
    for key in CBC_KEYS {
        let v = map
            .get(key)
            .and_then(|v| v.as_f64())
            .unwrap_or_else(|| panic!("summary.json has no number {key:?}:\n{text}"));
        assert!(v.is_finite(), "{key} = {v}");
    }
    map
}

#[test]
fn summary_is_bitwise_identical_at_1_2_and_4_threads_and_across_runs() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = write_config(dir, "small.ron", SMALL);
    let runs = [("t1", "1"), ("t2", "2"), ("t4", "4"), ("t2_again", "2")];
    for (name, threads) in runs {
        let text = run_into(dir, &config, &dir.join(name), &["--threads", threads]);
        assert_contains(&text, &format!("{threads} threads"));
    }

    let first = dir.join(runs[0].0);
    let summary_bytes = read(&first.join("summary.json"));
    let series_bytes = read(&first.join("timeseries.csv"));
    for (name, _) in &runs[1..] {
        let out = dir.join(name);
        assert!(
            read(&out.join("summary.json")) == summary_bytes,
            "summary.json of {name} differs from t1:\n{}\nvs\n{}",
            read_text(&out.join("summary.json")),
            String::from_utf8_lossy(&summary_bytes)
        );
        assert!(
            read(&out.join("timeseries.csv")) == series_bytes,
            "timeseries.csv of {name} differs from t1"
        );
    }

    let s = summary(&first);
    assert_eq!(s.get("day").and_then(|v| v.as_f64()), Some(2.0), "{s:?}");
    let mcv = s["mcv_fl"].as_f64().unwrap();
    assert!(mcv > 50.0 && mcv < 150.0, "MCV {mcv} fL");
    let divisions = s["mean_divisions"].as_f64().unwrap();
    assert!(divisions > 1.0 && divisions < 7.0, "divisions {divisions}");
}

#[test]
fn resolved_config_repeats_the_run() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = write_config(dir, "small.ron", SMALL);
    let out1 = dir.join("out1");
    let out2 = dir.join("out2");
    let out3 = dir.join("out3");
    run_into(dir, &config, &out1, &["--threads", "2"]);

    let resolved = read_text(&out1.join("config.ron"));
    assert_contains(&resolved, "seed: 7");
    assert_contains(&resolved, "burn_in_days: 12.0");
    assert_contains(&resolved, "critical_hb_g_dl:");

    run_into(dir, &out1.join("config.ron"), &out2, &["--threads", "2"]);
    assert_eq!(
        read_text(&out1.join("summary.json")),
        read_text(&out2.join("summary.json")),
        "re-running the resolved config changed the results"
    );
    assert_eq!(resolved, read_text(&out2.join("config.ron")));

    run_into(dir, &config, &out3, &["--threads", "2", "--seed", "8"]);
    assert_contains(&read_text(&out3.join("config.ron")), "seed: 8");
    assert_ne!(
        read_text(&out1.join("summary.json")),
        read_text(&out3.join("summary.json")),
        "--seed 8 gave the same results as seed 7"
    );
    summary(&out3);
}

#[test]
fn outputs_are_complete() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = write_config(dir, "small.ron", SMALL);
    let out = dir.join("out");
    let text = run_into(dir, &config, &out, &["--threads", "2"]);

    // The blood count table and the results line.
    for needle in ["MCV", "RDW-CV", "Hb", "Blood count at day 2.0"] {
        assert_contains(&text, needle);
    }
    let results_line = text
        .lines()
        .find(|l| l.starts_with("results:"))
        .unwrap_or_else(|| panic!("no results: line in\n{text}"));
    assert!(results_line.ends_with("out"), "{results_line}");

    // One row per sampled day, the initial state included.
    let series = read_text(&out.join("timeseries.csv"));
    let mut lines = series.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "day", "{series}");
    for key in CBC_KEYS {
        assert!(header.contains(&key), "no column {key} in {header:?}");
    }
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "{series}");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), header.len(), "row {i}: {series}");
        assert_eq!(row[0], i as f64, "row {i}: {series}");
    }
    // The last row is the summary, to the bit. The numbers are compared
    // through `str::parse` (correctly rounded): serde_json's default float
    // parser can be one ulp off.
    summary(&out);
    let json = read_text(&out.join("summary.json"));
    for (name, v) in header.iter().zip(&rows[2]) {
        let key = format!("\"{name}\": ");
        let text = json
            .lines()
            .find_map(|l| l.trim().strip_prefix(key.as_str()))
            .unwrap_or_else(|| panic!("no {name} in summary.json:\n{json}"));
        let in_summary: f64 = text.trim_end_matches(',').parse().unwrap();
        assert_eq!(in_summary.to_bits(), v.to_bits(), "{name}");
    }

    // Histograms: header, rows of numbers, fractions summing to one.
    let histograms = [
        ("volume.csv", "volume_low_fl,volume_high_fl,fraction", 1.0),
        ("hb_content.csv", "hb_low_pg,hb_high_pg,fraction", 1.0),
        (
            "cytogram.csv",
            "volume_low_fl,volume_high_fl,chc_low_g_dl,chc_high_g_dl,fraction",
            1.0,
        ),
    ];
    for (file, expected_header, total) in histograms {
        let text = read_text(&out.join("histograms").join(file));
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(expected_header), "{file}");
        let columns = expected_header.split(',').count();
        let mut sum = 0.0;
        let mut n = 0;
        for line in lines {
            let values: Vec<f64> = line
                .split(',')
                .map(|v| v.parse().unwrap_or_else(|e| panic!("{file}: {line}: {e}")))
                .collect();
            assert_eq!(values.len(), columns, "{file}: {line}");
            sum += values[columns - 1];
            n += 1;
        }
        assert!(n > 10, "{file} has only {n} rows");
        assert!((sum - total).abs() < 1e-6, "{file}: fractions sum to {sum}");
    }
    let regions = read_text(&out.join("histograms").join("cytogram_regions.csv"));
    let mut lines = regions.lines();
    assert_eq!(
        lines.next(),
        Some("volume_class,concentration_class,pct"),
        "{regions}"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 9, "{regions}");
    let pct: f64 = rows.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert!((pct - 100.0).abs() < 1e-6, "regions sum to {pct}%");
    assert!(
        rows.iter().any(|r| r[0] == "normo" && r[1] == "normo"),
        "{regions}"
    );

    // The resolved config is written too.
    assert_contains(&read_text(&out.join("config.ron")), "cells_per_agent");
}

#[test]
fn unknown_field_is_refused_with_file_line_column() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = write_config(
        dir,
        "typo.ron",
        "(\n  run: (days: 2.0, burn_in_days: 12.0),\n  marrow: (critcal_hb_g_dl: 10.0),\n  scale: (cells_per_agent: 3.2e7),\n)\n",
    );
    let out = dir.join("results").join("typo");
    let err = refuse(dir, &config, &out, &[]);
    assert_contains(&err, &format!("{}:3:", config.display()));
    assert_contains(&err, "critcal_hb_g_dl");
    assert_contains(&err, "`critical_hb_g_dl`");
    assert_no_output(&out);
}

#[test]
fn malformed_ron_is_refused_with_position() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let cases = [
        (
            "word.ron",
            "(\n  run: (days: two, burn_in_days: 12.0),\n)\n",
            ":2:",
        ),
        (
            "unclosed.ron",
            "(\n  run: (days: 2.0, burn_in_days: 12.0),\n  scale: (cells_per_agent: 3.2e7),\n",
            ":4:",
        ),
    ];
    for (name, text, line) in cases {
        let config = write_config(dir, name, text);
        let out = dir.join(format!("out_{name}"));
        let err = refuse(dir, &config, &out, &[]);
        let prefix = format!("error: {}{line}", config.display());
        assert!(err.starts_with(&prefix), "expected {prefix:?}...: {err}");
        // path:LINE:COL: with a numeric column.
        let rest = &err[prefix.len()..];
        let col: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        assert!(!col.is_empty(), "no column in {err}");
        assert!(rest[col.len()..].starts_with(": "), "{err}");
        assert_no_output(&out);
    }
}

#[test]
fn out_of_range_values_name_field_value_and_range() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();

    let config = write_config(
        dir,
        "hb.ron",
        "(\n  run: (days: 2.0, burn_in_days: 12.0),\n  marrow: (critical_hb_g_dl: 120.0),\n)\n",
    );
    let out = dir.join("out_hb");
    let err = refuse(dir, &config, &out, &[]);
    assert_contains(&err, &config.display().to_string());
    assert_contains(&err, "marrow.critical_hb_g_dl = 120");
    assert_contains(&err, "(0, 100]");
    assert_no_output(&out);

    let config = write_config(
        dir,
        "tsat.ron",
        "(\n  run: (days: 2.0, burn_in_days: 12.0),\n  plasma: (tsat: Constant(-0.1)),\n)\n",
    );
    let out = dir.join("out_tsat");
    let err = refuse(dir, &config, &out, &[]);
    assert_contains(&err, "plasma.tsat = -0.1");
    assert_contains(&err, "[0, 1]");
    assert_no_output(&out);

    // A valid config made invalid by the command line.
    let config = write_config(dir, "small.ron", SMALL);
    let out = dir.join("out_days");
    let err = refuse(dir, &config, &out, &["--days=-1"]);
    assert_contains(&err, "run.days = -1");
    assert_contains(&err, "(0, 3650]");
    assert_no_output(&out);
    let err = refuse(dir, &config, &out, &["--days", "0"]);
    assert_contains(&err, "run.days = 0");
    assert_no_output(&out);
    // With a space the negative number is refused too (by the argument parser).
    let o = erythro(
        dir,
        &[
            OsStr::new("run"),
            config.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--days"),
            OsStr::new("-1"),
        ],
    );
    assert!(!o.status.success(), "--days -1 was accepted");
    assert_no_output(&out);
}

/// `--days -1` (with a space, as users type it) reaches the range check and
/// names `run.days`, rather than being taken for an unknown flag.
#[test]
fn negative_days_with_a_space_names_run_days() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = write_config(dir, "small.ron", SMALL);
    let out = dir.join("out");
    let err = refuse(dir, &config, &out, &["--days", "-1"]);
    assert_contains(&err, "run.days = -1");
    assert_no_output(&out);
}

#[test]
fn missing_config_file_is_a_clear_error() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = dir.join("no_such_config.ron");
    let out = dir.join("out");
    let err = refuse(dir, &config, &out, &[]);
    assert_contains(&err, &config.display().to_string());
    assert_contains(&err, "cannot read config");
    assert_no_output(&out);
}

#[test]
fn failed_run_keeps_the_previous_results() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let good = write_config(dir, "small.ron", SMALL);
    let out = dir.join("out");
    run_into(dir, &good, &out, &["--threads", "2"]);
    let before_summary = read(&out.join("summary.json"));
    let before_config = read(&out.join("config.ron"));

    let bad = write_config(
        dir,
        "bad.ron",
        "(\n  run: (days: 2.0, burn_in_days: 12.0, seed: 9),\n  marrow: (critical_hb_g_dl: 120.0),\n)\n",
    );
    let err = refuse(dir, &bad, &out, &["--threads", "2"]);
    assert_contains(&err, "marrow.critical_hb_g_dl");
    let err = refuse(dir, &good, &out, &["--days=-1"]);
    assert_contains(&err, "run.days");

    assert_eq!(read(&out.join("summary.json")), before_summary);
    assert_eq!(read(&out.join("config.ron")), before_config);
    assert!(out.join("timeseries.csv").exists());
    assert!(out.join("histograms").join("volume.csv").exists());
    let stray: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "left behind: {stray:?}");
}

/// `erythro run | head`: the reader goes away before the table is printed;
/// that is not an error (exit 0, nothing on stderr), and the results are
/// written whole all the same.
#[test]
fn closed_stdout_pipe_is_not_an_error() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = write_config(dir, "small.ron", SMALL);
    let out = dir.join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args([OsStr::new("run"), config.as_os_str(), OsStr::new("--out")])
        .arg(&out)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once: the run takes about a second before it prints.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.join("summary.json").is_file());
}
