//! The erythroblast population: struct-of-arrays state, chunk windows,
//! entry of proerythroblasts and the serial application of a step's changes.

use crate::plasma::PlasmaState;
use crate::rng::{self, Purpose};
use crate::share::Share;
use crate::sums::{ExactSum, StepSums};
use crate::units::FE_FG_PER_PG_HB;
use crate::view::SplitView;

use super::step::{MarrowParams, MarrowStep};

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
    /// Zinc protoporphyrin made so far, as the heme iron it stands in
    /// for, fg: stays in the cell for life (ZPP/heme is read on red cells).
    pub zpp_fe_fg: Vec<f32>,
    /// Transferrin-receptor scale of a post-mitotic cell: its membrane area
    /// relative to the reference volume, (V / V_ref)^(2/3), set when it stops
    /// dividing and scaled as it enucleates and remodels; 1 while cycling.
    /// Stored, not recomputed each hour, so the kernel takes no cube root.
    pub membrane: Vec<f32>,
    /// The receptor-uptake factor of the cell's lineage (mean 1), fixed at
    /// entry and inherited at division.
    pub uptake_factor: Vec<f32>,
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
pub const ERYTHROBLAST_BYTES: usize = 10 * 4 + 8 + 1 + 1;

/// Bytes a step moves per erythroblast: the synthesis pass reads the ten
/// f32 fields and the stage and writes back the eight it changes (not the
/// cycle length or the lineage factor); the id and the division count are
/// touched only by the few cells with an event this step.
pub const ERYTHROBLAST_TRAFFIC_BYTES: usize = 10 * 4 + 1 + 8 * 4;

/// A mutable window on a contiguous run of agents.
pub struct ErythroblastsMut<'a> {
    /// Index of the first agent of the window in the whole population.
    pub offset: usize,
    pub(super) volume_fl: &'a mut [f32],
    pub(super) hb_pg: &'a mut [f32],
    pub(super) mito_fe_fg: &'a mut [f32],
    pub(super) free_globin_pg: &'a mut [f32],
    pub(super) zpp_fe_fg: &'a mut [f32],
    pub(super) membrane: &'a mut [f32],
    pub(super) uptake_factor: &'a mut [f32],
    pub(super) phase_h: &'a mut [f32],
    pub(super) phase_len_h: &'a mut [f32],
    pub(super) age_h: &'a mut [f32],
    pub(super) id: &'a mut [u64],
    pub(super) divisions: &'a mut [u8],
    pub(super) stage: &'a mut [u8],
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
        let (z0, z1) = self.zpp_fe_fg.split_at_mut(mid);
        let (b0, b1) = self.membrane.split_at_mut(mid);
        let (u0, u1) = self.uptake_factor.split_at_mut(mid);
        let (p0, p1) = self.phase_h.split_at_mut(mid);
        let (l0, l1) = self.phase_len_h.split_at_mut(mid);
        let (a0, a1) = self.age_h.split_at_mut(mid);
        let (i0, i1) = self.id.split_at_mut(mid);
        let (d0, d1) = self.divisions.split_at_mut(mid);
        let (s0, s1) = self.stage.split_at_mut(mid);
        let left = Self {
            offset: self.offset,
            volume_fl: v0,
            hb_pg: h0,
            mito_fe_fg: m0,
            free_globin_pg: g0,
            zpp_fe_fg: z0,
            membrane: b0,
            uptake_factor: u0,
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
            zpp_fe_fg: z1,
            membrane: b1,
            uptake_factor: u1,
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
    /// See [`Erythroblasts::zpp_fe_fg`].
    pub zpp_fe_fg: f32,
    /// See [`Erythroblasts::membrane`].
    pub membrane: f32,
    /// See [`Erythroblasts::uptake_factor`].
    pub uptake_factor: f32,
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
    /// Unpaired (precipitating) globin it carries, g/dL: shortens its life.
    pub inclusion_g_dl: f32,
    /// Its zinc protoporphyrin per heme, mol/mol, fixed for its life.
    pub zpp_per_heme: f32,
}

/// What one chunk produced in a step, reused from step to step.
#[derive(Clone, Debug, Default)]
pub struct MarrowScratch {
    /// The chunk's share of the reduction.
    pub sums: StepSums,
    /// Daughters born this step that found no departed cell's place in
    /// their own chunk ([`advance`](super::advance) fills those), placed by
    /// [`Marrow::apply`] after the step.
    pub daughters: Vec<Erythroblast>,
    /// Global indices of agents that left or died and whose places no
    /// daughter of the chunk took, removed (or filled) after the step.
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

    /// Empties the buffers for the next step (keeping their capacity).
    pub(super) fn clear(&mut self) {
        self.sums = StepSums::default();
        self.daughters.clear();
        self.gone.clear();
        self.released.clear();
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
    /// Transferrin saturation as the progenitors have seen it (averaged over
    /// `progenitor_iron_memory_hours`); `None` until the first entry.
    pub progenitor_tsat: Option<f64>,
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
    /// Every process of a split run computes the same entry; each keeps
    /// only the founders of the lineages in its `share`.
    pub fn enter(
        &mut self,
        plasma: &PlasmaState,
        ctx: &MarrowStep,
        cells_per_agent: f64,
        share: Share,
        sums: &mut StepSums,
    ) {
        let m = &ctx.p;
        let epo = plasma.epo_mu_ml / (plasma.epo_mu_ml + m.epo_half_entry_mu_ml);
        let seen = match self.progenitor_tsat {
            Some(seen) => plasma.tsat + (seen - plasma.tsat) * m.progenitor_keep,
            None => plasma.tsat,
        };
        self.progenitor_tsat = Some(seen);
        let t = (seen / m.tsat_half_progenitor).powf(m.progenitor_hill);
        let iron = t / (1.0 + t);
        // Inflammatory cytokines suppress CFU-E expansion.
        let inflamed = 1.0 - m.inflammation_entry_suppression * plasma.inflammation;
        let per_step = m.entry_max_per_h * epo * iron * inflamed * m.dt_h as f64 / cells_per_agent;
        self.entry_carry += per_step;
        let n = self.entry_carry.floor();
        self.entry_carry -= n;
        for _ in 0..n as u64 {
            if share.holds(self.lineages) {
                self.cells.push(proerythroblast(ctx, self.lineages));
                sums.entered += 1;
            }
            self.lineages += 1;
        }
    }

    /// Reserves room for `extra` more agents.
    pub fn reserve(&mut self, extra: usize) {
        self.cells.reserve(extra);
    }

    /// Repeats the population `copies` times; copy `k` of lineage `l` becomes
    /// lineage `l + k * lineages`, so ids stay unique and future entries
    /// continue above them; each copy takes its new lineage's uptake factor.
    pub fn tile(&mut self, copies: usize, p: &MarrowParams) {
        let n = self.len();
        self.cells.reserve(n * (copies - 1));
        for k in 1..copies as u64 {
            for i in 0..n {
                let mut c = self.cells.get(i);
                c.id += (k * self.lineages) << LINEAGE_SHIFT;
                c.uptake_factor = p.lineage_receptor_factor(c.id);
                self.cells.push(c);
            }
        }
        self.lineages *= copies as u64;
        self.entry_carry *= copies as f64;
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
            zpp_fe_fg: &mut c.zpp_fe_fg,
            membrane: &mut c.membrane,
            uptake_factor: &mut c.uptake_factor,
            phase_h: &mut c.phase_h,
            phase_len_h: &mut c.phase_len_h,
            age_h: &mut c.age_h,
            id: &mut c.id,
            divisions: &mut c.divisions,
            stage: &mut c.stage,
        }
    }

    /// Applies the staged changes of every chunk, in chunk order: daughters
    /// take the places of the gone, from the lowest index up; gone beyond
    /// the daughters are removed (filling holes from the end), daughters
    /// beyond the gone are appended. Only what changes moves, and it is
    /// deterministic because it is serial.
    pub fn apply(&mut self, scratches: &[MarrowScratch]) {
        let gone = || scratches.iter().flat_map(|s| s.gone.iter().copied());
        let daughters = || scratches.iter().flat_map(|s| s.daughters.iter().copied());
        let n_gone: usize = scratches.iter().map(|s| s.gone.len()).sum();
        let n_daughters: usize = scratches.iter().map(|s| s.daughters.len()).sum();
        let filled = n_gone.min(n_daughters);
        for (i, d) in gone().zip(daughters()) {
            self.cells.set(i as usize, d);
        }
        // The gone left over hold the highest indices (they ascend within and
        // across chunks): removing them from the top down never moves a
        // pending one, since what moves comes from the end, above them all.
        let mut to_remove = n_gone - filled;
        'remove: for scratch in scratches.iter().rev() {
            for &i in scratch.gone.iter().rev() {
                if to_remove == 0 {
                    break 'remove;
                }
                self.cells.swap_remove(i as usize);
                to_remove -= 1;
            }
        }
        for d in daughters().skip(filled) {
            self.cells.push(d);
        }
    }

    /// Iron held by the marrow agents (hemoglobin and mitochondrial), fg per agent-weight.
    pub fn iron_fe_fg(&self) -> f64 {
        self.iron_sum_fe_fg().value()
    }

    /// [`Marrow::iron_fe_fg`] as an exact sum, so the iron of agents held
    /// by several processes adds up to the same bits as held by one.
    pub fn iron_sum_fe_fg(&self) -> ExactSum {
        let c = &self.cells;
        let mut s = ExactSum::of(c.hb_pg.iter().map(|&h| h as f64 * FE_FG_PER_PG_HB));
        s += ExactSum::of(c.mito_fe_fg.iter().map(|&m| m as f64));
        s
    }
}

/// The proerythroblast that founds lineage `lineage`, as it enters: a drawn
/// starting volume and cycle length, keyed by its id alone, so the same
/// lineage number always starts the same cell ([`Marrow::enter`] and the
/// lineage tracer both make founders here).
pub fn proerythroblast(ctx: &MarrowStep, lineage: u64) -> Erythroblast {
    let id = (lineage << LINEAGE_SHIFT) | 1;
    let cv = ctx.p.proerythroblast_volume_cv;
    let z = rng::normal(ctx.p.seed, id, Purpose::EntryVolume, 0);
    let volume = ctx.p.proerythroblast_volume_fl * (cv * z - 0.5 * cv * cv).exp();
    Erythroblast {
        volume_fl: volume as f32,
        hb_pg: 0.0,
        mito_fe_fg: 0.0,
        free_globin_pg: 0.0,
        zpp_fe_fg: 0.0,
        membrane: 1.0,
        uptake_factor: ctx.p.lineage_receptor_factor(id),
        phase_h: 0.0,
        phase_len_h: ctx.cycle_length(id),
        age_h: 0.0,
        id,
        divisions: 0,
        stage: Stage::Proliferating as u8,
    }
}

impl Erythroblasts {
    /// Reserves room for `extra` more cells in every array.
    pub fn reserve(&mut self, extra: usize) {
        self.volume_fl.reserve(extra);
        self.hb_pg.reserve(extra);
        self.mito_fe_fg.reserve(extra);
        self.free_globin_pg.reserve(extra);
        self.zpp_fe_fg.reserve(extra);
        self.membrane.reserve(extra);
        self.uptake_factor.reserve(extra);
        self.phase_h.reserve(extra);
        self.phase_len_h.reserve(extra);
        self.age_h.reserve(extra);
        self.id.reserve(extra);
        self.divisions.reserve(extra);
        self.stage.reserve(extra);
    }

    /// Cell `i`.
    pub fn get(&self, i: usize) -> Erythroblast {
        Erythroblast {
            volume_fl: self.volume_fl[i],
            hb_pg: self.hb_pg[i],
            mito_fe_fg: self.mito_fe_fg[i],
            free_globin_pg: self.free_globin_pg[i],
            zpp_fe_fg: self.zpp_fe_fg[i],
            membrane: self.membrane[i],
            uptake_factor: self.uptake_factor[i],
            phase_h: self.phase_h[i],
            phase_len_h: self.phase_len_h[i],
            age_h: self.age_h[i],
            id: self.id[i],
            divisions: self.divisions[i],
            stage: self.stage[i],
        }
    }

    /// Puts `c` in place of cell `i`.
    pub fn set(&mut self, i: usize, c: Erythroblast) {
        self.volume_fl[i] = c.volume_fl;
        self.hb_pg[i] = c.hb_pg;
        self.mito_fe_fg[i] = c.mito_fe_fg;
        self.free_globin_pg[i] = c.free_globin_pg;
        self.zpp_fe_fg[i] = c.zpp_fe_fg;
        self.membrane[i] = c.membrane;
        self.uptake_factor[i] = c.uptake_factor;
        self.phase_h[i] = c.phase_h;
        self.phase_len_h[i] = c.phase_len_h;
        self.age_h[i] = c.age_h;
        self.id[i] = c.id;
        self.divisions[i] = c.divisions;
        self.stage[i] = c.stage;
    }

    /// Appends one cell.
    pub fn push(&mut self, c: Erythroblast) {
        self.volume_fl.push(c.volume_fl);
        self.hb_pg.push(c.hb_pg);
        self.mito_fe_fg.push(c.mito_fe_fg);
        self.free_globin_pg.push(c.free_globin_pg);
        self.zpp_fe_fg.push(c.zpp_fe_fg);
        self.membrane.push(c.membrane);
        self.uptake_factor.push(c.uptake_factor);
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
        self.zpp_fe_fg.swap_remove(i);
        self.membrane.swap_remove(i);
        self.uptake_factor.swap_remove(i);
        self.phase_h.swap_remove(i);
        self.phase_len_h.swap_remove(i);
        self.age_h.swap_remove(i);
        self.id.swap_remove(i);
        self.divisions.swap_remove(i);
        self.stage.swap_remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MarrowConfig;
    use crate::marrow::MarrowParams;

    /// Entry over `hours` one-hour steps at saturation `tsat`.
    fn enter_for(marrow: &mut Marrow, m: &MarrowConfig, tsat: f64, hours: u64) -> u64 {
        let plasma = PlasmaState {
            tsat,
            epo_mu_ml: 10.0,
            lead_ug_dl: 0.0,
            blood_loss_fraction: 0.0,
            transfusion_units: 0.0,
            inflammation: 0.0,
        };
        let mut sums = StepSums::default();
        let p = MarrowParams::new(m, 1, 1.0, 1.0, 1.0);
        for step in 0..hours {
            let ctx = MarrowStep::new(&p, &plasma, step);
            marrow.enter(&plasma, &ctx, 1e8, Share::WHOLE, &mut sums);
        }
        sums.entered
    }

    #[test]
    fn progenitors_follow_saturation_over_their_week_not_the_hour() {
        let m = MarrowConfig::default();
        let mut marrow = Marrow::default();
        let healthy = enter_for(&mut marrow, &m, 0.30, 24 * 7);
        assert_eq!(marrow.progenitor_tsat, Some(0.30));
        // A day after saturation falls to 5%, progenitors have seen only
        // part of the fall (1 - e^(-24/168)) and entry is barely down ...
        let first_day = enter_for(&mut marrow, &m, 0.05, 24);
        let seen = marrow.progenitor_tsat.unwrap();
        let expected = 0.05 + 0.25 * (-24.0f64 / m.progenitor_iron_memory_hours).exp();
        assert!((seen - expected).abs() < 1e-9, "{seen} vs {expected}");
        assert!(first_day as f64 > 0.6 * healthy as f64 / 7.0);
        // ... while four weeks later it is held far back.
        enter_for(&mut marrow, &m, 0.05, 24 * 27);
        let late = enter_for(&mut marrow, &m, 0.05, 24);
        assert!(
            (late as f64) < 0.2 * healthy as f64 / 7.0,
            "{late} vs {healthy}"
        );
    }
}
