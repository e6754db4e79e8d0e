//! Benchmarks of the hot loops (issue: speed near the machine's limit).
//!
//! - `marrow/{normal,restricted}/N`: the marrow kernel alone at a fixed
//!   plasma state (transferrin saturation 30% or 6%) from a steady-state
//!   population of N erythroblast agents;
//! - `circulation/N`: the circulating red cells alone;
//! - `analysis/10000000`: indices and histograms of 10^7 red cells;
//! - `day/default`: one whole simulated day (24 steps) of the default config.
//!
//! Populations are built outside the timed closures (large ones by repeating
//! a steady state, `Simulation::tiled`); throughput is per agent-step.
//! `cargo bench -- --test` runs each once, as CI does.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use erythro_analysis::{histograms, red_cell_indices, RedCellView};
use erythro_core::schedule::Schedule;
use erythro_core::Config;
use erythro_runner::Simulation;

/// A steady state of about `agents` erythroblast agents at saturation `tsat`.
fn population(agents: usize, tsat: f64) -> Simulation {
    let mut config = Config::default();
    config.plasma.tsat = Schedule::Constant(tsat);
    // About 1e5 agents per copy.
    config.scale.cells_per_agent = 8.0e6;
    let copies = (agents / 100_000).max(1);
    Simulation::tiled(config, copies).expect("valid config")
}

fn marrow(c: &mut Criterion) {
    let mut group = c.benchmark_group("marrow");
    group.sample_size(10);
    for (label, tsat) in [("normal", 0.30), ("restricted", 0.06)] {
        for agents in [100_000, 1_000_000, 10_000_000] {
            let mut sim = population(agents, tsat);
            group.throughput(Throughput::Elements(sim.marrow().len() as u64));
            group.bench_function(BenchmarkId::new(label, agents), |b| {
                b.iter(|| sim.step_marrow_only())
            });
        }
    }
    group.finish();
}

fn circulation(c: &mut Criterion) {
    let mut group = c.benchmark_group("circulation");
    group.sample_size(10);
    let mut sim = population(1_000_000, 0.30);
    let agents = sim.blood().len();
    group.throughput(Throughput::Elements(agents as u64));
    let saved = sim.blood().clone();
    // Without the marrow the circulation only loses cells: restore it
    // before every timed step.
    group.bench_function(BenchmarkId::from_parameter(agents), |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                sim.restore_blood(&saved);
                let start = std::time::Instant::now();
                sim.step_blood_only();
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    let n = 10_000_000usize;
    // A deterministic population spread like blood: volumes 60-120 fL,
    // concentrations 30-36 g/dL, ages over 120 days.
    let volume: Vec<f32> = (0..n)
        .map(|i| 60.0 + 60.0 * ((i * 7919) % n) as f32 / n as f32)
        .collect();
    let hb: Vec<f32> = volume
        .iter()
        .enumerate()
        .map(|(i, v)| v * (0.30 + 0.06 * (i % 97) as f32 / 97.0))
        .collect();
    let age: Vec<f32> = (0..n).map(|i| (i % 2880) as f32).collect();
    let view = RedCellView {
        volume_fl: &volume,
        hb_pg: &hb,
        age_h: &age,
        reticulocyte_age_h: 24.0,
        cells_per_agent: 2.5e6,
        blood_volume_l: 5.0,
    };
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::from_parameter(n), |b| {
        b.iter(|| (red_cell_indices(&view).unwrap(), histograms(&view)))
    });
    group.finish();
}

fn whole_day(c: &mut Criterion) {
    let mut group = c.benchmark_group("day");
    group.sample_size(10);
    let mut sim = Simulation::new(Config::default()).expect("valid config");
    group.throughput(Throughput::Elements(
        24 * (sim.marrow().len() + sim.blood().len()) as u64,
    ));
    group.bench_function("default", |b| {
        b.iter(|| {
            for _ in 0..24 {
                sim.step();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, marrow, circulation, analysis, whole_day);
criterion_main!(benches);
