//! Circulating red-cell agents: reticulocyte remodelling and the last of
//! hemoglobin synthesis, ageing (volume and hemoglobin loss), senescence.
//!
//! Each agent stands for `cells_per_agent / circulating_sample_fraction`
//! real cells. Ageing is deterministic per cell; the only draw is the
//! lifespan, made once at release from the cell's own stream.

use crate::config::CirculationConfig;
use crate::marrow::{MarrowStep, Released};
use crate::plasma::PlasmaState;
use crate::rng::{self, Purpose};
use crate::sums::{ExactSum, StepSums};
use crate::units::FE_FG_PER_PG_HB;
use crate::view::SplitView;

/// Circulating red cells, struct-of-arrays; every field is indexed like `volume_fl`.
#[derive(Clone, Debug, Default)]
pub struct RedCells {
    /// Volume, fL.
    pub volume_fl: Vec<f32>,
    /// Hemoglobin, pg.
    pub hb_pg: Vec<f32>,
    /// Hours since release from the marrow.
    pub age_h: Vec<f32>,
    /// Drawn lifespan, hours.
    pub lifespan_h: Vec<f32>,
    /// Identity: the id the cell had in the marrow (or one of its own for
    /// cells made at the steady state or transfused); keys its random
    /// streams, so a cell's fate does not depend on where it is stored.
    pub id: Vec<u64>,
    /// Zinc protoporphyrin per heme, mol/mol: made in the marrow and kept
    /// for life, so the blood's ZPP follows the cells as they turn over.
    /// Read only by the measures, never by the step.
    pub zpp_per_heme: Vec<f32>,
}

/// Bytes of state per circulating red-cell agent.
pub const RED_CELL_BYTES: usize = 5 * 4 + 8;

/// A mutable window on a run of red cells.
pub struct RedCellsMut<'a> {
    /// Index of the first agent of the window in the whole population.
    pub offset: usize,
    volume_fl: &'a mut [f32],
    hb_pg: &'a mut [f32],
    age_h: &'a mut [f32],
    lifespan_h: &'a [f32],
    id: &'a [u64],
}

impl SplitView for RedCellsMut<'_> {
    fn len(&self) -> usize {
        self.volume_fl.len()
    }

    fn split_at(self, mid: usize) -> (Self, Self) {
        let (v0, v1) = self.volume_fl.split_at_mut(mid);
        let (h0, h1) = self.hb_pg.split_at_mut(mid);
        let (a0, a1) = self.age_h.split_at_mut(mid);
        let (l0, l1) = self.lifespan_h.split_at(mid);
        let (i0, i1) = self.id.split_at(mid);
        (
            Self {
                offset: self.offset,
                volume_fl: v0,
                hb_pg: h0,
                age_h: a0,
                lifespan_h: l0,
                id: i0,
            },
            Self {
                offset: self.offset + mid,
                volume_fl: v1,
                hb_pg: h1,
                age_h: a1,
                lifespan_h: l1,
                id: i1,
            },
        )
    }
}

/// What one chunk of red cells produced in a step.
#[derive(Clone, Debug, Default)]
pub struct CirculationScratch {
    /// The chunk's share of the reduction.
    pub sums: StepSums,
    /// Global indices of senescent cells, removed after the step.
    pub gone: Vec<u32>,
}

impl CirculationScratch {
    /// A scratch sized for a chunk of `agents` (room for a 64th of them to
    /// leave in one step; about 1/2800 do).
    pub fn with_capacity(agents: usize) -> Self {
        Self {
            sums: StepSums::default(),
            gone: Vec::with_capacity(agents / 64 + 64),
        }
    }
}

/// The circulation's constants for a whole run, from a validated
/// [`CirculationConfig`] and the run's seed and time step. Built only by
/// [`crate::params::Params`]'s conversion, so every value has passed its
/// range check.
#[derive(Clone, Debug, PartialEq)]
pub struct CirculationParams {
    seed: u64,
    dt_hours: f64,
    dt_h: f32,
    reticulocyte_blood_hours: f64,
    retic_h: f32,
    remodel_per_step: f32,
    volume_per_step: f32,
    hb_per_step: f32,
    lifespan_weibull_shape: f64,
    /// Weibull scale that gives the configured mean lifespan, hours.
    weibull_scale_h: f64,
    /// Faster wear per g/dL of inclusions.
    inclusion_loss: f64,
    /// Faster wear per ug/dL of lead.
    lead_senescence: f64,
    /// Faster wear at full inflammatory drive.
    inflammation_senescence: f64,
}

impl CirculationParams {
    /// The constants of a run from a checked `c`: `remodel_per_h` is the
    /// hourly volume factor of reticulocyte remodelling (shared with the
    /// marrow's reticulocytes).
    pub(crate) fn new(c: &CirculationConfig, seed: u64, dt_h: f64, remodel_per_h: f64) -> Self {
        let mean_life_h = c.lifespan_days * 24.0;
        // Exponential loss that reaches the configured fraction at the mean lifespan.
        let per_h = |loss: f64| (1.0 - loss).powf(1.0 / mean_life_h);
        Self {
            seed,
            dt_hours: dt_h,
            dt_h: dt_h as f32,
            reticulocyte_blood_hours: c.reticulocyte_blood_hours,
            retic_h: c.reticulocyte_blood_hours as f32,
            remodel_per_step: remodel_per_h.powf(dt_h) as f32,
            volume_per_step: per_h(c.mature_volume_loss).powf(dt_h) as f32,
            hb_per_step: per_h(c.mature_hb_loss).powf(dt_h) as f32,
            lifespan_weibull_shape: c.lifespan_weibull_shape,
            weibull_scale_h: c.lifespan_days * 24.0
                / crate::special::gamma(1.0 + 1.0 / c.lifespan_weibull_shape),
            inclusion_loss: c.inclusion_survival_loss_per_g_dl,
            lead_senescence: c.lead_senescence_per_ug_dl,
            inflammation_senescence: c.inflammation_senescence,
        }
    }

    /// Hours a released cell counts as a reticulocyte in blood.
    pub fn reticulocyte_blood_hours(&self) -> f64 {
        self.reticulocyte_blood_hours
    }

    /// Survival to `age_h` under the Weibull lifespan distribution.
    pub fn survival(&self, age_h: f64) -> f64 {
        (-(age_h / self.weibull_scale_h).powf(self.lifespan_weibull_shape)).exp()
    }

    /// How much faster than normal a cell carrying `inclusion_g_dl` of
    /// unpaired globin wears out (1 for a normal cell).
    pub fn inclusion_wear(&self, inclusion_g_dl: f32) -> f64 {
        1.0 + self.inclusion_loss * inclusion_g_dl.max(0.0) as f64
    }

    /// The lifespan of a released cell `id` carrying `inclusion_g_dl`,
    /// hours: its drawn lifespan shortened by its inclusions.
    pub fn released_lifespan_h(&self, id: u64, inclusion_g_dl: f32) -> f32 {
        (self.lifespan_h(id, 0.0) as f64 / self.inclusion_wear(inclusion_g_dl)) as f32
    }

    /// A lifespan drawn for cell `id`, conditional on having survived to
    /// `survived_h` (zero at release; the steady-state construction and
    /// transfused cells use older ages).
    pub fn lifespan_h(&self, id: u64, survived_h: f64) -> f32 {
        let u = 1.0 - rng::uniform(self.seed, id, Purpose::Lifespan, 0);
        let k = self.lifespan_weibull_shape;
        let lambda = self.weibull_scale_h;
        // Inverse of the conditional Weibull survival S(t)/S(a) = u.
        (lambda * ((survived_h / lambda).powf(k) - u.ln()).powf(1.0 / k)) as f32
    }
}

/// Per-step constants of circulation: the run's, and those that follow the
/// plasma (blood loss, reticulocyte uptake at the current saturation).
#[derive(Clone, Debug)]
pub struct CirculationStep {
    dt_h: f32,
    retic_h: f32,
    remodel_per_step: f32,
    volume_per_step: f32,
    hb_per_step: f32,
    seed: u64,
    step: u64,
    bleed_probability: f64,
    /// Iron a reticulocyte takes up per step (receptor-limited), fg.
    retic_uptake_fe_fg: f32,
    /// Iron a reticulocyte's globin can pair per step, fg.
    retic_pairs_fe_fg: f32,
    /// Hours of wear a mature cell accrues per step (faster under lead and
    /// inflammation).
    wear_h: f32,
}

impl CirculationStep {
    /// This step's constants: the reticulocyte's iron uptake and globin
    /// capacity come from the marrow's step (same receptors, same plasma),
    /// and each cell is lost with `blood_loss_fraction` per hour.
    pub fn new(p: &CirculationParams, marrow: &MarrowStep, plasma: &PlasmaState) -> Self {
        let (uptake, pairs) = marrow.reticulocyte_capacity_fe_fg();
        // Lead (membrane damage, pyrimidine 5'-nucleotidase block) and
        // inflammation (activated macrophages) shorten red-cell survival.
        let wear = 1.0
            + p.lead_senescence * plasma.lead_ug_dl
            + p.inflammation_senescence * plasma.inflammation;
        let blood_loss_fraction = plasma.blood_loss_fraction;
        Self {
            dt_h: p.dt_h,
            // Shift reticulocytes: what they lose in the marrow they spend
            // in blood.
            retic_h: p.retic_h + marrow.reticulocyte_shift_h(),
            wear_h: (p.dt_hours * wear) as f32,
            remodel_per_step: p.remodel_per_step,
            volume_per_step: p.volume_per_step,
            hb_per_step: p.hb_per_step,
            seed: marrow.seed(),
            step: marrow.step,
            bleed_probability: (blood_loss_fraction * p.dt_hours).min(1.0),
            retic_uptake_fe_fg: uptake,
            retic_pairs_fe_fg: pairs,
        }
    }
}

/// Advances every red cell of the window by one step, writing only `out`.
pub fn advance(cells: RedCellsMut<'_>, ctx: &CirculationStep, out: &mut CirculationScratch) {
    out.sums = StepSums::default();
    out.gone.clear();
    let RedCellsMut {
        offset,
        volume_fl,
        hb_pg,
        age_h,
        lifespan_h,
        id,
    } = cells;
    let s = &mut out.sums;
    let retic_hb_pg = ctx.retic_uptake_fe_fg.min(ctx.retic_pairs_fe_fg) / FE_FG_PER_PG_HB as f32;
    for i in 0..volume_fl.len() {
        // Age counts wear: reticulocytes age by the clock, mature cells
        // faster under lead and inflammation.
        let age = age_h[i]
            + if age_h[i] < ctx.retic_h {
                ctx.dt_h
            } else {
                ctx.wear_h
            };
        age_h[i] = age;
        if ctx.bleed_probability > 0.0
            && rng::uniform(ctx.seed, id[i], Purpose::Bleeding, ctx.step) < ctx.bleed_probability
        {
            // Keyed by the cell and the step, never by where it is stored:
            // the same cells bleed however the circulation is split.
            s.bled += 1;
            s.bled_fe_fg += hb_pg[i] as f64 * FE_FG_PER_PG_HB;
            out.gone.push((offset + i) as u32);
        } else if age >= lifespan_h[i] {
            s.senescent += 1;
            s.senescent_fe_fg += hb_pg[i] as f64 * FE_FG_PER_PG_HB;
            out.gone.push((offset + i) as u32);
        } else if age <= ctx.retic_h {
            // Reticulocyte: remodels its membrane and finishes its hemoglobin.
            volume_fl[i] *= ctx.remodel_per_step;
            let before = hb_pg[i];
            hb_pg[i] = before + retic_hb_pg;
            s.blood_uptake_fe_fg += (hb_pg[i] as f64 - before as f64) * FE_FG_PER_PG_HB;
        } else {
            volume_fl[i] *= ctx.volume_per_step;
            let before = hb_pg[i];
            hb_pg[i] = before * ctx.hb_per_step;
            s.shed_fe_fg += (before as f64 - hb_pg[i] as f64) * FE_FG_PER_PG_HB;
        }
    }
}

/// The state of a cell released with `volume_fl` and `hb_pg` after `steps`
/// steps of circulation at a constant plasma state: the same updates as
/// [`advance`], with the mature phase in closed form. Builds the steady state.
pub fn age_cell(volume_fl: f32, hb_pg: f32, steps: u32, ctx: &CirculationStep) -> (f32, f32) {
    let retic_hb_pg = ctx.retic_uptake_fe_fg.min(ctx.retic_pairs_fe_fg) / FE_FG_PER_PG_HB as f32;
    let (mut v, mut h) = (volume_fl, hb_pg);
    let mut s = 0;
    while s < steps && (s + 1) as f32 * ctx.dt_h <= ctx.retic_h {
        v *= ctx.remodel_per_step;
        h += retic_hb_pg;
        s += 1;
    }
    let mature = (steps - s) as i32;
    (
        v * ctx.volume_per_step.powi(mature),
        h * ctx.hb_per_step.powi(mature),
    )
}

impl RedCells {
    /// Number of agents.
    pub fn len(&self) -> usize {
        self.volume_fl.len()
    }

    /// True when no agent circulates.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reserves room for `extra` more cells.
    pub fn reserve(&mut self, extra: usize) {
        self.volume_fl.reserve(extra);
        self.hb_pg.reserve(extra);
        self.age_h.reserve(extra);
        self.lifespan_h.reserve(extra);
        self.id.reserve(extra);
        self.zpp_per_heme.reserve(extra);
    }

    /// Repeats the population `copies` times (see `Marrow::tile`); copy `k`
    /// of a cell gets the id `id ^ (k << 48)`, unique for fewer than 256
    /// copies (marrow-born ids are below 2^48, the steady state's and
    /// transfused cells' have their top bits set).
    pub fn tile(&mut self, copies: usize) {
        assert!(copies < 256, "at most 255 copies keep the ids unique");
        let n = self.len();
        self.reserve(n * (copies - 1));
        for k in 1..copies as u64 {
            for i in 0..n {
                self.push(
                    self.volume_fl[i],
                    self.hb_pg[i],
                    self.age_h[i],
                    self.lifespan_h[i],
                    self.id[i] ^ (k << 48),
                    self.zpp_per_heme[i],
                );
            }
        }
    }

    /// A window on all cells, to be split into chunks.
    pub fn view(&mut self) -> RedCellsMut<'_> {
        RedCellsMut {
            offset: 0,
            volume_fl: &mut self.volume_fl,
            hb_pg: &mut self.hb_pg,
            age_h: &mut self.age_h,
            lifespan_h: &self.lifespan_h,
            id: &self.id,
        }
    }

    /// Appends a cell.
    pub fn push(
        &mut self,
        volume_fl: f32,
        hb_pg: f32,
        age_h: f32,
        lifespan_h: f32,
        id: u64,
        zpp_per_heme: f32,
    ) {
        self.volume_fl.push(volume_fl);
        self.hb_pg.push(hb_pg);
        self.age_h.push(age_h);
        self.lifespan_h.push(lifespan_h);
        self.id.push(id);
        self.zpp_per_heme.push(zpp_per_heme);
    }

    /// Removes the senescent (holes filled from the end) and admits the
    /// released reticulocytes, in chunk order.
    pub fn apply(
        &mut self,
        scratches: &[CirculationScratch],
        released: impl Iterator<Item = Released>,
        p: &CirculationParams,
    ) {
        for scratch in scratches.iter().rev() {
            for &i in scratch.gone.iter().rev() {
                let i = i as usize;
                self.volume_fl.swap_remove(i);
                self.hb_pg.swap_remove(i);
                self.age_h.swap_remove(i);
                self.lifespan_h.swap_remove(i);
                self.id.swap_remove(i);
                self.zpp_per_heme.swap_remove(i);
            }
        }
        for r in released {
            let life = p.released_lifespan_h(r.id, r.inclusion_g_dl);
            self.push(r.volume_fl, r.hb_pg, 0.0, life, r.id, r.zpp_per_heme);
        }
    }

    /// Iron in the hemoglobin of the sampled cells, fg (per agent weight).
    pub fn iron_fe_fg(&self) -> f64 {
        self.iron_sum_fe_fg().value()
    }

    /// Zinc protoporphyrin of the sampled cells as the heme iron it stands
    /// beside, fg (per agent weight): over [`RedCells::iron_sum_fe_fg`],
    /// the blood's ZPP/heme ratio, each cell weighted by its heme.
    pub fn zpp_sum_fe_fg(&self) -> ExactSum {
        ExactSum::of(
            self.hb_pg
                .iter()
                .zip(&self.zpp_per_heme)
                .map(|(&h, &z)| h as f64 * FE_FG_PER_PG_HB * z as f64),
        )
    }

    /// [`RedCells::iron_fe_fg`] as an exact sum (see [`ExactSum`]).
    pub fn iron_sum_fe_fg(&self) -> ExactSum {
        ExactSum::of(self.hb_pg.iter().map(|&h| h as f64 * FE_FG_PER_PG_HB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stochastic behaviour against an analytic value: the mean drawn lifespan.
    fn params(c: &CirculationConfig, seed: u64) -> CirculationParams {
        CirculationParams::new(c, seed, 1.0, 1.0)
    }

    #[test]
    fn lifespans_have_the_configured_mean() {
        let c = CirculationConfig::default();
        let p = params(&c, 3);
        let n = 100_000u64;
        let mean: f64 = (0..n).map(|i| p.lifespan_h(i, 0.0) as f64).sum::<f64>() / n as f64;
        let expected = c.lifespan_days * 24.0;
        // CV about 12%: standard error of the mean about 0.12 * mean / sqrt(n).
        let se = 0.12 * expected / (n as f64).sqrt();
        assert!(
            (mean - expected).abs() < 5.0 * se,
            "mean {mean} h, expected {expected} h"
        );
    }

    #[test]
    fn conditional_lifespan_exceeds_the_age_survived() {
        let p = params(&CirculationConfig::default(), 1);
        for i in 0..1000 {
            assert!(p.lifespan_h(i, 2500.0) >= 2500.0);
        }
    }
}
