//! What a run writes into its results directory, as text: `summary.json`,
//! `timeseries.csv`, the histogram CSVs and `onset.csv`. Every field name
//! carries its unit; numbers are written in Rust's shortest round-trip form,
//! so a value read back is the value computed.

use std::fmt::Write as _;

use erythro_analysis::reference::onsets;
use erythro_analysis::Histograms;
use erythro_core::config::Reference;
use erythro_runner::Sample;

use crate::{Error, Result};

/// The final sample as a JSON object, field names carrying units.
pub fn summary_json(sample: &Sample) -> Result<String> {
    let mut map = serde_json::Map::new();
    for (name, value) in sample.fields() {
        map.insert(name.to_string(), serde_json::json!(value));
    }
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).map_err(|e| {
        Error::Serialize {
            what: "summary.json",
            message: e.to_string(),
        }
    })?;
    text.push('\n');
    Ok(text)
}

/// All samples as CSV, one row per sampling time.
pub fn timeseries_csv(samples: &[Sample]) -> String {
    let mut out = String::new();
    if let Some(first) = samples.first() {
        let names: Vec<&str> = first.fields().iter().map(|(n, _)| *n).collect();
        out.push_str(&names.join(","));
        out.push('\n');
    }
    for s in samples {
        let row: Vec<String> = s.fields().iter().map(|(_, v)| format!("{v}")).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The histograms as CSV files: `(relative path, contents)`.
pub fn histogram_csvs(h: &Histograms) -> Vec<(&'static str, String)> {
    let mut volume = String::from("volume_low_fl,volume_high_fl,fraction\n");
    for (lo, hi, f) in h.volume.csv_rows() {
        let _ = writeln!(volume, "{lo},{hi},{f}");
    }
    let mut content = String::from("hb_low_pg,hb_high_pg,fraction\n");
    for (lo, hi, f) in h.hb_content.csv_rows() {
        let _ = writeln!(content, "{lo},{hi},{f}");
    }
    let mut cyto =
        String::from("volume_low_fl,volume_high_fl,chc_low_g_dl,chc_high_g_dl,fraction\n");
    for (v0, v1, c0, c1, f) in h.cytogram.csv_rows() {
        let _ = writeln!(cyto, "{v0},{v1},{c0},{c1},{f}");
    }
    let mut regions = String::from("volume_class,concentration_class,pct\n");
    for (v, c, p) in h.cytogram.region_rows() {
        let _ = writeln!(regions, "{v},{c},{p}");
    }
    vec![
        ("histograms/volume.csv", volume),
        ("histograms/hb_content.csv", content),
        ("histograms/cytogram.csv", cyto),
        ("histograms/cytogram_regions.csv", regions),
    ]
}

/// The first sampling day each marker left its reference range, as CSV
/// (`marker,first_day_outside,side`).
pub fn onset_csv(reference: Reference, samples: &[Sample]) -> String {
    let mut out = String::from("marker,first_day_outside,side\n");
    for (r, day, side) in onsets(reference, &series(samples)) {
        let _ = writeln!(out, "{},{},{}", r.field, day, side);
    }
    out
}

/// The samples as the analysis crate's onset finder reads them.
pub fn series(samples: &[Sample]) -> Vec<(f64, Vec<(&'static str, f64)>)> {
    samples.iter().map(|s| (s.day, s.fields())).collect()
}

/// Writes everything a run leaves in its results directory into `staged`:
/// `summary.json` (the last sample), `timeseries.csv`, the histograms,
/// `config.ron` (the resolved config, which repeats the run), `onset.csv`
/// and, when a lineage was followed, `lineage.json`.
pub fn write_run(
    staged: &crate::Staged,
    config: &erythro_core::Config,
    samples: &[Sample],
    histograms: &Histograms,
    lineage: Option<&crate::lineage::LineageRecord>,
) -> Result<()> {
    let last = samples.last().ok_or_else(|| Error::Serialize {
        what: "summary.json",
        message: "the run produced no sample".into(),
    })?;
    staged.write("summary.json", &summary_json(last)?)?;
    staged.write("timeseries.csv", &timeseries_csv(samples))?;
    for (path, text) in histogram_csvs(histograms) {
        staged.write(path, &text)?;
    }
    staged.write("config.ron", &crate::config::to_ron(config)?)?;
    staged.write("onset.csv", &onset_csv(config.run.reference, samples))?;
    if let Some(record) = lineage {
        let json = serde_json::to_string_pretty(std::slice::from_ref(record)).map_err(|e| {
            Error::Serialize {
                what: "lineage.json",
                message: e.to_string(),
            }
        })?;
        staged.write("lineage.json", &(json + "\n"))?;
    }
    Ok(())
}
