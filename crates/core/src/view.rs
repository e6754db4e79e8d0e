//! Windows on struct-of-arrays populations that can be split into chunks.

/// A mutable window on a run of agents that splits at an index, so the runner
/// can hand disjoint chunks to threads without copying or allocating.
pub trait SplitView: Sized {
    /// Number of agents in the window.
    fn len(&self) -> usize;
    /// True when the window holds no agent.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The agents before `mid` and from `mid` on.
    fn split_at(self, mid: usize) -> (Self, Self);
}
