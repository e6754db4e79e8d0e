//! End-to-end tests of the pictures: `erythro lineage`, `erythro report`,
//! `erythro run --report` and `erythro plot-sweep`. Images are checked for
//! what a person would see (valid PNG, the right size, ink on the page, many
//! colours), never byte for byte; numbers only by direction.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

mod common;
use common::{erythro, expect_error, expect_success};

/// A small healthy config, long enough for lineages to finish.
const HEALTHY: &str = "(
  run: (days: 10.0, burn_in_days: 12.0, seed: 5),
  scale: (cells_per_agent: 3.2e7),
)
";

/// The same with iron supply cut: saturation 7% throughout.
const IRON_SHORT: &str = "(
  run: (days: 10.0, burn_in_days: 12.0, seed: 5),
  scale: (cells_per_agent: 3.2e7),
  plasma: (tsat: Constant(0.07)),
)
";

/// (width, height, share of non-white pixels, distinct colours up to 5000).
fn png_stats(path: &Path) -> (u32, u32, f64, usize) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(bytes.as_slice());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let mut inked = 0usize;
    let mut colours = std::collections::HashSet::new();
    for p in buf[..info.buffer_size()].chunks(px) {
        if p[..3].iter().any(|&c| c < 245) {
            inked += 1;
        }
        if colours.len() < 5000 {
            colours.insert([p[0], p[1], p[2]]);
        }
    }
    let n = (info.width * info.height) as f64;
    (info.width, info.height, inked as f64 / n, colours.len())
}

/// A picture a person could read: the size asked for, ink but not a flood, colour.
fn assert_picture(path: &Path, size: Option<(u32, u32)>) {
    let (w, h, inked, colours) = png_stats(path);
    if let Some(s) = size {
        assert_eq!((w, h), s, "{}", path.display());
    }
    assert!(w >= 800 && h >= 600, "{} is {w}x{h}", path.display());
    assert!(
        inked > 0.02 && inked < 0.8,
        "{}: {inked:.3} of pixels inked",
        path.display()
    );
    assert!(colours > 30, "{}: only {colours} colours", path.display());
    let svg = fs::read_to_string(path.with_extension("svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(
        !svg.contains("href"),
        "{} links to something",
        path.display()
    );
}

fn lineage_records(path: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    v.as_array().unwrap().clone()
}

#[test]
fn lineage_vs_draws_two_trees_and_iron_shortage_adds_divisions() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("healthy.ron"), HEALTHY).unwrap();
    fs::write(dir.join("iron_short.ron"), IRON_SHORT).unwrap();
    let out = dir.join("trees");
    let text = expect_success(&erythro(
        dir,
        &[
            "lineage",
            "healthy.ron",
            "--vs",
            "iron_short.ron",
            "--day",
            "1",
            "--cohort",
            "12",
            "--full-scale",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    for needle in [
        "healthy: lineage",
        "iron_short: lineage",
        "divide at",
        "released",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert_picture(&out.join("lineage_tree.png"), Some((2400, 1250)));
    assert_eq!(
        fs::read_to_string(out.join("lineage.txt")).unwrap(),
        text[..text.find("\nfollowed").unwrap()],
        "lineage.txt is what was printed"
    );
    let records = lineage_records(&out.join("lineage.json"));
    assert_eq!(records.len(), 2);
    let mean_divisions = |r: &serde_json::Value| r["cohort"]["mean_divisions"].as_f64().unwrap();
    assert!(
        mean_divisions(&records[1]) > mean_divisions(&records[0]) + 0.5,
        "iron shortage should add a division: {} vs {}",
        mean_divisions(&records[1]),
        mean_divisions(&records[0])
    );
    for r in &records {
        let cells = r["cells"].as_array().unwrap();
        assert_eq!(cells[0]["node"], 1);
        assert!(
            cells.iter().all(|c| c["fate"] != "in_marrow"),
            "an unfinished tree"
        );
        assert_eq!(r["cohort"]["lineages"], 12);
    }

    // Same seed, same trees.
    let again = dir.join("again");
    expect_success(&erythro(
        dir,
        &[
            "lineage",
            "healthy.ron",
            "--vs",
            "iron_short.ron",
            "--day",
            "1",
            "--cohort",
            "12",
            "--full-scale",
            "--threads",
            "1",
            "--out",
            again.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        fs::read(out.join("lineage.json")).unwrap(),
        fs::read(again.join("lineage.json")).unwrap(),
        "the lineage depends on the thread count"
    );
}

#[test]
fn lineage_refuses_bad_arguments_cleanly() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("healthy.ron"), HEALTHY).unwrap();
    let out = dir.join("never");
    let err = expect_error(&erythro(
        dir,
        &[
            "lineage",
            "healthy.ron",
            "--cohort",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(err.contains("--cohort"), "{err}");
    let err = expect_error(&erythro(
        dir,
        &["lineage", "missing.ron", "--out", out.to_str().unwrap()],
    ));
    assert!(err.contains("missing.ron"), "{err}");
    let err = expect_error(&erythro(
        dir,
        &[
            "lineage",
            "healthy.ron",
            "--day=-2",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(err.contains("--day"), "{err}");
    assert!(!out.exists());
}

#[test]
fn run_report_is_self_contained_and_report_regenerates_it() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("healthy.ron"), HEALTHY).unwrap();
    let out = dir.join("run");
    let text = expect_success(&erythro(
        dir,
        &[
            "run",
            "healthy.ron",
            "--report",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(text.contains("report: "), "{text}");
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    for plot in [
        "timecourse",
        "volume_histogram",
        "hb_content_histogram",
        "cytogram",
        "lineage_tree",
    ] {
        assert!(
            page.contains(&format!("data-plot=\"{plot}\"")),
            "{plot} missing"
        );
        assert_picture(&out.join("plots").join(format!("{plot}.png")), None);
    }
    assert_eq!(page.matches("<svg").count(), 5);
    // Nothing to fetch: no scripts, links, external styles or fonts.
    for forbidden in ["<script", "src=", "<link", "@import", "url(", "@font-face"] {
        assert!(!page.contains(forbidden), "report contains {forbidden}");
    }
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("What happened, and why"));
    assert!(page.contains("<td>MCV</td>"), "CBC table");
    assert!(
        !page.contains(".partial"),
        "the page names the staging directory"
    );
    assert!(out.join("lineage.json").is_file());

    // Regenerated from the files alone: the same page.
    fs::remove_file(out.join("report.html")).unwrap();
    fs::remove_dir_all(out.join("plots")).unwrap();
    let text = expect_success(&erythro(dir, &["report", out.to_str().unwrap()]));
    assert!(text.contains("5 plots"), "{text}");
    let again = fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(again.len(), page.len(), "the regenerated report differs");
    assert_picture(&out.join("plots").join("cytogram.png"), Some((1500, 1050)));
    let leftovers: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn report_refuses_a_directory_that_is_not_a_results_directory() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let not_results = dir.join("photos");
    fs::create_dir(&not_results).unwrap();
    fs::write(not_results.join("summary.json"), "{}").unwrap();
    let err = expect_error(&erythro(dir, &["report", not_results.to_str().unwrap()]));
    assert!(err.contains("is not an erythro results directory"), "{err}");
    assert!(err.contains("timeseries.csv"), "{err}");
    assert!(!not_results.join("report.html").exists());
    assert!(!not_results.join("plots").exists());
    let err = expect_error(&erythro(dir, &["report", "no/such/dir"]));
    assert!(err.contains("no/such/dir"), "{err}");
}

#[test]
fn plot_sweep_draws_each_index_against_each_parameter() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let mut csv = String::from(
        "plasma.tsat,marrow.critical_hb_g_dl,seed,hb_g_dl,mcv_fl,rdw_cv_pct,mean_divisions\n",
    );
    for tsat in [0.05, 0.1, 0.2, 0.3] {
        for critical in [10.0, 11.5] {
            for seed in 1..=3 {
                let s = seed as f64;
                csv.push_str(&format!(
                    "{tsat},{critical},{seed},{},{},{},{}\n",
                    6.0 + 28.0 * tsat + 0.1 * s,
                    60.0 + 90.0 * tsat - critical + 0.2 * s,
                    13.0 + 0.05 * s,
                    4.0 + (0.3 - tsat) * 4.0
                ));
            }
        }
    }
    fs::write(dir.join("sweep.csv"), &csv).unwrap();
    let text = expect_success(&erythro(dir, &["plot-sweep", "sweep.csv"]));
    assert!(text.contains("4 indices"), "{text}");
    let plots = dir.join("sweep_plots");
    assert_picture(&plots.join("sweep_plasma_tsat.png"), None);
    assert_picture(&plots.join("sweep_marrow_critical_hb_g_dl.png"), None);
    let svg = fs::read_to_string(plots.join("sweep_plasma_tsat.svg")).unwrap();
    assert!(svg.contains("MCV, fL") && svg.contains("marrow.critical_hb_g_dl = 11.5"));

    let err = expect_error(&erythro(
        dir,
        &["plot-sweep", "sweep.csv", "--index", "nope"],
    ));
    assert!(err.contains("no column \"nope\""), "{err}");
    let err = expect_error(&erythro(dir, &["plot-sweep", "missing.csv"]));
    assert!(err.contains("missing.csv"), "{err}");
}
