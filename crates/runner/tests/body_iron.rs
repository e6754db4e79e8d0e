//! The body's iron books: total body iron (the body's pools plus the
//! erythroblasts) changes every step exactly by what was absorbed minus what
//! was lost, and a healthy body with its iron economy stays at its steady state.

mod common;

use erythro_core::body::BodyConfig;
use erythro_core::Config;
use erythro_runner::Simulation;

fn with_body(body: BodyConfig) -> Config {
    let mut c = common::small(Config::default());
    c.body = Some(body);
    c
}

fn check_conservation(config: Config, steps: usize) {
    let mut sim = Simulation::new(config).unwrap();
    let start = sim.body_iron_mg().unwrap();
    for step in 0..steps {
        sim.step();
        let b = sim.body().unwrap();
        let expected = start + b.absorbed_mg - b.lost_mg;
        let now = sim.body_iron_mg().unwrap();
        assert!(
            (now - expected).abs() <= 1e-9 * now,
            "step {step}: body holds {now} mg, books say {expected} mg"
        );
        assert!(b.plasma_fe_mg >= 0.0 && b.storage_fe_mg >= 0.0 && b.macrophage_fe_mg >= 0.0);
    }
}

#[test]
fn body_iron_changes_only_by_absorption_minus_losses_in_health() {
    check_conservation(with_body(BodyConfig::default()), 24 * 5);
}

#[test]
fn body_iron_is_conserved_on_a_poor_diet_with_low_stores() {
    let body = BodyConfig {
        diet_fe_mg_per_day: 2.0,
        storage_fe_mg: 50.0,
        ..BodyConfig::default()
    };
    check_conservation(with_body(body), 24 * 5);
}

#[test]
fn healthy_body_stays_at_its_steady_state() {
    let samples = common::pool(2).install(|| {
        let mut sim = Simulation::new(with_body(BodyConfig::default())).unwrap();
        sim.run(20.0, |_| {}, |_, _| {}).unwrap()
    });
    let (first, last) = (&samples[0], &samples[samples.len() - 1]);
    assert!((last.cbc.hb_g_dl - first.cbc.hb_g_dl).abs() < 0.03 * first.cbc.hb_g_dl);
    assert!(
        (20.0..=45.0).contains(&last.plasma.tsat_pct),
        "TSAT {}",
        last.plasma.tsat_pct
    );
    let b = last.plasma.body.unwrap();
    assert!(
        (40.0..=380.0).contains(&b.ferritin_ug_l),
        "ferritin {}",
        b.ferritin_ug_l
    );
    assert!(
        (250.0..=370.0).contains(&b.tibc_ug_dl),
        "TIBC {}",
        b.tibc_ug_dl
    );
}

#[test]
fn body_iron_is_conserved_while_bleeding() {
    let body = BodyConfig {
        bleeding_ml_per_day: 100.0,
        ..BodyConfig::default()
    };
    check_conservation(with_body(body), 24 * 5);
}
