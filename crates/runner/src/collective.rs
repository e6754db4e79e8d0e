//! What a run split across processes asks of them: a [`Collective`], the
//! few collective operations one body's step needs when its agents are
//! held by several processes (MPI ranks). The time loop is written once,
//! over this trait: [`Alone`] (one process, every operation the identity)
//! runs it as before; `erythro-mpi` runs it over MPI; [`Threads`] runs it
//! with ranks as threads of one process, which is how the tests check that
//! a split run gives the bits of an unsplit one without an MPI library.
//!
//! Every operation is collective: every rank calls it, in the same order,
//! with data of the same shape. Only integers are reduced, and integer
//! addition is exact and associative, so the totals cannot depend on how
//! many ranks there are or in what order the library adds them (floating
//! point sums travel as [`erythro_core::sums::ExactSum`] limbs).

use std::sync::{Arc, Barrier, Mutex, PoisonError};

use erythro_core::share::Share;

/// The collective operations of a split run.
pub trait Collective {
    /// This process's rank and the number of ranks.
    fn share(&self) -> Share;

    /// Element-wise sum of `words` over the ranks, in place: every rank
    /// ends with the totals.
    fn sum(&self, words: &mut [i64]);

    /// Every rank's `bytes`, concatenated in rank order, on every rank.
    fn all_gather(&self, bytes: &[u8]) -> Vec<u8>;
}

/// One process holding the whole body: every operation is the identity.
#[derive(Clone, Copy, Debug, Default)]
pub struct Alone;

impl Collective for Alone {
    fn share(&self) -> Share {
        Share::WHOLE
    }

    fn sum(&self, _: &mut [i64]) {}

    fn all_gather(&self, bytes: &[u8]) -> Vec<u8> {
        bytes.to_vec()
    }
}

/// What the ranks of a [`Threads`] team exchange through.
struct Exchange {
    barrier: Barrier,
    words: Mutex<Vec<Vec<i64>>>,
    bytes: Mutex<Vec<Vec<u8>>>,
}

/// One rank of a team of ranks that are threads of one process: each rank
/// posts its part, all wait, each reads every part and combines them in
/// rank order, all wait again (so no part is overwritten before everyone
/// has read it). Slow next to MPI's collectives and meant for tests: it
/// shows that a split run's bits do not depend on the number of ranks.
pub struct Threads {
    rank: usize,
    ranks: usize,
    exchange: Arc<Exchange>,
}

impl Threads {
    /// A team of `ranks` ranks (at least 1), one per thread that will run them.
    pub fn team(ranks: usize) -> Vec<Threads> {
        let ranks = ranks.max(1);
        let exchange = Arc::new(Exchange {
            barrier: Barrier::new(ranks),
            words: Mutex::new(vec![Vec::new(); ranks]),
            bytes: Mutex::new(vec![Vec::new(); ranks]),
        });
        (0..ranks)
            .map(|rank| Threads {
                rank,
                ranks,
                exchange: Arc::clone(&exchange),
            })
            .collect()
    }
}

impl Collective for Threads {
    fn share(&self) -> Share {
        Share::new(self.rank, self.ranks).expect("rank below ranks")
    }

    fn sum(&self, words: &mut [i64]) {
        let x = &self.exchange;
        x.words.lock().unwrap_or_else(PoisonError::into_inner)[self.rank] = words.to_vec();
        x.barrier.wait();
        {
            let parts = x.words.lock().unwrap_or_else(PoisonError::into_inner);
            words.fill(0);
            for part in parts.iter() {
                for (w, p) in words.iter_mut().zip(part) {
                    *w += p;
                }
            }
        }
        x.barrier.wait();
    }

    fn all_gather(&self, bytes: &[u8]) -> Vec<u8> {
        let x = &self.exchange;
        x.bytes.lock().unwrap_or_else(PoisonError::into_inner)[self.rank] = bytes.to_vec();
        x.barrier.wait();
        let all = x
            .bytes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .concat();
        x.barrier.wait();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_sums_and_gathers_in_rank_order() {
        let team = Threads::team(3);
        let results: Vec<(Vec<i64>, Vec<u8>)> = std::thread::scope(|s| {
            let handles: Vec<_> = team
                .iter()
                .map(|t| {
                    s.spawn(move || {
                        let r = t.share().rank() as i64;
                        let mut w = vec![r, 10 * r, 1];
                        t.sum(&mut w);
                        // A second round reuses the exchange.
                        let mut again = vec![r];
                        t.sum(&mut again);
                        w.extend(again);
                        (w, t.all_gather(&[r as u8; 2]))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (w, g) in results {
            assert_eq!(w, vec![3, 30, 3, 3]);
            assert_eq!(g, vec![0, 0, 1, 1, 2, 2]);
        }
        let mut w = [4, 5];
        Alone.sum(&mut w);
        assert_eq!((w, Alone.all_gather(&[7])), ([4, 5], vec![7]));
    }
}
