//! Erythroblast agents: entry, growth, hemoglobin synthesis, the division
//! decision, maturation, enucleation and release. This is the hot loop.
//!
//! State is struct-of-arrays ([`Erythroblasts`]); a step runs over
//! fixed-size chunks ([`ErythroblastsMut`]) that each write only their own
//! [`MarrowScratch`], so chunks can run on any thread in any order and the
//! result is the same. Daughters, departures and deaths are staged in the
//! scratch and applied after the step by [`Marrow::apply`].

use crate::config::{DivisionRule, MarrowConfig};
use crate::plasma::PlasmaState;
use crate::rng::{self, Purpose};
use crate::sums::StepSums;
use crate::view::SplitView;

/// Iron in hemoglobin: 3.47 fg Fe per pg Hb (MODEL.md; 4 Fe per 64.5 kDa).
pub const FE_FG_PER_PG_HB: f64 = 3.47;
/// Mass of one iron atom, fg (55.845 g/mol / Avogadro).
pub const FE_FG_PER_ATOM: f64 = 9.2733e-8;
/// Transferrin saturation of the healthy reference: capacities are stated
/// relative to a cell's iron uptake at this saturation (healthy man, Israel 2022).
pub const REFERENCE_TSAT: f64 = 0.30;
/// Hill exponent of iron-restricted progenitor expansion in transferrin
/// saturation: steep, so saturations in the healthy range (20-45%) barely
/// matter and those of iron deficiency (< 10-15%) do (assumption).
pub const PROGENITOR_HILL: i32 = 3;
/// Agent ids are `lineage << LINEAGE_SHIFT | tree index` (root 1, children 2k, 2k+1).
pub const LINEAGE_SHIFT: u32 = 16;

/// Where an erythroblast is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    /// Cycling: grows, makes hemoglobin, decides at each cycle's end.
    Proliferating = 0,
    /// Post-mitotic: still making hemoglobin, until enucleation.
    Maturing = 1,
    /// Enucleated, still in the marrow, remodelling.
    Reticulocyte = 2,
}

/// All erythroblast agents, struct-of-arrays; every field is indexed like `volume_fl`.
#[derive(Clone, Debug, Default)]
pub struct Erythroblasts {
    /// Cell volume, fL.
    pub volume_fl: Vec<f32>,
    /// Hemoglobin content, pg.
    pub hb_pg: Vec<f32>,
    /// Iron taken up but not (yet) in heme: mitochondrial/free iron, fg.
    pub mito_fe_fg: Vec<f32>,
    /// Unpaired globin chains, pg (Hb-equivalent mass).
    pub free_globin_pg: Vec<f32>,
    /// Hours into the current phase (cycle, maturation or reticulocyte).
    pub phase_h: Vec<f32>,
    /// Length of the current phase, hours.
    pub phase_len_h: Vec<f32>,
    /// Hours since the lineage's proerythroblast entered (differentiation clock).
    pub age_h: Vec<f32>,
    /// Identity: lineage and position in the division tree; keys the random streams.
    pub id: Vec<u64>,
    /// Divisions since entry.
    pub divisions: Vec<u8>,
    /// [`Stage`] as u8.
    pub stage: Vec<u8>,
}

/// Bytes of state per erythroblast agent.
pub const ERYTHROBLAST_BYTES: usize = 7 * 4 + 8 + 1 + 1;

/// A mutable window on a contiguous run of agents.
pub struct ErythroblastsMut<'a> {
    /// Index of the first agent of the window in the whole population.
    pub offset: usize,
    volume_fl: &'a mut [f32],
    hb_pg: &'a mut [f32],
    mito_fe_fg: &'a mut [f32],
    free_globin_pg: &'a mut [f32],
    phase_h: &'a mut [f32],
    phase_len_h: &'a mut [f32],
    age_h: &'a mut [f32],
    id: &'a [u64],
    divisions: &'a mut [u8],
    stage: &'a mut [u8],
}

impl SplitView for ErythroblastsMut<'_> {
    fn len(&self) -> usize {
        self.volume_fl.len()
    }

    fn split_at(self, mid: usize) -> (Self, Self) {
        let (v0, v1) = self.volume_fl.split_at_mut(mid);
        let (h0, h1) = self.hb_pg.split_at_mut(mid);
        let (m0, m1) = self.mito_fe_fg.split_at_mut(mid);
        let (g0, g1) = self.free_globin_pg.split_at_mut(mid);
        let (p0, p1) = self.phase_h.split_at_mut(mid);
        let (l0, l1) = self.phase_len_h.split_at_mut(mid);
        let (a0, a1) = self.age_h.split_at_mut(mid);
        let (i0, i1) = self.id.split_at(mid);
        let (d0, d1) = self.divisions.split_at_mut(mid);
        let (s0, s1) = self.stage.split_at_mut(mid);
        let left = Self {
            offset: self.offset,
            volume_fl: v0,
            hb_pg: h0,
            mito_fe_fg: m0,
            free_globin_pg: g0,
            phase_h: p0,
            phase_len_h: l0,
            age_h: a0,
            id: i0,
            divisions: d0,
            stage: s0,
        };
        let right = Self {
            offset: self.offset + mid,
            volume_fl: v1,
            hb_pg: h1,
            mito_fe_fg: m1,
            free_globin_pg: g1,
            phase_h: p1,
            phase_len_h: l1,
            age_h: a1,
            id: i1,
            divisions: d1,
            stage: s1,
        };
        (left, right)
    }
}

/// One cell, as moved between the arrays and the staging buffers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Erythroblast {
    /// See [`Erythroblasts::volume_fl`].
    pub volume_fl: f32,
    /// See [`Erythroblasts::hb_pg`].
    pub hb_pg: f32,
    /// See [`Erythroblasts::mito_fe_fg`].
    pub mito_fe_fg: f32,
    /// See [`Erythroblasts::free_globin_pg`].
    pub free_globin_pg: f32,
    /// See [`Erythroblasts::phase_h`].
    pub phase_h: f32,
    /// See [`Erythroblasts::phase_len_h`].
    pub phase_len_h: f32,
    /// See [`Erythroblasts::age_h`].
    pub age_h: f32,
    /// See [`Erythroblasts::id`].
    pub id: u64,
    /// See [`Erythroblasts::divisions`].
    pub divisions: u8,
    /// See [`Erythroblasts::stage`].
    pub stage: u8,
}

/// A reticulocyte leaving the marrow that the circulating sample follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Released {
    /// Volume at release, fL.
    pub volume_fl: f32,
    /// Hemoglobin at release, pg.
    pub hb_pg: f32,
    /// Identity (keys its lifespan draw).
    pub id: u64,
}

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
    fn clear(&mut self) {
        self.sums = StepSums::default();
        self.daughters.clear();
        self.gone.clear();
        self.released.clear();
    }
}

/// Everything a step needs besides the agents: validated parameters turned
/// into per-step constants, and the plasma state.
#[derive(Clone, Debug)]
pub struct MarrowStep {
    /// Run seed.
    pub seed: u64,
    /// Step number (keys per-step hazards).
    pub step: u64,
    dt_h: f32,
    rule: DivisionRule,
    critical_fraction: f32,
    fixed_budget: u8,
    division_cap: u8,
    clock_h: f32,
    ineffective_probability: f64,
    asymmetry_sd: f64,
    cycle_h: f64,
    cycle_cv: f64,
    growth_per_step: f32,
    maturation_h: f32,
    enucleation_fraction: f32,
    marrow_retic_h: f32,
    remodel_per_step: f32,
    receptors_early: f32,
    receptors_peak: f32,
    receptor_ramp_h: f32,
    receptors_retic: f32,
    inverse_reference_volume: f32,
    /// fg Fe per receptor per step at the current saturation.
    uptake_per_receptor: f32,
    /// fg Fe per receptor per step at the reference saturation.
    reference_per_receptor: f32,
    alpha_margin: f32,
    beta_margin: f32,
    porphyrin_margin: f32,
    ferrochelatase_margin: f32,
    hri_enabled: bool,
    zinc_fraction: f32,
    baseline_zpp: f32,
    free_globin_decay: f32,
    toxic_fraction: f32,
    toxic_hazard: f32,
    starvation_threshold: f32,
    starvation_hazard: f32,
    sample_fraction: f64,
}

impl MarrowStep {
    /// Per-step constants from validated parameters and the plasma state.
    /// `reticulocyte_remodel_per_h` is the hourly volume factor of remodelling,
    /// shared with circulating reticulocytes.
    pub fn new(
        m: &MarrowConfig,
        plasma: &PlasmaState,
        seed: u64,
        step: u64,
        dt_h: f64,
        remodel_per_h: f64,
        sample_fraction: f64,
    ) -> Self {
        let per_receptor = m.fe_atoms_per_receptor_hour * FE_FG_PER_ATOM * dt_h;
        let uptake_saturation = |tsat: f64| tsat / (tsat + m.tsat_half_uptake);
        let alad = 1.0 / (1.0 + plasma.lead_ug_dl / m.lead_alad_ic50_ug_dl);
        let fech = 1.0 / (1.0 + plasma.lead_ug_dl / m.lead_ferrochelatase_ic50_ug_dl);
        let half_life = m.free_globin_half_life_hours;
        Self {
            seed,
            step,
            dt_h: dt_h as f32,
            rule: m.division_rule,
            critical_fraction: (m.critical_hb_g_dl / 100.0) as f32,
            fixed_budget: m.fixed_budget_divisions,
            division_cap: m.division_cap,
            clock_h: m.maturation_clock_hours as f32,
            ineffective_probability: m.ineffective_probability,
            asymmetry_sd: m.division_asymmetry_sd,
            cycle_h: m.cycle_hours,
            cycle_cv: m.cycle_cv,
            growth_per_step: m.growth_per_cycle.powf(dt_h / m.cycle_hours) as f32,
            maturation_h: m.maturation_hours as f32,
            enucleation_fraction: m.enucleation_volume_fraction as f32,
            marrow_retic_h: m.marrow_reticulocyte_hours as f32,
            remodel_per_step: remodel_per_h.powf(dt_h) as f32,
            receptors_early: m.receptors_early as f32,
            receptors_peak: m.receptors_peak as f32,
            receptor_ramp_h: m.receptor_ramp_hours as f32,
            receptors_retic: m.receptors_reticulocyte as f32,
            inverse_reference_volume: (1.0 / m.membrane_reference_volume_fl) as f32,
            uptake_per_receptor: (per_receptor * uptake_saturation(plasma.tsat)) as f32,
            reference_per_receptor: (per_receptor * uptake_saturation(REFERENCE_TSAT)) as f32,
            alpha_margin: (m.globin_margin * m.alpha_globin_factor) as f32,
            beta_margin: (m.globin_margin * m.beta_globin_factor) as f32,
            porphyrin_margin: (m.porphyrin_margin * alad) as f32,
            ferrochelatase_margin: (m.ferrochelatase_margin * fech) as f32,
            hri_enabled: m.hri_enabled,
            zinc_fraction: m.zinc_insertion_fraction as f32,
            baseline_zpp: (m.baseline_zpp_umol_per_mol * 1e-6) as f32,
            // Without HRI the unpaired chains are heme-less globin that
            // aggregates into inclusions, cleared far more slowly.
            free_globin_decay: (0.5f64).powf(
                dt_h / if m.hri_enabled {
                    half_life
                } else {
                    m.apoglobin_half_life_hours
                },
            ) as f32,
            toxic_fraction: (m.free_globin_toxic_g_dl / 100.0) as f32,
            // Aggregated heme-less globin (no HRI) is sequestered in
            // inclusions and kills less than soluble free alpha chains.
            toxic_hazard: (m.free_globin_apoptosis_per_hour
                * 100.0
                * dt_h
                * if m.hri_enabled {
                    1.0
                } else {
                    m.apoglobin_relative_toxicity
                }) as f32,
            starvation_threshold: m.starvation_supply_threshold as f32,
            starvation_hazard: (m.starvation_apoptosis_per_hour * dt_h) as f32,
            sample_fraction,
        }
    }

    /// A reticulocyte's iron uptake and globin-pairing capacity per step, fg
    /// Fe: what circulating reticulocytes use to finish their hemoglobin.
    pub fn reticulocyte_capacity_fe_fg(&self) -> (f32, f32) {
        let r = self.receptors_retic;
        (
            r * self.uptake_per_receptor,
            r * self.reference_per_receptor * self.alpha_margin.min(self.beta_margin),
        )
    }

    /// A cycle length drawn for the cell `id` (lognormal around the mean).
    fn cycle_length(&self, id: u64) -> f32 {
        let z = rng::normal(self.seed, id, Purpose::CycleLength, 0);
        let cv = self.cycle_cv;
        (self.cycle_h * (cv * z - 0.5 * cv * cv).exp()) as f32
    }

    /// Transferrin receptors of a cell by stage and differentiation clock
    /// (Iacopetta 1982: about 300,000 early, 800,000 intermediate, 105,000 in
    /// reticulocytes); maturing cells decline linearly to the reticulocyte level.
    #[inline]
    fn receptors(&self, stage: u8, age_h: f32, phase_h: f32, phase_len_h: f32) -> f32 {
        let program = |t: f32| {
            self.receptors_early
                + (self.receptors_peak - self.receptors_early) * (t / self.receptor_ramp_h).min(1.0)
        };
        match stage {
            0 => program(age_h),
            1 => {
                let at_decision = program(age_h - phase_h);
                at_decision
                    + (self.receptors_retic - at_decision) * (phase_h / phase_len_h).min(1.0)
            }
            _ => self.receptors_retic,
        }
    }
}

/// Outcome of one cell's step.
enum Fate {
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
    let dt = ctx.dt_h;
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
        divisions[i] = c.divisions;
        stage[i] = c.stage;
        let _ = dt;
    }
}

/// One erythroblast's hour: synthesis, then the end-of-phase transition.
#[inline]
fn step_cell(
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
    let pairs = alpha.min(beta);
    // Free heme and iron in the cytosol repress uptake (IRP/IRE) to what the
    // globin can use; mitochondrial iron is not sensed, so it can pile up.
    let uptake = receptor_uptake.min(pairs);
    let iron = c.mito_fe_fg + uptake;
    let porphyrin = reference * ctx.porphyrin_margin;
    let ferrochelatase = reference * ctx.ferrochelatase_margin;
    let heme_supply = iron.min(porphyrin).min(ferrochelatase);
    // HRI senses the heme the cell could make (iron from receptors, enzymes)
    // and throttles globin translation to it; without HRI chains are made at
    // full capacity whatever the heme.
    let (alpha_made, beta_made) = if ctx.hri_enabled {
        let could = (c.mito_fe_fg + receptor_uptake)
            .min(porphyrin)
            .min(ferrochelatase);
        (alpha.min(could), beta.min(could))
    } else {
        (alpha, beta)
    };
    let hb_fe = alpha_made.min(beta_made).min(heme_supply);
    let unpaired_fe = if ctx.hri_enabled {
        // Excess alpha precipitates (beta-thalassemia); excess beta forms
        // soluble tetramers and is degraded, so only alpha counts.
        (alpha_made - beta_made).max(0.0) * 0.5
    } else {
        (alpha_made + beta_made) * 0.5 - hb_fe
    };
    // Ferrochelatase puts a little zinc into protoporphyrin always, and much
    // more into the protoporphyrin made for globin that found no iron.
    let unchelated = (porphyrin.min(pairs) - hb_fe).max(0.0);
    let zpp = unchelated * ctx.zinc_fraction + hb_fe * ctx.baseline_zpp;

    let (hb_before, mito_before) = (c.hb_pg, c.mito_fe_fg);
    c.hb_pg += hb_fe / FE_FG_PER_PG_HB as f32;
    c.mito_fe_fg = (iron - hb_fe).max(0.0);
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
            c.volume_fl *= ctx.growth_per_step.powf(pace);
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

/// The marrow: its agents and the bookkeeping of entry.
#[derive(Clone, Debug, Default)]
pub struct Marrow {
    /// The agents.
    pub cells: Erythroblasts,
    /// Lineages started so far (the next lineage id).
    pub lineages: u64,
    /// Fractional proerythroblast agents carried to the next step, so entry
    /// is deterministic and unbiased at any scale.
    pub entry_carry: f64,
}

impl Marrow {
    /// Number of agents.
    pub fn len(&self) -> usize {
        self.cells.volume_fl.len()
    }

    /// True when the marrow holds no agent.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Proerythroblast entry for one step: real cells per hour from EPO
    /// (saturating) and transferrin saturation (iron-restricted progenitor
    /// expansion), as agents with drawn starting volumes and cycle lengths.
    pub fn enter(
        &mut self,
        m: &MarrowConfig,
        plasma: &PlasmaState,
        ctx: &MarrowStep,
        cells_per_agent: f64,
        sums: &mut StepSums,
    ) {
        let epo = plasma.epo_mu_ml / (plasma.epo_mu_ml + m.epo_half_entry_mu_ml);
        let t = (plasma.tsat / m.tsat_half_progenitor).powi(PROGENITOR_HILL);
        let iron = t / (1.0 + t);
        let per_step = m.entry_max_per_day / 24.0 * epo * iron * ctx.dt_h as f64 / cells_per_agent;
        self.entry_carry += per_step;
        let n = self.entry_carry.floor();
        self.entry_carry -= n;
        for _ in 0..n as u64 {
            let id = (self.lineages << LINEAGE_SHIFT) | 1;
            self.lineages += 1;
            let cv = m.proerythroblast_volume_cv;
            let z = rng::normal(ctx.seed, id, Purpose::EntryVolume, 0);
            let volume = m.proerythroblast_volume_fl * (cv * z - 0.5 * cv * cv).exp();
            self.cells.push(Erythroblast {
                volume_fl: volume as f32,
                hb_pg: 0.0,
                mito_fe_fg: 0.0,
                free_globin_pg: 0.0,
                phase_h: 0.0,
                phase_len_h: ctx.cycle_length(id),
                age_h: 0.0,
                id,
                divisions: 0,
                stage: Stage::Proliferating as u8,
            });
            sums.entered += 1;
        }
    }

    /// A window on all agents, to be split into chunks.
    pub fn view(&mut self) -> ErythroblastsMut<'_> {
        let c = &mut self.cells;
        ErythroblastsMut {
            offset: 0,
            volume_fl: &mut c.volume_fl,
            hb_pg: &mut c.hb_pg,
            mito_fe_fg: &mut c.mito_fe_fg,
            free_globin_pg: &mut c.free_globin_pg,
            phase_h: &mut c.phase_h,
            phase_len_h: &mut c.phase_len_h,
            age_h: &mut c.age_h,
            id: &c.id,
            divisions: &mut c.divisions,
            stage: &mut c.stage,
        }
    }

    /// Applies the staged changes of every chunk, in chunk order: removes the
    /// gone (filling holes from the end, so only departures move) and then
    /// appends the daughters. Deterministic because it is serial.
    pub fn apply(&mut self, scratches: &[MarrowScratch]) {
        // Indices ascend within and across chunks, so walking the chunks
        // backwards removes from the highest index down and no pending index
        // is ever moved by a swap.
        for scratch in scratches.iter().rev() {
            for &i in scratch.gone.iter().rev() {
                self.cells.swap_remove(i as usize);
            }
        }
        for scratch in scratches {
            for d in &scratch.daughters {
                self.cells.push(*d);
            }
        }
    }

    /// Iron held by the marrow agents (hemoglobin and mitochondrial), fg per agent-weight.
    pub fn iron_fe_fg(&self) -> f64 {
        let c = &self.cells;
        c.hb_pg
            .iter()
            .map(|&h| h as f64 * FE_FG_PER_PG_HB)
            .sum::<f64>()
            + c.mito_fe_fg.iter().map(|&m| m as f64).sum::<f64>()
    }
}

impl Erythroblasts {
    /// Appends one cell.
    pub fn push(&mut self, c: Erythroblast) {
        self.volume_fl.push(c.volume_fl);
        self.hb_pg.push(c.hb_pg);
        self.mito_fe_fg.push(c.mito_fe_fg);
        self.free_globin_pg.push(c.free_globin_pg);
        self.phase_h.push(c.phase_h);
        self.phase_len_h.push(c.phase_len_h);
        self.age_h.push(c.age_h);
        self.id.push(c.id);
        self.divisions.push(c.divisions);
        self.stage.push(c.stage);
    }

    /// Removes cell `i`, moving the last cell into its place.
    pub fn swap_remove(&mut self, i: usize) {
        self.volume_fl.swap_remove(i);
        self.hb_pg.swap_remove(i);
        self.mito_fe_fg.swap_remove(i);
        self.free_globin_pg.swap_remove(i);
        self.phase_h.swap_remove(i);
        self.phase_len_h.swap_remove(i);
        self.age_h.swap_remove(i);
        self.id.swap_remove(i);
        self.divisions.swap_remove(i);
        self.stage.swap_remove(i);
    }
}
