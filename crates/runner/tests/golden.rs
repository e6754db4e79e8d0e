//! Golden digest of a small default run: pins the model's output bit for bit,
//! so an optimisation or refactor that changes any result fails here.
//!
//! To re-mint after an intended change of the science, run this test, read
//! the digest it prints on failure, update `GOLDEN` and say why in the commit.

mod common;

use erythro_core::Config;
use erythro_runner::Simulation;

const GOLDEN: u64 = 9758722511597249376;

#[test]
fn golden_digest_of_a_small_default_run() {
    let digest = common::pool(2).install(|| {
        let mut sim = Simulation::new(common::small(Config::default())).unwrap();
        let samples = sim.run(3.0, |_| {}, |_, _| {}).unwrap();
        let mut h = common::state_digest(&sim);
        for (_, v) in samples.iter().flat_map(|s| s.fields()) {
            h = (h ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
        }
        h
    });
    assert_eq!(digest, GOLDEN, "golden digest changed: {digest}");
}
