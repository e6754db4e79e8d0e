//! Lineage records: one proerythroblast's whole family tree as
//! `lineage.json` holds it (every cell's birth, end, maturation and fate),
//! with the cohort it was chosen from, made from a run's
//! [`erythro_runner::LineageWatch`].

use std::fmt::Write as _;

use erythro_core::config::DivisionRule;
use erythro_core::marrow::lineage::{representative, CellFate, Lineage, Moment};
use erythro_core::Config;
use erythro_runner::LineageWatch;
use serde::{Deserialize, Serialize};

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

/// The mean of `values` (NaN when there are none).
pub fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// One decimal.
pub fn fmt1(v: f64) -> String {
    format!("{v:.1}")
}
