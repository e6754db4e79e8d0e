//! Small, fast configs for whole-model tests.

#![allow(dead_code)] // each test file uses a different subset

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

/// Runs a pool of `threads` threads.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// FNV-1a over every agent's state, in storage order.
pub fn state_digest(sim: &Simulation) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        h ^= x;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    let m = &sim.marrow().cells;
    for i in 0..m.volume_fl.len() {
        eat(m.volume_fl[i].to_bits() as u64);
        eat(m.hb_pg[i].to_bits() as u64);
        eat(m.mito_fe_fg[i].to_bits() as u64);
        eat(m.free_globin_pg[i].to_bits() as u64);
        eat(m.id[i]);
        eat(m.stage[i] as u64 | (m.divisions[i] as u64) << 8);
    }
    let b = sim.blood();
    for i in 0..b.len() {
        eat(b.volume_fl[i].to_bits() as u64);
        eat(b.hb_pg[i].to_bits() as u64);
        eat(b.age_h[i].to_bits() as u64);
        eat(b.lifespan_h[i].to_bits() as u64);
    }
    h
}
