//! Transfusion: donor red cells join the circulating sample.

use erythro_core::rng::{self, Purpose};
use erythro_core::sums::ExactSum;
use erythro_core::units::FE_FG_PER_PG_HB;

use crate::{Collective, Simulation};

/// Red cells in one unit of packed cells (about 2e12, 200-250 mg of iron).
pub const CELLS_PER_UNIT: f64 = 2.0e12;
/// Days packed cells are stored before transfusion, at most (CPD-A1: 35).
const STORAGE_DAYS: f64 = 35.0;

/// Adds the red cells of `units` of donor blood to the circulation: healthy
/// donor cells (MCV about 90 fL, CV 12%; MCHC 33.5 g/dL; an iron-replete
/// donor's ZPP) of ages spread over
/// the storage time, each with a lifespan conditional on that age. Returns
/// their hemoglobin iron, fg (circulating-agent units). Deterministic: keyed
/// by the step and the cell's place in the unit. Split across processes,
/// each keeps its share of the cells and returns their iron.
pub(crate) fn transfuse<C: Collective>(sim: &mut Simulation<C>, units: f64) -> ExactSum {
    let p = &sim.params;
    let seed = p.run.seed();
    let per_agent = p.scale.cells_per_blood_agent();
    let n = (units * CELLS_PER_UNIT / per_agent).round() as u64;
    let step = sim.burn_in_steps + sim.step;
    let share = sim.team.share();
    let mut iron = ExactSum::ZERO;
    for k in (0..n).filter(|&k| share.holds(k)) {
        // Ids from the middle of the range: neither lineage nor steady-state ids.
        let id = (u64::MAX / 2).wrapping_add(step << 24).wrapping_add(k);
        let z = rng::normal(seed, id, Purpose::EntryVolume, 0);
        let volume = (90.0 * (0.12 * z - 0.0072).exp()) as f32;
        let hb = volume * 0.335;
        let age_h = STORAGE_DAYS * 24.0 * rng::uniform(seed, id, Purpose::Sample, 0);
        let life = p.circulation.lifespan_h(id, age_h);
        // Donor cells are mature: no longer reticulocytes.
        let age_h = age_h.max(p.circulation.reticulocyte_blood_hours() + 1.0) as f32;
        let zpp = p.marrow.baseline_zpp_per_heme();
        sim.blood
            .push(volume, hb, age_h, life.max(age_h + 1.0), id, zpp);
        iron += hb as f64 * FE_FG_PER_PG_HB;
    }
    iron
}
