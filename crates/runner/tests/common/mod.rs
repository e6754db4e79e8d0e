//! Small, fast configs for whole-model tests, and the digest of a run's state.

#![allow(dead_code)] // each test file uses a different subset

use erythro_core::body::BodyConfig;
use erythro_core::circulation::RedCells;
use erythro_core::events::Event;
use erythro_core::marrow::{Erythroblasts, Marrow};
use erythro_core::schedule::Schedule;
use erythro_core::Config;
use erythro_runner::Simulation;

/// The healthy default at a small scale: about 27,000 marrow and 38,000
/// circulating agents, so a whole-model test takes seconds.
pub fn small(mut c: Config) -> Config {
    c.scale.cells_per_agent = 3.2e7;
    c.scale.circulating_sample_fraction = 0.05;
    c.run.burn_in_days = 12.0;
    c
}

/// A config file from `configs/`, scaled down.
pub fn from_file(name: &str) -> Config {
    let path = format!("{}/../../configs/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    small(ron::from_str(&text).unwrap())
}

/// The healthy default with transferrin saturation fixed at `tsat`.
pub fn with_tsat(tsat: f64) -> Config {
    let mut c = small(Config::default());
    c.plasma.tsat = Schedule::Constant(tsat);
    c
}

/// The small healthy default with the body's iron economy and one event of
/// every kind within its first three days, overlapping, so a short run goes
/// through every path of the body and of the events (bleeding, donation and
/// transfusion move circulating agents too).
pub fn every_event() -> Config {
    let mut c = small(Config::default());
    c.body = Some(BodyConfig::default());
    c.events = vec![
        Event::Diet {
            from_day: 0.25,
            fe_mg_per_day: 4.0,
        },
        Event::Bleeding {
            from_day: 0.25,
            to_day: 2.0,
            ml_per_day: 60.0,
        },
        Event::Inflammation {
            from_day: 0.5,
            to_day: 2.5,
            il6_pg_ml: 25.0,
        },
        Event::Lead {
            from_day: 0.5,
            to_day: 3.0,
            ug_dl: 50.0,
        },
        Event::OralIron {
            from_day: 1.0,
            to_day: 3.0,
            mg_per_day: 100.0,
            every_days: 1.0,
        },
        Event::IntravenousIron {
            day: 1.5,
            mg: 500.0,
        },
        Event::Transfusion {
            day: 2.0,
            units: 1.0,
        },
        Event::Donation {
            day: 2.5,
            ml: 450.0,
        },
    ];
    c
}

/// Runs a pool of `threads` threads.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// FNV-1a over the whole state of a run, in storage order: every field of
/// every marrow and circulating agent, the marrow's entry bookkeeping, the
/// body's pools and regulators when it has a body, and the step count.
/// The agent structs are destructured without `..`, so a new field does not
/// compile until it is digested here too.
pub fn state_digest(sim: &Simulation) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        h ^= x;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    let Marrow {
        cells,
        lineages,
        entry_carry,
        progenitor_tsat,
    } = sim.marrow();
    let Erythroblasts {
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
    for i in 0..volume_fl.len() {
        for x in [
            volume_fl[i],
            hb_pg[i],
            mito_fe_fg[i],
            free_globin_pg[i],
            zpp_fe_fg[i],
            membrane[i],
            uptake_factor[i],
            phase_h[i],
            phase_len_h[i],
            age_h[i],
        ] {
            eat(x.to_bits() as u64);
        }
        eat(id[i]);
        eat(stage[i] as u64 | (divisions[i] as u64) << 8);
    }
    eat(*lineages);
    eat(entry_carry.to_bits());
    eat(progenitor_tsat.map_or(u64::MAX, f64::to_bits));
    let RedCells {
        volume_fl,
        hb_pg,
        age_h,
        lifespan_h,
        id,
        zpp_per_heme,
    } = sim.blood();
    for i in 0..volume_fl.len() {
        for x in [
            volume_fl[i],
            hb_pg[i],
            age_h[i],
            lifespan_h[i],
            zpp_per_heme[i],
        ] {
            eat(x.to_bits() as u64);
        }
        eat(id[i]);
    }
    if let Some(b) = sim.body() {
        for x in [
            b.plasma_fe_mg,
            b.storage_fe_mg,
            b.macrophage_fe_mg,
            b.red_cell_fe_mg,
            b.hepcidin_nm,
            b.epo_mu_ml,
            b.absorbed_mg,
            b.lost_mg,
            b.given_mg,
            b.il6_pg_ml,
        ] {
            eat(x.to_bits());
        }
    }
    eat(sim.steps());
    h
}
