//! What a finished sweep reports: `sweep.csv` assembled from the runs'
//! directories in plan order, the per-point table of a grid, and the
//! sensitivity (PRCC) of a Latin hypercube.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{ensure, Context, Result};

use erythro_analysis::prcc;

use crate::run_dir;
use crate::spec::{self, RunId, Sweep};

/// Outputs whose sensitivity is reported.
const SENSITIVITY_OUTPUTS: [(&str, &str); 4] = [
    ("hb_g_dl", "Hb"),
    ("mcv_fl", "MCV"),
    ("mchc_g_dl", "MCHC"),
    ("rdw_cv_pct", "RDW-CV"),
];

/// Columns of the per-point table printed after a grid sweep.
const TABLE_OUTPUTS: [(&str, &str); 6] = [
    ("hb_g_dl", "Hb"),
    ("mcv_fl", "MCV"),
    ("mchc_g_dl", "MCHC"),
    ("rdw_cv_pct", "RDW-CV"),
    ("tsat_pct", "TSAT%"),
    ("ferritin_ug_l", "ferritin"),
];

/// One row of `sweep.csv`.
pub struct Row {
    /// The run.
    pub run: RunId,
    /// The run's final sample as written (`timeseries.csv`'s last line).
    values: Vec<String>,
    /// Why the run failed, if it did.
    pub error: Option<String>,
}

/// `sweep.csv` and its rows, read back from the run directories.
pub struct Table {
    /// The text of `sweep.csv`.
    pub csv: String,
    fields: Vec<String>,
    /// Its rows, in plan order.
    pub rows: Vec<Row>,
}

impl Table {
    fn value(&self, row: &Row, field: &str) -> Option<f64> {
        let i = self.fields.iter().position(|f| f == field)?;
        row.values.get(i)?.parse().ok()
    }
}

fn csv_quote(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('"', "\"\"").replace(['\n', '\r'], " ")
    )
}

/// Builds `sweep.csv` from what the runs wrote, in plan order: the bytes
/// depend only on the results, not on the order runs finished or on resumes.
pub fn assemble(sweep: &Sweep, out: &Path) -> Result<Table> {
    let mut fields: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for run in sweep.runs() {
        let dir = run_dir(out, run);
        let series = dir.join("timeseries.csv");
        if series.is_file() {
            let text = std::fs::read_to_string(&series)
                .with_context(|| format!("cannot read {}", series.display()))?;
            let mut lines = text.lines();
            let header: Vec<String> = lines
                .next()
                .unwrap_or_default()
                .split(',')
                .map(String::from)
                .collect();
            let last = lines
                .last()
                .with_context(|| format!("{} has no rows", series.display()))?;
            match &fields {
                None => fields = Some(header),
                Some(f) => ensure!(
                    *f == header,
                    "{} has other columns than the first run",
                    series.display()
                ),
            }
            rows.push(Row {
                run,
                values: last.split(',').map(String::from).collect(),
                error: None,
            });
        } else {
            let failed = dir.join("failed.txt");
            let text = std::fs::read_to_string(&failed).with_context(|| {
                format!("run {} has no results in {}", run.dir_name(), dir.display())
            })?;
            let reason = text.lines().skip(1).collect::<Vec<_>>().join(" ");
            rows.push(Row {
                run,
                values: Vec::new(),
                error: Some(reason),
            });
        }
    }
    let fields = fields.unwrap_or_default();
    let mut csv = String::from("point,replicate,seed");
    for c in &sweep.columns {
        let _ = write!(csv, ",{}", c.name);
    }
    csv.push_str(",status");
    for f in &fields {
        let _ = write!(csv, ",{f}");
    }
    csv.push_str(",error\n");
    for row in &rows {
        let run = row.run;
        let _ = write!(
            csv,
            "{},{},{}",
            run.point,
            run.replicate,
            spec::run_seed(sweep.seed, run)
        );
        for v in &sweep.points[run.point] {
            let _ = write!(csv, ",{v}");
        }
        match &row.error {
            None => {
                csv.push_str(",ok");
                for v in &row.values {
                    let _ = write!(csv, ",{v}");
                }
                csv.push_str(",\n");
            }
            Some(reason) => {
                csv.push_str(",failed");
                csv.push_str(&",".repeat(fields.len()));
                let _ = writeln!(csv, ",{}", csv_quote(reason));
            }
        }
    }
    Ok(Table { csv, fields, rows })
}

/// Mean of `field` over a point's finished replicates.
fn point_mean(table: &Table, point: usize, field: &str) -> Option<f64> {
    let values: Vec<f64> = table
        .rows
        .iter()
        .filter(|r| r.run.point == point && r.error.is_none())
        .filter_map(|r| table.value(r, field))
        .collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The final blood count of every point (mean over replicates), and for a
/// two-axis grid the MCV and Hb as matrices.
pub fn point_table(sweep: &Sweep, table: &Table) -> String {
    let mut s = String::from("\nFinal values by point (mean over replicates)\n");
    let outputs: Vec<(&str, &str)> = TABLE_OUTPUTS
        .iter()
        .copied()
        .filter(|(f, _)| table.fields.iter().any(|x| x == f))
        .collect();
    let widths: Vec<usize> = sweep.columns.iter().map(|c| c.name.len().max(8)).collect();
    let _ = write!(s, "{:>5}", "point");
    for (c, w) in sweep.columns.iter().zip(&widths) {
        let _ = write!(s, "  {:>w$}", c.name);
    }
    for (_, label) in &outputs {
        let _ = write!(s, "  {label:>8}");
    }
    s.push('\n');
    for point in 0..sweep.points.len() {
        let _ = write!(s, "{point:>5}");
        for (v, w) in sweep.points[point].iter().zip(&widths) {
            let _ = write!(s, "  {:>w$}", v.to_string());
        }
        for (field, _) in &outputs {
            match point_mean(table, point, field) {
                Some(v) => {
                    let _ = write!(s, "  {v:>8.2}");
                }
                None => {
                    let _ = write!(s, "  {:>8}", "failed");
                }
            }
        }
        s.push('\n');
    }
    if sweep.columns.len() == 2 {
        let rows: Vec<String> = dedup(sweep.points.iter().map(|p| p[0].to_string()));
        let cols: Vec<String> = dedup(sweep.points.iter().map(|p| p[1].to_string()));
        for (field, label, low, flag) in [
            ("mcv_fl", "MCV fL", 80.0, "microcytic, MCV < 80 fL"),
            ("hb_g_dl", "Hb g/dL", 13.0, "anemic, Hb < 13 g/dL (men)"),
        ] {
            let _ = writeln!(
                s,
                "\n{label}: {} (rows) x {} (columns); * {flag}",
                sweep.columns[0].name, sweep.columns[1].name
            );
            let w = rows.iter().map(String::len).max().unwrap_or(0).max(8);
            let _ = write!(s, "{:>w$}", "");
            for c in &cols {
                let _ = write!(s, " {c:>8}");
            }
            s.push('\n');
            for (i, r) in rows.iter().enumerate() {
                let _ = write!(s, "{r:>w$}");
                for j in 0..cols.len() {
                    let point = i * cols.len() + j;
                    match point_mean(table, point, field) {
                        Some(v) => {
                            let mark = if v < low { "*" } else { " " };
                            let _ = write!(s, " {v:>7.1}{mark}");
                        }
                        None => {
                            let _ = write!(s, " {:>8}", "failed");
                        }
                    }
                }
                s.push('\n');
            }
        }
    }
    s
}

fn dedup(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// PRCC of every hypercube parameter against Hb, MCV, MCHC and RDW-CV, over
/// every finished run (each replicate a sample), separately for each grid
/// combination when the hypercube is combined with a grid. Returns
/// `(sensitivity.csv, printed table)`, or `None` without a hypercube.
pub fn sensitivity(sweep: &Sweep, table: &Table) -> Option<(String, String)> {
    let params: Vec<usize> = (0..sweep.columns.len())
        .filter(|&i| sweep.columns[i].hypercube)
        .collect();
    if params.is_empty() {
        return None;
    }
    let grid: Vec<usize> = (0..sweep.columns.len())
        .filter(|&i| !sweep.columns[i].hypercube)
        .collect();
    let samples = sweep.points.len() / dedup_count(sweep, &grid);
    let mut csv = String::new();
    for &g in &grid {
        let _ = write!(csv, "{},", sweep.columns[g].name);
    }
    csv.push_str("parameter,output,prcc,p_value,n\n");
    let mut text = String::new();
    for group in 0..sweep.points.len() / samples {
        let points = group * samples..(group + 1) * samples;
        let rows: Vec<&Row> = table
            .rows
            .iter()
            .filter(|r| points.contains(&r.run.point) && r.error.is_none())
            .collect();
        let number = |r: &Row, col: usize| match &sweep.points[r.run.point][col] {
            spec::Scalar::Number(x) => *x,
            _ => f64::NAN,
        };
        let inputs: Vec<Vec<f64>> = params
            .iter()
            .map(|&c| rows.iter().map(|r| number(r, c)).collect())
            .collect();
        let grid_values: Vec<String> = grid
            .iter()
            .map(|&g| sweep.points[points.start][g].to_string())
            .collect();
        let mut results = Vec::new();
        for (field, _) in SENSITIVITY_OUTPUTS {
            let y: Vec<f64> = rows
                .iter()
                .map(|r| table.value(r, field).unwrap_or(f64::NAN))
                .collect();
            results.push(prcc::prcc(&inputs, &y));
        }
        for (j, &c) in params.iter().enumerate() {
            for (o, (field, _)) in SENSITIVITY_OUTPUTS.iter().enumerate() {
                let p = results[o][j];
                for v in &grid_values {
                    let _ = write!(csv, "{v},");
                }
                let _ = writeln!(
                    csv,
                    "{},{field},{},{},{}",
                    sweep.columns[c].name,
                    p.coefficient,
                    p.p_value,
                    rows.len()
                );
            }
        }
        text.push_str(&sensitivity_table(
            sweep,
            &params,
            &results,
            &grid,
            &grid_values,
            rows.len(),
        ));
    }
    Some((csv, text))
}

fn dedup_count(sweep: &Sweep, grid: &[usize]) -> usize {
    dedup(sweep.points.iter().map(|p| {
        grid.iter()
            .map(|&g| p[g].to_string())
            .collect::<Vec<_>>()
            .join(",")
    }))
    .len()
}

/// The printed PRCC table: parameters by decreasing largest |PRCC|.
fn sensitivity_table(
    sweep: &Sweep,
    params: &[usize],
    results: &[Vec<prcc::Prcc>],
    grid: &[usize],
    grid_values: &[String],
    n: usize,
) -> String {
    let mut s = String::new();
    let at: Vec<String> = grid
        .iter()
        .zip(grid_values)
        .map(|(&g, v)| format!("{}={v}", sweep.columns[g].name))
        .collect();
    let _ = writeln!(
        s,
        "\nSensitivity: partial rank correlation (PRCC) over {n} runs{}",
        if at.is_empty() {
            String::new()
        } else {
            format!(" at {}", at.join(", "))
        }
    );
    let width = params
        .iter()
        .map(|&c| sweep.columns[c].name.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = write!(s, "{:<width$}", "parameter");
    for (_, label) in SENSITIVITY_OUTPUTS {
        let _ = write!(s, "  {label:>9}");
    }
    s.push('\n');
    let mut order: Vec<usize> = (0..params.len()).collect();
    let strength = |j: usize| {
        results
            .iter()
            .map(|r| r[j].coefficient.abs())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    };
    order.sort_by(|&a, &b| strength(b).total_cmp(&strength(a)));
    for j in order {
        let _ = write!(s, "{:<width$}", sweep.columns[params[j]].name);
        for r in results {
            let p = r[j];
            let stars = match p.p_value {
                v if v < 0.001 => "***",
                v if v < 0.01 => "** ",
                v if v < 0.05 => "*  ",
                _ => "   ",
            };
            let _ = write!(s, "  {:>+6.2}{stars}", p.coefficient);
        }
        s.push('\n');
    }
    s.push_str("* p < 0.05, ** p < 0.01, *** p < 0.001 (t test of the partial correlation)\n");
    if n < params.len() + 3 {
        let _ = writeln!(
            s,
            "(undefined: PRCC of {} parameters needs at least {} finished runs)",
            params.len(),
            params.len() + 3
        );
    }
    s
}
