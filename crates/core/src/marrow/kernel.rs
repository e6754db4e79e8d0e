//! The hot loop: one step of every erythroblast in a chunk.

use crate::config::DivisionRule;
use crate::rng::{self, Purpose};
use crate::sums::StepSums;

use super::{
    max, min, Erythroblast, ErythroblastsMut, MarrowStep, Released, Stage, FE_FG_PER_PG_HB,
    LINEAGE_SHIFT,
};

/// What one chunk produced in a step, reused from step to step.
#[derive(Clone, Debug, Default)]
pub struct MarrowScratch {
    /// The chunk's share of the reduction.
    pub sums: StepSums,
    /// Daughters born this step, appended after the step.
    pub daughters: Vec<Erythroblast>,
    /// Global indices of agents that left or died, removed after the step.
    pub gone: Vec<u32>,
    /// Released reticulocytes that join the circulating sample.
    pub released: Vec<Released>,
}

impl MarrowScratch {
    /// A scratch sized for a chunk of `agents`: room for an eighth of them
    /// to divide, leave or be released in one step, more than a step sees,
    /// so buffers do not grow after the first steps.
    pub fn with_capacity(agents: usize) -> Self {
        let room = agents / 8 + 64;
        Self {
            sums: StepSums::default(),
            daughters: Vec::with_capacity(room),
            gone: Vec::with_capacity(room),
            released: Vec::with_capacity(room),
        }
    }

    fn clear(&mut self) {
        self.sums = StepSums::default();
        self.daughters.clear();
        self.gone.clear();
        self.released.clear();
    }
}

/// Outcome of one cell's step.
pub(super) enum Fate {
    Stays,
    Divides(Erythroblast),
    Leaves,
}

/// Advances every agent of the window by one step, writing only `out`.
pub fn advance(cells: ErythroblastsMut<'_>, ctx: &MarrowStep, out: &mut MarrowScratch) {
    out.clear();
    let ErythroblastsMut {
        offset,
        volume_fl,
        hb_pg,
        mito_fe_fg,
        free_globin_pg,
        phase_h,
        phase_len_h,
        age_h,
        id,
        divisions,
        stage,
    } = cells;
    let s = &mut out.sums;
    for i in 0..volume_fl.len() {
        let mut c = Erythroblast {
            volume_fl: volume_fl[i],
            hb_pg: hb_pg[i],
            mito_fe_fg: mito_fe_fg[i],
            free_globin_pg: free_globin_pg[i],
            phase_h: phase_h[i],
            phase_len_h: phase_len_h[i],
            age_h: age_h[i],
            id: id[i],
            divisions: divisions[i],
            stage: stage[i],
        };
        let fate = step_cell(&mut c, ctx, s, &mut out.released);
        match fate {
            Fate::Stays => {}
            Fate::Divides(daughter) => out.daughters.push(daughter),
            Fate::Leaves => {
                out.gone.push((offset + i) as u32);
                continue;
            }
        }
        volume_fl[i] = c.volume_fl;
        hb_pg[i] = c.hb_pg;
        mito_fe_fg[i] = c.mito_fe_fg;
        free_globin_pg[i] = c.free_globin_pg;
        phase_h[i] = c.phase_h;
        phase_len_h[i] = c.phase_len_h;
        age_h[i] = c.age_h;
        // A dividing cell becomes its first daughter, with her own tree index.
        id[i] = c.id;
        divisions[i] = c.divisions;
        stage[i] = c.stage;
    }
}

/// One erythroblast's hour: synthesis, then the end-of-phase transition.
#[inline]
pub(super) fn step_cell(
    c: &mut Erythroblast,
    ctx: &MarrowStep,
    s: &mut StepSums,
    released: &mut Vec<Released>,
) -> Fate {
    let dt = ctx.dt_h;
    let mut receptors = ctx.receptors(
        c.stage,
        c.age_h + 0.5 * dt,
        c.phase_h + 0.5 * dt,
        c.phase_len_h,
    );
    if c.stage != Stage::Proliferating as u8 {
        // Post-mitotic capacity sits on the membrane and in the cytoplasm a
        // cell inherited: a cell that divided once more than normal has about
        // a third less membrane (area scales as volume^2/3).
        let relative = c.volume_fl * ctx.inverse_reference_volume;
        receptors *= (relative * relative).cbrt();
    }

    // Capacities this step, in fg of iron (hemoglobin capacities as the iron
    // they would hold), all scaled by the receptor program.
    let reference = receptors * ctx.reference_per_receptor;
    let receptor_uptake = receptors * ctx.uptake_per_receptor;
    let alpha = reference * ctx.alpha_margin;
    let beta = reference * ctx.beta_margin;
    let pairs = min(alpha, beta);
    // Free heme and iron in the cytosol repress uptake (IRP/IRE) to what the
    // globin can use; mitochondrial iron is not sensed, so it can pile up.
    let uptake = min(receptor_uptake, pairs);
    let iron = c.mito_fe_fg + uptake;
    let porphyrin = reference * ctx.porphyrin_margin;
    let ferrochelatase = reference * ctx.ferrochelatase_margin;
    let heme_supply = min(min(iron, porphyrin), ferrochelatase);
    // HRI senses the heme the cell could make (iron from receptors, enzymes)
    // and throttles globin translation to it; without HRI chains are made at
    // full capacity whatever the heme.
    let (alpha_made, beta_made) = if ctx.hri_enabled {
        let could = min(
            min(c.mito_fe_fg + receptor_uptake, porphyrin),
            ferrochelatase,
        );
        (min(alpha, could), min(beta, could))
    } else {
        (alpha, beta)
    };
    let hb_fe = min(min(alpha_made, beta_made), heme_supply);
    let unpaired_fe = if ctx.hri_enabled {
        // Excess alpha precipitates (beta-thalassemia); excess beta forms
        // soluble tetramers and is degraded, so only alpha counts.
        max(alpha_made - beta_made, 0.0) * 0.5
    } else {
        (alpha_made + beta_made) * 0.5 - hb_fe
    };
    // Ferrochelatase puts a little zinc into protoporphyrin always, and much
    // more into the protoporphyrin made for globin that found no iron.
    let unchelated = max(min(porphyrin, pairs) - hb_fe, 0.0);
    let zpp = unchelated * ctx.zinc_fraction + hb_fe * ctx.baseline_zpp;

    let (hb_before, mito_before) = (c.hb_pg, c.mito_fe_fg);
    c.hb_pg += hb_fe / FE_FG_PER_PG_HB as f32;
    c.mito_fe_fg = max(iron - hb_fe, 0.0);
    c.free_globin_pg =
        c.free_globin_pg * ctx.free_globin_decay + unpaired_fe / FE_FG_PER_PG_HB as f32;
    // The flows reported are the exact changes of the stored state, so the
    // body's books balance to f64 rounding whatever f32 rounding did.
    let heme_fe = (c.hb_pg as f64 - hb_before as f64) * FE_FG_PER_PG_HB;
    s.marrow_uptake_fe_fg += heme_fe + (c.mito_fe_fg as f64 - mito_before as f64);
    s.heme_fe_fg += heme_fe;
    s.zpp_fe_equiv_fg += zpp as f64;

    // Apoptosis: heme starvation (iron-restricted erythropoiesis, lead) and
    // unpaired globin (thalassemia, HRI loss). Only drawn when at risk.
    let supply = if pairs > 0.0 { hb_fe / pairs } else { 1.0 };
    let mut hazard = 0.0;
    if supply < ctx.starvation_threshold && c.stage != Stage::Reticulocyte as u8 {
        hazard +=
            ctx.starvation_hazard * (ctx.starvation_threshold - supply) / ctx.starvation_threshold;
    }
    let free_excess = c.free_globin_pg / c.volume_fl - ctx.toxic_fraction;
    if free_excess > 0.0 {
        hazard += ctx.toxic_hazard * free_excess;
    }
    if hazard > 0.0 {
        let u = rng::uniform(ctx.seed, c.id, Purpose::Apoptosis, ctx.step);
        if u < 1.0 - (-(hazard as f64)).exp() {
            die(c, s);
            return Fate::Leaves;
        }
    }

    // Time: the fixed-budget hypothesis slows development when heme is short.
    let pace = match ctx.rule {
        DivisionRule::CriticalConcentration => 1.0,
        // Slowed, but less than in proportion: iron then sets hemoglobin per
        // cell, as in the animal studies behind this hypothesis.
        DivisionRule::FixedBudget => supply.clamp(0.04, 1.0).sqrt(),
    };
    c.phase_h += dt * pace;
    c.age_h += dt;

    match c.stage {
        0 => {
            // powf(x, 1) == x exactly: skip the call on the common path.
            c.volume_fl *= if pace == 1.0 {
                ctx.growth_per_step
            } else {
                ctx.growth_per_step.powf(pace)
            };
            if c.phase_h >= c.phase_len_h {
                return decide(c, ctx, s);
            }
        }
        1 => {
            if c.phase_h >= c.phase_len_h {
                // Enucleation: the nucleus leaves with the mitochondrial iron
                // that macrophages take up.
                c.volume_fl *= ctx.enucleation_fraction;
                s.extruded_fe_fg += c.mito_fe_fg as f64;
                c.mito_fe_fg = 0.0;
                c.stage = Stage::Reticulocyte as u8;
                c.phase_h = 0.0;
                c.phase_len_h = ctx.marrow_retic_h;
            }
        }
        _ => {
            c.volume_fl *= ctx.remodel_per_step;
            if c.phase_h >= c.phase_len_h {
                release(c, ctx, s, released);
                return Fate::Leaves;
            }
        }
    }
    Fate::Stays
}

/// The decision at the end of a cycle: stop and mature, divide, or give up.
fn decide(c: &mut Erythroblast, ctx: &MarrowStep, s: &mut StepSums) -> Fate {
    let filled = match ctx.rule {
        DivisionRule::CriticalConcentration => {
            // The sensor reads cytoplasmic protein: hemoglobin plus any unpaired globin.
            c.hb_pg + c.free_globin_pg >= ctx.critical_fraction * c.volume_fl
        }
        DivisionRule::FixedBudget => c.divisions >= ctx.fixed_budget,
    };
    if filled {
        start_maturation(c, ctx);
        return Fate::Stays;
    }
    if c.divisions >= ctx.division_cap || c.age_h >= ctx.clock_h {
        s.forced_maturations += 1;
        let u = rng::uniform(ctx.seed, c.id, Purpose::Ineffective, 0);
        if u < ctx.ineffective_probability {
            die(c, s);
            return Fate::Leaves;
        }
        start_maturation(c, ctx);
        return Fate::Stays;
    }
    Fate::Divides(divide(c, ctx))
}

fn start_maturation(c: &mut Erythroblast, ctx: &MarrowStep) {
    c.stage = Stage::Maturing as u8;
    c.phase_h = 0.0;
    c.phase_len_h = ctx.maturation_h;
}

/// Splits `c` in two with a small asymmetry; `c` becomes the first daughter.
fn divide(c: &mut Erythroblast, ctx: &MarrowStep) -> Erythroblast {
    let z = rng::normal(ctx.seed, c.id, Purpose::Asymmetry, 0);
    let share = (0.5 + ctx.asymmetry_sd * z).clamp(0.3, 0.7) as f32;
    let lineage_bits = c.id & !((1u64 << LINEAGE_SHIFT) - 1);
    let node = c.id & ((1u64 << LINEAGE_SHIFT) - 1);
    let mut d = *c;
    d.id = lineage_bits | (2 * node + 1);
    c.id = lineage_bits | (2 * node);
    for (mine, theirs) in [
        (&mut c.volume_fl, &mut d.volume_fl),
        (&mut c.hb_pg, &mut d.hb_pg),
        (&mut c.mito_fe_fg, &mut d.mito_fe_fg),
        (&mut c.free_globin_pg, &mut d.free_globin_pg),
    ] {
        // The larger share by product, the smaller by difference: the
        // difference is then exact (Sterbenz), so no iron is made or lost.
        let whole = *mine;
        if share >= 0.5 {
            *mine = whole * share;
            *theirs = whole - *mine;
        } else {
            *theirs = whole * (1.0 - share);
            *mine = whole - *theirs;
        }
    }
    for cell in [&mut *c, &mut d] {
        cell.divisions += 1;
        cell.phase_h = 0.0;
        cell.phase_len_h = ctx.cycle_length(cell.id);
    }
    d
}

fn die(c: &Erythroblast, s: &mut StepSums) {
    s.died += 1;
    s.died_fe_fg += c.hb_pg as f64 * FE_FG_PER_PG_HB + c.mito_fe_fg as f64;
}

fn release(c: &Erythroblast, ctx: &MarrowStep, s: &mut StepSums, released: &mut Vec<Released>) {
    s.released += 1;
    s.released_fe_fg += c.hb_pg as f64 * FE_FG_PER_PG_HB;
    s.extruded_fe_fg += c.mito_fe_fg as f64;
    s.released_divisions += c.divisions as u64;
    s.released_hb_pg += c.hb_pg as f64;
    if rng::uniform(ctx.seed, c.id, Purpose::Sample, 0) < ctx.sample_fraction {
        s.sampled_released_fe_fg += c.hb_pg as f64 * FE_FG_PER_PG_HB;
        released.push(Released {
            volume_fl: c.volume_fl,
            hb_pg: c.hb_pg,
            id: c.id,
        });
    }
}
