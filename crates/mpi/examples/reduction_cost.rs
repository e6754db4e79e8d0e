//! The cost of a split run's reductions alone, for docs/cluster.md:
//! `mpirun -n N cargo run --release --features mpi -p erythro-mpi
//! --example reduction_cost`. Times `ROUNDS` all-reduces of a step's 46
//! words and of a sample's 272 after a barrier, so waiting for a slower
//! rank is (almost) not in the figure, and prints the mean per call on rank 0.

use std::time::Instant;

use erythro_core::sums::StepSums;
use erythro_mpi::Mpi;
use erythro_runner::Collective;

const ROUNDS: usize = 20_000;

fn main() -> anyhow::Result<()> {
    let Some(mpi) = Mpi::init()? else {
        anyhow::bail!("run it under mpirun");
    };
    let team = mpi.team();
    for words in [StepSums::WORDS, 272] {
        let mut w = vec![1i64; words];
        // A one-word reduction first lines the ranks up, as a barrier.
        team.sum(&mut [0]);
        let started = Instant::now();
        for _ in 0..ROUNDS {
            team.sum(&mut w);
        }
        let us = 1e6 * started.elapsed().as_secs_f64() / ROUNDS as f64;
        if mpi.rank() == 0 {
            println!(
                "{} ranks: all-reduce of {words} words ({} bytes): {us:.2} us a call",
                mpi.size(),
                8 * words
            );
        }
    }
    Ok(())
}
