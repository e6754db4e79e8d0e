//! The sweep file as written (RON): its schema, with unknown fields
//! refused and every mistake named by file, line and column. What the file
//! means, the plan of runs it expands to, is the parent module's.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use erythro_core::Config;
use serde::Deserialize;

use crate::tree::Scalar;

/// A sweep file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// The config every point starts from.
    pub base: Base,
    /// Changes to the base made for every point, in order.
    #[serde(default)]
    pub set: Vec<Setting>,
    /// Seed every run's seed is derived from. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Runs per point, each with its own seed. Default 1.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// Grid axes: every combination of their values is a point; the first
    /// axis varies slowest.
    #[serde(default)]
    pub grid: Vec<Axis>,
    /// A Latin hypercube over several ranges; combined with a grid, every
    /// grid point gets the whole hypercube.
    #[serde(default)]
    pub latin_hypercube: Option<LatinHypercube>,
}

fn default_seed() -> u64 {
    1
}

fn default_replicates() -> u32 {
    1
}

/// Where the base config comes from.
#[derive(Debug, Deserialize)]
pub enum Base {
    /// A config file, relative to the sweep file.
    File(PathBuf),
    /// A config written in place.
    Inline(Box<Config>),
}

/// `(path: "run.days", value: 120.0)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Field path.
    pub path: String,
    /// Its value for every point.
    pub value: Scalar,
}

/// One grid axis.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Field path.
    pub path: String,
    /// Its values.
    pub values: Values,
}

/// The values of a grid axis.
#[derive(Debug, Deserialize)]
pub enum Values {
    /// These values, in this order.
    List(Vec<Scalar>),
    /// `count` evenly spaced values from `from` to `to`, both included.
    Linear {
        /// First value.
        from: f64,
        /// Last value.
        to: f64,
        /// Number of values.
        count: usize,
    },
    /// `count` values evenly spaced in logarithm from `from` to `to`.
    Log {
        /// First value (positive).
        from: f64,
        /// Last value (positive).
        to: f64,
        /// Number of values.
        count: usize,
    },
}

/// A Latin hypercube design.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatinHypercube {
    /// Number of samples: each range is cut into this many equal strata and
    /// every stratum of every range is sampled exactly once.
    pub samples: usize,
    /// The ranges.
    pub ranges: Vec<Range>,
}

/// One range of a Latin hypercube.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Field path.
    pub path: String,
    /// Lower end.
    pub from: f64,
    /// Upper end.
    pub to: f64,
    /// Strata even in logarithm rather than linearly. Default false.
    #[serde(default)]
    pub log: bool,
}

/// The sweep file at `path`, its text and its name (the file stem).
pub(super) fn read(path: &Path) -> Result<(SweepFile, String, String)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read sweep file {}", path.display()))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    let file = parse_text(&text, &path.display().to_string())?;
    Ok((file, text, name))
}

/// Parses sweep text; `origin` names it in errors.
pub(super) fn parse_text(text: &str, origin: &str) -> Result<SweepFile> {
    ron::Options::default().from_str(text).map_err(|e| {
        anyhow!(
            "{origin}:{}:{}: {}",
            e.position.line,
            e.position.col,
            e.code
        )
    })
}
