//! Erythroblast agents: entry, growth, hemoglobin synthesis, the division
//! decision, maturation, enucleation and release. This is the hot loop
//! ([`advance`] in `kernel.rs`).
//!
//! State is struct-of-arrays ([`Erythroblasts`]); a step runs over
//! fixed-size chunks ([`ErythroblastsMut`]) that each write only their own
//! [`MarrowScratch`], so chunks can run on any thread in any order and the
//! result is the same. A daughter takes the place of a cell that left the
//! same chunk in the same step; the unmatched rest are staged in the
//! scratch and applied after the step by [`Marrow::apply`]. [`lineage`]
//! follows chosen lineages cell by cell with the same per-cell step.
//!
//! This file only declares and re-exports: the files import each other
//! one way (`step` <- `cells` <- `kernel` <- `lineage`), never through here.

mod cells;
mod kernel;
pub mod lineage;
mod step;

/// The constants the marrow counts iron with, defined once in [`crate::units`].
pub use crate::units::{FE_FG_PER_ATOM, FE_FG_PER_PG_HB};
pub use cells::{
    proerythroblast, Erythroblast, Erythroblasts, ErythroblastsMut, Marrow, MarrowScratch,
    Released, Stage, ERYTHROBLAST_BYTES, ERYTHROBLAST_TRAFFIC_BYTES, LINEAGE_SHIFT,
};
pub use kernel::advance;
pub use step::{MarrowParams, MarrowStep, REFERENCE_TSAT};
