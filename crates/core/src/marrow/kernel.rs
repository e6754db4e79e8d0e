//! The hot loop: one step of every erythroblast in a chunk.

use crate::config::DivisionRule;
use crate::rng::{self, Purpose};
use crate::sums::StepSums;

use crate::units::FE_FG_PER_PG_HB;

use super::cells::{Erythroblast, ErythroblastsMut, MarrowScratch, Released, Stage, LINEAGE_SHIFT};
use super::step::{max, min, MarrowStep};

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
        zpp_fe_fg,
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
            zpp_fe_fg: zpp_fe_fg[i],
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
        zpp_fe_fg[i] = c.zpp_fe_fg;
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
    let dt = ctx.p.dt_h;
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
        let relative = c.volume_fl * ctx.p.inverse_reference_volume;
        receptors *= (relative * relative).cbrt();
    }

    // Capacities this step, in fg of iron (hemoglobin capacities as the iron
    // they would hold), all scaled by the receptor program.
    let reference = receptors * ctx.p.reference_per_receptor;
    let receptor_uptake = receptors * ctx.uptake_per_receptor * ctx.lineage_receptor_factor(c.id);
    let alpha = reference * ctx.p.alpha_margin;
    let beta = reference * ctx.p.beta_margin;
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
    let (alpha_made, beta_made) = if ctx.p.hri_enabled {
        let could = min(
            min(c.mito_fe_fg + receptor_uptake, porphyrin),
            ferrochelatase,
        );
        (min(alpha, could), min(beta, could))
    } else {
        (alpha, beta)
    };
    let hb_fe = min(min(alpha_made, beta_made), heme_supply);
    let unpaired_fe = if ctx.p.hri_enabled {
        // Excess alpha precipitates at once (beta-thalassemia); excess beta
        // forms beta-4 tetramers (HbH) that precipitate far less, so it
        // counts at its relative toxicity (alpha-thalassemia).
        (max(alpha_made - beta_made, 0.0)
            + ctx.p.beta_excess_toxicity * max(beta_made - alpha_made, 0.0))
            * 0.5
    } else {
        (alpha_made + beta_made) * 0.5 - hb_fe
    };
    // Ferrochelatase puts a little zinc into protoporphyrin always, and much
    // more into the protoporphyrin made for globin that found no iron.
    let unchelated = max(min(porphyrin, pairs) - hb_fe, 0.0);
    let zpp = unchelated * ctx.p.zinc_fraction + hb_fe * ctx.baseline_zpp;

    let (hb_before, mito_before) = (c.hb_pg, c.mito_fe_fg);
    c.hb_pg += hb_fe / FE_FG_PER_PG_HB as f32;
    c.mito_fe_fg = max(iron - hb_fe, 0.0);
    c.free_globin_pg =
        c.free_globin_pg * ctx.p.free_globin_decay + unpaired_fe / FE_FG_PER_PG_HB as f32;
    // The flows reported are the exact changes of the stored state, so the
    // body's books balance to f64 rounding whatever f32 rounding did.
    let heme_fe = (c.hb_pg as f64 - hb_before as f64) * FE_FG_PER_PG_HB;
    s.marrow_uptake_fe_fg += heme_fe + (c.mito_fe_fg as f64 - mito_before as f64);
    c.zpp_fe_fg += zpp;

    // Apoptosis: heme starvation (iron-restricted erythropoiesis, lead) and
    // unpaired globin (thalassemia, HRI loss). Only drawn when at risk.
    let supply = if pairs > 0.0 { hb_fe / pairs } else { 1.0 };
    let mut hazard = 0.0;
    if supply < ctx.p.starvation_threshold && c.stage != Stage::Reticulocyte as u8 {
        hazard += ctx.p.starvation_hazard * (ctx.p.starvation_threshold - supply)
            / ctx.p.starvation_threshold;
    }
    let free_excess = c.free_globin_pg / c.volume_fl - ctx.p.toxic_fraction;
    if free_excess > 0.0 {
        hazard += ctx.p.toxic_hazard * free_excess;
    }
    if hazard > 0.0 {
        let u = rng::uniform(ctx.p.seed, c.id, Purpose::Apoptosis, ctx.step);
        if u < 1.0 - (-(hazard as f64)).exp() {
            die(c, s);
            return Fate::Leaves;
        }
    }

    // Time and growth: the fixed-budget hypothesis slows development when
    // heme is short, and a cell grows by what it builds.
    let (pace, growth) = match ctx.p.rule {
        DivisionRule::CriticalConcentration => (1.0, 1.0),
        DivisionRule::FixedBudget => {
            // Slowed, but less than in proportion: iron then sets hemoglobin
            // per cell, as in the animal studies behind this hypothesis.
            let pace = supply.clamp(0.04, 1.0).sqrt();
            // The globin share of growth follows the hemoglobin made (HRI
            // throttles translation to the heme), so a starved cell is small
            // after its fixed divisions: cell size set by what it can build.
            let share = ctx.p.growth_hemoglobin_share;
            (pace, pace * (1.0 - share + share * supply.clamp(0.0, 1.0)))
        }
    };
    c.phase_h += dt * pace;
    c.age_h += dt;

    match c.stage {
        0 => {
            // powf(x, 1) == x exactly: skip the call on the common path.
            c.volume_fl *= if growth == 1.0 {
                ctx.p.growth_per_step
            } else {
                ctx.p.growth_per_step.powf(growth)
            };
            if c.phase_h >= c.phase_len_h {
                return decide(c, ctx, s);
            }
        }
        1 => {
            if c.phase_h >= c.phase_len_h {
                // Enucleation: the nucleus leaves with the mitochondrial iron
                // that macrophages take up.
                c.volume_fl *= ctx.p.enucleation_fraction;
                s.extruded_fe_fg += c.mito_fe_fg as f64;
                c.mito_fe_fg = 0.0;
                c.stage = Stage::Reticulocyte as u8;
                c.phase_h = 0.0;
                c.phase_len_h = ctx.marrow_retic_h();
            }
        }
        _ => {
            c.volume_fl *= ctx.p.remodel_per_step;
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
    let filled = match ctx.p.rule {
        DivisionRule::CriticalConcentration => {
            // The sensor reads cytoplasmic protein: hemoglobin plus any unpaired globin.
            c.hb_pg + c.free_globin_pg >= ctx.p.critical_fraction * c.volume_fl
        }
        DivisionRule::FixedBudget => c.divisions >= ctx.p.fixed_budget,
    };
    if filled {
        start_maturation(c, ctx);
        return Fate::Stays;
    }
    if c.divisions >= ctx.p.division_cap || c.age_h >= ctx.p.clock_h {
        s.forced_maturations += 1;
        let u = rng::uniform(ctx.p.seed, c.id, Purpose::Ineffective, 0);
        if u < ctx.p.ineffective_probability {
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
    c.phase_len_h = ctx.p.maturation_h;
}

/// Splits `c` in two with a small asymmetry; `c` becomes the first daughter.
fn divide(c: &mut Erythroblast, ctx: &MarrowStep) -> Erythroblast {
    let z = rng::normal(ctx.p.seed, c.id, Purpose::Asymmetry, 0);
    let share = (0.5 + ctx.p.asymmetry_sd * z).clamp(0.3, 0.7) as f32;
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
        (&mut c.zpp_fe_fg, &mut d.zpp_fe_fg),
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
    if rng::uniform(ctx.p.seed, c.id, Purpose::Sample, 0) < ctx.p.sample_fraction {
        s.sampled_released_fe_fg += c.hb_pg as f64 * FE_FG_PER_PG_HB;
        released.push(Released {
            volume_fl: c.volume_fl,
            hb_pg: c.hb_pg,
            id: c.id,
            inclusion_g_dl: c.free_globin_pg / c.volume_fl * 100.0,
            zpp_per_heme: if c.hb_pg > 0.0 {
                c.zpp_fe_fg / (c.hb_pg * FE_FG_PER_PG_HB as f32)
            } else {
                0.0
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarrowConfig;
    use crate::marrow::MarrowParams;
    use crate::plasma::PlasmaState;
    use crate::sums::ExactSum;

    /// A one-hour step of a run of `m` (seed 1, every release sampled) at
    /// transferrin saturation `tsat`, no lead.
    fn ctx_at(m: &MarrowConfig, tsat: f64) -> MarrowStep {
        let plasma = PlasmaState {
            tsat,
            epo_mu_ml: 10.0,
            lead_ug_dl: 0.0,
            blood_loss_fraction: 0.0,
            transfusion_units: 0.0,
            inflammation: 0.0,
        };
        MarrowStep::new(&MarrowParams::new(m, 1, 1.0, 0.99, 1.0), &plasma, 7)
    }

    /// A healthy run's step.
    fn healthy() -> MarrowStep {
        ctx_at(&MarrowConfig::default(), 0.30)
    }

    /// A cycling cell of lineage 5 half an hour before the end of its cycle.
    fn cycling(volume_fl: f32, hb_pg: f32, divisions: u8) -> Erythroblast {
        Erythroblast {
            volume_fl,
            hb_pg,
            mito_fe_fg: 0.0,
            free_globin_pg: 0.0,
            zpp_fe_fg: 0.0,
            phase_h: 22.5,
            phase_len_h: 23.0,
            age_h: 30.0,
            id: (5 << LINEAGE_SHIFT) | 3,
            divisions,
            stage: Stage::Proliferating as u8,
        }
    }

    /// One step of `c`: its fate, the sums and the released reticulocytes.
    fn step(c: &mut Erythroblast, ctx: &MarrowStep) -> (Fate, StepSums, Vec<Released>) {
        let mut sums = StepSums::default();
        let mut released = Vec::new();
        let fate = step_cell(c, ctx, &mut sums, &mut released);
        (fate, sums, released)
    }

    /// `c` with a cycle too long to end in this step.
    fn mid_cycle(mut c: Erythroblast) -> Erythroblast {
        c.phase_len_h = 1e6;
        c
    }

    #[test]
    fn a_proliferating_cell_grows_by_growth_per_step_and_gains_globin_limited_hemoglobin() {
        let ctx = healthy();
        let mut c = mid_cycle(cycling(800.0, 10.0, 0));
        let receptors = ctx.receptors(0, 30.5, 23.0, 1e6);
        let (fate, s, _) = step(&mut c, &ctx);
        assert!(matches!(fate, Fate::Stays));
        assert_eq!(c.volume_fl, 800.0 * ctx.p.growth_per_step);
        assert_eq!((c.phase_h, c.age_h), (23.5, 31.0));
        // Healthy synthesis is limited by globin: every chain pair gets a heme.
        let pairs = receptors * ctx.p.reference_per_receptor * ctx.p.alpha_margin;
        let gained = (c.hb_pg - 10.0) * FE_FG_PER_PG_HB as f32;
        assert!((gained - pairs).abs() < 1e-4 * pairs, "{gained} vs {pairs}");
        assert_eq!(c.free_globin_pg, 0.0);
        // The reported flows are the changes of the stored state.
        // (Each term is rounded once to the exact sums' resolution.)
        let heme = (c.hb_pg as f64 - 10.0) * FE_FG_PER_PG_HB;
        assert_eq!(
            s.marrow_uptake_fe_fg,
            ExactSum::of([heme + c.mito_fe_fg as f64])
        );
    }

    #[test]
    fn a_division_conserves_volume_hemoglobin_and_iron_exactly() {
        let ctx = healthy();
        let lineage = 5 << LINEAGE_SHIFT;
        let mut shares = (0, 0);
        // Many mothers: each draws its own share, above and below a half.
        // Their contents sit just above a power of two (volume 1024 fL,
        // hemoglobin 16 pg, iron 2 fg, globin 0.25 pg after the step), so
        // the daughters' shares fall in different binades, where a split by
        // two products would lose half an ulp.
        for node in 1..=64u64 {
            let mut mother = cycling(1020.0 + 0.1 * node as f32, 15.7, 1);
            mother.id = lineage | node;
            mother.mito_fe_fg = 2.02;
            mother.free_globin_pg = 0.3175;
            // The same step without the decision: the mother's whole contents.
            let mut whole = mid_cycle(mother);
            step(&mut whole, &ctx);
            let mut c = mother;
            let (fate, _, _) = step(&mut c, &ctx);
            let Fate::Divides(d) = fate else {
                panic!("an under-filled cell at the end of its cycle divides")
            };
            // Exact in f64, as the body's books add the cells up: an f32
            // sum would round a lost half-ulp away.
            let exact = |a: f32, b: f32, whole: f32| a as f64 + b as f64 == whole as f64;
            assert!(exact(c.volume_fl, d.volume_fl, whole.volume_fl));
            assert!(exact(c.hb_pg, d.hb_pg, whole.hb_pg), "hemoglobin");
            assert!(exact(c.mito_fe_fg, d.mito_fe_fg, whole.mito_fe_fg), "iron");
            assert!(exact(
                c.free_globin_pg,
                d.free_globin_pg,
                whole.free_globin_pg
            ));
            if c.volume_fl > d.volume_fl {
                shares.0 += 1;
            } else {
                shares.1 += 1;
            }
            assert_eq!(
                (c.id, d.id),
                (lineage | (2 * node), lineage | (2 * node + 1))
            );
            for x in [&c, &d] {
                assert_eq!((x.divisions, x.phase_h, x.age_h), (2, 0.0, 31.0));
                assert!(x.phase_len_h > 0.5 * 23.0 && x.phase_len_h < 2.0 * 23.0);
            }
            assert_ne!(
                c.phase_len_h, d.phase_len_h,
                "each daughter draws her cycle"
            );
        }
        assert!(shares.0 > 10 && shares.1 > 10, "shares {shares:?}");
    }

    #[test]
    fn the_critical_concentration_stops_division_and_starts_maturation() {
        let ctx = healthy();
        let volume = 200.0f32;
        let at_critical = ctx.p.critical_fraction * volume;
        let mut c = cycling(volume, at_critical, 3);
        c.phase_h = c.phase_len_h;
        let mut s = StepSums::default();
        assert!(matches!(decide(&mut c, &ctx, &mut s), Fate::Stays));
        assert_eq!(c.stage, Stage::Maturing as u8);
        assert_eq!((c.phase_h, c.phase_len_h), (0.0, ctx.p.maturation_h));
        assert_eq!((c.divisions, s.forced_maturations), (3, 0));
        // Unpaired globin counts as cytoplasmic protein too ...
        let mut c = cycling(volume, 0.5 * at_critical, 3);
        c.free_globin_pg = at_critical - c.hb_pg;
        assert!(matches!(decide(&mut c, &ctx, &mut s), Fate::Stays));
        // ... and one ulp below the threshold the cell divides.
        let mut c = cycling(volume, f32::from_bits(at_critical.to_bits() - 1), 3);
        assert!(matches!(decide(&mut c, &ctx, &mut s), Fate::Divides(_)));
        // A whole step: a filled cell at the end of its cycle matures.
        let mut c = cycling(volume, 0.2 * volume, 3);
        let (fate, s, _) = step(&mut c, &ctx);
        assert!(matches!(fate, Fate::Stays));
        assert_eq!((c.stage, c.divisions), (Stage::Maturing as u8, 3));
        assert_eq!(s.forced_maturations, 0);
    }

    #[test]
    fn the_division_cap_and_the_clock_force_maturation_or_death() {
        let mut m = MarrowConfig {
            ineffective_probability: 0.0,
            ..MarrowConfig::default()
        };
        let ctx = ctx_at(&m, 0.30);
        let mut capped = cycling(800.0, 10.0, m.division_cap);
        let (fate, s, _) = step(&mut capped, &ctx);
        assert!(matches!(fate, Fate::Stays));
        assert_eq!(capped.stage, Stage::Maturing as u8);
        assert_eq!(
            (capped.divisions, s.forced_maturations),
            (m.division_cap, 1)
        );
        let mut late = cycling(800.0, 10.0, 1);
        late.age_h = m.maturation_clock_hours as f32;
        let (fate, s, _) = step(&mut late, &ctx);
        assert!(matches!(fate, Fate::Stays));
        assert_eq!(
            (late.stage, s.forced_maturations),
            (Stage::Maturing as u8, 1)
        );
        // When every forced cell dies, it dies with its iron.
        m.ineffective_probability = 1.0;
        let ctx = ctx_at(&m, 0.30);
        let mut capped = cycling(800.0, 10.0, m.division_cap);
        capped.mito_fe_fg = 2.0;
        let (fate, s, _) = step(&mut capped, &ctx);
        assert!(matches!(fate, Fate::Leaves));
        assert_eq!((s.died, s.forced_maturations, s.released), (1, 1, 0));
        let iron = capped.hb_pg as f64 * FE_FG_PER_PG_HB + capped.mito_fe_fg as f64;
        assert_eq!(s.died_fe_fg, ExactSum::of([iron]));
    }

    #[test]
    fn without_transferrin_iron_a_cell_takes_none() {
        let m = MarrowConfig {
            starvation_apoptosis_per_hour: 0.0,
            ..MarrowConfig::default()
        };
        let ctx = ctx_at(&m, 0.0);
        let mut c = mid_cycle(cycling(800.0, 10.0, 0));
        let (fate, s, _) = step(&mut c, &ctx);
        assert!(matches!(fate, Fate::Stays));
        assert_eq!((c.hb_pg, c.mito_fe_fg, c.free_globin_pg), (10.0, 0.0, 0.0));
        assert_eq!(s.marrow_uptake_fe_fg, ExactSum::ZERO);
        // It still grows: volume does not wait for iron.
        assert_eq!(c.volume_fl, 800.0 * ctx.p.growth_per_step);
    }

    #[test]
    fn without_hri_globin_runs_ahead_of_heme() {
        let mut m = MarrowConfig {
            starvation_apoptosis_per_hour: 0.0,
            free_globin_apoptosis_per_hour: 0.0,
            ..MarrowConfig::default()
        };
        let after = |m: &MarrowConfig| {
            let mut c = mid_cycle(cycling(800.0, 10.0, 0));
            step(&mut c, &ctx_at(m, 0.03));
            c
        };
        let with_hri = after(&m);
        m.hri_enabled = false;
        let without = after(&m);
        // Iron limits heme either way; only without HRI is globin made anyway.
        assert_eq!(with_hri.hb_pg, without.hb_pg);
        assert!(with_hri.hb_pg > 10.0);
        assert_eq!(with_hri.free_globin_pg, 0.0);
        assert!(
            without.free_globin_pg > 0.1 * (without.hb_pg - 10.0),
            "{} pg unpaired",
            without.free_globin_pg
        );
    }

    #[test]
    fn a_maturing_cell_enucleates_at_the_end_of_its_phase_and_extrudes_its_iron() {
        let ctx = healthy();
        let mut c = Erythroblast {
            volume_fl: 150.0,
            hb_pg: 40.0,
            mito_fe_fg: 3.0,
            free_globin_pg: 0.0,
            zpp_fe_fg: 0.0,
            phase_h: 29.5,
            phase_len_h: 30.0,
            age_h: 140.0,
            id: (5 << LINEAGE_SHIFT) | 20,
            divisions: 4,
            stage: Stage::Maturing as u8,
        };
        let (fate, s, released) = step(&mut c, &ctx);
        assert!(matches!(fate, Fate::Stays));
        assert!(released.is_empty());
        assert_eq!(c.stage, Stage::Reticulocyte as u8);
        assert_eq!(c.volume_fl, 150.0 * ctx.p.enucleation_fraction);
        assert_eq!((c.phase_h, c.phase_len_h), (0.0, ctx.p.marrow_retic_h));
        assert_eq!(c.mito_fe_fg, 0.0);
        // The nucleus takes exactly the iron not in heme: the cell's iron
        // before, plus its uptake, is its heme iron plus what it extruded.
        let before = 40.0 * FE_FG_PER_PG_HB + 3.0;
        let after = c.hb_pg as f64 * FE_FG_PER_PG_HB + s.extruded_fe_fg.value();
        let uptake = s.marrow_uptake_fe_fg.value();
        assert!(
            (before + uptake - after).abs() < 1e-9 * before,
            "{before} + {uptake} vs {after}"
        );
        assert!(s.extruded_fe_fg.value() > 2.0, "{:?}", s.extruded_fe_fg);
    }

    #[test]
    fn a_marrow_reticulocyte_is_released_at_the_end_of_its_phase() {
        let reticulocyte = |sample_fraction: f64| {
            let m = MarrowConfig::default();
            let plasma = PlasmaState {
                tsat: 0.30,
                epo_mu_ml: 10.0,
                lead_ug_dl: 0.0,
                blood_loss_fraction: 0.0,
                transfusion_units: 0.0,
                inflammation: 0.0,
            };
            let p = MarrowParams::new(&m, 1, 1.0, 0.99, sample_fraction);
            let ctx = MarrowStep::new(&p, &plasma, 7);
            let mut c = Erythroblast {
                volume_fl: 120.0,
                hb_pg: 28.0,
                mito_fe_fg: 0.5,
                free_globin_pg: 0.0,
                // ZPP made at the healthy baseline (30 umol/mol heme).
                zpp_fe_fg: 28.0 * FE_FG_PER_PG_HB as f32 * 30e-6,
                phase_h: 23.5,
                phase_len_h: 24.0,
                age_h: 200.0,
                id: (5 << LINEAGE_SHIFT) | 40,
                divisions: 4,
                stage: Stage::Reticulocyte as u8,
            };
            let (fate, s, released) = step(&mut c, &ctx);
            assert!(matches!(fate, Fate::Leaves));
            (c, s, released, ctx)
        };
        let (c, s, released, ctx) = reticulocyte(1.0);
        assert_eq!(
            released,
            vec![Released {
                volume_fl: 120.0 * ctx.p.remodel_per_step,
                hb_pg: c.hb_pg,
                id: c.id,
                inclusion_g_dl: 0.0,
                zpp_per_heme: c.zpp_fe_fg / (c.hb_pg * FE_FG_PER_PG_HB as f32),
            }]
        );
        // Its own ZPP per heme, about the baseline (its last hour's
        // hemoglobin adds ZPP at the same ratio).
        let zpp = released[0].zpp_per_heme;
        assert!((zpp - 30e-6).abs() < 1e-6, "{zpp}");
        assert!(c.hb_pg > 28.0, "it finished some hemoglobin first");
        assert_eq!((s.released, s.died, s.released_divisions), (1, 0, 4));
        assert_eq!(
            s.released_fe_fg,
            ExactSum::of([c.hb_pg as f64 * FE_FG_PER_PG_HB])
        );
        assert_eq!(s.sampled_released_fe_fg, s.released_fe_fg);
        assert_eq!(s.extruded_fe_fg, ExactSum::of([c.mito_fe_fg as f64]));
        // Released but not followed: counted in the books, not in the sample.
        let (_, s, released, _) = reticulocyte(0.0);
        assert!(released.is_empty());
        assert_eq!((s.released, s.sampled_released_fe_fg), (1, ExactSum::ZERO));
    }
}
