//! MPI itself: initialised only when a launcher started this process, its
//! world checked against the launcher's, and [`Team`], the runner's
//! [`Collective`] over the world communicator.

use std::cell::Cell;
use std::marker::PhantomData;
use std::time::Instant;

use anyhow::{bail, Result};
use erythro_core::share::Share;
use erythro_runner::Collective;
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::{Count, Threading};

use crate::launcher;

/// MPI, initialised; finalised when dropped (so it must outlive every
/// [`Team`], which borrows it).
pub struct Mpi {
    _universe: Universe,
    rank: usize,
    size: usize,
}

impl Mpi {
    /// Initialises MPI when a launcher started this process (its
    /// environment says how many processes it started), checking that the
    /// MPI library sees that many; `None` without a launcher: one process,
    /// MPI untouched.
    pub fn init() -> Result<Option<Mpi>> {
        let Some(launched) = launcher::launched(|name| std::env::var(name).ok()) else {
            return Ok(None);
        };
        let Some((universe, threading)) = mpi::initialize_with_threading(Threading::Serialized)
        else {
            bail!("MPI was initialised already");
        };
        if threading < Threading::Serialized {
            bail!(
                "the MPI library offers threads only at level {threading:?}; erythro needs \
                 MPI_THREAD_SERIALIZED (its MPI calls come from one thread at a time, not \
                 always the first)"
            );
        }
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        launcher::check(Some(launched), size)?;
        Ok(Some(Mpi {
            _universe: universe,
            rank,
            size,
        }))
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The number of ranks.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The world communicator.
    pub fn world(&self) -> SimpleCommunicator {
        SimpleCommunicator::world()
    }

    /// The ranks as a [`Collective`] for a split run.
    pub fn team(&self) -> Team<'_> {
        Team {
            rank: self.rank,
            size: self.size,
            traffic: Cell::new(Traffic::default()),
            _mpi: PhantomData,
        }
    }
}

/// Every rank of the world as the runner's [`Collective`]: sums by
/// `MPI_Allreduce(MPI_SUM)` of `i64`, gathers by `MPI_Allgatherv`. It
/// holds no MPI handle (the world communicator is fetched for each call),
/// so it can move into the thread pool that runs the simulation, while
/// MPI is called from one thread at a time.
pub struct Team<'a> {
    rank: usize,
    size: usize,
    traffic: Cell<Traffic>,
    _mpi: PhantomData<&'a ()>,
}

/// What a rank's collectives have cost so far: the scaling note's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Traffic {
    /// Collective calls.
    pub calls: u64,
    /// Bytes this rank contributed to them.
    pub bytes: u64,
    /// Seconds spent in them (waiting for the slowest rank included).
    pub seconds: f64,
}

impl Team<'_> {
    /// The collectives' cost on this rank so far.
    pub fn traffic(&self) -> Traffic {
        self.traffic.get()
    }

    fn count(&self, bytes: usize, since: Instant) {
        let mut t = self.traffic.get();
        t.calls += 1;
        t.bytes += bytes as u64;
        t.seconds += since.elapsed().as_secs_f64();
        self.traffic.set(t);
    }
}

/// Reductions up to this many words go through a buffer on the stack, so
/// a step (46 words) allocates nothing.
const STACK_WORDS: usize = 64;

impl Collective for Team<'_> {
    fn share(&self) -> Share {
        Share::new(self.rank, self.size).expect("an MPI rank is below the world size")
    }

    fn sum(&self, words: &mut [i64]) {
        let started = Instant::now();
        let world = SimpleCommunicator::world();
        if words.len() <= STACK_WORDS {
            let mut send = [0i64; STACK_WORDS];
            send[..words.len()].copy_from_slice(words);
            world.all_reduce_into(&send[..words.len()], words, SystemOperation::sum());
        } else {
            let send = words.to_vec();
            world.all_reduce_into(&send[..], words, SystemOperation::sum());
        }
        self.count(std::mem::size_of_val(words), started);
    }

    fn all_gather(&self, bytes: &[u8]) -> Vec<u8> {
        let started = Instant::now();
        let world = SimpleCommunicator::world();
        let mine = bytes.len() as Count;
        let mut counts = vec![0 as Count; self.size];
        world.all_gather_into(&mine, &mut counts[..]);
        let displs: Vec<Count> = counts
            .iter()
            .scan(0, |at, &c| {
                let d = *at;
                *at += c;
                Some(d)
            })
            .collect();
        let total: Count = counts.iter().sum();
        let mut all = vec![0u8; total as usize];
        {
            let mut partition = PartitionMut::new(&mut all[..], counts, &displs[..]);
            world.all_gather_varcount_into(bytes, &mut partition);
        }
        self.count(bytes.len(), started);
        all
    }
}
