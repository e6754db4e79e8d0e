//! Which agents a process holds when one body is split across processes
//! (MPI ranks): a [`Share`] of the lineages and of the cells made outside
//! the marrow. Every process computes the same entry, steady state and
//! transfusions and keeps only its share, so the union over the processes
//! is the population one process would hold, agent for agent.

/// The share of process `rank` of `ranks`: lineage `l` belongs to rank
/// `l % ranks` (with all its cells, which never move), and so does the
/// `k`-th cell made outside the marrow (the steady state's circulation, a
/// transfusion's cells). Round robin, so the ranks hold about as many
/// agents each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    rank: u64,
    ranks: u64,
}

impl Share {
    /// The whole population: one process.
    pub const WHOLE: Share = Share { rank: 0, ranks: 1 };

    /// The share of `rank` of `ranks`; `None` unless `rank < ranks`.
    pub fn new(rank: usize, ranks: usize) -> Option<Self> {
        (rank < ranks).then_some(Self {
            rank: rank as u64,
            ranks: ranks as u64,
        })
    }

    /// This process's rank.
    pub fn rank(self) -> usize {
        self.rank as usize
    }

    /// The number of processes.
    pub fn ranks(self) -> usize {
        self.ranks as usize
    }

    /// Whether the `k`-th of a sequence of agents (a lineage number, a
    /// made cell's index) is this process's.
    #[inline]
    pub fn holds(self, k: u64) -> bool {
        k % self.ranks == self.rank
    }
}

impl Default for Share {
    fn default() -> Self {
        Self::WHOLE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agent_has_exactly_one_process() {
        for ranks in 1..=5 {
            for k in 0..100 {
                let holders = (0..ranks)
                    .filter(|&r| Share::new(r, ranks).unwrap().holds(k))
                    .count();
                assert_eq!(holders, 1);
            }
        }
        assert_eq!(Share::new(3, 3), None);
        assert!((0..10).all(|k| Share::WHOLE.holds(k)));
    }
}
