//! Lineages followed alongside a run are the run's own lineages, to the bit,
//! and following them changes nothing in the run.

mod common;

use std::collections::HashMap;

use erythro_core::marrow::lineage::CellFate;
use erythro_core::marrow::{Erythroblast, LINEAGE_SHIFT};
use erythro_core::Config;
use erythro_runner::Simulation;

/// A cell's whole state as bits, for exact comparison.
type Bits = (u64, [u32; 10], u8, u8);

fn bits(c: &Erythroblast) -> Bits {
    (
        c.id,
        [
            c.volume_fl,
            c.hb_pg,
            c.mito_fe_fg,
            c.free_globin_pg,
            c.zpp_fe_fg,
            c.membrane,
            c.uptake_factor,
            c.phase_h,
            c.phase_len_h,
            c.age_h,
        ]
        .map(f32::to_bits),
        c.divisions,
        c.stage,
    )
}

/// The traced cells of each followed lineage against the marrow's cells of
/// that lineage, as sorted lists of whole states; returns the number of
/// cells compared. Also checks that every agent id in the marrow is unique
/// (ids key the random streams, so relatives must not share one).
fn assert_traced_cells_match_the_marrow(sim: &Simulation) -> usize {
    let cells = &sim.marrow().cells;
    let unique: std::collections::HashSet<u64> = cells.id.iter().copied().collect();
    assert_eq!(unique.len(), cells.id.len(), "agent ids are reused");
    let watch = sim.lineage_watch().unwrap();
    let mut real: HashMap<u64, Vec<Bits>> = HashMap::new();
    for i in 0..cells.id.len() {
        real.entry(cells.id[i] >> LINEAGE_SHIFT)
            .or_default()
            .push(bits(&cells.get(i)));
    }
    let mut traced: HashMap<u64, Vec<Bits>> = HashMap::new();
    for c in watch.tracer().live_cells() {
        traced
            .entry(c.id >> LINEAGE_SHIFT)
            .or_default()
            .push(bits(c));
    }
    let mut n = 0;
    for l in watch.lineages() {
        let mut want = real.remove(&l.lineage).unwrap_or_default();
        let mut got = traced.remove(&l.lineage).unwrap_or_default();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "lineage {} differs from the run's", l.lineage);
        let live = l
            .cells
            .iter()
            .filter(|c| c.fate == CellFate::InMarrow)
            .count();
        assert_eq!(live, got.len(), "lineage {}", l.lineage);
        n += got.len();
    }
    n
}

#[test]
fn traced_lineages_are_the_runs_own_cells_to_the_bit() {
    // Iron-restricted, so cells also divide extra times and some die.
    let config = common::with_tsat(0.07);
    common::pool(2).install(|| {
        let mut sim = Simulation::new(config).unwrap();
        sim.watch_lineages(0.5, 12);
        let mut compared = 0;
        for _ in 0..24 * 14 {
            sim.step();
            compared += assert_traced_cells_match_the_marrow(&sim);
            if sim.lineage_watch().unwrap().is_complete() {
                break;
            }
        }
        let watch = sim.lineage_watch().unwrap();
        assert!(watch.is_complete(), "lineages still in the marrow");
        assert_eq!(watch.lineages().len(), 12);
        assert!(compared > 1000, "only {compared} cell-steps compared");
        let first = &watch.lineages()[0];
        assert_eq!(first.entry_step, watch.lineages()[0].entry_step);
        assert!(watch.lineages().iter().all(|l| l.is_complete()));
        let (day, plasma) = watch.entry(0).unwrap();
        assert_eq!(plasma.tsat, 0.07);
        assert!((0.5..0.6).contains(&day), "entered on day {day}");
    });
}

#[test]
fn watching_lineages_does_not_change_the_run() {
    let config = common::small(Config::default());
    let digest = |watch: bool| {
        common::pool(2).install(|| {
            let mut sim = Simulation::new(config.clone()).unwrap();
            if watch {
                sim.watch_lineages(0.0, 20);
            }
            let samples = sim.run(2.0, |_| {}, |_, _| {}).unwrap();
            let mut h = common::state_digest(&sim);
            for (_, v) in samples.iter().flat_map(|s| s.fields()) {
                h = (h ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
            }
            h
        })
    };
    assert_eq!(digest(true), digest(false));
}
