//! Property tests (proptest) over the valid parameter ranges and event
//! schedules: whatever the parameters and events, within their documented
//! ranges, every step conserves body iron (pools plus erythroblasts change
//! only by absorption, therapy and transfusion minus losses), every agent
//! and every sample is finite and inside its physical bounds, and a run at
//! 1 and at 2 threads gives the same bits.
//!
//! Each case is a whole (small) run, so the case count is kept low
//! (`CASES`); `PROPTEST_CASES=N` asks for more.

mod common;

use erythro_core::body::BodyConfig;
use erythro_core::events::Event;
use erythro_core::marrow::Stage;
use erythro_core::Config;
use erythro_runner::{Sample, Simulation};
use proptest::prelude::*;

/// Cases per property in the plain test run (each about a second).
const CASES: u32 = 12;
/// Days each case runs after its steady state.
const DAYS: f64 = 3.0;

/// One event of any kind, inside its validated ranges, within the run.
fn event() -> impl Strategy<Value = Event> {
    let day = 0.0..DAYS;
    prop_oneof![
        (day.clone(), 0.0..30.0).prop_map(|(from_day, fe_mg_per_day)| Event::Diet {
            from_day,
            fe_mg_per_day
        }),
        (day.clone(), 0.1..3.0, 0.0..400.0).prop_map(|(from_day, len, ml_per_day)| {
            Event::Bleeding {
                from_day,
                to_day: from_day + len,
                ml_per_day,
            }
        }),
        (day.clone(), 0.1..3.0, 0.0..200.0).prop_map(|(from_day, len, il6_pg_ml)| {
            Event::Inflammation {
                from_day,
                to_day: from_day + len,
                il6_pg_ml,
            }
        }),
        (day.clone(), 0.1..3.0, 0.0..150.0).prop_map(|(from_day, len, ug_dl)| Event::Lead {
            from_day,
            to_day: from_day + len,
            ug_dl,
        }),
        (day.clone(), 0.1..3.0, 0.0..300.0).prop_map(|(from_day, len, mg_per_day)| {
            Event::OralIron {
                from_day,
                to_day: from_day + len,
                mg_per_day,
                every_days: 1.0,
            }
        }),
        (day.clone(), 0.0..1000.0).prop_map(|(day, mg)| Event::IntravenousIron { day, mg }),
        (day.clone(), 0.0..3.0).prop_map(|(day, units)| Event::Transfusion { day, units }),
        (day, 0.0..900.0).prop_map(|(day, ml)| Event::Donation { day, ml }),
    ]
}

/// A small config with the body, parameters drawn across their ranges, and
/// up to five events.
fn config() -> impl Strategy<Value = Config> {
    (
        (
            any::<u64>(),
            9.0..13.5f64,
            15.0..35.0f64,
            0.05..0.3f64,
            0.6..1.0f64,
        ),
        (0.0..30.0f64, 0.0..1500.0f64, 0.03..0.2f64, 0.1..0.5f64),
        proptest::collection::vec(event(), 0..5),
    )
        .prop_map(
            |(
                (seed, critical, cycle, tsat_half, globin),
                (diet, stores, absorbable, tsat),
                events,
            )| {
                let mut c = common::small(Config::default());
                c.scale.cells_per_agent = 1.6e8; // about 5,000 marrow agents
                c.run.seed = seed;
                c.run.burn_in_days = 10.0;
                c.run.sample_every_hours = 12.0;
                c.marrow.critical_hb_g_dl = critical;
                c.marrow.cycle_hours = cycle;
                c.marrow.tsat_half_uptake = tsat_half;
                c.marrow.globin_margin = globin;
                c.plasma.tsat = erythro_core::schedule::Schedule::Constant(tsat);
                c.body = Some(BodyConfig {
                    diet_fe_mg_per_day: diet,
                    storage_fe_mg: stores,
                    absorbable_fraction: absorbable,
                    ..BodyConfig::default()
                });
                c.events = events;
                c
            },
        )
}

/// The run's samples at `threads`, checking iron and bounds at every step.
fn run_checked(config: &Config, threads: usize) -> Result<Vec<Sample>, TestCaseError> {
    common::pool(threads).install(|| {
        let mut sim = Simulation::new(config.clone()).unwrap();
        let start = sim.body_iron_mg().unwrap();
        let steps = (DAYS * 24.0 / config.run.dt_hours) as usize;
        let mut samples = vec![sim.sample().unwrap()];
        for step in 0..steps {
            sim.step();
            let b = sim.body().unwrap();
            let now = sim.body_iron_mg().unwrap();
            let expected = start + b.absorbed_mg - b.lost_mg + b.given_mg;
            prop_assert!(
                (now - expected).abs() <= 1e-9 * now.abs().max(1.0),
                "step {step}: body holds {now} mg, its books say {expected} mg"
            );
            for pool in [
                b.plasma_fe_mg,
                b.storage_fe_mg,
                b.macrophage_fe_mg,
                b.red_cell_fe_mg,
            ] {
                prop_assert!(
                    pool.is_finite() && pool >= -1e-9,
                    "step {step}: pool {pool}"
                );
            }
            check_agents(&sim)?;
            if (step + 1) % 12 == 0 {
                samples.push(sim.sample().unwrap());
            }
        }
        Ok(samples)
    })
}

/// Every agent's state inside its physical bounds.
fn check_agents(sim: &Simulation) -> Result<(), TestCaseError> {
    let m = &sim.marrow().cells;
    for i in 0..m.volume_fl.len() {
        prop_assert!(m.volume_fl[i].is_finite() && m.volume_fl[i] > 0.0);
        prop_assert!(m.hb_pg[i].is_finite() && m.hb_pg[i] >= 0.0);
        prop_assert!(m.mito_fe_fg[i].is_finite() && m.mito_fe_fg[i] >= 0.0);
        prop_assert!(m.free_globin_pg[i].is_finite() && m.free_globin_pg[i] >= 0.0);
        prop_assert!(m.stage[i] <= Stage::Reticulocyte as u8);
        // Hemoglobin cannot be packed denser than in a crystal (~ 70 g/dL
        // is past anything a cell holds).
        prop_assert!(100.0 * m.hb_pg[i] / m.volume_fl[i] < 70.0);
    }
    let b = sim.blood();
    for i in 0..b.volume_fl.len() {
        prop_assert!(b.volume_fl[i].is_finite() && b.volume_fl[i] > 0.0);
        prop_assert!(b.hb_pg[i].is_finite() && b.hb_pg[i] >= 0.0);
        prop_assert!(100.0 * b.hb_pg[i] / b.volume_fl[i] < 70.0);
        prop_assert!(b.age_h[i] >= 0.0 && b.age_h[i] <= b.lifespan_h[i] + 24.0);
    }
    Ok(())
}

/// Every index finite, every percentage a percentage, every count >= 0.
fn check_sample(s: &Sample) -> Result<(), TestCaseError> {
    for (name, v) in s.fields() {
        prop_assert!(v.is_finite(), "{name} = {v}");
        if name.ends_with("_pct") {
            prop_assert!((0.0..=100.0).contains(&v), "{name} = {v}");
        }
    }
    let c = &s.cbc;
    for v in [
        c.rbc_1e12_per_l,
        c.hb_g_dl,
        c.mcv_fl,
        c.mch_pg,
        c.mchc_g_dl,
        c.rdw_cv_pct,
    ] {
        prop_assert!(v >= 0.0);
    }
    prop_assert!(c.mchc_g_dl < 70.0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn iron_bounds_and_thread_invariance_hold_across_parameters_and_events(c in config()) {
        let one = run_checked(&c, 1)?;
        for s in &one {
            check_sample(s)?;
        }
        let two = run_checked(&c, 2)?;
        let bits = |v: &[Sample]| -> Vec<u64> {
            v.iter().flat_map(|s| s.fields()).map(|(_, x)| x.to_bits()).collect()
        };
        prop_assert_eq!(bits(&one), bits(&two), "1 and 2 threads differ");
    }
}
