//! Erythroblast agents: entry, growth, hemoglobin synthesis, the division
//! decision, maturation, enucleation and release. This is the hot loop
//! ([`advance`] in `kernel.rs`).
//!
//! State is struct-of-arrays ([`Erythroblasts`]); a step runs over
//! fixed-size chunks ([`ErythroblastsMut`]) that each write only their own
//! [`MarrowScratch`], so chunks can run on any thread in any order and the
//! result is the same. Daughters, departures and deaths are staged in the
//! scratch and applied after the step by [`Marrow::apply`]. [`lineage`]
//! follows chosen lineages cell by cell with the same per-cell step.

mod cells;
mod kernel;
pub mod lineage;
mod step;

/// The constants the marrow counts iron with, defined once in [`crate::units`].
pub use crate::units::{FE_FG_PER_ATOM, FE_FG_PER_PG_HB};
pub use cells::{
    proerythroblast, Erythroblast, Erythroblasts, ErythroblastsMut, Marrow, Released,
    ERYTHROBLAST_BYTES, ERYTHROBLAST_TRAFFIC_BYTES,
};
pub use kernel::{advance, MarrowScratch};
pub use step::{MarrowParams, MarrowStep};
/// Transferrin saturation of the healthy reference: capacities are stated
/// relative to a cell's iron uptake at this saturation (healthy man, Israel 2022).
pub const REFERENCE_TSAT: f64 = 0.30;
/// Agent ids are `lineage << LINEAGE_SHIFT | tree index` (root 1, children 2k, 2k+1).
pub const LINEAGE_SHIFT: u32 = 16;

/// Where an erythroblast is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    /// Cycling: grows, makes hemoglobin, decides at each cycle's end.
    Proliferating = 0,
    /// Post-mitotic: still making hemoglobin, until enucleation.
    Maturing = 1,
    /// Enucleated, still in the marrow, remodelling.
    Reticulocyte = 2,
}

/// The smaller of two non-NaN values: a single `minss`, where `f32::min`
/// adds NaN handling the model never needs (no state is ever NaN).
#[inline(always)]
pub(crate) fn min(a: f32, b: f32) -> f32 {
    if a < b {
        a
    } else {
        b
    }
}

/// The larger of two non-NaN values (see [`min`]).
#[inline(always)]
pub(crate) fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}
