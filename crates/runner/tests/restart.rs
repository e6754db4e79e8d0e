//! A run restored from a snapshot continues bit for bit as the run that
//! never stopped, at any thread count; a damaged snapshot is refused.

mod common;

use erythro_core::Config;
use erythro_runner::snapshot::Snapshot;
use erythro_runner::{Run, Sample, Simulation};

/// Every sample field's bits.
fn bits(samples: &[Sample]) -> Vec<u64> {
    samples
        .iter()
        .flat_map(|s| s.fields())
        .map(|(_, v)| v.to_bits())
        .collect()
}

/// A run of `days` with lineages followed from day 0.5.
fn start(config: &Config, days: f64) -> Run {
    let mut sim = Simulation::new(config.clone()).unwrap();
    sim.watch_lineages(0.5, 3);
    Run::start(sim, days).unwrap()
}

fn finish(run: &mut Run) {
    while !run.is_finished() {
        run.advance().unwrap();
    }
}

/// The uninterrupted run's samples, state digest and final snapshot,
/// against the same run stopped after `stop` steps at 1 thread, snapshot,
/// restored and finished at `threads` threads.
fn check_restart(config: &Config, days: f64, stop: u64, threads: usize) {
    let (whole, digest, last) = common::pool(2).install(|| {
        let mut run = start(config, days);
        finish(&mut run);
        let last = Snapshot::of(&run, "r").unwrap();
        (bits(run.samples()), common::state_digest(run.sim()), last)
    });
    let snap = common::pool(1).install(|| {
        let mut run = start(config, days);
        while run.clock().done < stop {
            run.advance().unwrap();
        }
        Snapshot::of(&run, "r").unwrap()
    });
    common::pool(threads).install(|| {
        let (mut run, label) = snap.clone().restore().unwrap();
        assert_eq!(label, "r");
        // The restored run's own snapshot is the one it came from.
        assert_eq!(Snapshot::of(&run, "r").unwrap(), snap);
        finish(&mut run);
        assert_eq!(
            bits(run.samples()),
            whole,
            "samples after a restart at step {stop}"
        );
        assert_eq!(common::state_digest(run.sim()), digest);
        assert_eq!(Snapshot::of(&run, "r").unwrap(), last);
    });
}

#[test]
fn restart_with_the_body_and_every_event_is_bit_identical_at_any_thread_count() {
    let config = common::every_event();
    // Mid-way through the events (transfusion at day 2, donation at 2.5),
    // between two samples, at 1 and 2 threads.
    check_restart(&config, 3.0, 37, 2);
    check_restart(&config, 3.0, 61, 1);
}

#[test]
fn restart_with_prescribed_plasma_at_a_sample_and_at_the_start() {
    let config = common::small(Config::default());
    check_restart(&config, 2.0, 24, 2);
    check_restart(&config, 2.0, 0, 1);
}

#[test]
fn damaged_snapshots_are_refused_with_a_reason() {
    let config = common::every_event();
    let mut run = start(&config, 1.0);
    while run.clock().done < 20 {
        run.advance().unwrap();
    }
    let snap = Snapshot::of(&run, "r").unwrap();
    assert!(snap.sim.watch.as_ref().is_some_and(|w| !w.live.is_empty()));
    let refused = |f: &dyn Fn(&mut Snapshot), why: &str| {
        let mut s = snap.clone();
        f(&mut s);
        let err = s
            .restore()
            .err()
            .expect("a damaged snapshot must be refused")
            .to_string();
        assert!(err.contains(why), "{err}");
    };
    refused(
        &|s| {
            s.sim.marrow.cells.hb_pg.pop();
        },
        "columns differ",
    );
    refused(&|s| s.sim.marrow.cells.stage[0] = 7, "stage");
    refused(&|s| s.sim.blood.age_h[0] = f32::NAN, "not finite");
    refused(&|s| s.sim.body = None, "body");
    refused(&|s| s.samples.clear(), "no sample");
    refused(&|s| s.clock.done = s.clock.total + 1, "clock");
    refused(&|s| s.config_ron = "(run: (days: -1.0))".into(), "run.days");
    refused(&|s| s.config_ron = "not ron".into(), "config");
    refused(
        &|s| {
            let w = s.sim.watch.as_mut().unwrap();
            w.live.push((w.live[0].0.clone(), 99, 0));
        },
        "followed cell",
    );
}

#[test]
fn the_layout_lists_every_mirrored_field() {
    let text = erythro_runner::snapshot::mirror::layout_text();
    for needle in [
        "Erythroblasts{volume_fl:Vec<f32>",
        "stage:Vec<u8>",
        "BodyState{plasma_fe_mg:f64",
        "Simulation{marrow:MarrowSnap",
        "Cbc{rbc_1e12_per_l:f64",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    assert_ne!(erythro_runner::snapshot::layout_fingerprint(), 0);
}
