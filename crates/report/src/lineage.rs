//! Lineage pictures (`erythro lineage`): one proerythroblast's whole family
//! tree, every division to every reticulocyte, drawn (SVG and PNG) and
//! printed as text.
//!
//! [`trace`] runs the config as usual (its steady state, then its days,
//! with its own plasma or body); from a chosen day the first `cohort`
//! lineages to enter are followed cell by cell alongside the run with the
//! marrow's own kernel ([`erythro_runner::LineageWatch`]), so each traced
//! tree is one of the run's own lineages. The one drawn is the cohort's most
//! typical lineage (`erythro_core::marrow::lineage::representative`):
//! deterministic for a config and seed. By default the founder is picked 10
//! days before the config's last day, where a disease config has reached
//! its state (for `configs/iron_restricted.ron`, day 140: saturation has
//! been 7% since day 56). The marrow around the lineage runs at 1/20 of the
//! config's agent count unless `full_scale`: a lineage does not depend on
//! how many other agents there are, only on the plasma (which a prescribed
//! plasma fixes and a body computes, a little noisier at small scale).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use erythro_core::marrow::lineage::CellFate;
use erythro_core::Config;
use erythro_io::lineage::{mean, CellRow, LineageRecord};
use erythro_io::Staged;
use erythro_runner::Simulation;

use crate::plot;

/// Lineages followed to choose a representative one.
pub const DEFAULT_COHORT: usize = 64;
/// Days before a config's end at which the followed founders enter by default.
pub const DAYS_BEFORE_END: f64 = 10.0;
/// Agent-count reduction of the marrow around a traced lineage (as `validate --quick`).
pub const QUICK_SCALE: f64 = 20.0;
/// Longest a followed cohort may take to leave the marrow, days.
const LONGEST_LINEAGE_DAYS: f64 = 60.0;

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

/// Writes the traced lineages into `out` atomically: `lineage.txt`,
/// `lineage.json` and the tree as `lineage_tree.svg` and `.png`. Returns
/// the directory and the text.
pub fn write(out: &Path, records: &[LineageRecord]) -> Result<(PathBuf, String)> {
    let text: String = records
        .iter()
        .map(render_text)
        .collect::<Vec<_>>()
        .join("\n");
    let figure = plot::render(
        "lineage_tree",
        "Lineage tree",
        &plot::tree::TreePlot::new(records),
    )?;
    let staged = Staged::new(out)?;
    staged.write("lineage.txt", &text)?;
    staged.write(
        "lineage.json",
        &(serde_json::to_string_pretty(records)? + "\n"),
    )?;
    staged.write("lineage_tree.svg", &figure.svg)?;
    staged.write_bytes("lineage_tree.png", &figure.png)?;
    Ok((staged.commit()?, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> LineageRecord {
        let mut config = erythro_io::config::default_config();
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
