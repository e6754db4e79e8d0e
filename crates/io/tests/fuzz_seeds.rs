//! The checkpoint fuzz target's minted seeds: a real checkpoint of a tiny
//! run with the body, events and a lineage watch (so mutations start from
//! a file every check accepts). Re-mint after a model change (a new state
//! field changes the layout fingerprint, and old seeds are then refused at
//! the header):
//!
//! ```text
//! cargo test -p erythro-io --test fuzz_seeds -- --ignored
//! ```
//!
//! which writes `fuzz/seeds/checkpoint/minted-{file,payload}.bin`; `.ci/run`
//! mints fresh ones into the fuzzing corpus before every fuzz run anyway
//! (`ERYTHRO_SEED_DIR` names the directory).

use std::path::PathBuf;

use erythro_core::body::BodyConfig;
use erythro_core::events::Event;
use erythro_core::Config;
use erythro_io::checkpoint;
use erythro_runner::snapshot::Snapshot;
use erythro_runner::{Run, Simulation};

/// A run of a few thousand agents: the body, two events, lineages followed.
fn tiny_snapshot() -> Snapshot {
    let mut c = Config::default();
    c.scale.cells_per_agent = 1e10;
    c.scale.circulating_sample_fraction = 0.5;
    c.run.burn_in_days = 12.0;
    c.run.days = 2.0;
    c.body = Some(BodyConfig::default());
    c.events = vec![
        Event::Bleeding {
            from_day: 0.2,
            to_day: 1.5,
            ml_per_day: 50.0,
        },
        Event::Transfusion {
            day: 0.5,
            units: 1.0,
        },
    ];
    let mut sim = Simulation::new(c).unwrap();
    sim.watch_lineages(0.0, 2);
    let mut run = Run::start(sim, 2.0).unwrap();
    while run.clock().done < 30 {
        run.advance().unwrap();
    }
    Snapshot::of(&run, "fuzz-seed").unwrap()
}

/// The two seeds: mode byte 0 and the whole file, mode 1 and the payload.
fn seeds() -> [(String, Vec<u8>); 2] {
    let file = checkpoint::encode(&tiny_snapshot()).unwrap();
    let payload = checkpoint::unframe(&file).unwrap().to_vec();
    [
        ("minted-file.bin".into(), [&[0u8][..], &file].concat()),
        ("minted-payload.bin".into(), [&[1u8][..], &payload].concat()),
    ]
}

#[test]
fn the_seed_checkpoint_round_trips() {
    let snap = tiny_snapshot();
    let bytes = checkpoint::encode(&snap).unwrap();
    let back = checkpoint::decode(&bytes).unwrap();
    assert_eq!(back, snap);
    let (run, label) = back.restore().unwrap();
    assert_eq!(label, "fuzz-seed");
    assert_eq!(run.clock().done, 30);
}

/// Writes the seeds into `ERYTHRO_SEED_DIR` (default the committed
/// `fuzz/seeds/checkpoint`).
#[test]
#[ignore = "writes the fuzz seeds; run after a model change"]
fn mint_checkpoint_fuzz_seeds() {
    let dir = std::env::var_os("ERYTHRO_SEED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/checkpoint"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in seeds() {
        std::fs::write(dir.join(&name), bytes).unwrap();
        println!("wrote {}", dir.join(name).display());
    }
}
