//! # erythro-runner: the time loop
//!
//! [`Simulation`] owns the marrow, the circulation and the plasma, and runs
//! MODEL.md's step: agents advance in parallel over fixed-size chunks
//! ([`parallel`]), their sums are folded in chunk order (the reduction), the
//! staged births and departures are applied, and the plasma advances once.
//! It is the only multi-threaded crate; it uses whatever rayon pool it is
//! called in, so the caller picks the thread count and the result does not
//! depend on it.
//!
//! A run starts from the steady state of its own config ([`steady`]): the
//! marrow runs alone at the starting plasma state until its output is
//! stationary, and a full circulation is built from that output.
//!
//! The config is validated once, by its conversion into
//! [`erythro_core::Params`]; the steps read only those parameters (the
//! [`Config`] is kept for reporting). The plasma comes from an
//! [`erythro_core::source::PlasmaSource`]: prescribed schedules or the body.
//!
//! One body can be split across processes (MPI ranks, [`collective`]):
//! each holds a share of the lineages and of the circulation, the step's
//! sums are added over the processes in one collective reduction, and every
//! process advances the identical plasma with them. The loop is the same
//! code for one process ([`Alone`]); every sum is exact and every draw
//! keyed by the agent, so the bits do not depend on the number of ranks.
#![deny(missing_docs)]

pub mod batch;
pub mod bench;
pub mod collective;
pub mod driver;
pub mod lineage;
mod measure;
pub mod parallel;
pub mod resources;
pub mod sample;
pub mod snapshot;
pub mod steady;
mod transfusion;

use erythro_analysis::RedCellView;
use erythro_core::body::Body;
use erythro_core::circulation::{self, CirculationScratch, CirculationStep, RedCells};
use erythro_core::marrow::{self, Marrow, MarrowScratch, MarrowStep};
use erythro_core::plasma::{Plasma, PlasmaState, PrescribedPlasma};
use erythro_core::source::PlasmaSource;
use erythro_core::sums::StepSums;
use erythro_core::{Config, Params};

pub use collective::{Alone, Collective};
pub use driver::{Clock, Run};
pub use lineage::LineageWatch;
pub use sample::{BodyMeasures, MarrowMeasures, PlasmaMeasures, Sample};

/// Errors of a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(#[from] erythro_core::Error),
    /// The red-cell population could not be measured (for example, empty).
    #[error("cannot measure the blood at day {day}: {source}")]
    Analysis {
        /// Simulated day.
        day: f64,
        /// The analysis error.
        source: erythro_analysis::Error,
    },
    /// The run cannot fit in this machine or outside the model's limits.
    #[error(transparent)]
    Resources(#[from] resources::Limit),
    /// A snapshot cannot be restored (damaged, or not of a valid run).
    #[error("cannot restore the checkpoint: {0}")]
    Restore(String),
    /// In a split run, other processes hold red cells that cannot be
    /// measured (each such process reports its own [`Error::Analysis`]).
    #[error("cannot measure the blood at day {day}: {ranks} other process(es) hold red cells that cannot be measured")]
    Elsewhere {
        /// Simulated day.
        day: f64,
        /// How many processes failed to measure their cells.
        ranks: u64,
    },
}

/// A running simulation, of a whole body (`C` = [`Alone`]) or of this
/// process's share of one split across processes.
pub struct Simulation<C: Collective = Alone> {
    /// The processes the body is split across.
    team: C,
    /// The config as given (for reporting and writing `config.ron`).
    config: Config,
    /// The same, validated: everything the steps read.
    params: Params,
    marrow: Marrow,
    blood: RedCells,
    plasma: PlasmaSource,
    marrow_scratch: Vec<MarrowScratch>,
    /// Chunks the marrow had in the last step (`marrow_scratch` may be longer).
    marrow_chunks: usize,
    blood_scratch: Vec<CirculationScratch>,
    step: u64,
    /// Steps taken while building the steady state: random streams keyed by
    /// step continue from there, so no key is used twice.
    burn_in_steps: u64,
    /// Sums since the last sample.
    window: StepSums,
    window_steps: u64,
    /// Sums of the last step.
    last: StepSums,
    /// Lineages followed cell by cell, when asked for.
    watch: Option<LineageWatch>,
}

impl Simulation {
    /// Validates `config` (the one conversion into [`Params`]) and builds
    /// its steady state (deterministic).
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::split(config, Alone)
    }

    /// The steady state of `config` repeated `copies` times: a population
    /// `copies` times larger whose agents are copies with fresh lineage ids,
    /// each standing for `1/copies` as many real cells, so body quantities
    /// are unchanged. Builds large benchmark populations in seconds instead
    /// of burning in each at full size.
    pub fn tiled(config: Config, copies: usize) -> Result<Self, Error> {
        let mut sim = Self::new(config)?;
        if copies > 1 {
            sim.marrow.tile(copies, &sim.params.marrow);
            sim.blood.tile(copies);
            sim.config.scale.cells_per_agent /= copies as f64;
            sim.params.scale.tile(copies);
        }
        sim.reserve_headroom();
        Ok(sim)
    }
}

impl<C: Collective> Simulation<C> {
    /// This process's share of `config`'s body split across the processes
    /// of `team`: validates the config and builds the steady state with the
    /// other processes (every one must call this, with the same config).
    pub fn split(config: Config, team: C) -> Result<Self, Error> {
        let params = Params::try_from(&config)?;
        resources::check(&config, resources::available_memory(), 1)?;
        let plasma = PlasmaSource::Prescribed(PrescribedPlasma::new(params.plasma.clone(), 0.0));
        let mut sim = Self {
            team,
            config,
            params,
            marrow: Marrow::default(),
            blood: RedCells::default(),
            plasma,
            marrow_scratch: Vec::new(),
            marrow_chunks: 0,
            blood_scratch: Vec::new(),
            step: 0,
            burn_in_steps: 0,
            window: StepSums::default(),
            window_steps: 0,
            last: StepSums::default(),
            watch: None,
        };
        steady::build(&mut sim);
        if let Some(body) = sim.params.body.clone() {
            sim.plasma = PlasmaSource::Body(steady::body(&sim, body));
        }
        sim.reserve_headroom();
        Ok(sim)
    }

    /// The configuration being run.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The validated parameters being run.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Simulated days since the steady state.
    pub fn day(&self) -> f64 {
        self.step as f64 * self.params.run.dt_hours() / 24.0
    }

    /// Steps taken since the steady state.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// The marrow agents (this process's share, in a split run).
    pub fn marrow(&self) -> &Marrow {
        &self.marrow
    }

    /// The circulating red-cell agents (this process's share, in a split run).
    pub fn blood(&self) -> &RedCells {
        &self.blood
    }

    /// The processes the body is split across.
    pub fn team(&self) -> &C {
        &self.team
    }

    /// The sums of the last step (the reduction the plasma saw).
    pub fn last_sums(&self) -> &StepSums {
        &self.last
    }

    /// Real cells each circulating agent stands for.
    pub fn cells_per_blood_agent(&self) -> f64 {
        self.params.scale.cells_per_blood_agent()
    }

    /// The body's iron economy, when the config has one.
    pub fn body(&self) -> Option<&Body> {
        self.plasma.body()
    }

    /// Follows, cell by cell, the first `count` lineages whose
    /// proerythroblasts enter on or after `from_day` (days since the steady
    /// state), from the next step on; replaces any earlier watch. The run's
    /// results do not change.
    pub fn watch_lineages(&mut self, from_day: f64, count: usize) {
        let dt = self.params.run.dt_hours();
        let from_step = (from_day.max(0.0) * 24.0 / dt).round() as u64;
        self.watch = Some(LineageWatch::new(from_step, count, dt));
    }

    /// The lineages being followed, if [`Simulation::watch_lineages`] was called.
    pub fn lineage_watch(&self) -> Option<&LineageWatch> {
        self.watch.as_ref()
    }

    /// Replaces the run's events (`events: [...]`) from the next step on,
    /// the state carrying on as it is: what an interactive front end does
    /// when a slider moves (diet, bleeding, inflammation, lead). The new
    /// list is validated with the rest of the config, as at the start;
    /// on an error nothing changes. Events already past have acted and
    /// are not replayed, so the list may keep or drop them.
    pub fn set_events(&mut self, events: Vec<erythro_core::events::Event>) -> Result<(), Error> {
        let mut config = self.config.clone();
        config.events = events;
        let params = Params::try_from(&config)?;
        let day = self.day();
        if let (PlasmaSource::Body(body), Some(new)) = (&mut self.plasma, &params.body) {
            body.replace_events(new, day);
        }
        self.params.body = params.body;
        self.config.events = config.events;
        Ok(())
    }

    /// Advances one time step (collective in a split run: every process
    /// steps together).
    pub fn step(&mut self) {
        let plasma = self.plasma.state();
        // The watch sees the constants this step's marrow uses.
        let watched = self.watch.is_some().then(|| {
            let (ctx, _) = self.step_contexts(&plasma);
            (ctx, self.marrow.lineages)
        });
        let mut sums = self.advance_agents(&plasma, true);
        if let (Some(watch), Some((ctx, before))) = (self.watch.as_mut(), watched) {
            let entered = before..self.marrow.lineages;
            watch.observe(&ctx, &plasma, self.step, entered);
        }
        if plasma.transfusion_units > 0.0 {
            sums.transfused_fe_fg = transfusion::transfuse(self, plasma.transfusion_units);
        }
        // The reduction over the processes: one collective of fixed size,
        // on the stack, so a step still allocates nothing.
        let mut words = [0i64; StepSums::WORDS];
        sums.to_words(&mut words);
        self.team.sum(&mut words);
        let sums = StepSums::from_words(&words);
        self.step += 1;
        let day = self.day();
        self.plasma.advance(day, &sums);
        self.window.merge(&sums);
        self.window_steps += 1;
        self.last = sums;
    }

    /// Advances the marrow alone one step at the current plasma state, as
    /// the benchmarks measure the hot loop (the circulation does not move).
    pub fn step_marrow_only(&mut self) {
        let plasma = self.plasma.state();
        self.last = self.advance_agents(&plasma, false);
        self.step += 1;
    }

    /// Puts back a saved circulation (benchmarks of the circulation alone
    /// restore it between iterations, since without the marrow it empties).
    pub fn restore_blood(&mut self, saved: &RedCells) {
        self.blood.clone_from(saved);
    }

    /// Advances the circulation alone one step (no marrow, no releases), as
    /// the benchmarks measure it.
    pub fn step_blood_only(&mut self) {
        let plasma = self.plasma.state();
        let (_, blood_ctx) = self.step_contexts(&plasma);
        let n_blood = self.blood_chunks();
        parallel::for_each_chunk(
            self.blood.view(),
            &mut self.blood_scratch[..n_blood],
            &|v, s| circulation::advance(v, &blood_ctx, s),
        );
        let mut sums = StepSums::default();
        for s in &self.blood_scratch[..n_blood] {
            sums.merge(&s.sums);
        }
        self.blood.apply(
            &self.blood_scratch[..n_blood],
            std::iter::empty(),
            &self.params.circulation,
        );
        self.last = sums;
        self.step += 1;
    }

    /// The per-step constants of the marrow and the circulation at `plasma`.
    fn step_contexts(&self, plasma: &PlasmaState) -> (MarrowStep, CirculationStep) {
        let p = &self.params;
        let ctx = MarrowStep::new(&p.marrow, plasma, self.burn_in_steps + self.step);
        let blood_ctx = CirculationStep::new(&p.circulation, &ctx, plasma);
        (ctx, blood_ctx)
    }

    /// Chunks of the circulation, with their scratch ready (it only grows,
    /// so a step allocates nothing once warm).
    fn blood_chunks(&mut self) -> usize {
        let n = parallel::chunk_count(self.blood.len());
        if self.blood_scratch.len() < n {
            self.blood_scratch
                .resize_with(n, || CirculationScratch::with_capacity(parallel::CHUNK));
        }
        n
    }

    /// Reserves room for the population to fluctuate around its steady
    /// state, so steps do not reallocate the agent arrays.
    fn reserve_headroom(&mut self) {
        let m = self.marrow.len() / 4 + 4096;
        let b = self.blood.len() / 8 + 4096;
        self.marrow.reserve(m);
        self.blood.reserve(b);
    }

    /// Marrow (and, with `with_blood`, circulation) advance one step at
    /// `plasma`; returns the folded sums.
    fn advance_agents(&mut self, plasma: &PlasmaState, with_blood: bool) -> StepSums {
        let (ctx, blood_ctx) = self.step_contexts(plasma);
        let n_blood = if with_blood { self.blood_chunks() } else { 0 };
        let mut sums = StepSums::default();
        let cells_per_agent = self.params.scale.cells_per_agent();
        self.marrow
            .enter(plasma, &ctx, cells_per_agent, self.team.share(), &mut sums);

        let n_chunks = parallel::chunk_count(self.marrow.len());
        // Scratch only grows, so a step allocates nothing once warm.
        if self.marrow_scratch.len() < n_chunks {
            self.marrow_scratch
                .resize_with(n_chunks, || MarrowScratch::with_capacity(parallel::CHUNK));
        }

        let marrow_view = self.marrow.view();
        self.marrow_chunks = n_chunks;
        let marrow_scratch = &mut self.marrow_scratch[..n_chunks];
        let blood_view = self.blood.view();
        let blood_scratch = &mut self.blood_scratch[..n_blood];
        rayon::join(
            || {
                parallel::for_each_chunk(marrow_view, marrow_scratch, &|v, s| {
                    marrow::advance(v, &ctx, s)
                })
            },
            || {
                if with_blood {
                    parallel::for_each_chunk(blood_view, blood_scratch, &|v, s| {
                        circulation::advance(v, &blood_ctx, s)
                    })
                }
            },
        );

        // The reduction, in chunk order.
        for s in &self.marrow_scratch[..n_chunks] {
            sums.merge(&s.sums);
        }
        for s in &self.blood_scratch[..n_blood] {
            sums.merge(&s.sums);
        }
        self.marrow.apply(&self.marrow_scratch[..n_chunks]);
        if with_blood {
            let released = self.marrow_scratch[..n_chunks]
                .iter()
                .flat_map(|s| s.released.iter().copied());
            self.blood.apply(
                &self.blood_scratch[..n_blood],
                released,
                &self.params.circulation,
            );
        }
        sums
    }

    /// A view of the circulating sample for the analysis crate.
    pub fn red_cell_view(&self) -> RedCellView<'_> {
        RedCellView {
            volume_fl: &self.blood.volume_fl,
            hb_pg: &self.blood.hb_pg,
            age_h: &self.blood.age_h,
            reticulocyte_age_h: self.params.circulation.reticulocyte_blood_hours() as f32,
            cells_per_agent: self.cells_per_blood_agent(),
            blood_volume_l: self.params.scale.blood_volume_l(),
        }
    }

    /// Runs `days` more days, sampling every `run.sample_every_hours` (and at
    /// the start and the end); `on_sample` sees each sample, `on_step` the
    /// steps done so far out of the total.
    pub fn run(
        &mut self,
        days: f64,
        mut on_sample: impl FnMut(&Sample),
        mut on_step: impl FnMut(u64, u64),
    ) -> Result<Vec<Sample>, Error> {
        let (mut clock, first) = driver::Clock::start(self, days)?;
        on_sample(&first);
        let mut samples = vec![first];
        while !clock.is_finished() {
            let sample = clock.advance(self)?;
            on_step(clock.done, clock.total);
            if let Some(s) = sample {
                on_sample(&s);
                samples.push(s);
            }
        }
        Ok(samples)
    }
}
