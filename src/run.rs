//! `erythro run [CONFIG]`: one run, its blood count printed against the
//! reference ranges and its results directory written atomically; under
//! `mpirun` (the `mpi` feature) one body split across the ranks.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use erythro_core::Config;
use erythro_io::{config, results, Staged};
use erythro_report::lineage::DEFAULT_COHORT;
use erythro_runner::{Alone, Collective, Simulation};

use crate::{progress, say, sayln, table};

/// Options of `erythro run`.
#[derive(Args, Default)]
pub struct RunArgs {
    /// RON config file; the embedded default (healthy adult man) when absent.
    config: Option<PathBuf>,
    /// Results directory [default: results/runs/CONFIG-NAME].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of every random stream (overrides the config's run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Simulated days after the steady state (overrides run.days).
    #[arg(long, allow_negative_numbers = true)]
    days: Option<f64>,
    /// Also write report.html and plots/ (SVG and PNG) into the results.
    #[arg(long)]
    report: bool,
}

/// Days before the end of a run at which the lineages it records enter:
/// a lineage takes about a week to leave the marrow, longer when iron is short.
const LINEAGE_DAYS_BEFORE_END: f64 = 12.0;

/// Runs `erythro run`: in one process, or split across the ranks of
/// `world` (`mpirun -n N erythro run`), where rank 0 shows progress and
/// writes the results and every rank holds a share of the body.
pub fn run(args: RunArgs, world: &crate::cluster::World) -> Result<()> {
    let (mut config, name) = match &args.config {
        Some(path) => (config::load(path)?, crate::stem(path)),
        None => (config::default_config(), "default".to_string()),
    };
    if let Some(seed) = args.seed {
        config.run.seed = seed;
    }
    if let Some(days) = args.days {
        config.run.days = days;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join("runs").join(&name));
    let pool = crate::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();

    let started = Instant::now();
    #[cfg(feature = "mpi")]
    if let Some(mpi) = crate::cluster::ranks(world) {
        let root = mpi.rank() == 0;
        let (done, t) = simulate(&pool, &config, &name, mpi.team(), root, |team| {
            team.traffic()
        })?;
        if !root {
            return Ok(());
        }
        let ranks = format!(
            "{} ranks x {threads} threads; rank 0's collectives: {} calls, {} bytes, {:.3} s \
             ({:.0} bytes and {:.1} us a call)",
            mpi.size(),
            t.calls,
            t.bytes,
            t.seconds,
            t.bytes as f64 / t.calls.max(1) as f64,
            1e6 * t.seconds / t.calls.max(1) as f64
        );
        return write(&args, &config, &name, &out, done, &ranks, started);
    }
    let _ = world;
    let (done, ()) = simulate(&pool, &config, &name, Alone, true, |_| ())?;
    write(
        &args,
        &config,
        &name,
        &out,
        done,
        &format!("{threads} threads"),
        started,
    )
}

/// What a run leaves for its results directory.
struct Done {
    samples: Vec<erythro_runner::Sample>,
    histograms: erythro_analysis::Histograms,
    agents: (u64, u64),
    traced: Option<erythro_io::lineage::LineageRecord>,
}

/// Runs `config` on `pool` with this process's share of the body (all of
/// it with [`Alone`]); `root` shows progress and follows the lineages;
/// `cost` reads what the team's collectives cost at the end.
fn simulate<C: Collective + Send, T: Send>(
    pool: &rayon::ThreadPool,
    config: &Config,
    name: &str,
    team: C,
    root: bool,
    cost: impl FnOnce(&C) -> T + Send,
) -> Result<(Done, T)> {
    let days = config.run.days;
    pool.install(|| -> Result<_> {
        // Validates the config (with the overrides) before any work.
        let mut sim = Simulation::split(config.clone(), team)
            .context("after applying the command-line overrides")?;
        // Follow lineages entering near the end, to draw one (lineage.json).
        if root {
            sim.watch_lineages((days - LINEAGE_DAYS_BEFORE_END).max(0.0), DEFAULT_COHORT);
        }
        let bar = root
            .then(|| progress::bar("{elapsed_precise} [{bar:40}] {pos}/{len} hours, eta {eta}"))
            .flatten();
        let samples = sim.run(
            days,
            |_| {},
            |done, total| {
                if let Some(bar) = &bar {
                    bar.set_length(total);
                    bar.set_position(done);
                }
            },
        )?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let histograms = sim.histograms();
        let agents = sim.agents();
        let traced = sim
            .lineage_watch()
            .and_then(|w| erythro_io::lineage::LineageRecord::from_watch(name, config, w));
        let t = cost(sim.team());
        Ok((
            Done {
                samples,
                histograms,
                agents,
                traced,
            },
            t,
        ))
    })
}

/// Writes the results directory and prints the blood count.
fn write(
    args: &RunArgs,
    config: &Config,
    name: &str,
    out: &Path,
    done: Done,
    how: &str,
    started: Instant,
) -> Result<()> {
    let days = config.run.days;
    let wall = started.elapsed().as_secs_f64();
    let samples = &done.samples;
    let last = samples.last().context("the run produced no sample")?;

    let staged = Staged::new(out)?;
    results::write_run(
        &staged,
        config,
        samples,
        &done.histograms,
        done.traced.as_ref(),
    )?;
    if args.report {
        erythro_report::write_into(&staged, out, name)?;
    }
    let written = staged.commit()?;

    say!("{}", table::report(config, last));
    say!("{}", table::onset_report(config, samples));
    sayln!(
        "\n{name}: {days} days after steady state, {} marrow + {} circulating agents, {how}, {wall:.1} s",
        done.agents.0, done.agents.1
    );
    sayln!("results: {}", written.display());
    if args.report {
        sayln!("report: {}", written.join("report.html").display());
    }
    Ok(())
}
