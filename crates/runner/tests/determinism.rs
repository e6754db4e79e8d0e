//! The same config and seed give bitwise-identical results at any thread count.

mod common;

use erythro_core::Config;
use erythro_runner::Simulation;

/// Every sample field's bits plus a digest of the whole agent state.
fn fingerprint(threads: usize, config: &Config) -> (Vec<u64>, u64) {
    common::pool(threads).install(|| {
        let mut sim = Simulation::new(config.clone()).unwrap();
        let samples = sim.run(2.0, |_| {}, |_, _| {}).unwrap();
        let bits = samples
            .iter()
            .flat_map(|s| s.fields())
            .map(|(_, v)| v.to_bits())
            .collect();
        (bits, common::state_digest(&sim))
    })
}

#[test]
fn thread_count_determinism() {
    let config = common::small(Config::default());
    let one = fingerprint(1, &config);
    assert_eq!(one, fingerprint(2, &config), "1 vs 2 threads");
    assert_eq!(one, fingerprint(4, &config), "1 vs 4 threads");
    assert_eq!(one, fingerprint(2, &config), "two runs at 2 threads");
}

#[test]
fn thread_count_determinism_with_the_body_and_every_event() {
    let config = common::every_event();
    let one = fingerprint(1, &config);
    assert_eq!(one, fingerprint(2, &config), "1 vs 2 threads");
}

#[test]
fn seed_changes_the_draws() {
    let config = common::small(Config::default());
    let mut other = config.clone();
    other.run.seed += 1;
    assert_ne!(fingerprint(2, &config).1, fingerprint(2, &other).1);
}
