//! `erythro sweep SWEEP.ron`: the flags, the progress bar and the printed
//! tables of a sweep, of one shard of it (`--shard I/N`, a job array's
//! task) and of the merge of its shards (`erythro sweep merge`); the engine
//! is `erythro-sweep`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use clap::{Args, Subcommand};
use erythro_runner::batch::share_threads;
use erythro_sweep::shard::{self, Shard};
use erythro_sweep::{spec, tables, Outcome, RunId, Sweep};

use crate::{progress, say, sayln};

/// Options of `erythro sweep`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    action: Option<SweepAction>,
    /// The sweep file (RON): base config, grid axes, Latin hypercube, replicates.
    #[arg(required = true)]
    sweep: Option<PathBuf>,
    /// Results directory [default: results/runs/sweeps/SWEEP-NAME].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Finish the sweep already in --out: run only the runs it lacks
    /// (with --shard: only the runs that shard lacks).
    #[arg(long)]
    resume: bool,
    /// Run only shard I of N (`2/4`), balanced by expected cost, into
    /// OUT/shard-I-of-N; `auto` takes it from SLURM_ARRAY_TASK_ID and
    /// SLURM_ARRAY_TASK_COUNT (a job array's task). `erythro sweep merge`
    /// then combines the shards.
    #[arg(long, value_name = "I/N|auto")]
    shard: Option<String>,
    /// Worker threads in all [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Threads inside each run [default: 1: runs go side by side, one per
    /// thread, which measured fastest; a lone last run gets them all].
    #[arg(long)]
    point_threads: Option<usize>,
    /// Print every field path of the base config with its value, and stop.
    #[arg(long)]
    list_paths: bool,
    /// Checkpoint each run every DAYS simulated days (in checkpoints/ of
    /// --out), so `--resume` continues runs part way instead of restarting them.
    #[arg(long, value_name = "DAYS")]
    checkpoint_every: Option<f64>,
    /// Check the sweep file and print its plan (every run's seed and
    /// values, and which are invalid) without running anything.
    #[arg(long)]
    dry_run: bool,
}

/// `erythro sweep merge`.
#[derive(Subcommand)]
enum SweepAction {
    /// Combine the shards of a sweep (`--shard I/N` part directories) into
    /// one results directory: the same sweep.csv and sensitivity.csv as the
    /// sweep run in one process.
    Merge(MergeArgs),
}

/// Options of `erythro sweep merge`.
#[derive(Args)]
struct MergeArgs {
    /// The part directories, every shard of the sweep (OUT/shard-*-of-N).
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Where to merge them [default: the directory holding the parts].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `erythro sweep`: in one process, one shard of it, or across the
/// ranks of `world` (`mpirun -n N erythro sweep`: rank 0 hands out the runs
/// and writes the results).
pub fn run(args: SweepArgs, world: &crate::cluster::World) -> Result<()> {
    if let Some(SweepAction::Merge(m)) = args.action {
        crate::cluster::single(world, "sweep merge")?;
        return merge(m);
    }
    let file = args.sweep.clone().context("give the sweep file")?;
    if args.list_paths || args.dry_run {
        crate::cluster::single(world, "sweep --list-paths/--dry-run")?;
    }
    if args.list_paths {
        for (path, kind, value) in spec::base_tree(&file)?.leaves() {
            sayln!("{path:<48} {value:<24} {kind:?}");
        }
        return Ok(());
    }
    let shard = match args.shard.as_deref() {
        None => None,
        Some("auto") => Some(Shard::from_slurm(|name| std::env::var(name).ok())?),
        Some(text) => Some(Shard::parse(text)?),
    };
    let sweep = spec::load(&file)?;
    if let Some(days) = args.checkpoint_every {
        ensure!(
            days.is_finite() && days > 0.0,
            "--checkpoint-every must be a number of days above 0, not {days}"
        );
    }
    if args.dry_run {
        return dry_run(&sweep);
    }
    let whole = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results/runs/sweeps").join(&sweep.name));
    // A shard writes its own part directory inside the sweep's.
    let out = match shard {
        Some(s) => whole.join(s.dir_name()),
        None => whole.clone(),
    };
    let threads = crate::thread_pool(args.threads)?.current_num_threads();
    if let Some(k) = args.point_threads {
        ensure!(
            (1..=threads).contains(&k),
            "--point-threads must be between 1 and the {threads} threads"
        );
    }
    #[cfg(feature = "mpi")]
    if let Some(mpi) = crate::cluster::ranks(world) {
        ensure!(
            shard.is_none(),
            "--shard and mpirun are two ways to share a sweep: use one of them"
        );
        let started = Instant::now();
        let runs = sweep.runs().len();
        let bar = Bar::lines(&sweep, runs);
        let finished = erythro_mpi::sweep::run(mpi, &sweep, &out, args.resume, threads, &bar)?;
        if let Some(finished) = finished {
            print_tables(&sweep, &finished)?;
            sayln!(
                "\nsweep {}: {runs} runs on {} MPI ranks x {threads} thread(s), {:.1} s",
                sweep.name,
                mpi.size(),
                started.elapsed().as_secs_f64()
            );
            sayln!("results: {}", out.join("sweep.csv").display());
        }
        return Ok(());
    }
    let _ = world;
    let started = Instant::now();
    let (before, runs, todo) = match shard {
        Some(s) => (
            shard::prepare(&out, &sweep, s, args.resume)?,
            shard::runs_of(&sweep, s),
            shard::pending(&sweep, s, &out),
        ),
        None => (
            erythro_sweep::prepare(&out, &sweep, args.resume)?,
            sweep.runs(),
            erythro_sweep::pending(&sweep, &out),
        ),
    };
    let of_shard = shard.map_or_else(String::new, |s| format!(" shard {}", s.label()));
    let (workers, inner) = share_threads(threads, args.point_threads, todo.len());
    eprintln!(
        "sweep {}{of_shard}: {} points x {} replicate(s), {} runs here; {} to run, {} side by side with {} thread(s) each",
        sweep.name,
        sweep.points.len(),
        sweep.replicates,
        runs.len(),
        todo.len(),
        workers,
        inner
    );
    if before && todo.len() < runs.len() {
        eprintln!(
            "resuming: {} runs already in {}",
            runs.len() - todo.len(),
            out.display()
        );
    }
    let total_steps: u64 = todo
        .iter()
        .filter_map(|r| sweep.config(*r).ok())
        .map(|c| erythro_sweep::steps_of(&c))
        .sum();
    let bar = Bar::new(&sweep, total_steps, todo.len());
    let stop = crate::signals::stop_flag()?;
    let checkpoints = erythro_sweep::Checkpoints {
        every_days: args.checkpoint_every,
        stop: Some(&stop),
    };
    let result =
        erythro_sweep::execute_with(&sweep, &out, &todo, workers, inner, &bar, &checkpoints);
    bar.finish();
    if let Err(e) = result {
        if let Some(stopped) = e.downcast_ref::<erythro_sweep::Stopped>() {
            return Err(crate::signals::Interrupted {
                message: format!("sweep {} {stopped}", sweep.name),
            }
            .into());
        }
        return Err(e);
    }
    if let Some(s) = shard {
        let wall = started.elapsed().as_secs_f64();
        sayln!(
            "sweep {} shard {}: {} runs ({} this time), {:.1} s",
            sweep.name,
            s.label(),
            runs.len(),
            todo.len(),
            wall
        );
        sayln!("part: {}", out.display());
        sayln!(
            "when every shard is done: erythro sweep merge {}",
            whole.join(format!("shard-*-of-{}", s.count)).display()
        );
        return Ok(());
    }
    let finished = erythro_sweep::finish(&sweep, &out)?;
    let wall = started.elapsed().as_secs_f64();
    print_tables(&sweep, &finished)?;
    sayln!(
        "\nsweep {}: {} runs ({} this time), {} thread(s): {} side by side x {}, {:.1} s",
        sweep.name,
        runs.len(),
        todo.len(),
        workers * inner,
        workers,
        inner,
        wall
    );
    sayln!("results: {}", out.join("sweep.csv").display());
    Ok(())
}

/// `erythro sweep merge PART...`.
fn merge(args: MergeArgs) -> Result<()> {
    let merged = shard::merge(&args.parts, args.out.as_deref())?;
    print_tables(&merged.sweep, &merged.finished)?;
    sayln!(
        "\nsweep {}: {} runs merged from {} shards",
        merged.sweep.name,
        merged.sweep.runs().len(),
        args.parts.len()
    );
    sayln!("results: {}", merged.out.join("sweep.csv").display());
    Ok(())
}

/// The point table of a grid, the sensitivity of a hypercube and the failed runs.
fn print_tables(sweep: &Sweep, finished: &erythro_sweep::Finished) -> Result<()> {
    if !sweep.columns.iter().any(|c| c.hypercube) {
        say!("{}", tables::point_table(sweep, &finished.table));
    }
    if let Some((_, text)) = &finished.sensitivity {
        say!("{text}");
    }
    let failed: Vec<&tables::Row> = finished
        .table
        .rows
        .iter()
        .filter(|r| r.error.is_some())
        .collect();
    if !failed.is_empty() {
        sayln!("\n{} run(s) failed:", failed.len());
        for r in failed {
            sayln!(
                "  {} ({}): {}",
                r.run.dir_name(),
                sweep.describe(r.run.point),
                r.error.as_deref().unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// `--dry-run`: the plan, and which runs are invalid.
fn dry_run(sweep: &Sweep) -> Result<()> {
    say!("{}", sweep.plan_csv());
    let runs = sweep.runs();
    let invalid: Vec<String> = runs
        .iter()
        .filter_map(|&r| match sweep.config(r).map(|c| c.validate()) {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("  {}: {e}", r.dir_name())),
            Err(e) => Some(format!("  {}: {e:#}", r.dir_name())),
        })
        .collect();
    sayln!(
        "{}: {} points x {} replicate(s) = {} runs, {} invalid",
        sweep.name,
        sweep.points.len(),
        sweep.replicates,
        runs.len(),
        invalid.len()
    );
    for line in invalid {
        sayln!("{line}");
    }
    Ok(())
}

/// One progress bar over all runs (in simulated hours, so the ETA weighs
/// long runs properly), or a line per run when stderr is not a terminal.
struct Bar<'a> {
    sweep: &'a Sweep,
    bar: Option<indicatif::ProgressBar>,
    finished: AtomicUsize,
    runs: usize,
}

impl<'a> Bar<'a> {
    fn new(sweep: &'a Sweep, total_steps: u64, runs: usize) -> Self {
        let bar = progress::bar("{elapsed_precise} [{bar:40}] {percent:>3}% {msg}, eta {eta}")
            .inspect(|b| {
                b.set_length(total_steps);
                b.set_message(format!("0/{runs} runs"));
            });
        Self {
            sweep,
            bar,
            finished: AtomicUsize::new(0),
            runs,
        }
    }

    /// A line per run (the runs of a sweep over MPI ranks report only
    /// when they are done).
    #[cfg(feature = "mpi")]
    fn lines(sweep: &'a Sweep, runs: usize) -> Self {
        Self {
            sweep,
            bar: None,
            finished: AtomicUsize::new(0),
            runs,
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl erythro_sweep::Progress for Bar<'_> {
    fn steps(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn run_done(&self, run: RunId, outcome: &Outcome, seconds: f64) {
        let k = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        let what = self.sweep.describe_short(run.point);
        let line = match outcome {
            Outcome::Finished(_) => format!(
                "[{k}/{}] {} ({what}) done in {seconds:.1} s",
                self.runs,
                run.dir_name()
            ),
            Outcome::Failed(reason) => format!(
                "[{k}/{}] {} ({what}) FAILED: {reason}",
                self.runs,
                run.dir_name()
            ),
        };
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{k}/{} runs", self.runs));
                if matches!(outcome, Outcome::Failed(_)) {
                    bar.println(line);
                }
            }
            None => eprintln!("{line}"),
        }
    }
}
