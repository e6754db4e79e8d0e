//! Events changed while a run goes (`Simulation::set_events`, what the
//! classroom page's sliders do) act exactly as the same events configured
//! from the start: same bits, from the step after the change.

mod common;

use erythro_core::events::Event;
use erythro_core::Config;
use erythro_runner::Simulation;

const CHANGE_DAY: f64 = 2.0;

fn with_body() -> Config {
    let mut c = common::small(Config::default());
    c.body = Some(Default::default());
    c
}

fn live_events() -> Vec<Event> {
    vec![
        Event::Bleeding {
            from_day: CHANGE_DAY,
            to_day: 36500.0,
            ml_per_day: 40.0,
        },
        Event::Diet {
            from_day: CHANGE_DAY,
            fe_mg_per_day: 2.0,
        },
        Event::Inflammation {
            from_day: CHANGE_DAY,
            to_day: 36500.0,
            il6_pg_ml: 30.0,
        },
        Event::Lead {
            from_day: CHANGE_DAY,
            to_day: 36500.0,
            ug_dl: 50.0,
        },
    ]
}

/// Every sample's field bits, then the whole agent state.
fn fingerprint(sim: &mut Simulation, days: f64) -> (Vec<Vec<u64>>, u64) {
    let samples = sim.run(days, |_| {}, |_, _| {}).unwrap();
    let bits = samples
        .iter()
        .map(|s| s.fields().iter().map(|(_, v)| v.to_bits()).collect())
        .collect();
    (bits, common::state_digest(sim))
}

#[test]
fn events_set_mid_run_equal_events_configured_from_the_start() {
    let mut planned_config = with_body();
    planned_config.events = live_events();
    let mut planned = Simulation::new(planned_config).unwrap();
    let planned_head = fingerprint(&mut planned, CHANGE_DAY);

    let mut live = Simulation::new(with_body()).unwrap();
    let live_head = fingerprint(&mut live, CHANGE_DAY);
    // The agents are the same up to the change; the last sample differs only
    // in what it reports of the coming step's plasma (the planned lead).
    assert_eq!(planned_head.1, live_head.1, "the events start after day 2");
    let n = planned_head.0.len();
    assert_eq!(planned_head.0[..n - 1], live_head.0[..n - 1]);
    assert_ne!(planned_head.0[n - 1], live_head.0[n - 1]);
    live.set_events(live_events()).unwrap();
    assert_eq!(live.config().events, live_events());

    let planned_tail = fingerprint(&mut planned, 2.0);
    let live_tail = fingerprint(&mut live, 2.0);
    assert_eq!(planned_tail, live_tail);

    // And the change did something: without it the run differs.
    let mut unchanged = Simulation::new(with_body()).unwrap();
    fingerprint(&mut unchanged, CHANGE_DAY);
    assert_ne!(fingerprint(&mut unchanged, 2.0), live_tail);
}

#[test]
fn invalid_live_events_are_refused_and_change_nothing() {
    let mut sim = Simulation::new(with_body()).unwrap();
    let bad = vec![Event::Bleeding {
        from_day: 1.0,
        to_day: 36500.0,
        ml_per_day: -5.0,
    }];
    let e = sim.set_events(bad).unwrap_err();
    assert!(e.to_string().contains("events[].ml_per_day"), "{e}");
    assert!(sim.config().events.is_empty());

    // Events without a body are refused as in a config file.
    let mut prescribed = Simulation::new(common::small(Config::default())).unwrap();
    let e = prescribed.set_events(live_events()).unwrap_err();
    assert!(e.to_string().contains("events"), "{e}");
}
