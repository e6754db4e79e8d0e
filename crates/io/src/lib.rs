//! # erythro-io: erythro's files
//!
//! Everything that crosses the disk, for every front end (the CLI, a
//! sweep, a cluster driver, a web page):
//! - [`config`]: RON configs in, with errors that give the file, line and
//!   column (unknown fields refused by serde, out-of-range values by
//!   the core's validation); the resolved config out, so a run repeats;
//! - [`atomic`]: the one atomic writer. A results directory is staged and
//!   swapped into place whole; a single file goes through a temporary file
//!   renamed over it. No reader ever sees half an output;
//! - [`results`]: the text of what a run writes (`summary.json`,
//!   `timeseries.csv`, histograms, `onset.csv`), and [`results_dir`]: those
//!   files read back, so plots and reports are drawn from the files alone;
//! - [`lineage`]: the lineage records of `lineage.json`;
//! - [`paths`]: where results may go (never over an input, never out of
//!   their directory);
//! - [`checkpoint`]: a run's snapshot as a versioned, checksummed file,
//!   refused with a reason when damaged, foreign or of another version.
//!
//! Errors are one enum, [`Error`], each variant naming the path (or file,
//! line and column) and what was expected.
#![deny(missing_docs)]

pub mod atomic;
pub mod checkpoint;
pub mod config;
mod error;
pub mod lineage;
pub mod paths;
pub mod results;
pub mod results_dir;

pub use atomic::{write_file_atomic, Staged};
pub use error::{Error, Result};
