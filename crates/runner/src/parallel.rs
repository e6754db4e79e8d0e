//! Fixed-size chunks run on the rayon pool, each writing its own scratch.
//!
//! The population is split into chunks of [`CHUNK`] agents whatever the
//! number of threads, so the per-chunk results, folded in chunk order, are
//! bitwise identical at 1, 2 or N threads.

use erythro_core::view::SplitView;

/// Agents per chunk: large enough to amortise scheduling, small enough to
/// balance two to a few dozen threads over a million agents.
pub const CHUNK: usize = 16 * 1024;

/// Number of chunks for `len` agents.
pub fn chunk_count(len: usize) -> usize {
    len.div_ceil(CHUNK).max(1)
}

/// Runs `f` on each chunk of `view` with its own scratch, in parallel.
/// `scratches` must hold exactly [`chunk_count`] entries.
pub fn for_each_chunk<V, S, F>(view: V, scratches: &mut [S], f: &F)
where
    V: SplitView + Send,
    S: Send,
    F: Fn(V, &mut S) + Sync,
{
    debug_assert_eq!(scratches.len(), chunk_count(view.len()));
    if scratches.len() == 1 {
        f(view, &mut scratches[0]);
        return;
    }
    let half = scratches.len() / 2;
    let (left, right) = view.split_at(half * CHUNK);
    let (s_left, s_right) = scratches.split_at_mut(half);
    rayon::join(
        || for_each_chunk(left, s_left, f),
        || for_each_chunk(right, s_right, f),
    );
}
