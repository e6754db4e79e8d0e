//! Small, fast configs for whole-model tests.

#![allow(dead_code)] // each test file uses a different subset

use erythro_core::schedule::Schedule;
use erythro_core::Config;

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
