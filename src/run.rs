//! `erythro run [CONFIG]`: one run, its blood count printed against the
//! reference ranges and its results directory written atomically.
//!
//! With `--checkpoint-every DAYS` the run's whole state is written every
//! that many simulated days to `checkpoint/run.ckpt` in its results
//! directory; `--resume DIR` continues from there, and the results are the
//! bytes an uninterrupted run writes. SIGINT or SIGTERM stops the run at the
//! next step boundary: the results directory then holds the samples so far,
//! an `INCOMPLETE` marker and the checkpoint, and the exit code is 130; a
//! second signal exits at once. Under `mpirun` (the `mpi` feature) one body
//! is split across the ranks (without checkpoints).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use clap::Args;
use erythro_io::{checkpoint, config, results, Staged};
use erythro_report::lineage::DEFAULT_COHORT;
use erythro_runner::snapshot::Snapshot;
use erythro_runner::{Run, Simulation};
#[cfg(feature = "mpi")]
use {erythro_core::Config, erythro_runner::Collective};

use crate::{progress, say, sayln, signals, table};

/// Options of `erythro run`.
#[derive(Args, Default)]
pub struct RunArgs {
    /// RON config file; the embedded default (healthy adult man) when absent.
    #[arg(conflicts_with = "resume")]
    config: Option<PathBuf>,
    /// Results directory [default: results/runs/CONFIG-NAME; with --resume, DIR].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of every random stream (overrides the config's run.seed).
    #[arg(long, conflicts_with = "resume")]
    seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Simulated days after the steady state (overrides run.days).
    #[arg(long, allow_negative_numbers = true, conflicts_with = "resume")]
    days: Option<f64>,
    /// Also write report.html and plots/ (SVG and PNG) into the results.
    #[arg(long)]
    report: bool,
    /// Write the run's whole state every DAYS simulated days to
    /// checkpoint/run.ckpt in the results directory (see --resume).
    #[arg(long, value_name = "DAYS")]
    checkpoint_every: Option<f64>,
    /// Continue the run whose checkpoint is in results directory DIR (left
    /// by --checkpoint-every, or by an interrupted run); the results are
    /// those of a run that never stopped.
    #[arg(long, value_name = "DIR")]
    resume: Option<PathBuf>,
}

/// Days before the end of a run at which the lineages it records enter:
/// a lineage takes about a week to leave the marrow, longer when iron is short.
const LINEAGE_DAYS_BEFORE_END: f64 = 12.0;

/// The marker file of a results directory whose run was interrupted.
pub const INCOMPLETE: &str = "INCOMPLETE";

/// Runs `erythro run`: in one process, or split across the ranks of
/// `world` (`mpirun -n N erythro run`), where rank 0 shows progress and
/// writes the results and every rank holds a share of the body.
pub fn run(args: RunArgs, world: &crate::cluster::World) -> Result<()> {
    #[cfg(feature = "mpi")]
    if let Some(mpi) = crate::cluster::ranks(world) {
        ensure!(
            args.resume.is_none() && args.checkpoint_every.is_none(),
            "--checkpoint-every and --resume are for runs in one process, not under mpirun"
        );
        return split_run(&args, mpi);
    }
    let _ = world;
    let stop = signals::stop_flag()?;
    if let Some(days) = args.checkpoint_every {
        ensure!(
            days.is_finite() && days > 0.0,
            "--checkpoint-every must be a number of days above 0, not {days}"
        );
    }
    let pool = crate::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let started = Instant::now();

    let (run, name, out) = match &args.resume {
        Some(dir) => {
            ensure!(
                args.out.is_none() || args.out.as_deref() == Some(dir),
                "--resume writes into DIR itself: leave out --out"
            );
            let path = checkpoint::run_checkpoint(dir);
            if !path.is_file() {
                bail!(
                    "no checkpoint in {}: {} is missing (the run there finished, or never wrote one: \
                     `erythro run --checkpoint-every DAYS` does)",
                    dir.display(),
                    path.display()
                );
            }
            let (run, name) = pool.install(|| {
                checkpoint::read(&path)?
                    .restore()
                    .map_err(anyhow::Error::from)
            })?;
            eprintln!(
                "resuming {name} at day {} of {} from {}",
                run.sim().day(),
                run.sim().config().run.days,
                path.display()
            );
            (run, name, dir.clone())
        }
        None => {
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
            let inputs: Vec<&Path> = args.config.iter().map(PathBuf::as_path).collect();
            erythro_io::paths::check_output(&out, &inputs)?;
            let days = config.run.days;
            let run = pool.install(|| -> Result<Run> {
                // Validates the config (with the overrides) before any work.
                let mut sim =
                    Simulation::new(config).context("after applying the command-line overrides")?;
                // Follow lineages entering near the end, to draw one (lineage.json).
                sim.watch_lineages((days - LINEAGE_DAYS_BEFORE_END).max(0.0), DEFAULT_COHORT);
                Ok(Run::start(sim, days)?)
            })?;
            (run, name, out)
        }
    };

    let config = run.sim().config().clone();
    let days = config.run.days;
    let every = args
        .checkpoint_every
        .map(|d| ((d * 24.0 / config.run.dt_hours).round() as u64).max(1));
    let ckpt = checkpoint::run_checkpoint(&out);
    let (run, interrupted) = pool.install(|| -> Result<_> {
        let mut run = run;
        let bar = progress::bar("{elapsed_precise} [{bar:40}] {pos}/{len} hours, eta {eta}");
        let mut interrupted = false;
        while !run.is_finished() {
            run.advance()?;
            let clock = run.clock();
            if let Some(bar) = &bar {
                bar.set_length(clock.total);
                bar.set_position(clock.done);
            }
            if stop.load(Ordering::SeqCst) && !run.is_finished() {
                interrupted = true;
                break;
            }
            if every.is_some_and(|k| clock.done.is_multiple_of(k)) && !run.is_finished() {
                checkpoint::write(&ckpt, &Snapshot::of(&run, &name)?)?;
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok((run, interrupted))
    })?;

    if interrupted {
        return Err(write_interrupted(&run, &name, &out)?.into());
    }
    let histograms = run.sim().histograms();
    let traced = run
        .sim()
        .lineage_watch()
        .and_then(|w| erythro_io::lineage::LineageRecord::from_watch(&name, &config, w));
    let agents = (run.sim().marrow().len(), run.sim().blood().len());
    let wall = started.elapsed().as_secs_f64();
    let samples = run.samples();
    let last = samples.last().context("the run produced no sample")?;

    let staged = Staged::new(&out)?;
    results::write_run(&staged, &config, samples, &histograms, traced.as_ref())?;
    if args.report {
        erythro_report::write_into(&staged, &out, &name)?;
    }
    let written = staged.commit()?;

    say!("{}", table::report(&config, last));
    say!("{}", table::onset_report(&config, samples));
    sayln!(
        "\n{name}: {days} days after steady state, {} marrow + {} circulating agents, {threads} threads, {wall:.1} s",
        agents.0, agents.1
    );
    sayln!("results: {}", written.display());
    if args.report {
        sayln!("report: {}", written.join("report.html").display());
    }
    Ok(())
}

/// Writes the results of an interrupted run: the samples so far, the
/// checkpoint and the `INCOMPLETE` marker, as one atomic directory.
fn write_interrupted(run: &Run, name: &str, out: &Path) -> Result<signals::Interrupted> {
    let sim = run.sim();
    let config = sim.config();
    let staged = Staged::new(out)?;
    let bytes = checkpoint::encode(&Snapshot::of(run, name)?)?;
    staged.write_bytes(checkpoint::RUN_CHECKPOINT, &bytes)?;
    let histograms = erythro_analysis::histograms(&sim.red_cell_view());
    results::write_run(&staged, config, run.samples(), &histograms, None)?;
    let clock = run.clock();
    let message = format!(
        "interrupted at day {} of {} (step {} of {}): these are the samples so far.\n\
         Resume with: erythro run --resume {}\n",
        sim.day(),
        config.run.days,
        clock.done,
        clock.total,
        out.display()
    );
    staged.write(INCOMPLETE, &message)?;
    let written = staged.commit()?;
    Ok(signals::Interrupted {
        message: format!(
            "{name} interrupted at day {}: samples so far, checkpoint and {INCOMPLETE} in {}; \
             resume with `erythro run --resume {}`",
            sim.day(),
            written.display(),
            written.display()
        ),
    })
}

/// `erythro run` under mpirun: this rank's share of one body.
#[cfg(feature = "mpi")]
fn split_run(args: &RunArgs, mpi: &erythro_mpi::Mpi) -> Result<()> {
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
    write(args, &config, &name, &out, done, &ranks, started)
}

/// What a run leaves for its results directory.
#[cfg(feature = "mpi")]
struct Done {
    samples: Vec<erythro_runner::Sample>,
    histograms: erythro_analysis::Histograms,
    agents: (u64, u64),
    traced: Option<erythro_io::lineage::LineageRecord>,
}

/// Runs `config` on `pool` with this process's share of the body (all of
/// it with `Alone`); `root` shows progress and follows the lineages.
#[cfg(feature = "mpi")]
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
#[cfg(feature = "mpi")]
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
