//! # erythro-mpi: erythro across MPI ranks
//!
//! Two ways to use a cluster's MPI, both giving the bits of one process:
//! - **one body split across ranks** (`mpirun -n N erythro run CONFIG`):
//!   `Team` is the runner's [`erythro_runner::Collective`] over MPI, so
//!   [`erythro_runner::Simulation::split`] holds this rank's share of the
//!   lineages and circulation and adds the step's sums over the ranks in
//!   one `MPI_Allreduce` of integers per step;
//! - **a sweep's runs handed out on request** (`mpirun -n N erythro sweep
//!   SWEEP`, `sweep`): rank 0 keeps the queue and writes every result,
//!   the other ranks ask for a run, run it with rayon on their own cores
//!   and send its files (or why it failed) back: a dynamic queue, so long
//!   and short runs balance themselves.
//!
//! The MPI parts are behind the `mpi` feature; without it the crate still
//! holds what needs no MPI library, and is tested without one: the check
//! of the launcher's environment ([`launcher`]: a binary started by
//! `mpirun -n 4` of another MPI sees a world of one and would run four
//! copies, so it stops instead) and the sweep's messages ([`message`]).
//!
//! Design choices, and why:
//! - **MPI only where it is asked for**: without a launcher's environment
//!   erythro does not initialise MPI at all and runs as one process, so
//!   the MPI build behaves as the default build on a laptop.
//! - **Integers through the reductions**: sums travel as exact fixed-point
//!   limbs (`erythro_core::sums::ExactSum`), so `MPI_SUM` over any number
//!   of ranks, in any order the library picks, gives the same totals.
//! - **MPI calls from one thread at a time** (`MPI_THREAD_SERIALIZED`):
//!   rayon works inside a rank, and only the step's serial part talks to
//!   the other ranks.
#![deny(missing_docs)]

pub mod launcher;
pub mod message;
#[cfg(feature = "mpi")]
pub mod sweep;
#[cfg(feature = "mpi")]
mod world;

#[cfg(feature = "mpi")]
pub use world::{Mpi, Team, Traffic};
