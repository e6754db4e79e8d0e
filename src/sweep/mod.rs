//! `erythro sweep SWEEP.ron`: many runs of one model from a sweep file
//! (grid axes, a Latin hypercube, replicates), side by side on the cores,
//! each run's results written atomically as it finishes, so an interrupted
//! sweep resumes where it stopped (`--resume`) and ends with the same
//! `sweep.csv` byte for byte.
//!
//! Layout of the results directory:
//! - `sweep.ron` (the sweep file as given), `base.ron` (the resolved base
//!   config) and `plan.csv` (every run's seed and swept values), written
//!   first: `--resume` refuses a directory whose base or plan differ;
//! - `points/pNNNN-rR/` per run: `config.ron`, `summary.json` and
//!   `timeseries.csv`, or `failed.txt` with the reason;
//! - `sweep.csv`, one row per run in plan order, and for a Latin hypercube
//!   `sensitivity.csv` (PRCC), written when every run is done.
//!
//! Why runs side by side: at the scales a sweep uses, one run does not
//! scale across cores (its serial part, the entry of new cells, the
//! reduction and the analysis, dominates), while independent runs scale
//! perfectly; see the README's sweep section for the measurement. Each run
//! keeps its own rayon pool, so `--point-threads` can still give a big run
//! several threads; the results never depend on either.

mod prcc;
mod spec;
mod tables;
mod tree;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use clap::Args;
use erythro_core::Config;
use erythro_runner::{Sample, Simulation};

use crate::{config_file, output};
use spec::{RunId, Sweep};
use tables::{assemble, point_table, sensitivity, Row};

/// Options of `erythro sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// The sweep file (RON): base config, grid axes, Latin hypercube, replicates.
    sweep: PathBuf,
    /// Results directory [default: results/runs/sweeps/SWEEP-NAME].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Finish the sweep already in --out: run only the runs it lacks.
    #[arg(long)]
    resume: bool,
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
    /// Check the sweep file and print its plan (every run's seed and
    /// values, and which are invalid) without running anything.
    #[arg(long)]
    dry_run: bool,
}

/// Runs the sweep command.
pub fn run(args: SweepArgs) -> Result<()> {
    if args.list_paths {
        for (path, kind, value) in spec::base_tree(&args.sweep)?.leaves() {
            println!("{path:<48} {value:<24} {kind:?}");
        }
        return Ok(());
    }
    let sweep = spec::load(&args.sweep)?;
    if args.dry_run {
        print!("{}", sweep.plan_csv());
        let runs = sweep.runs();
        let invalid: Vec<String> = runs
            .iter()
            .filter_map(|&r| match sweep.config(r).map(|c| c.validate()) {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(format!("  {}: {e}", r.dir_name())),
                Err(e) => Some(format!("  {}: {e:#}", r.dir_name())),
            })
            .collect();
        println!(
            "{}: {} points x {} replicate(s) = {} runs, {} invalid",
            sweep.name,
            sweep.points.len(),
            sweep.replicates,
            runs.len(),
            invalid.len()
        );
        for line in invalid {
            println!("{line}");
        }
        return Ok(());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results/runs/sweeps").join(&sweep.name));
    let threads = crate::thread_pool(args.threads)?.current_num_threads();
    if let Some(k) = args.point_threads {
        ensure!(
            (1..=threads).contains(&k),
            "--point-threads must be between 1 and the {threads} threads"
        );
    }
    let started = Instant::now();
    let before = prepare(&out, &sweep, args.resume)?;
    let runs = sweep.runs();
    let todo: Vec<RunId> = runs.iter().copied().filter(|r| !done(&out, *r)).collect();
    let (workers, inner) = share_threads(threads, args.point_threads, todo.len());
    eprintln!(
        "sweep {}: {} points x {} replicate(s) = {} runs; {} to run, {} side by side with {} thread(s) each",
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
    execute(&sweep, &out, &todo, workers, inner)?;

    let table = assemble(&sweep, &out)?;
    output::write_file_atomic(&out.join("sweep.csv"), &table.csv)?;
    let sensitivity = sensitivity(&sweep, &table);
    if let Some((csv, _)) = &sensitivity {
        output::write_file_atomic(&out.join("sensitivity.csv"), csv)?;
    }
    let wall = started.elapsed().as_secs_f64();

    if !sweep.columns.iter().any(|c| c.hypercube) {
        print!("{}", point_table(&sweep, &table));
    }
    if let Some((_, text)) = &sensitivity {
        print!("{text}");
    }
    let failed: Vec<&Row> = table.rows.iter().filter(|r| r.error.is_some()).collect();
    if !failed.is_empty() {
        println!("\n{} run(s) failed:", failed.len());
        for r in failed {
            println!(
                "  {} ({}): {}",
                r.run.dir_name(),
                sweep.describe(r.run.point),
                r.error.as_deref().unwrap_or_default()
            );
        }
    }
    println!(
        "\nsweep {}: {} runs ({} this time), {} thread(s): {} side by side x {}, {:.1} s",
        sweep.name,
        runs.len(),
        todo.len(),
        workers * inner,
        workers,
        inner,
        wall
    );
    println!("results: {}", out.join("sweep.csv").display());
    Ok(())
}

/// How `threads` are shared: `(runs side by side, threads inside each)`.
fn share_threads(threads: usize, point_threads: Option<usize>, runs: usize) -> (usize, usize) {
    let per_run = point_threads.unwrap_or(1);
    let workers = (threads / per_run).clamp(1, runs.max(1));
    // Unless told otherwise, threads left over by too few runs go inside them.
    let inner = point_threads.unwrap_or(threads / workers);
    (workers, inner)
}

/// Creates the results directory, or checks that the one there holds this
/// same sweep when resuming. Returns whether it was there before.
fn prepare(out: &Path, sweep: &Sweep, resume: bool) -> Result<bool> {
    let base = config_file::to_ron(&sweep.base_config)?;
    let plan = sweep.plan_csv();
    ensure!(
        !out.exists() || out.is_dir(),
        "{} exists and is not a directory",
        out.display()
    );
    let occupied = out.is_dir()
        && std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_some();
    if !occupied {
        let staged = output::Staged::new(out)?;
        staged.write("sweep.ron", &sweep.text)?;
        staged.write("base.ron", &base)?;
        staged.write("plan.csv", &plan)?;
        staged.commit()?;
        std::fs::create_dir_all(out.join("points"))?;
        return Ok(false);
    }
    if !resume {
        bail!(
            "{} already exists: pass --resume to finish the sweep in it, or choose another --out",
            out.display()
        );
    }
    let read = |name: &str| {
        std::fs::read_to_string(out.join(name)).with_context(|| {
            format!(
                "{} is not a sweep's results directory (no readable {name})",
                out.display()
            )
        })
    };
    ensure!(
        read("base.ron")? == base && read("plan.csv")? == plan,
        "{} holds a different sweep (its base.ron or plan.csv differ from what {} gives now): \
         choose another --out, or remove it to start again",
        out.display(),
        sweep.name
    );
    // Staging directories of runs that were killed part way.
    let points = out.join("points");
    std::fs::create_dir_all(&points)?;
    for entry in std::fs::read_dir(&points)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && (name.contains(".partial-") || name.contains(".old-")) {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }
    Ok(true)
}

fn run_dir(out: &Path, run: RunId) -> PathBuf {
    out.join("points").join(run.dir_name())
}

/// Whether a run's results are there (its directory appears whole or not at all).
fn done(out: &Path, run: RunId) -> bool {
    let dir = run_dir(out, run);
    dir.join("timeseries.csv").is_file() || dir.join("failed.txt").is_file()
}

/// What became of one run.
enum Outcome {
    Finished(Vec<Sample>),
    Failed(String),
}

/// Runs `todo` on `workers` threads, each run on its own rayon pool of
/// `inner` threads, writing each run's directory as it finishes.
fn execute(sweep: &Sweep, out: &Path, todo: &[RunId], workers: usize, inner: usize) -> Result<()> {
    if todo.is_empty() {
        return Ok(());
    }
    let hours = |c: &Config| (c.run.days * 24.0 / c.run.dt_hours).round() as u64;
    let configs: Vec<Result<Config>> = todo.iter().map(|r| sweep.config(*r)).collect();
    let total_steps: u64 = configs.iter().flatten().map(hours).sum();
    let progress = Progress::new(total_steps, todo.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);

    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let pool = match crate::thread_pool(Some(inner)) {
                    Ok(p) => p,
                    Err(e) => {
                        stop.store(true, Ordering::SeqCst);
                        first_error.lock().unwrap().get_or_insert(e);
                        return;
                    }
                };
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&run) = todo.get(i) else { break };
                    let started = Instant::now();
                    let steps = configs[i].as_ref().map(hours).unwrap_or(0);
                    let outcome = match &configs[i] {
                        Ok(c) => match c.validate() {
                            Ok(()) => simulate(&pool, c.clone(), &progress, steps),
                            Err(e) => {
                                progress.steps(steps);
                                Outcome::Failed(e.to_string())
                            }
                        },
                        Err(e) => Outcome::Failed(format!("{e:#}")),
                    };
                    let written = write_run(sweep, out, run, configs[i].as_ref().ok(), &outcome);
                    if let Err(e) = written {
                        stop.store(true, Ordering::SeqCst);
                        first_error.lock().unwrap().get_or_insert(e);
                        break;
                    }
                    progress.run_done(sweep, run, &outcome, started.elapsed().as_secs_f64());
                }
            });
        }
    });
    progress.finish();
    match first_error.into_inner().unwrap() {
        Some(e) => Err(e.context("the sweep stopped; `--resume` finishes it")),
        None => Ok(()),
    }
}

/// One run on `pool`; a run that cannot be built, errs or panics is a failed run.
fn simulate(pool: &rayon::ThreadPool, config: Config, progress: &Progress, steps: u64) -> Outcome {
    let mut counted = 0;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.install(|| -> Result<Vec<Sample>, erythro_runner::Error> {
            let days = config.run.days;
            let mut sim = Simulation::new(config)?;
            sim.run(
                days,
                |_| {},
                |done, _| {
                    progress.steps(done - counted);
                    counted = done;
                },
            )
        })
    }));
    // A failed run counts its steps as done, so the ETA stays honest.
    progress.steps(steps.saturating_sub(counted));
    match result {
        Ok(Ok(samples)) if !samples.is_empty() => Outcome::Finished(samples),
        Ok(Ok(_)) => Outcome::Failed("the run produced no sample".into()),
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(panic) => Outcome::Failed(format!(
            "the run panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
        )),
    }
}

/// Writes one run's directory atomically.
fn write_run(
    sweep: &Sweep,
    out: &Path,
    run: RunId,
    config: Option<&Config>,
    outcome: &Outcome,
) -> Result<()> {
    let staged = output::Staged::new(&run_dir(out, run))?;
    if let Some(config) = config {
        staged.write("config.ron", &config_file::to_ron(config)?)?;
    }
    match outcome {
        Outcome::Finished(samples) => {
            staged.write(
                "summary.json",
                &output::summary_json(&samples[samples.len() - 1])?,
            )?;
            staged.write("timeseries.csv", &output::timeseries_csv(samples))?;
        }
        Outcome::Failed(reason) => staged.write(
            "failed.txt",
            &format!("{}\n{}\n", sweep.describe(run.point), reason),
        )?,
    }
    staged.commit()?;
    Ok(())
}

/// One progress bar over all runs (in simulated hours, so the ETA weighs
/// long runs properly), or a line per run when stderr is not a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    finished: AtomicUsize,
    runs: usize,
}

impl Progress {
    fn new(total_steps: u64, runs: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total_steps);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {percent:>3}% {msg}, eta {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar.set_message(format!("0/{runs} runs"));
            bar
        });
        Self {
            bar,
            finished: AtomicUsize::new(0),
            runs,
        }
    }

    fn steps(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn run_done(&self, sweep: &Sweep, run: RunId, outcome: &Outcome, seconds: f64) {
        let k = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        let line = match outcome {
            Outcome::Finished(_) => format!(
                "[{k}/{}] {} ({}) done in {seconds:.1} s",
                self.runs,
                run.dir_name(),
                sweep.describe_short(run.point)
            ),
            Outcome::Failed(reason) => format!(
                "[{k}/{}] {} ({}) FAILED: {reason}",
                self.runs,
                run.dir_name(),
                sweep.describe_short(run.point)
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

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
