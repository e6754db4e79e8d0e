//! Benchmarks of the hot loop: one time step of the whole model (every
//! erythroblast and every circulating red cell) at the steady state of the
//! healthy default, at two scales. Throughput is reported per agent-step.
//!
//! The simulation is built outside the timed closure; each iteration is one
//! step of a population at steady state, so the work per iteration is stable.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use erythro_core::Config;
use erythro_runner::Simulation;

fn whole_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.sample_size(10);
    // cells_per_agent 8e6 gives about 1e5 marrow agents, 8e5 about 1e6.
    for cells_per_agent in [8.0e6, 8.0e5] {
        let mut config = Config::default();
        config.scale.cells_per_agent = cells_per_agent;
        let mut sim = Simulation::new(config).expect("the default config is valid");
        let agents = (sim.marrow().len() + sim.blood().len()) as u64;
        group.throughput(Throughput::Elements(agents));
        group.bench_with_input(BenchmarkId::new("agents", agents), &agents, |b, _| {
            b.iter(|| sim.step())
        });
    }
    group.finish();
}

criterion_group!(benches, whole_step);
criterion_main!(benches);
