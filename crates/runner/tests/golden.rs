//! Golden digests of two small runs: pin the model's output bit for bit, so
//! an optimisation or refactor that changes any result fails here. One is
//! the default (prescribed plasma), the other runs the body's iron economy
//! through one event of every kind.
//!
//! Each digest covers the whole state at the end (`common::state_digest`:
//! every field of every agent, the marrow's entry bookkeeping, the body's
//! pools) and every field of every sample. To re-mint after an intended
//! change of the science (or of the digest itself), run this test, read the
//! digests it prints on failure, update the constants and say why in the
//! commit.

mod common;

use erythro_core::Config;
use erythro_runner::Simulation;

const GOLDEN: u64 = 17837904285122391142;
const GOLDEN_EVERY_EVENT: u64 = 1039051320600518955;

/// The digest of `config` run for `days` on two threads, and the simulation.
fn digest(config: Config, days: f64) -> (u64, Simulation) {
    common::pool(2).install(|| {
        let mut sim = Simulation::new(config).unwrap();
        let samples = sim.run(days, |_| {}, |_, _| {}).unwrap();
        let mut h = common::state_digest(&sim);
        for (_, v) in samples.iter().flat_map(|s| s.fields()) {
            h = (h ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
        }
        (h, sim)
    })
}

#[test]
fn golden_digest_of_a_small_default_run() {
    let (digest, _) = digest(common::small(Config::default()), 3.0);
    assert_eq!(digest, GOLDEN, "golden digest changed: {digest}");
}

#[test]
fn golden_digest_of_a_small_run_with_the_body_and_every_event() {
    let (digest, sim) = digest(common::every_event(), 3.0);
    // The run went through the events: iron given (intravenous and
    // transfused) and lost (bleeding and the donation), beyond the basal loss.
    let body = sim.body().unwrap();
    assert!(body.given_mg > 600.0, "given {} mg", body.given_mg);
    assert!(body.lost_mg > 200.0, "lost {} mg", body.lost_mg);
    assert_eq!(
        digest, GOLDEN_EVERY_EVENT,
        "golden digest with every event changed: {digest}"
    );
}
