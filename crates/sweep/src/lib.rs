//! # erythro-sweep: many runs of one model
//!
//! A sweep file ([`spec`]) gives a base config and what varies: grid axes,
//! a Latin hypercube, replicates. Every field of the config can be swept by
//! its path in the serde value tree ([`tree`]); every run's seed derives
//! from the sweep seed, the point and the replicate. [`execute`] runs the
//! runs side by side on the cores (the runner's
//! [`erythro_runner::batch`]), each run's results written atomically as it
//! finishes, so an interrupted sweep resumes where it stopped; [`finish`]
//! assembles `sweep.csv` (and for a Latin hypercube `sensitivity.csv`,
//! PRCC) in plan order from the run directories ([`tables`]), so the bytes
//! never depend on thread counts, finishing order or resumes.
//!
//! Layout of a sweep's results directory:
//! - `sweep.ron` (the sweep file as given), `base.ron` (the resolved base
//!   config) and `plan.csv` (every run's seed and swept values), written
//!   first: resuming refuses a directory whose base or plan differ;
//! - `points/pNNNN-rR/` per run: `config.ron`, `summary.json` and
//!   `timeseries.csv`, or `failed.txt` with the reason;
//! - `checkpoints/pNNNN-rR.ckpt` while a run is part way, when checkpoints
//!   are asked for ([`Checkpoints`]): a resumed sweep continues each such
//!   run from its snapshot, and the file goes when the run's directory is
//!   written;
//! - `sweep.csv`, one row per run in plan order, and for a Latin hypercube
//!   `sensitivity.csv`, written when every run is done.
//!
//! A sweep can also be cut into shards that run as separate processes, a
//! SLURM job array's tasks ([`shard`]): each writes a part directory of the
//! same layout, and [`shard::merge`] assembles the parts into the same
//! `sweep.csv` and `sensitivity.csv`, byte for byte.
#![deny(missing_docs)]

pub mod shard;
pub mod spec;
pub mod tables;
pub mod tree;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use erythro_core::Config;
use erythro_io::{checkpoint, config::to_ron, results, write_file_atomic, Staged};
use erythro_runner::snapshot::Snapshot;
use erythro_runner::{batch, Run, Sample, Simulation};

pub use spec::{load, RunId, Sweep};

/// What the caller is told while a sweep runs (a progress bar, log lines).
/// Called from the worker threads.
pub trait Progress: Sync {
    /// `n` more simulated steps done (of the total given to [`execute`]'s caller).
    fn steps(&self, n: u64);
    /// A run has finished (or failed) and its directory is written.
    fn run_done(&self, run: RunId, outcome: &Outcome, seconds: f64);
}

/// No progress reporting.
pub struct Quiet;

impl Progress for Quiet {
    fn steps(&self, _: u64) {}
    fn run_done(&self, _: RunId, _: &Outcome, _: f64) {}
}

/// What became of one run.
pub enum Outcome {
    /// It ran to the end; its samples, first to last.
    Finished(Vec<Sample>),
    /// It could not be built or run, or it panicked: why.
    Failed(String),
}

/// The directory of one run.
pub fn run_dir(out: &Path, run: RunId) -> PathBuf {
    out.join("points").join(run.dir_name())
}

/// Whether a run's results are there (its directory appears whole or not at all).
pub fn done(out: &Path, run: RunId) -> bool {
    let dir = run_dir(out, run);
    dir.join("timeseries.csv").is_file() || dir.join("failed.txt").is_file()
}

/// The runs of `sweep` whose results are not yet in `out`, in plan order.
pub fn pending(sweep: &Sweep, out: &Path) -> Vec<RunId> {
    sweep
        .runs()
        .into_iter()
        .filter(|r| !done(out, *r))
        .collect()
}

/// Simulated steps of a config's run (what progress counts).
pub fn steps_of(config: &Config) -> u64 {
    (config.run.days * 24.0 / config.run.dt_hours).round() as u64
}

/// Creates the results directory, or checks that the one there holds this
/// same sweep when `resume` is given. Returns whether it was there before.
pub fn prepare(out: &Path, sweep: &Sweep, resume: bool) -> Result<bool> {
    let base = to_ron(&sweep.base_config)?;
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
        let staged = Staged::new(out)?;
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
    // Staging directories of runs that were killed part way, and
    // checkpoints killed while being written.
    let points = out.join("points");
    std::fs::create_dir_all(&points)?;
    let checkpoints = out.join("checkpoints");
    let partial_checkpoints = std::fs::read_dir(&checkpoints).into_iter().flatten();
    for entry in std::fs::read_dir(&points)?.chain(partial_checkpoints) {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && (name.contains(".partial-") || name.contains(".old-")) {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }
    Ok(true)
}

/// Checkpoints of the runs of a sweep, and the flag that stops them.
#[derive(Default)]
pub struct Checkpoints<'a> {
    /// Simulated days between a run's checkpoints (none when `None`; a run
    /// stopped by `stop` checkpoints anyway).
    pub every_days: Option<f64>,
    /// Set (by a signal) to stop every run at its next step boundary.
    pub stop: Option<&'a AtomicBool>,
}

/// The sweep stopped at a step boundary because [`Checkpoints::stop`] was
/// set; every run part way has its checkpoint.
#[derive(Debug, thiserror::Error)]
#[error("stopped: the runs part way are checkpointed in {}; `--resume` finishes the sweep", dir.display())]
pub struct Stopped {
    /// The checkpoints' directory.
    pub dir: PathBuf,
}

/// A run's checkpoint file.
pub fn checkpoint_path(out: &Path, run: RunId) -> PathBuf {
    out.join("checkpoints")
        .join(format!("{}.ckpt", run.dir_name()))
}

/// Runs `todo` with `workers` runs side by side and `inner` threads inside
/// each, writing each run's directory as it finishes. A run that is
/// invalid, fails or panics is recorded as failed and the others go on; an
/// error writing results stops the sweep (`resume` then finishes it).
pub fn execute(
    sweep: &Sweep,
    out: &Path,
    todo: &[RunId],
    workers: usize,
    inner: usize,
    progress: &dyn Progress,
) -> Result<()> {
    execute_with(
        sweep,
        out,
        todo,
        workers,
        inner,
        progress,
        &Checkpoints::default(),
    )
}

/// [`execute`] with checkpoints: each run continues from its checkpoint
/// when there is one, writes one every `every_days`, and stops (with a
/// checkpoint) when `stop` is set, the sweep then returning [`Stopped`].
pub fn execute_with(
    sweep: &Sweep,
    out: &Path,
    todo: &[RunId],
    workers: usize,
    inner: usize,
    progress: &dyn Progress,
    checkpoints: &Checkpoints,
) -> Result<()> {
    let configs: Vec<Result<Config>> = todo.iter().map(|r| sweep.config(*r)).collect();
    check_memory(&configs, workers.min(todo.len()))?;
    let result = batch::side_by_side(todo.len(), workers, inner, |i| -> Result<()> {
        let run = todo[i];
        let started = Instant::now();
        let ckpt = checkpoint_path(out, run);
        let Some((files, outcome)) = run_one_with(sweep, run, progress, &ckpt, checkpoints)? else {
            return Err(Stopped {
                dir: out.join("checkpoints"),
            }
            .into());
        };
        write_run(out, run, &files)?;
        if ckpt.exists() {
            std::fs::remove_file(&ckpt)
                .with_context(|| format!("cannot remove {}", ckpt.display()))?;
        }
        progress.run_done(run, &outcome, started.elapsed().as_secs_f64());
        Ok(())
    });
    match result {
        Err(e) if e.is::<Stopped>() => Err(e),
        r => r.context("the sweep stopped; `--resume` finishes it"),
    }
}

/// Refuses a sweep whose largest runs, `workers` side by side, would need
/// more memory than the machine has (each run alone is checked when it is
/// built, so a point beyond the model's limits fails on its own).
fn check_memory(configs: &[Result<Config>], workers: usize) -> Result<()> {
    use erythro_runner::resources;
    let largest = configs
        .iter()
        .flatten()
        .filter(|c| resources::check(c, None, 1).is_ok())
        .max_by(|a, b| {
            resources::estimate(a)
                .bytes
                .total_cmp(&resources::estimate(b).bytes)
        });
    if let Some(c) = largest {
        if let Err(e) = resources::check(c, resources::available_memory(), workers) {
            bail!("{e} ({workers} runs side by side: fewer threads run fewer at once)");
        }
    }
    Ok(())
}

/// The run of `config`, from its checkpoint at `ckpt` when there is one
/// (which must be of this same config).
fn start(config: Config, ckpt: &Path) -> Result<std::result::Result<Run, erythro_runner::Error>> {
    if !ckpt.is_file() {
        let days = config.run.days;
        return Ok(Simulation::new(config).and_then(|sim| Run::start(sim, days)));
    }
    let snapshot = checkpoint::read(ckpt)?;
    let theirs = snapshot.config()?;
    ensure!(
        theirs == config,
        "{} is the checkpoint of another config than this sweep gives its run: remove it to run the point again",
        ckpt.display()
    );
    Ok(snapshot.restore().map(|(run, _)| run))
}

/// One run of `sweep` on the current rayon pool: the files of its
/// directory ([`run_files`]) and its outcome. Only an error making the
/// files (a config that cannot be written) is an error; a run that is
/// invalid, fails or panics is a failed run.
pub fn run_one(sweep: &Sweep, run: RunId, progress: &dyn Progress) -> Result<(RunFiles, Outcome)> {
    let none = Checkpoints::default();
    let done = run_one_with(sweep, run, progress, Path::new(""), &none)?;
    done.context("a run without a stop flag cannot be stopped")
}

/// [`run_one`] with checkpoints at `ckpt` (continued from when it exists);
/// `None` when `checkpoints.stop` stopped it part way.
pub fn run_one_with(
    sweep: &Sweep,
    run: RunId,
    progress: &dyn Progress,
    ckpt: &Path,
    checkpoints: &Checkpoints,
) -> Result<Option<(RunFiles, Outcome)>> {
    let config = sweep.config(run);
    let steps = config.as_ref().map(steps_of).unwrap_or(0);
    let outcome = match &config {
        // Building the simulation validates the config: an invalid point fails there.
        Ok(c) => match simulate(c.clone(), progress, steps, ckpt, run, checkpoints)? {
            Some(outcome) => outcome,
            None => return Ok(None),
        },
        Err(e) => Outcome::Failed(format!("{e:#}")),
    };
    let files = run_files(sweep, run, config.as_ref().ok(), &outcome)?;
    Ok(Some((files, outcome)))
}

/// One run on the current rayon pool; a run that cannot be built, errs or
/// panics is a failed run. `None` when `checkpoints.stop` stopped it
/// (checkpointed at `ckpt`); an error when a checkpoint cannot be read or
/// written.
fn simulate(
    config: Config,
    progress: &dyn Progress,
    steps: u64,
    ckpt: &Path,
    run_id: RunId,
    checkpoints: &Checkpoints,
) -> Result<Option<Outcome>> {
    let mut counted = 0;
    let every = checkpoints
        .every_days
        .map(|d| ((d * 24.0 / config.run.dt_hours).round() as u64).max(1));
    let run = start(config, ckpt)?;
    let label = run_id.dir_name();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<Option<Vec<Sample>>> {
            let mut run = run?;
            while !run.is_finished() {
                run.advance()?;
                let done = run.clock().done;
                progress.steps(done.saturating_sub(counted));
                counted = done;
                let stop = checkpoints.stop.is_some_and(|s| s.load(Ordering::SeqCst));
                let due = every.is_some_and(|k| done.is_multiple_of(k));
                if !run.is_finished() && (stop || due) {
                    checkpoint::write(ckpt, &Snapshot::of(&run, &label)?)?;
                }
                if stop && !run.is_finished() {
                    return Ok(None);
                }
            }
            Ok(Some(run.into_parts().1))
        },
    ));
    // A failed run counts its steps as done, so the ETA stays honest.
    progress.steps(steps.saturating_sub(counted));
    Ok(match result {
        Ok(Ok(None)) => None,
        Ok(Ok(Some(samples))) if !samples.is_empty() => Some(Outcome::Finished(samples)),
        Ok(Ok(Some(_))) => Some(Outcome::Failed("the run produced no sample".into())),
        Ok(Err(e)) => match e.downcast::<erythro_runner::Error>() {
            // An invalid point says which field, value and range, as the config check does.
            Ok(erythro_runner::Error::Config(e)) => Some(Outcome::Failed(e.to_string())),
            Ok(e) => Some(Outcome::Failed(e.to_string())),
            // A checkpoint that cannot be written stops the sweep.
            Err(e) => return Err(e),
        },
        Err(panic) => Some(Outcome::Failed(format!(
            "the run panicked: {}",
            panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)")
        ))),
    })
}

/// The files of one run's directory, `(name, contents)`: `config.ron`
/// (when the config could be made) and `summary.json` with
/// `timeseries.csv`, or `failed.txt` with the point and the reason.
pub type RunFiles = Vec<(String, String)>;

/// The files of one run's directory for `outcome`.
pub fn run_files(
    sweep: &Sweep,
    run: RunId,
    config: Option<&Config>,
    outcome: &Outcome,
) -> Result<RunFiles> {
    let mut files = Vec::new();
    if let Some(config) = config {
        files.push(("config.ron".to_string(), to_ron(config)?));
    }
    match outcome {
        Outcome::Finished(samples) => {
            files.push((
                "summary.json".to_string(),
                results::summary_json(&samples[samples.len() - 1])?,
            ));
            files.push((
                "timeseries.csv".to_string(),
                results::timeseries_csv(samples),
            ));
        }
        Outcome::Failed(reason) => files.push((
            "failed.txt".to_string(),
            format!("{}\n{}\n", sweep.describe(run.point), reason),
        )),
    }
    Ok(files)
}

/// Writes one run's directory atomically from its files.
pub fn write_run(out: &Path, run: RunId, files: &RunFiles) -> Result<()> {
    let staged = Staged::new(&run_dir(out, run))?;
    for (name, contents) in files {
        staged.write(name, contents)?;
    }
    staged.commit()?;
    Ok(())
}

/// What a finished sweep wrote.
pub struct Finished {
    /// `sweep.csv` and its rows.
    pub table: tables::Table,
    /// `sensitivity.csv` and its printed table, for a Latin hypercube.
    pub sensitivity: Option<(String, String)>,
}

/// Assembles `sweep.csv` (and `sensitivity.csv`) from the run directories
/// in `out` and writes them atomically. Every run must be done.
pub fn finish(sweep: &Sweep, out: &Path) -> Result<Finished> {
    let table = tables::assemble(sweep, out)?;
    write_file_atomic(&out.join("sweep.csv"), table.csv.as_bytes())?;
    let sensitivity = tables::sensitivity(sweep, &table);
    if let Some((csv, _)) = &sensitivity {
        write_file_atomic(&out.join("sensitivity.csv"), csv.as_bytes())?;
    }
    Ok(Finished { table, sensitivity })
}
