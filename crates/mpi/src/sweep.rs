//! A sweep over MPI ranks: a dynamic queue kept by rank 0. Rank 0 prepares
//! the results directory, then hands out the pending runs one at a time to
//! whichever rank asks (and runs some itself on worker threads); a rank
//! runs its run with rayon on all its threads and sends back the run's
//! files, or why it failed; rank 0 writes every run's directory atomically
//! and, when all are in, `sweep.csv` (and `sensitivity.csv`). The tables
//! are assembled from the run directories in plan order, so they are the
//! bytes of a one-process sweep whichever rank ran what.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use erythro_runner::batch::{share_threads, thread_pool};
use erythro_sweep::{Finished, Outcome, Progress, Quiet, RunId, Sweep};
use mpi::point_to_point::Status;
use mpi::traits::*;

use crate::message::{Done, Job};
use crate::Mpi;

/// A worker's first request, empty.
const TAG_REQUEST: i32 = 1;
/// A worker's finished run (and its request for the next).
const TAG_DONE: i32 = 2;
/// Rank 0's answer: a [`Job`].
const TAG_JOB: i32 = 3;
/// How long rank 0's main thread sleeps between looks for messages: it
/// polls rather than blocks, since a blocking receive spins a core that
/// rank 0's own runs need; a run takes seconds, so 5 ms is nothing.
const POLL: Duration = Duration::from_millis(5);

/// Runs `sweep` into `out` across the world's ranks, each with `threads`
/// threads; `resume` as for a one-process sweep. Every rank calls it. On
/// rank 0 returns the finished tables (and `progress` hears of every run);
/// on the other ranks `None`.
pub fn run(
    mpi: &Mpi,
    sweep: &Sweep,
    out: &Path,
    resume: bool,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Option<Finished>> {
    let world = mpi.world();
    let root = world.process_at_rank(0);
    if mpi.rank() == 0 {
        let prepared =
            erythro_sweep::prepare(out, sweep, resume).map(|_| erythro_sweep::pending(sweep, out));
        let mut ok = prepared.is_ok() as i64;
        root.broadcast_into(&mut ok);
        let todo = prepared?;
        eprintln!(
            "sweep {}: {} runs to run on {} ranks ({} thread(s) each), rank 0 handing them out",
            sweep.name,
            todo.len(),
            mpi.size(),
            threads
        );
        coordinate(mpi, sweep, out, &todo, threads, progress)?;
        Ok(Some(erythro_sweep::finish(sweep, out)?))
    } else {
        let mut ok = 0i64;
        root.broadcast_into(&mut ok);
        if ok == 1 {
            work(mpi, sweep, threads)?;
        }
        // Rank 0 reports why the sweep could not start.
        Ok(None)
    }
}

/// Rank 0: answers requests from the queue and writes what comes back,
/// while its own threads take runs from the same queue.
fn coordinate(
    mpi: &Mpi,
    sweep: &Sweep,
    out: &Path,
    todo: &[RunId],
    threads: usize,
    progress: &dyn Progress,
) -> Result<()> {
    let world = mpi.world();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let fail = |e: anyhow::Error| {
        stop.store(true, Ordering::SeqCst);
        let mut slot = first_error.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert(e);
    };
    let take = || {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        let i = next.fetch_add(1, Ordering::SeqCst);
        todo.get(i).copied()
    };
    // Rank 0's own runs: one thread fewer than it has goes to them when
    // it has several (its main thread keeps the queue).
    let (local, inner) = share_threads(threads.saturating_sub(1).max(1), None, todo.len());
    std::thread::scope(|scope| {
        for _ in 0..local {
            scope.spawn(|| {
                let pool = match thread_pool(Some(inner)) {
                    Ok(p) => p,
                    Err(e) => return fail(e.into()),
                };
                while let Some(run) = take() {
                    let started = Instant::now();
                    let result = pool
                        .install(|| erythro_sweep::run_one(sweep, run, &Quiet))
                        .and_then(|(files, outcome)| {
                            erythro_sweep::write_run(out, run, &files)?;
                            Ok(outcome)
                        });
                    match result {
                        Ok(outcome) => {
                            progress.run_done(run, &outcome, started.elapsed().as_secs_f64())
                        }
                        Err(e) => fail(e),
                    }
                }
            });
        }
        // The other ranks, each until it is told to stop.
        let mut working = mpi.size() - 1;
        while working > 0 {
            let Some(status) = world.any_process().immediate_probe() else {
                std::thread::sleep(POLL);
                continue;
            };
            let from = world.process_at_rank(status.source_rank());
            let (bytes, status): (Vec<u8>, Status) = from.receive_vec_with_tag(status.tag());
            if status.tag() == TAG_DONE {
                let written = Done::decode(&bytes).and_then(|done| {
                    erythro_sweep::write_run(out, done.run, &done.files)?;
                    let outcome = match done.failed {
                        Some(reason) => Outcome::Failed(reason),
                        // The samples stay with the worker; the files are written.
                        None => Outcome::Finished(Vec::new()),
                    };
                    progress.run_done(done.run, &outcome, done.seconds);
                    Ok(())
                });
                if let Err(e) = written {
                    fail(e.context(format!("from rank {}", status.source_rank())));
                }
            }
            let job = take().map_or(Job::Stop, Job::Run);
            from.send_with_tag(&job.to_words()[..], TAG_JOB);
            if job == Job::Stop {
                working -= 1;
            }
        }
    });
    match first_error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        Some(e) => Err(e.context("the sweep stopped; `--resume` finishes it")),
        None => Ok(()),
    }
}

/// A rank other than 0: asks for runs until told to stop, runs each with
/// all its threads and sends back its files.
fn work(mpi: &Mpi, sweep: &Sweep, threads: usize) -> Result<()> {
    let world = mpi.world();
    let root = world.process_at_rank(0);
    let pool = thread_pool(Some(threads)).context("cannot start the thread pool")?;
    root.send_with_tag(&[0u8; 0][..], TAG_REQUEST);
    loop {
        let (words, _): (Vec<i64>, Status) = root.receive_vec_with_tag(TAG_JOB);
        let job = Job::from_words([words[0], words[1]]);
        let Job::Run(run) = job else {
            return Ok(());
        };
        let started = Instant::now();
        let done = match pool.install(|| erythro_sweep::run_one(sweep, run, &Quiet)) {
            Ok((files, outcome)) => Done {
                run,
                files,
                failed: match outcome {
                    Outcome::Failed(reason) => Some(reason),
                    Outcome::Finished(_) => None,
                },
                seconds: started.elapsed().as_secs_f64(),
            },
            Err(e) => {
                let reason = format!("{e:#}");
                Done {
                    run,
                    files: vec![(
                        "failed.txt".into(),
                        format!("{}\n{reason}\n", sweep.describe(run.point)),
                    )],
                    failed: Some(reason),
                    seconds: started.elapsed().as_secs_f64(),
                }
            }
        };
        root.send_with_tag(&done.encode()[..], TAG_DONE);
    }
}
