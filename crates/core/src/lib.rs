//! # erythro-core: the model
//!
//! The principal types are [`marrow::Marrow`] (erythroblast agents, the hot
//! loop) and [`circulation::RedCells`] (circulating red-cell agents). They
//! read one [`plasma::PlasmaState`] per step and report what they took and
//! gave in a [`sums::StepSums`].
//!
//! One time step (MODEL.md "Three layers, one time loop"):
//! 1. proerythroblasts enter ([`marrow::Marrow::enter`]);
//! 2. every erythroblast and every red cell advances given the plasma state,
//!    chunk by chunk ([`marrow::advance`], [`circulation::advance`]): each
//!    chunk writes only its own scratch (sums, daughters, departures);
//! 3. the chunks' sums are folded in chunk order (the reduction) and their
//!    staged changes applied ([`marrow::Marrow::apply`],
//!    [`circulation::RedCells::apply`]);
//! 4. the plasma advances once with the totals ([`plasma::Plasma::advance`]):
//!    prescribed schedules ([`plasma::PrescribedPlasma`]) or the body's iron
//!    economy ([`body::Body`], with [`events`] such as bleeding or therapy),
//!    whichever the run's [`source::PlasmaSource`] holds.
//!
//! Design choices, and why:
//! - **Config in two stages**: [`Config`] is raw serde input; the one
//!   validating conversion [`Params`]`::try_from(&Config)` checks every range
//!   and computes every constant that does not change from step to step
//!   ([`marrow::MarrowParams`], [`circulation::CirculationParams`],
//!   [`body::BodyParams`]). A step only turns the plasma state into the few
//!   factors that follow it ([`marrow::MarrowStep`]), so the hot code never
//!   reads raw config.
//! - **Struct-of-arrays, f32 per cell, f64 sums**: a step is a stream over
//!   memory, so bytes per agent set the speed; f32 holds the science (volumes
//!   to 0.01 fL) and sums in f64 keep body totals exact enough for iron
//!   bookkeeping.
//! - **No threads, no I/O here**: the runner owns parallelism and the binary
//!   owns files. Chunks are windows ([`view::SplitView`]) the runner splits.
//! - **Randomness keyed by (seed, agent id, purpose, counter)** ([`rng`]):
//!   no shared generator, so results do not depend on scheduling, nor on
//!   which process holds an agent when a body is split across processes
//!   ([`share`]).
//! - **Exact, order-free sums** ([`sums::ExactSum`]): the reduction adds
//!   integers, so chunks, threads and processes may add up in any grouping
//!   and the body sees the same bits.
//! - **Staged births and deaths**: daughters and departures wait in scratch
//!   buffers until the step ends, so a chunk never changes another's data.
#![deny(missing_docs)]

pub mod body;
pub mod circulation;
pub mod config;
pub mod error;
pub mod events;
pub mod marrow;
pub mod params;
pub mod plasma;
pub mod rng;
pub mod schedule;
pub mod share;
pub mod source;
pub mod special;
pub mod sums;
pub mod units;
pub mod view;

pub use config::Config;
pub use error::Error;
pub use params::Params;
