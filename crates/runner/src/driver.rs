//! A run of a given number of days taken one step at a time: the loop of
//! [`Simulation::run`] as a value, so a front end can stop it at any step
//! boundary, checkpoint it ([`crate::snapshot`]) and carry on later with
//! the same samples it would have taken without the stop.

use crate::{Collective, Error, Sample, Simulation};

/// Where a run is in its steps, and when it samples: `total` steps,
/// sampled every `every` steps and at the end (and once at the start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// Steps of this run done so far.
    pub done: u64,
    /// Steps of the whole run.
    pub total: u64,
    /// Steps between samples.
    pub every: u64,
}

impl Clock {
    /// The clock of `days` more days of `sim`, and the run's first sample
    /// (whose marrow rates cover the burn-in's last day, or the steps since
    /// the last sample).
    pub fn start<C: Collective>(
        sim: &mut Simulation<C>,
        days: f64,
    ) -> Result<(Self, Sample), Error> {
        let dt = sim.params.run.dt_hours();
        let clock = Self {
            done: 0,
            total: (days * 24.0 / dt).round() as u64,
            every: ((sim.params.run.sample_every_hours() / dt).round() as u64).max(1),
        };
        Ok((clock, sim.sample()?))
    }

    /// Advances `sim` one step (nothing once finished); returns the sample
    /// taken at its end, if one is due.
    pub fn advance<C: Collective>(
        &mut self,
        sim: &mut Simulation<C>,
    ) -> Result<Option<Sample>, Error> {
        if self.is_finished() {
            return Ok(None);
        }
        sim.step();
        self.done += 1;
        let i = self.done;
        if i.is_multiple_of(self.every) || i == self.total {
            return Ok(Some(sim.sample()?));
        }
        Ok(None)
    }

    /// True when every step is done.
    pub fn is_finished(&self) -> bool {
        self.done >= self.total
    }
}

/// A simulation with its clock and the samples taken so far: what a
/// checkpoint saves ([`crate::snapshot::Snapshot`]).
pub struct Run {
    pub(crate) sim: Simulation,
    pub(crate) samples: Vec<Sample>,
    pub(crate) clock: Clock,
}

impl Run {
    /// Starts running `days` more days of `sim` (takes the first sample).
    pub fn start(mut sim: Simulation, days: f64) -> Result<Self, Error> {
        let (clock, first) = Clock::start(&mut sim, days)?;
        Ok(Self {
            sim,
            samples: vec![first],
            clock,
        })
    }

    /// Advances one step (nothing once finished); true when it took a sample.
    pub fn advance(&mut self) -> Result<bool, Error> {
        let sample = self.clock.advance(&mut self.sim)?;
        let taken = sample.is_some();
        self.samples.extend(sample);
        Ok(taken)
    }

    /// True when every step is done.
    pub fn is_finished(&self) -> bool {
        self.clock.is_finished()
    }

    /// Where the run is in its steps.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The samples so far, first to last.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The simulation.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// The simulation, to change what it follows (a lineage watch) before
    /// the steps.
    pub fn sim_mut(&mut self) -> &mut Simulation {
        &mut self.sim
    }

    /// The simulation and the samples.
    pub fn into_parts(self) -> (Simulation, Vec<Sample>) {
        (self.sim, self.samples)
    }
}
