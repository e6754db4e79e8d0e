//! Iron is conserved inside the agents at every step: the iron the marrow
//! and the circulating sample hold changes exactly by what the reduction
//! says came in and went out.

mod common;

use erythro_core::schedule::Schedule;
use erythro_core::Config;
use erythro_runner::Simulation;

/// Relative tolerance: the books are kept from exact state changes, each
/// rounded once to 2^-40 fg in the exact sums, so only that rounding and
/// the f64 arithmetic of the check separate the two sides.
const TOLERANCE: f64 = 1e-9;

fn check_every_step(config: Config, steps: usize) {
    let mut sim = Simulation::new(config).unwrap();
    for step in 0..steps {
        let marrow_before = sim.marrow().iron_fe_fg();
        let blood_before = sim.blood().iron_fe_fg();
        sim.step();
        let s = *sim.last_sums();
        let marrow_expected = marrow_before + s.marrow_uptake_fe_fg.value()
            - s.released_fe_fg.value()
            - s.extruded_fe_fg.value()
            - s.died_fe_fg.value();
        let marrow_after = sim.marrow().iron_fe_fg();
        assert!(
            (marrow_after - marrow_expected).abs() <= TOLERANCE * marrow_after,
            "step {step}: marrow holds {marrow_after} fg, books say {marrow_expected}"
        );
        let blood_expected =
            blood_before + s.blood_uptake_fe_fg.value() + s.sampled_released_fe_fg.value()
                - s.senescent_fe_fg.value()
                - s.shed_fe_fg.value()
                - s.bled_fe_fg.value();
        let blood_after = sim.blood().iron_fe_fg();
        assert!(
            (blood_after - blood_expected).abs() <= TOLERANCE * blood_after,
            "step {step}: blood holds {blood_after} fg, books say {blood_expected}"
        );
    }
}

#[test]
fn iron_is_conserved_each_step_in_health() {
    check_every_step(common::small(Config::default()), 48);
}

#[test]
fn iron_is_conserved_each_step_while_supply_falls() {
    let mut c = common::small(Config::default());
    c.plasma.tsat = Schedule::Piecewise(vec![(0.0, 0.30), (1.0, 0.04)]);
    check_every_step(c, 48);
}

#[test]
fn iron_is_conserved_with_lead_thalassemia_and_without_hri() {
    // Lead piles iron up in mitochondria; unpaired globin kills cells;
    // without HRI heme-less globin accumulates: the books must still balance.
    let mut c = common::small(Config::default());
    c.plasma.lead_ug_dl = Schedule::Constant(80.0);
    c.marrow.beta_globin_factor = 0.6;
    c.marrow.hri_enabled = false;
    check_every_step(c, 48);
}
