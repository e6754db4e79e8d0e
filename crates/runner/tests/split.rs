//! One body split across processes gives the bits of the body held by one
//! process, at any number of ranks: the ranks are threads here
//! ([`Threads`]), the same collective interface MPI ranks use. Every sample
//! field, the final histograms and the union of the agents (in id order)
//! are compared, and every rank must hold the identical body.

mod common;

use erythro_core::Config;
use erythro_runner::collective::{Collective, Threads};
use erythro_runner::{Alone, Simulation};

/// What a run leaves: every sample field's bits, the histograms' bits, the
/// agents (id and state bits, sorted by id), the body's bits.
#[derive(Debug, PartialEq)]
struct Outcome {
    samples: Vec<u64>,
    histograms: Vec<u64>,
    marrow: Vec<Vec<u64>>,
    blood: Vec<Vec<u64>>,
    body: Vec<u64>,
}

fn run<C: Collective>(config: &Config, team: C, days: f64) -> Outcome {
    let mut sim = Simulation::split(config.clone(), team).unwrap();
    let samples = sim.run(days, |_| {}, |_, _| {}).unwrap();
    let h = sim.histograms();
    let c = &sim.marrow().cells;
    let marrow = (0..c.id.len())
        .map(|i| {
            let mut v = vec![c.id[i], c.divisions[i] as u64, c.stage[i] as u64];
            v.extend(
                [
                    c.volume_fl[i],
                    c.hb_pg[i],
                    c.mito_fe_fg[i],
                    c.free_globin_pg[i],
                    c.zpp_fe_fg[i],
                    c.membrane[i],
                    c.uptake_factor[i],
                    c.phase_h[i],
                    c.phase_len_h[i],
                    c.age_h[i],
                ]
                .map(|x| x.to_bits() as u64),
            );
            v
        })
        .collect();
    let b = sim.blood();
    let blood = (0..b.id.len())
        .map(|i| {
            let mut v = vec![b.id[i]];
            v.extend(
                [b.volume_fl[i], b.hb_pg[i], b.age_h[i], b.lifespan_h[i]]
                    .map(|x| x.to_bits() as u64),
            );
            v
        })
        .collect();
    let body = sim.body().map_or_else(Vec::new, |b| {
        [
            b.plasma_fe_mg,
            b.storage_fe_mg,
            b.macrophage_fe_mg,
            b.red_cell_fe_mg,
            b.hepcidin_nm,
            b.epo_mu_ml,
            b.lost_mg,
            b.given_mg,
        ]
        .map(f64::to_bits)
        .to_vec()
    });
    let hist_bits = h
        .volume
        .fraction
        .iter()
        .chain(&h.hb_content.fraction)
        .chain(h.cytogram.fraction.iter().flatten())
        .chain(h.cytogram.regions.iter().flatten())
        .map(|x| x.to_bits())
        .collect();
    Outcome {
        samples: samples
            .iter()
            .flat_map(|s| s.fields())
            .map(|(_, v)| v.to_bits())
            .collect(),
        histograms: hist_bits,
        marrow,
        blood,
        body,
    }
}

/// The run split across `ranks` thread-ranks: the merged outcome, after
/// checking that every rank saw the same samples, histograms and body.
fn split(config: &Config, ranks: usize, days: f64) -> Outcome {
    let outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = Threads::team(ranks)
            .into_iter()
            .map(|team| s.spawn(move || common::pool(1).install(|| run(config, team, days))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut merged = Outcome {
        samples: outcomes[0].samples.clone(),
        histograms: outcomes[0].histograms.clone(),
        marrow: Vec::new(),
        blood: Vec::new(),
        body: outcomes[0].body.clone(),
    };
    for (rank, o) in outcomes.into_iter().enumerate() {
        assert_eq!(o.samples, merged.samples, "rank {rank} sampled otherwise");
        assert_eq!(
            o.histograms, merged.histograms,
            "rank {rank} binned otherwise"
        );
        assert_eq!(o.body, merged.body, "rank {rank} holds another body");
        if ranks > 1 {
            assert!(!o.marrow.is_empty(), "rank {rank} holds no marrow");
        }
        merged.marrow.extend(o.marrow);
        merged.blood.extend(o.blood);
    }
    merged.marrow.sort();
    merged.blood.sort();
    merged
}

fn alone(config: &Config, days: f64) -> Outcome {
    let mut o = common::pool(2).install(|| run(config, Alone, days));
    o.marrow.sort();
    o.blood.sort();
    o
}

#[test]
fn a_split_run_gives_the_bits_of_one_process() {
    let config = common::small(Config::default());
    let one = alone(&config, 2.0);
    for ranks in [1, 2, 3] {
        assert!(split(&config, ranks, 2.0) == one, "{ranks} ranks differ");
    }
}

#[test]
fn a_split_run_with_the_body_and_every_event_gives_the_same_bits() {
    // Bleeding and donation draw which cells are lost, the transfusion
    // makes cells: all of it by identity, whichever rank holds them.
    let config = common::every_event();
    let one = alone(&config, 3.0);
    for ranks in [2, 3] {
        assert!(split(&config, ranks, 3.0) == one, "{ranks} ranks differ");
    }
}
