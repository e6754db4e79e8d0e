//! Reading a results directory back (what `erythro run` wrote), so that
//! plots and the report are drawn from the files alone: `erythro report DIR`
//! and `erythro run --report` read the same files the same way.

use std::path::{Path, PathBuf};

use crate::{Error, Result};
use erythro_core::Config;

use crate::lineage::LineageRecord;

/// The cytogram grid file, as named in errors.
const GRID: &str = "histograms/cytogram.csv";
/// The cytogram regions file, as named in errors.
const REGIONS: &str = "histograms/cytogram_regions.csv";

/// Files every results directory has.
pub const REQUIRED: [&str; 7] = [
    "summary.json",
    "timeseries.csv",
    "config.ron",
    "histograms/volume.csv",
    "histograms/hb_content.csv",
    "histograms/cytogram.csv",
    "histograms/cytogram_regions.csv",
];

/// A numeric CSV: named columns, one row per line.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows of values (non-numeric cells read as NaN).
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    /// Parses CSV text with a header line; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| Error::malformed(origin, format!("cannot read the header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        if columns.iter().all(|c| c.is_empty()) {
            return Err(Error::malformed(origin, "no header line"));
        }
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record =
                record.map_err(|e| Error::malformed(origin, format!("line {}: {e}", i + 2)))?;
            rows.push(
                record
                    .iter()
                    .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
                    .collect(),
            );
        }
        Ok(Self { columns, rows })
    }

    /// Index of the column `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The values of column `name`.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let i = self.index(name)?;
        Some(self.rows.iter().map(|r| r[i]).collect())
    }
}

/// A one-dimensional histogram as written: bins and fractions.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Lower edge of each bin.
    pub low: Vec<f64>,
    /// Upper edge of each bin.
    pub high: Vec<f64>,
    /// Fraction of cells in each bin.
    pub fraction: Vec<f64>,
}

impl Histogram {
    /// From a `low,high,fraction` CSV.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let t = Table::parse(text, origin)?;
        if t.columns.len() != 3 {
            return Err(Error::malformed(
                origin,
                format!(
                    "expected 3 columns (low, high, fraction), found {}",
                    t.columns.len()
                ),
            ));
        }
        let col = |i: usize| t.rows.iter().map(|r| r[i]).collect::<Vec<f64>>();
        let h = Self {
            low: col(0),
            high: col(1),
            fraction: col(2),
        };
        if h.fraction.is_empty() || h.fraction.iter().any(|f| !f.is_finite()) {
            return Err(Error::malformed(
                origin,
                "no bins, or a fraction that is not a number",
            ));
        }
        Ok(h)
    }
}

/// The volume x concentration cytogram as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Cytogram {
    /// Volume bin edges, fL.
    pub volume_edges: Vec<f64>,
    /// Concentration bin edges, g/dL.
    pub chc_edges: Vec<f64>,
    /// `fraction[v][c]`.
    pub fraction: Vec<Vec<f64>>,
    /// The nine regions, % of cells: `regions[volume class][concentration class]`.
    pub regions: [[f64; 3]; 3],
}

impl Cytogram {
    /// From `cytogram.csv` and `cytogram_regions.csv`.
    pub fn parse(grid: &str, regions: &str) -> Result<Self> {
        let t = Table::parse(grid, GRID)?;
        if t.columns.len() != 5 {
            return Err(Error::malformed(GRID, "expected 5 columns"));
        }
        let mut volume_edges: Vec<f64> = Vec::new();
        let mut chc_edges: Vec<f64> = Vec::new();
        let push_edge = |edges: &mut Vec<f64>, v: f64| {
            if !edges.iter().any(|e| (e - v).abs() < 1e-9) {
                edges.push(v);
            }
        };
        for r in &t.rows {
            push_edge(&mut volume_edges, r[0]);
            push_edge(&mut volume_edges, r[1]);
            push_edge(&mut chc_edges, r[2]);
            push_edge(&mut chc_edges, r[3]);
        }
        volume_edges.sort_by(f64::total_cmp);
        chc_edges.sort_by(f64::total_cmp);
        let (nv, nc) = (
            volume_edges.len().saturating_sub(1),
            chc_edges.len().saturating_sub(1),
        );
        if nv == 0 || nc == 0 || t.rows.len() != nv * nc {
            return Err(Error::malformed(
                GRID,
                format!("{} rows do not make a {nv} x {nc} grid", t.rows.len()),
            ));
        }
        let find = |edges: &[f64], v: f64| edges.iter().position(|e| (e - v).abs() < 1e-9);
        let mut fraction = vec![vec![0.0; nc]; nv];
        for r in &t.rows {
            let (Some(v), Some(c)) = (find(&volume_edges, r[0]), find(&chc_edges, r[2])) else {
                return Err(Error::malformed(GRID, "a bin off the grid"));
            };
            fraction[v][c] = r[4];
        }
        let mut reader = csv::Reader::from_reader(regions.as_bytes());
        let mut table = [[f64::NAN; 3]; 3];
        for record in reader.records() {
            let record = record.map_err(|e| Error::malformed(REGIONS, e))?;
            let v = erythro_analysis::REGION_VOLUME_NAMES
                .iter()
                .position(|n| *n == &record[0]);
            let c = erythro_analysis::REGION_CHC_NAMES
                .iter()
                .position(|n| *n == &record[1]);
            let pct: f64 = record[2]
                .parse()
                .map_err(|e| Error::malformed(REGIONS, format!("a percentage: {e}")))?;
            match (v, c) {
                (Some(v), Some(c)) => table[v][c] = pct,
                _ => {
                    return Err(Error::malformed(
                        REGIONS,
                        format!("unknown region {},{}", &record[0], &record[1]),
                    ))
                }
            }
        }
        if table.iter().flatten().any(|p| p.is_nan()) {
            return Err(Error::malformed(REGIONS, "not all nine regions are there"));
        }
        Ok(Self {
            volume_edges,
            chc_edges,
            fraction,
            regions: table,
        })
    }
}

/// When a marker first left its reference range.
#[derive(Clone, Debug, PartialEq)]
pub struct Onset {
    /// Output field name, e.g. `mcv_fl`.
    pub field: String,
    /// Day.
    pub day: f64,
    /// "low" or "high".
    pub side: String,
}

/// Everything a results directory holds, parsed.
pub struct RunDir {
    /// The directory.
    pub dir: PathBuf,
    /// Its name (the run's name).
    pub name: String,
    /// The resolved config.
    pub config: Config,
    /// `timeseries.csv`.
    pub series: Table,
    /// The volume histogram.
    pub volume: Histogram,
    /// The hemoglobin-content histogram.
    pub hb_content: Histogram,
    /// The cytogram and its regions.
    pub cytogram: Cytogram,
    /// `onset.csv` (empty when absent).
    pub onsets: Vec<Onset>,
    /// The followed lineage, when the run recorded one.
    pub lineage: Option<LineageRecord>,
}

impl RunDir {
    /// Reads `dir`, refusing a directory that is not a results directory;
    /// the run is named after its config as its lineage record names it, or
    /// else after the directory (by default named after the config too).
    pub fn load(dir: &Path) -> Result<Self> {
        let name = dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "run".into());
        let mut run = Self::load_named(dir, &name)?;
        if let Some(label) = run.lineage.as_ref().map(|l| l.label.clone()) {
            run.name = label;
        }
        Ok(run)
    }

    /// As [`RunDir::load`], with the run's name given (a directory being
    /// written has a temporary name).
    pub fn load_named(dir: &Path, name: &str) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::malformed(
                dir.display().to_string(),
                "not a directory",
            ));
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|f| !dir.join(f).is_file())
            .collect();
        if !missing.is_empty() {
            return Err(Error::NotResults {
                dir: dir.to_path_buf(),
                missing,
                expected: &REQUIRED,
            });
        }
        let read = |f: &str| crate::config::read_text(&dir.join(f), "results file");
        let config_path = dir.join("config.ron");
        let config = crate::config::load(&config_path)?;
        let series = Table::parse(&read("timeseries.csv")?, "timeseries.csv")?;
        if series.index("day").is_none() || series.rows.is_empty() {
            return Err(Error::malformed(
                dir.join("timeseries.csv").display().to_string(),
                "no day column or no rows",
            ));
        }
        let onsets = if dir.join("onset.csv").is_file() {
            let text = read("onset.csv")?;
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let mut out = Vec::new();
            for record in reader.records() {
                let r = record.map_err(|e| Error::malformed("onset.csv", e))?;
                out.push(Onset {
                    field: r[0].to_string(),
                    day: r[1]
                        .parse()
                        .map_err(|e| Error::malformed("onset.csv", format!("a day: {e}")))?,
                    side: r[2].to_string(),
                });
            }
            out
        } else {
            Vec::new()
        };
        let lineage = if dir.join("lineage.json").is_file() {
            let records: Vec<LineageRecord> = serde_json::from_str(&read("lineage.json")?)
                .map_err(|e| Error::malformed(dir.join("lineage.json").display().to_string(), e))?;
            records.into_iter().next()
        } else {
            None
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            config,
            series,
            volume: Histogram::parse(&read("histograms/volume.csv")?, "histograms/volume.csv")?,
            hb_content: Histogram::parse(
                &read("histograms/hb_content.csv")?,
                "histograms/hb_content.csv",
            )?,
            cytogram: Cytogram::parse(
                &read("histograms/cytogram.csv")?,
                &read("histograms/cytogram_regions.csv")?,
            )?,
            onsets,
            lineage,
        })
    }

    /// The first and last values of `field` in the time series.
    pub fn first_last(&self, field: &str) -> Option<(f64, f64)> {
        let v = self.series.column(field)?;
        Some((*v.first()?, *v.last()?))
    }

    /// The last value of `field`.
    pub fn last(&self, field: &str) -> Option<f64> {
        self.first_last(field).map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reads_numbers_and_names_columns() {
        let t = Table::parse("day,mcv_fl\n0,88.5\n1,88.1\n", "t.csv").unwrap();
        assert_eq!(t.columns, ["day", "mcv_fl"]);
        assert_eq!(t.column("mcv_fl").unwrap(), [88.5, 88.1]);
        assert!(t.column("hb_g_dl").is_none());
    }

    #[test]
    fn histogram_reads_bins_and_refuses_other_shapes() {
        let h = Histogram::parse("low,high,fraction\n0,2,0.5\n2,4,0.5\n", "h.csv").unwrap();
        assert_eq!(h.low, [0.0, 2.0]);
        assert_eq!(h.fraction, [0.5, 0.5]);
        assert!(Histogram::parse("low,high\n0,1\n", "h.csv").is_err());
    }

    #[test]
    fn cytogram_grid_and_regions_round_trip() {
        let grid =
            "v0,v1,c0,c1,f\n0,4,15,16,0.25\n0,4,16,17,0.25\n4,8,15,16,0.25\n4,8,16,17,0.25\n";
        let mut regions = String::from("volume_class,concentration_class,pct\n");
        for v in erythro_analysis::REGION_VOLUME_NAMES {
            for c in erythro_analysis::REGION_CHC_NAMES {
                regions.push_str(&format!("{v},{c},{}\n", 100.0 / 9.0));
            }
        }
        let c = Cytogram::parse(grid, &regions).unwrap();
        assert_eq!(c.volume_edges, [0.0, 4.0, 8.0]);
        assert_eq!(c.fraction[1][1], 0.25);
        assert!(Cytogram::parse(grid, "volume_class,concentration_class,pct\n").is_err());
    }
}
