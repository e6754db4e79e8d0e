//! The hot loop: one step of every erythroblast in a chunk.
//!
//! A step is two passes over each block of [`BLOCK`] cells. The first,
//! [`synthesize`], is the hour every cell lives: receptor uptake, heme and
//! globin synthesis, growth and the clock. It has no branches (stages and
//! limits are selects; the division rule and HRI are type parameters
//! resolved outside the loop; no division under the critical rule), so it
//! vectorises over mixed stages, 8 cells at a time under AVX2. The iron the
//! block took up is then summed exactly, 4 at a time. The second pass
//! visits only the cells with an event this hour ([`event`]: an apoptosis
//! draw, the end of a phase), a few percent of them, in scalar code. At the
//! end of the chunk, daughters take the places of the cells that left it.
//! [`step_cell`] is the same two passes for one cell, for the lineage
//! tracer, so a traced cell is the marrow's cell to the bit.

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

/// Cells per block: the first pass keeps each cell's iron before its hour,
/// what weighs its risk and its event flag on the stack for the second
/// (5.4 KB), so the block's state stays in L1 between the passes.
const BLOCK: usize = 256;

/// Advances every agent of the window by one step, writing only `out`.
pub fn advance(cells: ErythroblastsMut<'_>, ctx: &MarrowStep, out: &mut MarrowScratch) {
    match (ctx.p.rule, ctx.p.hri_enabled) {
        (DivisionRule::CriticalConcentration, true) => advance_with::<false, true>(cells, ctx, out),
        (DivisionRule::CriticalConcentration, false) => {
            advance_with::<false, false>(cells, ctx, out)
        }
        (DivisionRule::FixedBudget, true) => advance_with::<true, true>(cells, ctx, out),
        (DivisionRule::FixedBudget, false) => advance_with::<true, false>(cells, ctx, out),
    }
}

/// [`advance`] for one division rule (`FIXED`: the fixed budget) and HRI
/// setting, in 8-wide AVX2 where the CPU has it. The two builds give the
/// same bits: Rust never fuses a multiply and an add, and each lane does
/// the scalar code's IEEE operations in the scalar code's order.
#[inline(never)]
fn advance_with<const FIXED: bool, const HRI: bool>(
    cells: ErythroblastsMut<'_>,
    ctx: &MarrowStep,
    out: &mut MarrowScratch,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { advance_avx2::<FIXED, HRI>(cells, ctx, out) };
    }
    advance_body::<FIXED, HRI>(cells, ctx, out)
}

/// [`advance_body`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn advance_avx2<const FIXED: bool, const HRI: bool>(
    cells: ErythroblastsMut<'_>,
    ctx: &MarrowStep,
    out: &mut MarrowScratch,
) {
    advance_body::<FIXED, HRI>(cells, ctx, out)
}

/// The two passes over every block of the window.
#[inline(always)]
fn advance_body<const FIXED: bool, const HRI: bool>(
    cells: ErythroblastsMut<'_>,
    ctx: &MarrowStep,
    out: &mut MarrowScratch,
) {
    out.clear();
    let ErythroblastsMut {
        offset,
        volume_fl,
        hb_pg,
        mito_fe_fg,
        free_globin_pg,
        zpp_fe_fg,
        membrane,
        uptake_factor,
        phase_h,
        phase_len_h,
        age_h,
        id,
        divisions,
        stage,
    } = cells;
    let n = volume_fl.len();
    // Each cell's iron before its hour, and what weighs its apoptosis risk,
    // for the second pass.
    let mut hb_before = [0.0f32; BLOCK];
    let mut mito_before = [0.0f32; BLOCK];
    let mut heme_fe = [0.0f32; BLOCK];
    let mut pairs = [0.0f32; BLOCK];
    let mut volume_before = [0.0f32; BLOCK];
    // Nonzero for a cell with an event this hour, read eight at a time.
    let mut flags = [0u8; BLOCK];
    let mut start = 0;
    while start < n {
        let len = BLOCK.min(n - start);
        let end = start + len;
        // Equal-length windows, so the first pass has no bounds checks.
        let (v, h, m) = (
            &mut volume_fl[start..end],
            &mut hb_pg[start..end],
            &mut mito_fe_fg[start..end],
        );
        let (g, z, b) = (
            &mut free_globin_pg[start..end],
            &mut zpp_fe_fg[start..end],
            &mut membrane[start..end],
        );
        let (f, p, l, a, st) = (
            &uptake_factor[start..end],
            &mut phase_h[start..end],
            &phase_len_h[start..end],
            &mut age_h[start..end],
            &stage[start..end],
        );
        // The event pass reads ids and division counts the first pass never
        // touches: ask for their lines now, so they arrive while it runs.
        prefetch(&id[start..end]);
        prefetch(&divisions[start..end]);
        if len < BLOCK {
            // The last, short block: no stale flags past its end.
            flags[len..].fill(0);
        }
        let (hb0, mito0, fl) = (
            &mut hb_before[..len],
            &mut mito_before[..len],
            &mut flags[..len],
        );
        let (heme, pair, v0) = (
            &mut heme_fe[..len],
            &mut pairs[..len],
            &mut volume_before[..len],
        );
        for j in 0..len {
            let mut c = Hour {
                volume_fl: v[j],
                hb_pg: h[j],
                mito_fe_fg: m[j],
                free_globin_pg: g[j],
                zpp_fe_fg: z[j],
                membrane: b[j],
                phase_h: p[j],
                age_h: a[j],
            };
            hb0[j] = c.hb_pg;
            mito0[j] = c.mito_fe_fg;
            let risk = synthesize::<FIXED, HRI>(&mut c, f[j], st[j], ctx);
            fl[j] = risk.at_risk as u8 | ((c.phase_h >= l[j]) as u8) << 1;
            heme[j] = risk.heme_fe;
            pair[j] = risk.pairs;
            v0[j] = risk.volume_fl;
            v[j] = c.volume_fl;
            h[j] = c.hb_pg;
            m[j] = c.mito_fe_fg;
            g[j] = c.free_globin_pg;
            z[j] = c.zpp_fe_fg;
            b[j] = c.membrane;
            p[j] = c.phase_h;
            a[j] = c.age_h;
        }
        let s = &mut out.sums;
        s.marrow_uptake_fe_fg
            .add_each(len, |j| taken_fe_fg(hb0[j], mito0[j], h[j], m[j]));
        for (group, eight) in flags[..len.div_ceil(8) * 8].chunks_exact(8).enumerate() {
            // One flag byte per cell (bit 0: at risk, bit 1: end of phase):
            // each nonzero byte is a cell with an event, and most groups of
            // eight have none.
            let mut word = u64::from_le_bytes(eight.try_into().expect("eight flags"));
            while word != 0 {
                let byte = word.trailing_zeros() / 8;
                word &= !(0xFF << (8 * byte));
                let j = group * 8 + byte as usize;
                let i = start + j;
                let mut c = Erythroblast {
                    volume_fl: volume_fl[i],
                    hb_pg: hb_pg[i],
                    mito_fe_fg: mito_fe_fg[i],
                    free_globin_pg: free_globin_pg[i],
                    zpp_fe_fg: zpp_fe_fg[i],
                    membrane: membrane[i],
                    uptake_factor: uptake_factor[i],
                    phase_h: phase_h[i],
                    phase_len_h: phase_len_h[i],
                    age_h: age_h[i],
                    id: id[i],
                    divisions: divisions[i],
                    stage: stage[i],
                };
                let risk = Risk {
                    heme_fe: heme_fe[j],
                    pairs: pairs[j],
                    volume_fl: volume_before[j],
                    at_risk: flags[j] & 1 != 0,
                };
                match event::<FIXED>(&mut c, &risk, ctx, s, &mut out.released) {
                    Fate::Stays => {}
                    Fate::Divides(daughter) => out.daughters.push(daughter),
                    Fate::Leaves => {
                        out.gone.push((offset + i) as u32);
                        continue;
                    }
                }
                volume_fl[i] = c.volume_fl;
                mito_fe_fg[i] = c.mito_fe_fg;
                hb_pg[i] = c.hb_pg;
                free_globin_pg[i] = c.free_globin_pg;
                zpp_fe_fg[i] = c.zpp_fe_fg;
                membrane[i] = c.membrane;
                phase_h[i] = c.phase_h;
                phase_len_h[i] = c.phase_len_h;
                // A dividing cell becomes its first daughter, with her own tree index.
                id[i] = c.id;
                divisions[i] = c.divisions;
                stage[i] = c.stage;
            }
        }
        start = end;
    }
    // Daughters take the places of the chunk's own departed cells here, in
    // parallel; only the unmatched rest waits for the serial apply.
    let placed = out.gone.len().min(out.daughters.len());
    for (&i, d) in out.gone[..placed].iter().zip(&out.daughters[..placed]) {
        let i = i as usize - offset;
        volume_fl[i] = d.volume_fl;
        hb_pg[i] = d.hb_pg;
        mito_fe_fg[i] = d.mito_fe_fg;
        free_globin_pg[i] = d.free_globin_pg;
        zpp_fe_fg[i] = d.zpp_fe_fg;
        membrane[i] = d.membrane;
        uptake_factor[i] = d.uptake_factor;
        phase_h[i] = d.phase_h;
        phase_len_h[i] = d.phase_len_h;
        age_h[i] = d.age_h;
        id[i] = d.id;
        divisions[i] = d.divisions;
        stage[i] = d.stage;
    }
    out.gone.drain(..placed);
    out.daughters.drain(..placed);
}

/// Requests the cache lines of `data` (a hint: no effect on results).
#[inline(always)]
fn prefetch<T>(data: &[T]) {
    #[cfg(target_arch = "x86_64")]
    for line in data.chunks((64 / std::mem::size_of::<T>()).max(1)) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is in every x86_64 CPU, and a prefetch never faults.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
    }
}

/// The fields the hour of [`synthesize`] changes.
struct Hour {
    volume_fl: f32,
    hb_pg: f32,
    mito_fe_fg: f32,
    free_globin_pg: f32,
    zpp_fe_fg: f32,
    membrane: f32,
    phase_h: f32,
    age_h: f32,
}

/// One erythroblast's step: the hour of synthesis, then its event if it has one.
#[inline]
pub(super) fn step_cell(
    c: &mut Erythroblast,
    ctx: &MarrowStep,
    s: &mut StepSums,
    released: &mut Vec<Released>,
) -> Fate {
    let fixed = ctx.p.rule == DivisionRule::FixedBudget;
    let mut h = Hour {
        volume_fl: c.volume_fl,
        hb_pg: c.hb_pg,
        mito_fe_fg: c.mito_fe_fg,
        free_globin_pg: c.free_globin_pg,
        zpp_fe_fg: c.zpp_fe_fg,
        membrane: c.membrane,
        phase_h: c.phase_h,
        age_h: c.age_h,
    };
    let hour = match (fixed, ctx.p.hri_enabled) {
        (false, true) => synthesize::<false, true>,
        (false, false) => synthesize::<false, false>,
        (true, true) => synthesize::<true, true>,
        (true, false) => synthesize::<true, false>,
    };
    let risk = hour(&mut h, c.uptake_factor, c.stage, ctx);
    s.marrow_uptake_fe_fg += taken_fe_fg(c.hb_pg, c.mito_fe_fg, h.hb_pg, h.mito_fe_fg);
    c.volume_fl = h.volume_fl;
    c.hb_pg = h.hb_pg;
    c.mito_fe_fg = h.mito_fe_fg;
    c.free_globin_pg = h.free_globin_pg;
    c.zpp_fe_fg = h.zpp_fe_fg;
    c.membrane = h.membrane;
    c.phase_h = h.phase_h;
    c.age_h = h.age_h;
    if risk.at_risk || c.phase_h >= c.phase_len_h {
        if fixed {
            event::<true>(c, &risk, ctx, s, released)
        } else {
            event::<false>(c, &risk, ctx, s, released)
        }
    } else {
        Fate::Stays
    }
}

/// What weighs a cell's apoptosis risk after its hour: the hemoglobin iron
/// it made against what its chains could pair (heme starvation), and its
/// volume before growth (the unpaired-globin concentration).
#[derive(Clone, Copy, Debug, Default)]
struct Risk {
    heme_fe: f32,
    pairs: f32,
    volume_fl: f32,
    /// Starved or poisoned, so the event pass weighs the hazard and draws.
    at_risk: bool,
}

impl Risk {
    /// The apoptosis hazard this hour of a cell of `stage` now holding
    /// `free_globin_pg`: heme starvation (iron-restricted erythropoiesis,
    /// lead) before enucleation, and unpaired globin (thalassemia, HRI loss).
    fn hazard(&self, free_globin_pg: f32, stage: u8, ctx: &MarrowStep) -> f32 {
        let supply = self.supply();
        let t = ctx.p.starvation_threshold;
        let starvation = if supply < t && stage != Stage::Reticulocyte as u8 {
            ctx.p.starvation_hazard * (t - supply) * (1.0 / t)
        } else {
            0.0
        };
        let free_excess = free_globin_pg / self.volume_fl - ctx.p.toxic_fraction;
        let toxicity = if free_excess > 0.0 {
            ctx.p.toxic_hazard * free_excess
        } else {
            0.0
        };
        starvation + toxicity
    }

    /// Heme made over what the chains could pair, 1 when no chains were made.
    #[inline(always)]
    fn supply(&self) -> f32 {
        if self.pairs > 0.0 {
            self.heme_fe / self.pairs
        } else {
            1.0
        }
    }
}

/// The hour every cell lives, without branches (nor divisions, under the
/// critical rule): uptake, synthesis, growth and the clock. Returns what
/// weighs its apoptosis risk.
#[inline(always)]
fn synthesize<const FIXED: bool, const HRI: bool>(
    c: &mut Hour,
    uptake_factor: f32,
    stage: u8,
    ctx: &MarrowStep,
) -> Risk {
    let dt = ctx.p.dt_h;
    // Post-mitotic capacity sits on the membrane and in the cytoplasm a
    // cell inherited: a cell that divided once more than normal has about
    // a third less membrane (area scales as volume^2/3; 1 while cycling).
    let receptors = ctx.receptors(stage, c.age_h + 0.5 * dt, c.phase_h + 0.5 * dt) * c.membrane;

    // Capacities this step, in fg of iron (hemoglobin capacities as the iron
    // they would hold), all scaled by the receptor program.
    let reference = receptors * ctx.p.reference_per_receptor;
    let receptor_uptake = receptors * ctx.uptake_per_receptor * uptake_factor;
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
    let (alpha_made, beta_made) = if HRI {
        let could = min(
            min(c.mito_fe_fg + receptor_uptake, porphyrin),
            ferrochelatase,
        );
        (min(alpha, could), min(beta, could))
    } else {
        (alpha, beta)
    };
    let hb_fe = min(min(alpha_made, beta_made), heme_supply);
    let unpaired_fe = if HRI {
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

    c.hb_pg += hb_fe * (1.0 / FE_FG_PER_PG_HB as f32);
    c.mito_fe_fg = max(iron - hb_fe, 0.0);
    c.free_globin_pg =
        c.free_globin_pg * ctx.p.free_globin_decay + unpaired_fe * (1.0 / FE_FG_PER_PG_HB as f32);
    c.zpp_fe_fg += zpp;

    // At risk of apoptosis (weighed in the event pass, see [`Risk::hazard`]),
    // tested by products so this pass takes no division: heme starved
    // before enucleation, or unpaired globin above the toxic concentration.
    let starving = hb_fe < ctx.p.starvation_threshold * pairs && stage != Stage::Reticulocyte as u8;
    let poisoned = c.free_globin_pg > ctx.p.toxic_fraction * c.volume_fl;
    let risk = Risk {
        heme_fe: hb_fe,
        pairs,
        volume_fl: c.volume_fl,
        at_risk: starving | poisoned,
    };

    // Time and growth: the fixed-budget hypothesis slows development when
    // heme is short, and a cell grows by what it builds.
    let (pace, grown) = if FIXED {
        // Slowed, but less than in proportion: iron then sets hemoglobin
        // per cell, as in the animal studies behind this hypothesis.
        let supply = risk.supply();
        let pace = supply.clamp(0.04, 1.0).sqrt();
        // The globin share of growth follows the hemoglobin made (HRI
        // throttles translation to the heme), so a starved cell is small
        // after its fixed divisions: cell size set by what it can build.
        let share = ctx.p.growth_hemoglobin_share;
        let growth = pace * (1.0 - share + share * supply.clamp(0.0, 1.0));
        // powf(x, 1) == x exactly: skip the call on the common path.
        let grown = if growth == 1.0 {
            ctx.p.growth_per_step
        } else {
            ctx.p.growth_per_step.powf(growth)
        };
        (pace, grown)
    } else {
        (1.0, ctx.p.growth_per_step)
    };
    c.phase_h += dt * pace;
    c.age_h += dt;
    // Cycling cells grow, reticulocytes remodel (shedding membrane too),
    // maturing cells keep their size until enucleation.
    let reticulocyte = stage == Stage::Reticulocyte as u8;
    c.volume_fl *= if stage == Stage::Proliferating as u8 {
        grown
    } else if reticulocyte {
        ctx.p.remodel_per_step
    } else {
        1.0
    };
    c.membrane *= if reticulocyte {
        ctx.p.remodel_membrane_per_step
    } else {
        1.0
    };
    risk
}

/// The iron a cell took up in its hour, fg: the exact change of its stored
/// iron, so the body's books balance to f64 rounding whatever f32 rounding
/// did. In f64, outside [`synthesize`], so that pass stays all f32.
#[inline(always)]
fn taken_fe_fg(hb_before: f32, mito_before: f32, hb_pg: f32, mito_fe_fg: f32) -> f64 {
    (hb_pg as f64 - hb_before as f64) * FE_FG_PER_PG_HB + (mito_fe_fg as f64 - mito_before as f64)
}

/// A cell's event this hour, after [`synthesize`]: the apoptosis draw when
/// it is at risk, then the end of its phase (divide or mature, enucleate,
/// leave the marrow).
fn event<const FIXED: bool>(
    c: &mut Erythroblast,
    risk: &Risk,
    ctx: &MarrowStep,
    s: &mut StepSums,
    released: &mut Vec<Released>,
) -> Fate {
    let hazard = if risk.at_risk {
        risk.hazard(c.free_globin_pg, c.stage, ctx)
    } else {
        0.0
    };
    if hazard > 0.0 {
        let u = rng::uniform(ctx.p.seed, c.id, Purpose::Apoptosis, ctx.step);
        // 1 - e^-h <= h: most draws are decided without the exponential.
        let h = hazard as f64;
        if u < h && u < 1.0 - (-h).exp() {
            die(c, s);
            return Fate::Leaves;
        }
    }
    if c.phase_h < c.phase_len_h {
        return Fate::Stays;
    }
    match c.stage {
        0 => decide::<FIXED>(c, ctx, s),
        1 => {
            // Enucleation: the nucleus leaves with the mitochondrial iron
            // that macrophages take up, and with its share of the membrane.
            c.volume_fl *= ctx.p.enucleation_fraction;
            c.membrane *= ctx.p.enucleation_membrane;
            s.extruded_fe_fg += c.mito_fe_fg as f64;
            c.mito_fe_fg = 0.0;
            c.stage = Stage::Reticulocyte as u8;
            c.phase_h = 0.0;
            c.phase_len_h = ctx.marrow_retic_h();
            Fate::Stays
        }
        _ => {
            release(c, ctx, s, released);
            Fate::Leaves
        }
    }
}

/// The decision at the end of a cycle: stop and mature, divide, or give up.
fn decide<const FIXED: bool>(c: &mut Erythroblast, ctx: &MarrowStep, s: &mut StepSums) -> Fate {
    let filled = if FIXED {
        c.divisions >= ctx.p.fixed_budget
    } else {
        // The sensor reads cytoplasmic protein: hemoglobin plus any unpaired globin.
        c.hb_pg + c.free_globin_pg >= ctx.p.critical_fraction * c.volume_fl
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
    // Its membrane from here on, taken once: (V / V_ref)^(2/3).
    let relative = c.volume_fl * ctx.p.inverse_reference_volume;
    c.membrane = (relative * relative).cbrt();
    c.stage = Stage::Maturing as u8;
    c.phase_h = 0.0;
    c.phase_len_h = ctx.p.maturation_h;
}

/// Splits `c` in two with a small asymmetry; `c` becomes the first daughter.
/// One stream keyed by the mother gives the split and both daughters'
/// cycle lengths.
fn divide(c: &mut Erythroblast, ctx: &MarrowStep) -> Erythroblast {
    let [z_share, z_first, z_second] = rng::normals::<3>(ctx.p.seed, c.id, Purpose::Division, 0);
    let share = (0.5 + ctx.p.asymmetry_sd as f32 * z_share).clamp(0.3, 0.7);
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
    for (cell, z) in [(&mut *c, z_first), (&mut d, z_second)] {
        cell.divisions += 1;
        cell.phase_h = 0.0;
        cell.phase_len_h = ctx.lognormal_cycle(z);
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

    /// `n` cells of every stage, size, age and phase (a quarter within an
    /// hour of their phase's end, some loaded with unpaired globin, some at
    /// the division cap or past the clock), as a marrow holds them.
    fn mixed_population(ctx: &MarrowStep, n: u64) -> Vec<Erythroblast> {
        let u = |k: u64, what: u64| rng::uniform(3, k, Purpose::Sample, what) as f32;
        (0..n)
            .map(|k| {
                let stage = (k % 3) as u8;
                let id = (k << LINEAGE_SHIFT) | (1 + k % 40);
                let volume_fl = 100.0 + 800.0 * u(k, 0);
                let phase_len_h = 10.0 + 30.0 * u(k, 1);
                let relative = volume_fl * ctx.p.inverse_reference_volume;
                Erythroblast {
                    volume_fl,
                    hb_pg: volume_fl * 0.3 * u(k, 2),
                    mito_fe_fg: 3.0 * u(k, 3),
                    free_globin_pg: if k % 7 == 0 {
                        0.2 * volume_fl * u(k, 4)
                    } else {
                        0.0
                    },
                    zpp_fe_fg: 0.01 * u(k, 5),
                    membrane: if stage == 0 {
                        1.0
                    } else {
                        (relative * relative).cbrt()
                    },
                    uptake_factor: ctx.p.lineage_receptor_factor(id),
                    phase_h: if k % 4 == 0 {
                        phase_len_h - 0.3
                    } else {
                        phase_len_h * u(k, 6)
                    },
                    phase_len_h,
                    age_h: 200.0 * u(k, 7),
                    id,
                    divisions: (k % 9) as u8,
                    stage,
                }
            })
            .collect()
    }

    /// The cells, sums and releases of one step of `cells`, taken by `step`,
    /// as text that shows every bit (ids are unique, so sorting by them
    /// makes the order of the cells irrelevant).
    fn one_step(
        cells: &[Erythroblast],
        ctx: &MarrowStep,
        step: fn(ErythroblastsMut<'_>, &MarrowStep, &mut MarrowScratch),
    ) -> String {
        let mut marrow = super::super::Marrow::default();
        for c in cells {
            marrow.cells.push(*c);
        }
        let mut out = MarrowScratch::with_capacity(cells.len());
        step(marrow.view(), ctx, &mut out);
        let sums = out.sums;
        let mut released = out.released.clone();
        marrow.apply(std::slice::from_ref(&out));
        let mut after: Vec<_> = (0..marrow.len()).map(|i| marrow.cells.get(i)).collect();
        after.sort_by_key(|c| c.id);
        released.sort_by_key(|r| r.id);
        format!("{after:?}\n{sums:?}\n{released:?}")
    }

    #[test]
    fn the_vector_pass_the_portable_build_and_the_per_cell_step_agree_to_the_bit() {
        for (rule, tsat) in [
            (DivisionRule::CriticalConcentration, 0.30),
            (DivisionRule::CriticalConcentration, 0.03),
            (DivisionRule::FixedBudget, 0.05),
        ] {
            let m = MarrowConfig {
                division_rule: rule,
                ..MarrowConfig::default()
            };
            let ctx = ctx_at(&m, tsat);
            let cells = mixed_population(&ctx, 3001);
            // `advance` dispatches to AVX2 where the CPU has it; the body
            // called directly is the portable (SSE2) build.
            let dispatched = one_step(&cells, &ctx, advance);
            let portable = match rule {
                DivisionRule::CriticalConcentration => {
                    one_step(&cells, &ctx, advance_body::<false, true>)
                }
                DivisionRule::FixedBudget => one_step(&cells, &ctx, advance_body::<true, true>),
            };
            assert!(
                dispatched == portable,
                "{rule:?} at TSAT {tsat}: builds differ"
            );
            // The lineage tracer's step, one cell at a time.
            let mut sums = StepSums::default();
            let mut released = Vec::new();
            let mut after = Vec::new();
            for c in &cells {
                let mut c = *c;
                match step_cell(&mut c, &ctx, &mut sums, &mut released) {
                    Fate::Stays => after.push(c),
                    Fate::Divides(d) => after.extend([c, d]),
                    Fate::Leaves => {}
                }
            }
            after.sort_by_key(|c| c.id);
            released.sort_by_key(|r| r.id);
            let per_cell = format!("{after:?}\n{sums:?}\n{released:?}");
            assert!(
                dispatched == per_cell,
                "{rule:?} at TSAT {tsat}: per-cell step differs"
            );
            // Every kind of event happened.
            assert!(sums.released > 10 && sums.died > 10, "{sums:?}");
            assert!(after.len() > cells.len() - sums.released as usize - sums.died as usize);
        }
    }

    /// A cycling cell of lineage 5 half an hour before the end of its cycle.
    fn cycling(volume_fl: f32, hb_pg: f32, divisions: u8) -> Erythroblast {
        Erythroblast {
            volume_fl,
            hb_pg,
            mito_fe_fg: 0.0,
            free_globin_pg: 0.0,
            zpp_fe_fg: 0.0,
            membrane: 1.0,
            uptake_factor: 1.0,
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
        let receptors = ctx.receptors(0, 30.5, 23.0);
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
        assert!(matches!(decide::<false>(&mut c, &ctx, &mut s), Fate::Stays));
        assert_eq!(c.stage, Stage::Maturing as u8);
        assert_eq!((c.phase_h, c.phase_len_h), (0.0, ctx.p.maturation_h));
        assert_eq!((c.divisions, s.forced_maturations), (3, 0));
        // Unpaired globin counts as cytoplasmic protein too ...
        let mut c = cycling(volume, 0.5 * at_critical, 3);
        c.free_globin_pg = at_critical - c.hb_pg;
        assert!(matches!(decide::<false>(&mut c, &ctx, &mut s), Fate::Stays));
        // ... and one ulp below the threshold the cell divides.
        let mut c = cycling(volume, f32::from_bits(at_critical.to_bits() - 1), 3);
        assert!(matches!(
            decide::<false>(&mut c, &ctx, &mut s),
            Fate::Divides(_)
        ));
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
            membrane: 1.0,
            uptake_factor: 1.0,
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
                membrane: 1.0,
                uptake_factor: 1.0,
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
