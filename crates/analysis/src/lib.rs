//! What a hematology analyser would report for a population of circulating
//! red-cell agents: the complete blood count's red-cell indices (RBC, Hb, Hct,
//! MCV, MCH, MCHC, RDW-CV, RDW-SD), reticulocyte counts and CHr, the
//! cell-by-cell flags of an ADVIA-style analyser (hypo/hyper/micro/macro),
//! the published thalassaemia-trait vs iron-deficiency discriminant indices,
//! the volume and hemoglobin-content histograms, the volume x concentration
//! cytogram and volume percentiles; the healthy reference ranges and flags
//! ([`mod@reference`]); and the sensitivity analysis of sweeps (Latin hypercube
//! and partial rank correlation, [`prcc`]).
//!
//! The crate is pure computation: no I/O, no threads, no printing. Every sum
//! is exact and order-free ([`erythro_core::sums::ExactSum`]) and every
//! measure has a mergeable form ([`RedCellStats`], [`HistogramCounts`]), so
//! the same cells give the same bits in any order and however they are
//! split between processes.

#![deny(missing_docs)]

mod cbc;
mod discriminant;
mod error;
mod histogram;
mod percentiles;
pub mod prcc;
mod rdw;
pub mod reference;
pub mod thresholds;
mod view;

pub use cbc::{red_cell_indices, volume_spread, Cbc, RedCellStats};
pub use discriminant::{Discriminant, Suggestion, DISCRIMINANTS};
pub use error::Error;
pub use histogram::{
    histograms, Cytogram, Histogram1d, HistogramCounts, Histograms, REGION_CHC_NAMES,
    REGION_VOLUME_NAMES,
};
pub use percentiles::{volume_percentiles, VolumePercentiles};
pub use rdw::{rdw_sd_span, RdwSdSpan};
pub use view::RedCellView;
