//! Many runs side by side: a sweep's points, validation's conditions.
//!
//! Jobs are handed out in order from a shared counter to `workers` threads,
//! each with its own rayon pool of `inner` threads for the runs it does, so
//! a big run can still use several threads. Every run is deterministic on
//! its own, so the results never depend on how the threads are shared; only
//! the order in which jobs finish does, and callers write per job.
//!
//! Why side by side: at the scales sweeps use, one run does not scale
//! across cores (its serial part, the entry of new cells, applying births
//! and departures, the plasma and the sampling, is a large share of a
//! step), while independent runs share nothing; the README's sweep section
//! has the measurement.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// A rayon pool of `threads` threads (all cores when `None`; 0 is taken as 1).
pub fn thread_pool(
    threads: Option<usize>,
) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n.max(1));
    }
    pool.build()
}

/// How `threads` are shared among `runs`: `(runs side by side, threads
/// inside each)`. One thread per run unless `point_threads` says otherwise;
/// threads left over by too few runs go inside them.
pub fn share_threads(threads: usize, point_threads: Option<usize>, runs: usize) -> (usize, usize) {
    let per_run = point_threads.unwrap_or(1).max(1);
    let workers = (threads / per_run).clamp(1, runs.max(1));
    let inner = point_threads.unwrap_or(threads / workers).max(1);
    (workers, inner)
}

/// Runs `work(i)` for every job `i` in `0..jobs`, on `workers` threads each
/// inside its own rayon pool of `inner` threads. After the first error no
/// new job starts; the jobs running finish, and that first error is
/// returned.
pub fn side_by_side<E, F>(jobs: usize, workers: usize, inner: usize, work: F) -> Result<(), E>
where
    E: From<rayon::ThreadPoolBuildError> + Send + Sync,
    F: Fn(usize) -> Result<(), E> + Sync,
{
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error: OnceLock<E> = OnceLock::new();
    let fail = |e: E| {
        stop.store(true, Ordering::SeqCst);
        let _ = first_error.set(e);
    };
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, jobs.max(1)) {
            scope.spawn(|| {
                let pool = match thread_pool(Some(inner)) {
                    Ok(p) => p,
                    Err(e) => return fail(e.into()),
                };
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= jobs {
                        break;
                    }
                    if let Err(e) = pool.install(|| work(i)) {
                        fail(e);
                    }
                }
            });
        }
    });
    match first_error.into_inner() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum TestError {
        Job(usize),
        Pool,
    }

    impl From<rayon::ThreadPoolBuildError> for TestError {
        fn from(_: rayon::ThreadPoolBuildError) -> Self {
            TestError::Pool
        }
    }

    #[test]
    fn every_job_runs_once_on_its_own_pool() {
        let seen: Vec<AtomicUsize> = (0..20).map(|_| AtomicUsize::new(0)).collect();
        side_by_side::<TestError, _>(20, 3, 2, |i| {
            assert_eq!(rayon::current_num_threads(), 2);
            seen[i].fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .unwrap();
        assert!(seen.iter().all(|n| n.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn the_first_error_stops_new_jobs() {
        let started = AtomicUsize::new(0);
        let r = side_by_side(100, 1, 1, |i| {
            started.fetch_add(1, Ordering::SeqCst);
            if i == 4 {
                Err(TestError::Job(i))
            } else {
                Ok(())
            }
        });
        assert_eq!(r, Err(TestError::Job(4)));
        assert_eq!(started.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn threads_go_side_by_side_first() {
        assert_eq!(share_threads(8, None, 100), (8, 1));
        assert_eq!(share_threads(8, None, 3), (3, 2));
        assert_eq!(share_threads(8, Some(4), 100), (2, 4));
        assert_eq!(share_threads(2, None, 0), (1, 2));
    }
}
