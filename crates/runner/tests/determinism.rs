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
        (bits, state_digest(&sim))
    })
}

/// FNV-1a over every agent's state, in storage order.
fn state_digest(sim: &Simulation) -> u64 {
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

#[test]
fn thread_count_determinism() {
    let config = common::small(Config::default());
    let one = fingerprint(1, &config);
    assert_eq!(one, fingerprint(2, &config), "1 vs 2 threads");
    assert_eq!(one, fingerprint(4, &config), "1 vs 4 threads");
    assert_eq!(one, fingerprint(2, &config), "two runs at 2 threads");
}

#[test]
fn seed_changes_the_draws() {
    let config = common::small(Config::default());
    let mut other = config.clone();
    other.run.seed += 1;
    assert_ne!(fingerprint(2, &config).1, fingerprint(2, &other).1);
}
