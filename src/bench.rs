//! `erythro bench`: the marrow kernel alone at a fixed plasma state, from a
//! steady-state population, against a triad measured in the same run.

use anyhow::{Context, Result};
use clap::Args;
use erythro_core::circulation::RED_CELL_BYTES;
use erythro_runner::{bench, Simulation};

/// Options of `erythro bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Erythroblast agents to step (the steady state is repeated to reach it).
    #[arg(long, default_value_t = 10_000_000)]
    agents: usize,
    /// Simulated hours (steps) to time.
    #[arg(long, default_value_t = 24)]
    hours: u64,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Elements of each triad array (f64); the default, 3 x 512 MiB, is
    /// larger than the caches of the machines this runs on.
    #[arg(long, default_value_t = 1 << 26)]
    triad_elements: usize,
}

/// Agents of the steady state that is repeated (the default config at 10x
/// fewer real cells per agent than a run uses: about 1e5 agents).
const SOURCE_CELLS_PER_AGENT: f64 = 8.0e6;
/// Agents of that steady state, about.
const SOURCE_AGENTS: f64 = 1.0e5;
/// Most copies of it: the circulation's ids stay unique below 256 copies,
/// so larger populations repeat a larger steady state.
const MAX_COPIES: f64 = 200.0;

/// Runs the benchmark and prints its report.
pub fn run(args: BenchArgs) -> Result<()> {
    anyhow::ensure!(args.agents >= 1000, "--agents must be at least 1000");
    anyhow::ensure!(args.hours >= 1, "--hours must be at least 1");
    let pool = crate::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let mut config = erythro_io::config::default_config();
    let larger = (args.agents as f64 / (SOURCE_AGENTS * MAX_COPIES)).max(1.0);
    config.scale.cells_per_agent = SOURCE_CELLS_PER_AGENT / larger;
    let (speed, triad, agents) = pool.install(|| -> Result<_> {
        let source = Simulation::new(config.clone()).context("cannot build the steady state")?;
        let copies = (args.agents as f64 / source.marrow().len() as f64)
            .round()
            .max(1.0) as usize;
        drop(source);
        let mut sim = Simulation::tiled(config, copies)?;
        let agents = sim.marrow().len();
        // One untimed step warms caches and scratch buffers.
        sim.step_marrow_only();
        let speed = bench::marrow_kernel(&mut sim, args.hours);
        drop(sim);
        let triad = bench::triad(args.triad_elements, 5);
        Ok((speed, triad, agents))
    })?;
    crate::sayln!(
        "marrow kernel: {agents} erythroblast agents at steady state, {} hours, {threads} threads",
        args.hours
    );
    crate::sayln!(
        "  erythroblast-hours per second   {:.3e}",
        speed.agent_steps_per_s
    );
    crate::sayln!(
        "  time per simulated hour         {:.2} ms",
        1e3 * speed.seconds / speed.steps as f64
    );
    crate::sayln!(
        "  state per agent                 {} bytes per erythroblast, {} per circulating red cell",
        speed.bytes_per_agent,
        RED_CELL_BYTES
    );
    crate::sayln!(
        "  effective traffic               {} bytes per erythroblast-hour = {:.2} GB/s",
        speed.traffic_bytes_per_agent_step,
        speed.bytes_per_s / 1e9
    );
    crate::sayln!(
        "  memory bandwidth (triad)        {:.2} GB/s  (3 arrays of {:.0} MiB, 24 bytes per element)",
        triad.bytes_per_s / 1e9,
        triad.array_mib
    );
    crate::sayln!(
        "  roofline                        {:.2}  (kernel traffic / triad bandwidth)",
        speed.bytes_per_s / triad.bytes_per_s
    );
    Ok(())
}
