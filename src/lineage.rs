//! `erythro lineage`: one proerythroblast's whole family tree, every
//! division to every reticulocyte, drawn (SVG and PNG) and printed.
//!
//! The config runs as usual (its steady state, then its days, with its own
//! plasma or body); from a chosen day the first `--cohort` lineages to enter
//! are followed cell by cell alongside the run with the marrow's own kernel
//! (`erythro_runner::LineageWatch`), so each traced tree is one of the run's
//! own lineages. The one drawn is the cohort's most typical lineage
//! (`erythro_core::marrow::lineage::representative`): deterministic for a
//! config and seed. By default the founder is picked 10 days before the
//! config's last day, where a disease config has reached its state (for
//! `configs/iron_restricted.ron`, day 140: saturation has been 7% since day
//! 56). The marrow around the lineage runs at 1/20 of the config's agent
//! count unless `--full-scale`: a lineage does not depend on how many other
//! agents there are, only on the plasma (which a prescribed plasma fixes and
//! a body computes, a little noisier at small scale).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use erythro_core::config::DivisionRule;
use erythro_core::marrow::lineage::{representative, CellFate, Lineage, Moment};
use erythro_core::Config;
use erythro_runner::{LineageWatch, Simulation};
use serde::{Deserialize, Serialize};

use crate::{config_file, output, plot};

/// Lineages followed to choose a representative one.
pub const DEFAULT_COHORT: usize = 64;
/// Days before a config's end at which the followed founders enter by default.
pub const DAYS_BEFORE_END: f64 = 10.0;
/// Agent-count reduction of the marrow around a traced lineage (as `validate --quick`).
const QUICK_SCALE: f64 = 20.0;
/// Longest a followed cohort may take to leave the marrow, days.
const LONGEST_LINEAGE_DAYS: f64 = 60.0;

/// Arguments of `erythro lineage`.
#[derive(Args)]
pub struct LineageArgs {
    /// RON config file; the embedded default (healthy adult man) when absent.
    config: Option<PathBuf>,
    /// A second config whose lineage is drawn beside the first, on the same scale.
    #[arg(long)]
    vs: Option<PathBuf>,
    /// Output directory [default: results/runs/lineage/NAME or NAME_vs_NAME2].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Day (since the steady state) from which founders are followed
    /// [default: 10 days before each config's last day, or day 0].
    #[arg(long)]
    day: Option<f64>,
    /// Seed of every random stream (overrides the configs' run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Lineages followed; the most typical one is drawn.
    #[arg(long, default_value_t = DEFAULT_COHORT)]
    cohort: usize,
    /// Run the marrow around the lineage at the config's own scale (default 1/20).
    #[arg(long)]
    full_scale: bool,
}

/// One cell of a drawn lineage, as stored in `lineage.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRow {
    /// Tree position: root 1, node `k` divides into `2k` and `2k + 1`.
    pub node: u64,
    /// Divisions since the founder.
    pub divisions: u8,
    /// Hours since the founder entered, at birth.
    pub born_h: f64,
    /// Volume at birth, fL.
    pub born_volume_fl: f64,
    /// Hemoglobin at birth, pg.
    pub born_hb_pg: f64,
    /// Hours at its end (division, release, death).
    pub end_h: f64,
    /// Volume at its end, fL (before the split for a dividing cell).
    pub end_volume_fl: f64,
    /// Hemoglobin at its end, pg.
    pub end_hb_pg: f64,
    /// `divided`, `released`, `died` or `in_marrow`.
    pub fate: String,
    /// Hours when it stopped dividing, if it did.
    pub matured_h: Option<f64>,
    /// Volume then, fL.
    pub matured_volume_fl: Option<f64>,
    /// Hemoglobin then, pg.
    pub matured_hb_pg: Option<f64>,
    /// Stopped by the division cap or the maturation clock, not the rule.
    pub forced: bool,
    /// Hours when it lost its nucleus, if it did.
    pub enucleated_h: Option<f64>,
}

impl CellRow {
    fn from_cell(c: &erythro_core::marrow::lineage::TracedCell) -> Self {
        Self {
            node: c.node,
            divisions: c.divisions,
            born_h: c.born.hours as f64,
            born_volume_fl: c.born.volume_fl as f64,
            born_hb_pg: c.born.hb_pg as f64,
            end_h: c.end.hours as f64,
            end_volume_fl: c.end.volume_fl as f64,
            end_hb_pg: c.end.hb_pg as f64,
            fate: c.fate.as_str().to_string(),
            matured_h: c.matured.map(|m| m.hours as f64),
            matured_volume_fl: c.matured.map(|m| m.volume_fl as f64),
            matured_hb_pg: c.matured.map(|m| m.hb_pg as f64),
            forced: c.forced,
            enucleated_h: c.enucleated.map(|m: Moment| m.hours as f64),
        }
    }

    /// What became of it.
    pub fn fate(&self) -> CellFate {
        CellFate::parse(&self.fate).unwrap_or(CellFate::InMarrow)
    }

    /// Hemoglobin concentration at its end, g/dL.
    pub fn end_chc_g_dl(&self) -> f64 {
        chc(self.end_hb_pg, self.end_volume_fl)
    }

    /// Hemoglobin concentration when it stopped dividing, g/dL.
    pub fn matured_chc_g_dl(&self) -> Option<f64> {
        Some(chc(self.matured_hb_pg?, self.matured_volume_fl?))
    }
}

/// Whole-cell hemoglobin concentration, g/dL.
pub fn chc(hb_pg: f64, volume_fl: f64) -> f64 {
    if volume_fl > 0.0 {
        100.0 * hb_pg / volume_fl
    } else {
        0.0
    }
}

/// Averages over the followed cohort, for context.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CohortStats {
    /// Lineages followed.
    pub lineages: usize,
    /// Of which complete (every cell released or dead).
    pub complete: usize,
    /// Mean divisions per reticulocyte over the cohort.
    pub mean_divisions: f64,
    /// Mean reticulocyte volume at release, fL.
    pub mean_volume_fl: f64,
    /// Mean reticulocyte hemoglobin concentration at release, g/dL.
    pub mean_chc_g_dl: f64,
    /// Cells that died in the marrow, % of cells that left it (dead + released).
    pub died_pct: f64,
}

/// One drawn lineage with what it came from (`lineage.json` holds a list).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineageRecord {
    /// The config's name.
    pub label: String,
    /// The division rule, in words.
    pub rule: String,
    /// True under the fixed-budget rule.
    pub fixed_budget: bool,
    /// The critical concentration, g/dL (the threshold of the default rule).
    pub critical_hb_g_dl: f64,
    /// Day (since the steady state) the founder entered.
    pub entry_day: f64,
    /// Transferrin saturation when it entered, %.
    pub tsat_pct: f64,
    /// EPO when it entered, mU/mL.
    pub epo_mu_ml: f64,
    /// Blood lead when it entered, ug/dL.
    pub lead_ug_dl: f64,
    /// Lineage number in the run.
    pub lineage: u64,
    /// Seed of the run.
    pub seed: u64,
    /// How it was chosen, in words.
    pub chosen: String,
    /// The cohort it was chosen from.
    pub cohort: CohortStats,
    /// Its cells, founder first.
    pub cells: Vec<CellRow>,
}

impl LineageRecord {
    /// The representative lineage of `watch`, or `None` when no followed
    /// lineage finished.
    pub fn from_watch(label: &str, config: &Config, watch: &LineageWatch) -> Option<Self> {
        let lineages = watch.lineages();
        let i = representative(lineages)?;
        let chosen: &Lineage = &lineages[i];
        let (entry_day, plasma) = watch.entry(i)?;
        let complete: Vec<&Lineage> = lineages.iter().filter(|l| l.is_complete()).collect();
        let mean_of = |f: &dyn Fn(&Lineage) -> Option<f64>| {
            let v: Vec<f64> = complete.iter().filter_map(|l| f(l)).collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        };
        // Per reticulocyte, not per lineage, as the run's marrow measures it.
        let retics: Vec<f64> = complete
            .iter()
            .flat_map(|l| l.reticulocytes().map(|c| c.divisions as f64))
            .collect();
        let released = retics.len();
        let died: usize = complete.iter().map(|l| l.deaths()).sum();
        let m = &config.marrow;
        let fixed_budget = m.division_rule == DivisionRule::FixedBudget;
        let rule = if fixed_budget {
            format!(
                "fixed budget of {} divisions (heme shortage slows the cycle)",
                m.fixed_budget_divisions
            )
        } else {
            format!(
                "critical concentration: divide until Hb reaches {} g/dL",
                m.critical_hb_g_dl
            )
        };
        Some(Self {
            label: label.to_string(),
            rule,
            fixed_budget,
            critical_hb_g_dl: m.critical_hb_g_dl,
            entry_day,
            tsat_pct: plasma.tsat * 100.0,
            epo_mu_ml: plasma.epo_mu_ml,
            lead_ug_dl: plasma.lead_ug_dl,
            lineage: chosen.lineage,
            seed: config.run.seed,
            chosen: format!(
                "the most typical of the {} lineages entering from day {:.1} (closest to their median divisions, reticulocyte volume and concentration)",
                lineages.len(),
                watch.entry(0).map(|e| e.0).unwrap_or(entry_day)
            ),
            cohort: CohortStats {
                lineages: lineages.len(),
                complete: complete.len(),
                mean_divisions: retics.iter().sum::<f64>() / released.max(1) as f64,
                mean_volume_fl: mean_of(&|l| l.mean_release_volume_fl()),
                mean_chc_g_dl: mean_of(&|l| l.mean_release_chc_g_dl()),
                died_pct: 100.0 * died as f64 / (died + released).max(1) as f64,
            },
            cells: chosen.cells.iter().map(CellRow::from_cell).collect(),
        })
    }

    /// Its reticulocytes.
    pub fn reticulocytes(&self) -> impl Iterator<Item = &CellRow> {
        self.cells.iter().filter(|c| c.fate() == CellFate::Released)
    }

    /// Cells that died in the marrow.
    pub fn deaths(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| c.fate() == CellFate::Died)
            .count()
    }

    /// Mean divisions per reticulocyte.
    pub fn mean_divisions(&self) -> f64 {
        mean(self.reticulocytes().map(|c| c.divisions as f64))
    }

    /// Mean reticulocyte volume at release, fL.
    pub fn mean_volume_fl(&self) -> f64 {
        mean(self.reticulocytes().map(|c| c.end_volume_fl))
    }

    /// Mean reticulocyte hemoglobin concentration at release, g/dL.
    pub fn mean_chc_g_dl(&self) -> f64 {
        mean(self.reticulocytes().map(|c| c.end_chc_g_dl()))
    }

    /// Most divisions of any cell.
    pub fn depth(&self) -> u8 {
        self.cells.iter().map(|c| c.divisions).max().unwrap_or(0)
    }

    /// A one-line summary.
    pub fn headline(&self) -> String {
        let n = self.reticulocytes().count();
        let mut s = format!(
            "{n} reticulocytes, {} divisions each on average",
            fmt1(self.mean_divisions())
        );
        let deaths = self.deaths();
        match deaths {
            0 => {}
            1 => s.push_str(", 1 cell died in the marrow"),
            n => {
                let _ = write!(s, ", {n} cells died in the marrow");
            }
        }
        s
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

fn fmt1(v: f64) -> String {
    format!("{v:.1}")
}

/// The shade character of a hemoglobin concentration (g/dL) in the text tree.
fn shade(chc_g_dl: f64) -> char {
    match chc_g_dl {
        c if c < 5.0 => '.',
        c if c < 12.0 => ':',
        c if c < 24.0 => '+',
        c if c < 30.0 => '*',
        _ => '#',
    }
}

/// The lineage as text for the terminal: one line per generation, its
/// cells drawn as a pyramid of shade characters (each cell's hemoglobin
/// concentration when it divided or stopped dividing) and what they did.
pub fn render_text(r: &LineageRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: lineage {} entered on day {:.1} (TSAT {:.1}%, EPO {:.1} mU/mL); rule: {}",
        r.label, r.lineage, r.entry_day, r.tsat_pct, r.epo_mu_ml, r.rule
    );
    let depth = r.depth().min(6);
    let width = 2usize << depth;
    let _ = writeln!(
        out,
        "  gen cells  {:<w$}  then (mean hours, volume, Hb concentration)",
        "tree (Hb conc . <5 : <12 + <24 * <30 # >=30 g/dL, x died)",
        w = width.max(56)
    );
    let founder = &r.cells[0];
    let _ = writeln!(
        out,
        "  {:>3} {:>5}  {:<w$}  entered: {:.0} fL, no hemoglobin",
        "",
        "",
        "",
        founder.born_volume_fl,
        w = width.max(56)
    );
    for g in 0..=r.depth() {
        let cells: Vec<&CellRow> = r.cells.iter().filter(|c| c.divisions == g).collect();
        let mut pyramid = vec![' '; width];
        for c in &cells {
            let slot = (c.node - (1u64 << g)) as usize;
            // Centre of the slot's share of the row.
            let col = ((2 * slot + 1) * width) >> (g as usize + 1).min(63);
            let mark = match c.fate() {
                CellFate::Died => 'x',
                _ => shade(c.matured_chc_g_dl().unwrap_or_else(|| c.end_chc_g_dl())),
            };
            if col < width {
                pyramid[col] = mark;
            }
        }
        let mut then: Vec<String> = Vec::new();
        let divided: Vec<&&CellRow> = cells
            .iter()
            .filter(|c| c.fate() == CellFate::Divided)
            .collect();
        if !divided.is_empty() {
            then.push(format!(
                "{} divide at {:.0} h ({:.0} fL, {:.1} g/dL)",
                divided.len(),
                mean(divided.iter().map(|c| c.end_h)),
                mean(divided.iter().map(|c| c.end_volume_fl)),
                mean(divided.iter().map(|c| c.end_chc_g_dl())),
            ));
        }
        let stopped: Vec<&&CellRow> = cells.iter().filter(|c| c.matured_h.is_some()).collect();
        if !stopped.is_empty() {
            let forced = stopped.iter().filter(|c| c.forced).count();
            then.push(format!(
                "{} stop at {:.0} h ({:.0} fL, {:.1} g/dL){}",
                stopped.len(),
                mean(stopped.iter().filter_map(|c| c.matured_h)),
                mean(stopped.iter().filter_map(|c| c.matured_volume_fl)),
                mean(stopped.iter().filter_map(|c| c.matured_chc_g_dl())),
                if forced > 0 {
                    format!(", {forced} by the cap or clock")
                } else {
                    String::new()
                }
            ));
        }
        let died = cells.iter().filter(|c| c.fate() == CellFate::Died).count();
        if died > 0 {
            then.push(format!("{died} die"));
        }
        let _ = writeln!(
            out,
            "  {:>3} {:>5}  {:<w$}  {}",
            g,
            cells.len(),
            pyramid.iter().collect::<String>(),
            then.join("; "),
            w = width.max(56)
        );
    }
    let retics: Vec<&CellRow> = r.reticulocytes().collect();
    if !retics.is_empty() {
        let _ = writeln!(
            out,
            "  released {} reticulocytes at {:.0} h: {:.0} fL ({:.0}-{:.0}), {:.1} g/dL",
            retics.len(),
            mean(retics.iter().map(|c| c.end_h)),
            mean(retics.iter().map(|c| c.end_volume_fl)),
            retics
                .iter()
                .map(|c| c.end_volume_fl)
                .fold(f64::INFINITY, f64::min),
            retics.iter().map(|c| c.end_volume_fl).fold(0.0, f64::max),
            mean(retics.iter().map(|c| c.end_chc_g_dl())),
        );
    }
    let c = &r.cohort;
    let _ = writeln!(
        out,
        "  {}. Its cohort of {} lineages: {:.2} divisions per reticulocyte, {:.0} fL, {:.1} g/dL at release; {:.1}% of cells died.",
        r.headline(),
        c.lineages,
        c.mean_divisions,
        c.mean_volume_fl,
        c.mean_chc_g_dl,
        c.died_pct
    );
    out
}

/// Runs `config` at its steady state and follows a cohort of lineages from
/// `from_day`, until every followed lineage has left the marrow.
pub fn trace(
    label: &str,
    mut config: Config,
    from_day: Option<f64>,
    cohort: usize,
    full_scale: bool,
) -> Result<LineageRecord> {
    if !full_scale {
        config.scale.cells_per_agent *= QUICK_SCALE;
    }
    config.validate()?;
    let day = from_day.unwrap_or((config.run.days - DAYS_BEFORE_END).max(0.0));
    if !(day.is_finite() && day >= 0.0) {
        bail!("--day must be a day on or after the steady state (0 or more), not {day}");
    }
    let mut sim = Simulation::new(config.clone())
        .with_context(|| format!("cannot build the steady state of {label}"))?;
    sim.watch_lineages(day, cohort);
    let limit = day + LONGEST_LINEAGE_DAYS;
    while !sim.lineage_watch().is_some_and(|w| w.is_complete()) {
        if sim.day() > limit {
            bail!(
                "{label}: the followed lineages had not left the marrow {LONGEST_LINEAGE_DAYS} days after day {day}"
            );
        }
        sim.step();
    }
    let watch = sim.lineage_watch().context("no lineage was followed")?;
    LineageRecord::from_watch(label, &config, watch).with_context(|| {
        format!(
            "{label}: no followed lineage released a reticulocyte (every cell died in the marrow)"
        )
    })
}

fn load(path: Option<&Path>) -> Result<(Config, String)> {
    Ok(match path {
        Some(p) => (config_file::load(p)?, crate::stem(p)),
        None => (
            config_file::parse(config_file::DEFAULT_RON, "embedded default")?,
            "healthy_man".to_string(),
        ),
    })
}

/// `erythro lineage`.
pub fn run(args: LineageArgs) -> Result<()> {
    if args.cohort == 0 {
        bail!("--cohort must be at least 1");
    }
    let mut runs = vec![load(args.config.as_deref())?];
    if let Some(vs) = &args.vs {
        runs.push(load(Some(vs))?);
    }
    if runs.len() == 2 && runs[0].1 == runs[1].1 {
        runs[1].1.push_str(" (2)");
    }
    for (config, _) in &mut runs {
        if let Some(seed) = args.seed {
            config.run.seed = seed;
        }
    }
    let name = runs
        .iter()
        .map(|(_, n)| n.replace(' ', "_"))
        .collect::<Vec<_>>()
        .join("_vs_");
    let out = args.out.clone().unwrap_or_else(|| {
        Path::new("results")
            .join("runs")
            .join("lineage")
            .join(&name)
    });
    let pool = crate::thread_pool(args.threads)?;
    let started = Instant::now();
    let records = pool.install(|| -> Result<Vec<LineageRecord>> {
        runs.iter()
            .map(|(config, label)| {
                trace(
                    label,
                    config.clone(),
                    args.day,
                    args.cohort,
                    args.full_scale,
                )
            })
            .collect()
    })?;
    let wall = started.elapsed().as_secs_f64();

    let text: String = records
        .iter()
        .map(render_text)
        .collect::<Vec<_>>()
        .join("\n");
    let figure = plot::render(
        "lineage_tree",
        "Lineage tree",
        &plot::tree::TreePlot::new(&records),
    )?;
    let staged = output::Staged::new(&out)?;
    staged.write("lineage.txt", &text)?;
    staged.write(
        "lineage.json",
        &(serde_json::to_string_pretty(&records)? + "\n"),
    )?;
    staged.write("lineage_tree.svg", &figure.svg)?;
    staged.write_bytes("lineage_tree.png", &figure.png)?;
    let written = staged.commit()?;
    print!("{text}");
    println!(
        "\nfollowed {} x {} lineages in {wall:.1} s",
        records.len(),
        args.cohort
    );
    println!("results: {}", written.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> LineageRecord {
        let mut config = config_file::parse(config_file::DEFAULT_RON, "default").unwrap();
        config.run.burn_in_days = 12.0;
        config.scale.cells_per_agent = 3.2e7 / QUICK_SCALE;
        trace("healthy", config, Some(0.0), 16, false).unwrap()
    }

    #[test]
    fn a_traced_record_is_a_whole_tree_and_prints() {
        let r = record();
        assert_eq!(r.cells[0].node, 1);
        assert_eq!(r.cohort.lineages, 16);
        assert!(r.reticulocytes().count() >= 8, "{}", r.headline());
        for c in &r.cells {
            assert!(c.end_h >= c.born_h);
        }
        let text = render_text(&r);
        assert!(text.contains("1 divide at"), "{text}");
        assert!(text.contains("released"), "{text}");
        let json = serde_json::to_string(&r).unwrap();
        // serde_json's default float parser may be an ulp off: compare the
        // tree exactly and the numbers to 1e-12.
        let back: LineageRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back.cells.len(), r.cells.len());
        for (a, b) in back.cells.iter().zip(&r.cells) {
            assert_eq!(
                (a.node, a.divisions, &a.fate),
                (b.node, b.divisions, &b.fate)
            );
            assert!((a.end_volume_fl - b.end_volume_fl).abs() <= 1e-12 * b.end_volume_fl);
        }
    }
}
