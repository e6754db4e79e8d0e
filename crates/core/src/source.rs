//! Where a run's plasma state comes from: prescribed schedules or the body's
//! iron economy. One enum, so the runner can reach the body's own measures
//! (iron studies, books) without a downcast.

use crate::body::Body;
use crate::plasma::{Plasma, PlasmaState, PrescribedPlasma};
use crate::sums::StepSums;

/// The plasma a run's agents read.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // one per run, built once and never moved in a step: a box would only add an indirection
pub enum PlasmaSource {
    /// Schedules over days (`plasma:` in the config), no body.
    Prescribed(PrescribedPlasma),
    /// The body's iron economy (`body: Some(...)`).
    Body(Body),
}

impl PlasmaSource {
    /// The body's iron economy, when the plasma comes from it.
    pub fn body(&self) -> Option<&Body> {
        match self {
            PlasmaSource::Prescribed(_) => None,
            PlasmaSource::Body(body) => Some(body),
        }
    }
}

impl Plasma for PlasmaSource {
    fn state(&self) -> PlasmaState {
        match self {
            PlasmaSource::Prescribed(p) => p.state(),
            PlasmaSource::Body(b) => b.state(),
        }
    }

    fn advance(&mut self, day: f64, sums: &StepSums) {
        match self {
            PlasmaSource::Prescribed(p) => p.advance(day, sums),
            PlasmaSource::Body(b) => b.advance(day, sums),
        }
    }
}
