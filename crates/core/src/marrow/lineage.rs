//! Following whole lineages: one proerythroblast and every descendant, from
//! its entry through every division to every reticulocyte it releases (or
//! every cell that dies), recorded cell by cell.
//!
//! The tracer steps its cells with the kernel's own per-cell step
//! (`step_cell`), the same per-step constants ([`MarrowStep`]) and the same
//! founders ([`proerythroblast`]) as the marrow. A cell's step depends only
//! on its own state, those constants and random streams keyed by its own id,
//! so a lineage traced alongside a run, fed the run's constants step by step
//! from the step its founder entered, is that run's lineage to the bit, and
//! the hot loop is not touched.
//!
//! The tree is read from the agent ids: below `LINEAGE_SHIFT` they hold the
//! tree index (the root is node 1, node `k` divides into `2k` and `2k + 1`).

use crate::sums::StepSums;

use super::cells::{proerythroblast, Erythroblast, Released, Stage, LINEAGE_SHIFT};
use super::kernel::{step_cell, Fate};
use super::step::MarrowStep;

/// What became of a traced cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellFate {
    /// It divided into two daughters (recorded as their own cells).
    Divided,
    /// It left the marrow as a reticulocyte.
    Released,
    /// It died in the marrow (starvation, unpaired globin, or stopped by the
    /// division cap or the maturation clock and then lost).
    Died,
    /// Still in the marrow when tracing stopped.
    InMarrow,
}

impl CellFate {
    /// A short name, as written in `lineage.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            CellFate::Divided => "divided",
            CellFate::Released => "released",
            CellFate::Died => "died",
            CellFate::InMarrow => "in_marrow",
        }
    }

    /// The fate named by [`CellFate::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "divided" => CellFate::Divided,
            "released" => CellFate::Released,
            "died" => CellFate::Died,
            "in_marrow" => CellFate::InMarrow,
            _ => return None,
        })
    }
}

/// A moment in a traced cell's life.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moment {
    /// Hours since the lineage's proerythroblast entered.
    pub hours: f32,
    /// Cell volume, fL.
    pub volume_fl: f32,
    /// Hemoglobin, pg.
    pub hb_pg: f32,
}

impl Moment {
    /// `cell` as it is `hours` after its lineage entered.
    fn of(cell: &Erythroblast, hours: f32) -> Self {
        Self {
            hours,
            volume_fl: cell.volume_fl,
            hb_pg: cell.hb_pg,
        }
    }

    /// Whole-cell hemoglobin concentration, g/dL (1 pg/fL = 100 g/dL).
    pub fn chc_g_dl(&self) -> f32 {
        if self.volume_fl > 0.0 {
            100.0 * self.hb_pg / self.volume_fl
        } else {
            0.0
        }
    }
}

/// One cell of a traced lineage, from its birth (entry or division) to its
/// end (division, release, death, or the last traced step).
#[derive(Clone, Debug, PartialEq)]
pub struct TracedCell {
    /// Agent id as the marrow holds it (keys the cell's random streams).
    pub id: u64,
    /// Position in the division tree: the root is 1, node `k` divides into
    /// `2k` and `2k + 1` (the first daughter is the one that stays in the
    /// mother's slot in the marrow).
    pub node: u64,
    /// Divisions between the founder and this cell.
    pub divisions: u8,
    /// At birth: the founder's entry, or the division that made it.
    pub born: Moment,
    /// At its end: just before dividing, at release, at death, or now.
    pub end: Moment,
    /// What became of it.
    pub fate: CellFate,
    /// When it stopped dividing and began to mature, if it did.
    pub matured: Option<Moment>,
    /// True when the division cap or the maturation clock stopped it rather
    /// than its division rule (critical concentration or budget).
    pub forced: bool,
    /// When it lost its nucleus, if it did.
    pub enucleated: Option<Moment>,
}

impl TracedCell {
    /// A cell just born (entered or divided off) `hours` into its lineage;
    /// its tree node is the tree index in its agent id.
    fn newborn(cell: &Erythroblast, hours: f32) -> Self {
        let born = Moment::of(cell, hours);
        Self {
            id: cell.id,
            node: cell.id & ((1 << LINEAGE_SHIFT) - 1),
            divisions: cell.divisions,
            born,
            end: born,
            fate: CellFate::InMarrow,
            matured: None,
            forced: false,
            enucleated: None,
        }
    }

    /// The node this cell's mother had, `None` for the founder.
    pub fn parent_node(&self) -> Option<u64> {
        (self.node > 1).then_some(self.node / 2)
    }
}

/// One founder and all its descendants.
#[derive(Clone, Debug, PartialEq)]
pub struct Lineage {
    /// Lineage number (the founder's id is `lineage << LINEAGE_SHIFT | 1`;
    /// every descendant's id has the same `lineage` above `LINEAGE_SHIFT`).
    pub lineage: u64,
    /// Step (as keyed in [`MarrowStep::step`]) in which the founder entered.
    pub entry_step: u64,
    /// Every cell, the founder first, each daughter after its mother.
    pub cells: Vec<TracedCell>,
}

impl Lineage {
    /// True when no cell is left in the marrow.
    pub fn is_complete(&self) -> bool {
        self.cells.iter().all(|c| c.fate != CellFate::InMarrow)
    }

    /// The reticulocytes it released.
    pub fn reticulocytes(&self) -> impl Iterator<Item = &TracedCell> {
        self.cells.iter().filter(|c| c.fate == CellFate::Released)
    }

    /// Cells that died in the marrow.
    pub fn deaths(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| c.fate == CellFate::Died)
            .count()
    }

    /// Mean over its reticulocytes of the divisions that made each, as the
    /// marrow's `mean_divisions` counts them; `None` when it released none.
    pub fn mean_divisions(&self) -> Option<f64> {
        mean(self.reticulocytes().map(|c| c.divisions as f64))
    }

    /// Mean volume of its reticulocytes at release, fL.
    pub fn mean_release_volume_fl(&self) -> Option<f64> {
        mean(self.reticulocytes().map(|c| c.end.volume_fl as f64))
    }

    /// Mean hemoglobin concentration of its reticulocytes at release, g/dL.
    pub fn mean_release_chc_g_dl(&self) -> Option<f64> {
        mean(self.reticulocytes().map(|c| c.end.chc_g_dl() as f64))
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// A live traced cell and where its record is.
#[derive(Clone, Debug)]
struct Live {
    cell: Erythroblast,
    lineage: usize,
    record: usize,
}

/// Follows chosen lineages step by step with the marrow's own kernel.
#[derive(Clone, Debug, Default)]
pub struct LineageTracer {
    lineages: Vec<Lineage>,
    live: Vec<Live>,
    /// Daughters born this step, joined after the step as in the marrow.
    born: Vec<Live>,
    released: Vec<Released>,
}

impl LineageTracer {
    /// A tracer following nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts following lineage number `lineage`, whose founder enters in
    /// the step `ctx` describes; call [`LineageTracer::step`] with the same
    /// `ctx` next, as the marrow advances a founder in the step it enters.
    pub fn add_founder(&mut self, ctx: &MarrowStep, lineage: u64) {
        let cell = proerythroblast(ctx, lineage);
        self.lineages.push(Lineage {
            lineage,
            entry_step: ctx.step,
            cells: vec![TracedCell::newborn(&cell, 0.0)],
        });
        self.live.push(Live {
            cell,
            lineage: self.lineages.len() - 1,
            record: 0,
        });
    }

    /// Advances every followed cell one step with `ctx`, recording each
    /// division, maturation, enucleation, release and death.
    pub fn step(&mut self, ctx: &MarrowStep) {
        let mut i = 0;
        while i < self.live.len() {
            let Live {
                mut cell,
                lineage,
                record,
            } = self.live[i].clone();
            let hours = (ctx.step + 1 - self.lineages[lineage].entry_step) as f32 * ctx.p.dt_h;
            let stage_before = cell.stage;
            let mut sums = StepSums::default();
            self.released.clear();
            let fate = step_cell(&mut cell, ctx, &mut sums, &mut self.released);
            let cells = &mut self.lineages[lineage].cells;
            let now = Moment::of(&cell, hours);
            if cell.stage != stage_before {
                if cell.stage == Stage::Maturing as u8 {
                    cells[record].matured = Some(now);
                    cells[record].forced = sums.forced_maturations > 0;
                } else if cell.stage == Stage::Reticulocyte as u8 {
                    cells[record].enucleated = Some(now);
                }
            }
            match fate {
                Fate::Stays => {
                    cells[record].end = now;
                    self.live[i].cell = cell;
                    i += 1;
                }
                Fate::Divides(daughter) => {
                    // The mother's whole contents, just before the split
                    // (the split is exact: the two shares sum to the whole).
                    let mother = &mut cells[record];
                    mother.end = Moment {
                        hours,
                        volume_fl: cell.volume_fl + daughter.volume_fl,
                        hb_pg: cell.hb_pg + daughter.hb_pg,
                    };
                    mother.fate = CellFate::Divided;
                    for d in [cell, daughter] {
                        cells.push(TracedCell::newborn(&d, hours));
                        self.born.push(Live {
                            cell: d,
                            lineage,
                            record: cells.len() - 1,
                        });
                    }
                    self.live.swap_remove(i);
                }
                Fate::Leaves => {
                    let c = &mut cells[record];
                    c.end = now;
                    c.fate = if sums.released > 0 {
                        CellFate::Released
                    } else {
                        CellFate::Died
                    };
                    c.forced |= sums.forced_maturations > 0;
                    self.live.swap_remove(i);
                }
            }
        }
        self.live.append(&mut self.born);
    }

    /// Cells still followed (in the marrow).
    pub fn live(&self) -> usize {
        self.live.len()
    }

    /// The followed cells as they are now, with their full state (what the
    /// marrow holds for the same ids).
    pub fn live_cells(&self) -> impl Iterator<Item = &Erythroblast> {
        self.live.iter().map(|l| &l.cell)
    }

    /// The lineages followed, in the order their founders were added.
    pub fn lineages(&self) -> &[Lineage] {
        &self.lineages
    }

    /// The tracer's whole state between steps, for a checkpoint: the
    /// lineages and, for each live cell, its state, its lineage's index in
    /// the lineages and its record's index in that lineage's cells.
    pub fn state_parts(&self) -> (Vec<Lineage>, Vec<(Erythroblast, usize, usize)>) {
        let LineageTracer {
            lineages,
            live,
            born: _,     // empty between steps
            released: _, // scratch of a step
        } = self;
        let live = live
            .iter()
            .map(
                |&Live {
                     cell,
                     lineage,
                     record,
                 }| (cell, lineage, record),
            )
            .collect();
        (lineages.clone(), live)
    }

    /// A tracer in the state [`LineageTracer::state_parts`] gave; `None`
    /// when a live cell points at no recorded cell.
    pub fn from_state(
        lineages: Vec<Lineage>,
        live: Vec<(Erythroblast, usize, usize)>,
    ) -> Option<Self> {
        let live = live
            .into_iter()
            .map(|(cell, lineage, record)| {
                let cells = &lineages.get(lineage)?.cells;
                (record < cells.len()).then_some(Live {
                    cell,
                    lineage,
                    record,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            lineages,
            live,
            born: Vec::new(),
            released: Vec::new(),
        })
    }
}

/// The most typical of `lineages`: among complete lineages that released
/// at least one reticulocyte, the one closest to the group's medians of
/// mean divisions, mean release volume and mean release concentration, each
/// measured in units of its spread (median absolute deviation). Ties go to
/// the lowest lineage number, so the choice is as deterministic as the run.
pub fn representative(lineages: &[Lineage]) -> Option<usize> {
    let features: Vec<(usize, [f64; 3])> = lineages
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_complete())
        .filter_map(|(i, l)| {
            Some((
                i,
                [
                    l.mean_divisions()?,
                    l.mean_release_volume_fl()?,
                    l.mean_release_chc_g_dl()?,
                ],
            ))
        })
        .collect();
    if features.is_empty() {
        return None;
    }
    let centre_and_spread: Vec<(f64, f64)> = (0..3)
        .map(|k| {
            let values: Vec<f64> = features.iter().map(|(_, f)| f[k]).collect();
            let centre = median(values.clone());
            let spread = median(values.iter().map(|v| (v - centre).abs()).collect());
            // All equal (a deterministic group): any unit will do.
            (centre, if spread > 0.0 { spread } else { 1.0 })
        })
        .collect();
    let distance = |f: &[f64; 3]| -> f64 {
        f.iter()
            .zip(&centre_and_spread)
            .map(|(v, (c, s))| ((v - c) / s).powi(2))
            .sum()
    };
    features
        .iter()
        .min_by(|(i, a), (j, b)| {
            distance(a)
                .total_cmp(&distance(b))
                .then(lineages[*i].lineage.cmp(&lineages[*j].lineage))
        })
        .map(|(i, _)| *i)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, DivisionRule};
    use crate::marrow::MarrowParams;
    use crate::plasma::PlasmaState;

    fn plasma(tsat: f64) -> PlasmaState {
        PlasmaState {
            tsat,
            epo_mu_ml: 10.0,
            lead_ug_dl: 0.0,
            blood_loss_fraction: 0.0,
            transfusion_units: 0.0,
            inflammation: 0.0,
        }
    }

    /// Traces `n` lineages at a constant plasma state until all are done.
    fn trace(config: &Config, tsat: f64, n: u64) -> Vec<Lineage> {
        let p = plasma(tsat);
        let params = MarrowParams::new(&config.marrow, 1, 1.0, 0.99, 0.05);
        let mut tracer = LineageTracer::new();
        for step in 0..2000u64 {
            let ctx = MarrowStep::new(&params, &p, step);
            if step == 0 {
                for lineage in 0..n {
                    tracer.add_founder(&ctx, lineage);
                }
            }
            tracer.step(&ctx);
            if tracer.live() == 0 {
                break;
            }
        }
        assert_eq!(tracer.live(), 0, "lineages still in the marrow");
        tracer.lineages().to_vec()
    }

    #[test]
    fn every_cell_is_accounted_for_and_the_tree_is_whole() {
        let lineages = trace(&Config::default(), 0.30, 8);
        for l in &lineages {
            assert!(l.is_complete());
            assert_eq!(l.cells[0].node, 1);
            for c in &l.cells {
                match c.parent_node() {
                    None => assert_eq!(c.node, 1),
                    Some(p) => {
                        let mother = l.cells.iter().find(|m| m.node == p).unwrap();
                        assert_eq!(mother.fate, CellFate::Divided);
                        assert_eq!(mother.divisions + 1, c.divisions);
                        assert_eq!(mother.end.hours, c.born.hours);
                    }
                }
                if c.fate == CellFate::Divided {
                    let children = l
                        .cells
                        .iter()
                        .filter(|d| d.parent_node() == Some(c.node))
                        .count();
                    assert_eq!(children, 2);
                    // The daughters share the mother's contents exactly.
                    let sum: f32 = l
                        .cells
                        .iter()
                        .filter(|d| d.parent_node() == Some(c.node))
                        .map(|d| d.born.volume_fl)
                        .sum();
                    assert_eq!(sum, c.end.volume_fl);
                }
                assert!(c.end.hours >= c.born.hours);
            }
            // Leaves (released or dead) + internal nodes make a binary tree.
            let divided = l
                .cells
                .iter()
                .filter(|c| c.fate == CellFate::Divided)
                .count();
            assert_eq!(l.cells.len(), 2 * divided + 1);
            for r in l.reticulocytes() {
                let matured = r.matured.expect("a reticulocyte matured first");
                let enucleated = r.enucleated.expect("and lost its nucleus");
                assert!(matured.hours <= enucleated.hours && enucleated.hours <= r.end.hours);
            }
        }
    }

    #[test]
    fn low_saturation_adds_divisions_and_makes_smaller_cells() {
        let config = Config::default();
        let healthy = trace(&config, 0.30, 16);
        let restricted = trace(&config, 0.07, 16);
        let avg = |ls: &[Lineage], f: &dyn Fn(&Lineage) -> Option<f64>| {
            let v: Vec<f64> = ls.iter().filter_map(f).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let div = |l: &Lineage| l.mean_divisions();
        let vol = |l: &Lineage| l.mean_release_volume_fl();
        assert!(avg(&restricted, &div) > avg(&healthy, &div) + 0.5);
        assert!(avg(&restricted, &vol) < avg(&healthy, &vol));
    }

    #[test]
    fn fixed_budget_divides_the_budget_whatever_the_iron() {
        let mut config = Config::default();
        config.marrow.division_rule = DivisionRule::FixedBudget;
        for tsat in [0.30, 0.07] {
            for l in trace(&config, tsat, 8) {
                for r in l.reticulocytes() {
                    assert_eq!(r.divisions, config.marrow.fixed_budget_divisions);
                }
            }
        }
    }

    #[test]
    fn fixed_budget_cells_grow_by_what_they_build() {
        let mut config = Config::default();
        config.marrow.division_rule = DivisionRule::FixedBudget;
        let volume = |config: &Config, tsat: f64| {
            let v: Vec<f64> = trace(config, tsat, 16)
                .iter()
                .filter_map(|l| l.mean_release_volume_fl())
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        // Same divisions, yet starved cells come out much smaller (63 vs
        // 89 fL at the defaults)...
        let grown = volume(&config, 0.07) / volume(&config, 0.30);
        assert!(grown < 0.8, "starved / replete volume {grown}");
        // ...because their growth follows the hemoglobin they make. With no
        // share of growth in globin only the longer remodelling of slowed
        // reticulocytes shrinks them (83 vs 89 fL).
        config.marrow.growth_hemoglobin_share = 0.0;
        let remodelled = volume(&config, 0.07) / volume(&config, 0.30);
        assert!(remodelled > grown + 0.15, "{remodelled} vs {grown}");
    }

    #[test]
    fn representative_is_the_typical_lineage_and_deterministic() {
        let lineages = trace(&Config::default(), 0.30, 24);
        let i = representative(&lineages).unwrap();
        assert_eq!(representative(&lineages), Some(i));
        let chosen = lineages[i].mean_divisions().unwrap();
        let mut all: Vec<f64> = lineages.iter().filter_map(|l| l.mean_divisions()).collect();
        all.sort_by(f64::total_cmp);
        // Within the middle half of the group.
        assert!(chosen >= all[all.len() / 4] && chosen <= all[3 * all.len() / 4]);
        assert_eq!(representative(&[]), None);
    }

    #[test]
    fn fate_names_round_trip() {
        for f in [
            CellFate::Divided,
            CellFate::Released,
            CellFate::Died,
            CellFate::InMarrow,
        ] {
            assert_eq!(CellFate::parse(f.as_str()), Some(f));
        }
        assert_eq!(CellFate::parse("gone"), None);
    }
}
