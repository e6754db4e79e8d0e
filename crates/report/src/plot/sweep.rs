//! Sweeps: each index against a swept parameter, one panel per index,
//! every replicate as a faint point and the mean with its standard deviation
//! over replicates; when more than one parameter was swept, one line per
//! combination of the others.
//!
//! Reads any CSV with one row per point and replicate: the swept parameters'
//! columns, then a `seed` (or `replicate`) column, then the indices. The
//! swept parameters are the columns before `seed`, unless named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use erythro_io::results_dir::Table;
use erythro_io::Staged;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{bold, palette, size, text, Plot};

/// Indices plotted by default, when the CSV has them.
pub const DEFAULT_INDICES: [&str; 14] = [
    "hb_g_dl",
    "rbc_1e12_per_l",
    "mcv_fl",
    "mch_pg",
    "mchc_g_dl",
    "rdw_cv_pct",
    "retic_pct",
    "chr_pg",
    "mean_divisions",
    "ineffective_pct",
    "zpp_umol_per_mol_heme",
    "tsat_pct",
    "ferritin_ug_l",
    "hepcidin_nm",
];

/// Columns that identify a row rather than measure anything.
const BOOKKEEPING: [&str; 5] = ["seed", "replicate", "point", "day", "run"];

/// A readable label for an output field (`mcv_fl` -> "MCV, fL").
pub fn field_label(field: &str) -> String {
    let known = [
        ("hb_g_dl", "Hb, g/dL"),
        ("rbc_1e12_per_l", "RBC, 10^12/L"),
        ("hct_pct", "Hct, %"),
        ("mcv_fl", "MCV, fL"),
        ("mch_pg", "MCH, pg"),
        ("mchc_g_dl", "MCHC, g/dL"),
        ("rdw_cv_pct", "RDW-CV, %"),
        ("rdw_sd_fl", "RDW-SD, fL"),
        ("retic_pct", "reticulocytes, %"),
        ("chr_pg", "CHr, pg"),
        ("mean_divisions", "divisions per lineage"),
        ("ineffective_pct", "ineffective, % dying"),
        ("zpp_umol_per_mol_heme", "ZPP, umol/mol heme"),
        ("tsat_pct", "TSAT, %"),
        ("ferritin_ug_l", "ferritin, ug/L"),
        ("hepcidin_nm", "hepcidin, nM"),
        ("serum_iron_ug_dl", "serum iron, ug/dL"),
        ("tibc_ug_dl", "TIBC, ug/dL"),
        ("epo_mu_ml", "EPO, mU/mL"),
    ];
    known
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| field.to_string())
}

/// Which columns are swept parameters and which are indices.
pub fn split_columns(
    table: &Table,
    params: &[String],
    indices: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    for name in params.iter().chain(indices) {
        if table.index(name).is_none() {
            bail!(
                "no column {name:?} in the sweep CSV (its columns: {})",
                table.columns.join(", ")
            );
        }
    }
    let params: Vec<String> = if !params.is_empty() {
        params.to_vec()
    } else if let Some(i) = table
        .columns
        .iter()
        .position(|c| c == "seed" || c == "replicate")
        .filter(|&i| i > 0)
    {
        table.columns[..i].to_vec()
    } else {
        let dotted: Vec<String> = table
            .columns
            .iter()
            .filter(|c| c.contains('.'))
            .cloned()
            .collect();
        if dotted.is_empty() {
            bail!(
                "cannot tell which columns were swept (no `seed` column after them and no dotted config paths): name them with --param"
            );
        }
        dotted
    };
    let numeric = |c: &String| {
        let i = table.index(c).unwrap_or(0);
        table.rows.iter().any(|r| r[i].is_finite())
    };
    let indices: Vec<String> = if !indices.is_empty() {
        indices.to_vec()
    } else {
        let defaults: Vec<String> = DEFAULT_INDICES
            .iter()
            .filter(|f| table.index(f).is_some())
            .map(|f| f.to_string())
            .collect();
        if defaults.is_empty() {
            table
                .columns
                .iter()
                .filter(|c| !params.contains(c) && !BOOKKEEPING.contains(&c.as_str()))
                .filter(|c| numeric(c))
                .cloned()
                .collect()
        } else {
            defaults
        }
    };
    if indices.is_empty() {
        bail!("the sweep CSV has no index columns to plot");
    }
    for p in &params {
        if !numeric(p) {
            bail!("swept parameter column {p:?} holds no numbers");
        }
    }
    Ok((params, indices))
}

/// Mean and standard deviation (divisor n - 1; 0 for one value).
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (m, sd)
}

/// Every index against one swept parameter.
pub struct SweepPlot<'a> {
    /// The sweep.
    pub table: &'a Table,
    /// The parameter on the x axis.
    pub param: String,
    /// The other swept parameters (one line per combination).
    pub others: Vec<String>,
    /// Indices, one panel each.
    pub indices: Vec<String>,
}

const COLUMNS: usize = 3;
const PANEL_H: u32 = 430;
const HEADER_H: u32 = 130;

impl SweepPlot<'_> {
    /// Rows grouped by the other parameters' values, in order.
    fn groups(&self) -> BTreeMap<Vec<u64>, Vec<&Vec<f64>>> {
        let idx: Vec<usize> = self
            .others
            .iter()
            .filter_map(|o| self.table.index(o))
            .collect();
        let mut groups: BTreeMap<Vec<u64>, Vec<&Vec<f64>>> = BTreeMap::new();
        for row in &self.table.rows {
            // Keyed by bits so equal values group; BTreeMap keeps a fixed order.
            let key = idx.iter().map(|&i| order_key(row[i])).collect();
            groups.entry(key).or_default().push(row);
        }
        groups
    }
}

/// A u64 that orders like the f64 (for grouping and sorting by value).
fn order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

impl Plot for SweepPlot<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.indices.len().div_ceil(COLUMNS).max(1) as u32;
        (1800, HEADER_H + rows * PANEL_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (header, body) = root.split_vertically(HEADER_H);
        let x_col = self.table.index(&self.param).unwrap_or(0);
        let groups = self.groups();
        header.draw_text(
            &format!(
                "Sweep of {}: {} runs, mean ± SD over replicates",
                self.param,
                self.table.rows.len()
            ),
            &bold(size::TITLE - 4),
            (30, 10),
        )?;
        if self.others.is_empty() {
            header.draw_text(
                "dots: each replicate; line: mean; bars: ± 1 SD",
                &text(size::NOTE),
                (30, 70),
            )?;
        } else {
            let mut x = 30;
            for (g, key) in groups.keys().enumerate() {
                let colour = palette::SERIES[g % palette::SERIES.len()];
                let label: Vec<String> = self
                    .others
                    .iter()
                    .zip(key)
                    .map(|(o, &k)| format!("{o} = {}", super::tick(from_order_key(k))))
                    .collect();
                let label = label.join(", ");
                header.draw(&Rectangle::new([(x, 72), (x + 30, 92)], colour.filled()))?;
                header.draw_text(
                    &label,
                    &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Center)),
                    (x + 38, 82),
                )?;
                x += 60 + 14 * label.len() as i32;
                if x > 1600 {
                    break;
                }
            }
        }
        let rows = self.indices.len().div_ceil(COLUMNS).max(1);
        let areas = body.split_evenly((rows, COLUMNS));
        for (area, index) in areas.iter().zip(&self.indices) {
            let Some(y_col) = self.table.index(index) else {
                continue;
            };
            let finite = |r: &Vec<f64>| r[x_col].is_finite() && r[y_col].is_finite();
            let all: Vec<(f64, f64)> = self
                .table
                .rows
                .iter()
                .filter(|r| finite(r))
                .map(|r| (r[x_col], r[y_col]))
                .collect();
            if all.is_empty() {
                continue;
            }
            let (x0, x1) = all
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.0), b.max(p.0))
                });
            let (y0, y1) = all
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.1), b.max(p.1))
                });
            let xp = ((x1 - x0) * 0.06).max(x1.abs() * 0.01).max(1e-9);
            let yp = ((y1 - y0) * 0.15).max(y1.abs() * 0.01).max(1e-9);
            let mut chart = ChartBuilder::on(area)
                .caption(field_label(index), bold(size::LABEL - 2))
                .margin(16)
                .x_label_area_size(80)
                .y_label_area_size(100)
                .build_cartesian_2d((x0 - xp)..(x1 + xp), (y0 - yp)..(y1 + yp))?;
            chart
                .configure_mesh()
                .x_desc(self.param.as_str())
                .x_labels(5)
                .y_labels(6)
                .axis_desc_style(text(size::NOTE - 2))
                .label_style(text(size::TICK - 4))
                .x_label_formatter(&|v| super::tick(*v))
                .y_label_formatter(&|v| super::tick(*v))
                .light_line_style(RGBColor(240, 240, 240))
                .bold_line_style(RGBColor(222, 222, 222))
                .draw()?;
            for (g, rows) in groups.values().enumerate() {
                let colour = palette::SERIES[g % palette::SERIES.len()];
                let pts: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| finite(r))
                    .map(|r| (r[x_col], r[y_col]))
                    .collect();
                chart.draw_series(
                    pts.iter()
                        .map(|p| Circle::new(*p, 5, colour.mix(0.35).filled())),
                )?;
                let mut by_x: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
                for (x, y) in &pts {
                    by_x.entry(order_key(*x)).or_default().push(*y);
                }
                let means: Vec<(f64, f64, f64)> = by_x
                    .iter()
                    .map(|(k, ys)| {
                        let (m, sd) = mean_sd(ys);
                        (from_order_key(*k), m, sd)
                    })
                    .collect();
                chart.draw_series(LineSeries::new(
                    means.iter().map(|(x, m, _)| (*x, *m)),
                    colour.stroke_width(3),
                ))?;
                for (x, m, sd) in &means {
                    if *sd > 0.0 {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(*x, m - sd), (*x, m + sd)],
                            colour.stroke_width(3),
                        )))?;
                    }
                    chart.draw_series(std::iter::once(Circle::new(
                        (*x, *m),
                        7,
                        colour.filled(),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// A file-name-safe version of a column name.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// What [`plot_sweep`] drew.
pub struct SweepPlots {
    /// The directory written.
    pub out: PathBuf,
    /// The swept parameters plotted against.
    pub params: Vec<String>,
    /// The indices plotted.
    pub indices: Vec<String>,
    /// Rows of the CSV.
    pub rows: usize,
    /// The plots' file stems (each an SVG and a PNG).
    pub names: Vec<String>,
}

/// `erythro plot-sweep`: every index of the sweep CSV `csv` against each
/// swept parameter (`params`, or the columns before `seed`), as SVG and PNG
/// in `out` (default `sweep_plots` beside the CSV), written atomically.
pub fn plot_sweep(
    csv: &Path,
    out: Option<PathBuf>,
    params: &[String],
    indices: &[String],
) -> Result<SweepPlots> {
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let origin = csv.display().to_string();
    let table = Table::parse(&text, &origin)?;
    if table.rows.is_empty() {
        bail!("{origin}: no rows");
    }
    let (params, indices) =
        split_columns(&table, params, indices).with_context(|| origin.clone())?;
    let out = out.unwrap_or_else(|| {
        csv.parent()
            .map(|p| p.join("sweep_plots"))
            .unwrap_or_else(|| PathBuf::from("sweep_plots"))
    });
    let staged = Staged::new(&out)?;
    let mut names = Vec::new();
    for p in &params {
        let plot = SweepPlot {
            table: &table,
            param: p.clone(),
            others: params.iter().filter(|o| *o != p).cloned().collect(),
            indices: indices.clone(),
        };
        let name = format!("sweep_{}", file_stem(p));
        let fig = super::render(&name, &format!("Indices against {p}"), &plot)?;
        staged.write(&format!("{name}.svg"), &fig.svg)?;
        staged.write_bytes(&format!("{name}.png"), &fig.png)?;
        names.push(name);
    }
    Ok(SweepPlots {
        out: staged.commit()?,
        params,
        indices,
        rows: table.rows.len(),
        names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::render;
    use crate::plot::tests::png_stats;

    /// A synthetic sweep: two parameters, three replicates.
    fn synthetic() -> Table {
        let mut csv = String::from(
            "plasma.tsat,marrow.beta_globin_factor,seed,hb_g_dl,mcv_fl,mean_divisions,custom_index\n",
        );
        for tsat in [0.05, 0.1, 0.2, 0.3] {
            for beta in [0.6, 1.0] {
                for seed in 1..=3 {
                    let noise = seed as f64 * 0.1;
                    csv.push_str(&format!(
                        "{tsat},{beta},{seed},{},{},{},{}\n",
                        8.0 + 20.0 * tsat + noise,
                        60.0 + 90.0 * tsat * beta + noise,
                        5.0 - tsat * 3.0,
                        seed
                    ));
                }
            }
        }
        Table::parse(&csv, "sweep.csv").unwrap()
    }

    #[test]
    fn columns_before_seed_are_the_swept_parameters() {
        let t = synthetic();
        let (params, indices) = split_columns(&t, &[], &[]).unwrap();
        assert_eq!(params, ["plasma.tsat", "marrow.beta_globin_factor"]);
        assert_eq!(indices, ["hb_g_dl", "mcv_fl", "mean_divisions"]);
        let (_, indices) = split_columns(&t, &[], &["custom_index".into()]).unwrap();
        assert_eq!(indices, ["custom_index"]);
        let e = split_columns(&t, &["nope".into()], &[]).unwrap_err();
        assert!(e.to_string().contains("no column \"nope\""), "{e}");
    }

    #[test]
    fn without_seed_or_dots_the_user_must_name_the_parameters() {
        let t = Table::parse("a,b\n1,2\n", "s.csv").unwrap();
        let e = split_columns(&t, &[], &[]).unwrap_err();
        assert!(e.to_string().contains("--param"), "{e}");
        let (p, i) = split_columns(&t, &["a".into()], &[]).unwrap();
        assert_eq!((p, i), (vec!["a".to_string()], vec!["b".to_string()]));
    }

    #[test]
    fn mean_and_sd_over_replicates() {
        assert_eq!(mean_sd(&[1.0, 2.0, 3.0]), (2.0, 1.0));
        assert_eq!(mean_sd(&[4.0]), (4.0, 0.0));
        for v in [-3.5, -0.0, 0.0, 1e-9, 2.5, 1e9] {
            assert_eq!(from_order_key(order_key(v)), v);
        }
        assert!(order_key(-1.0) < order_key(0.5) && order_key(0.5) < order_key(2.0));
    }

    #[test]
    fn sweep_plot_renders_each_index_with_a_line_per_group() {
        let t = synthetic();
        let plot = SweepPlot {
            table: &t,
            param: "plasma.tsat".into(),
            others: vec!["marrow.beta_globin_factor".into()],
            indices: vec!["hb_g_dl".into(), "mcv_fl".into(), "mean_divisions".into()],
        };
        assert_eq!(plot.groups().len(), 2);
        let fig = render("sweep", "Sweep", &plot).unwrap();
        assert!(fig.svg.contains("MCV, fL"));
        assert!(fig.svg.contains("marrow.beta_globin_factor = 0.6"));
        let (w, h, inked, colours) = png_stats(&fig.png);
        assert_eq!((w, h), (1800, HEADER_H + PANEL_H));
        assert!(inked > 0.02 && colours > 10, "{inked} {colours}");
    }
}
