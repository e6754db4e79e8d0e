//! An exhaustive snapshot of a run ([`Run`]): every column of every agent,
//! the body's pools and regulators, the step counts that key the random
//! streams (steps since the steady state and burn-in steps), the sampling
//! window, the followed lineages, the run's clock and the samples so far.
//! [`Snapshot::restore`] gives a run that continues bit for bit as the
//! original would have: the same steps, the same samples, at any thread
//! count (the step does not depend on it).
//!
//! What is not saved, and why: the validated parameters (rebuilt from the
//! config by the same conversion), the prescribed plasma (a function of the
//! config and the day), and the step scratch buffers (emptied at the start
//! of every step). The model types are mirrored field by field in
//! [`mirror`], so adding a field to the model without adding it here does
//! not compile, and [`layout_fingerprint`] changes with any mirror's fields,
//! so a checkpoint of another layout is refused instead of misread.
//!
//! The file format around a snapshot (magic, version, checksum) is
//! `erythro_io::checkpoint`'s.

pub mod mirror;

use erythro_core::body::Body;
use erythro_core::marrow::lineage::LineageTracer;
use erythro_core::marrow::Stage;
use erythro_core::plasma::PrescribedPlasma;
use erythro_core::source::PlasmaSource;
use erythro_core::{Config, Params};
use serde::{Deserialize, Serialize};

use crate::driver::Run;
use crate::{Alone, Error, LineageWatch, Simulation};
use mirror::{
    record, BodyStateSnap, ClockSnap, ErythroblastSnap, Layout, LineageSnap, MarrowSnap,
    PlasmaStateSnap, RedCellsSnap, SampleSnap, Snap, StepSumsSnap,
};

record!(
    /// A lineage watch ([`LineageWatch`]): which lineages, and the tracer's
    /// lineages and live cells.
    WatchSnap as LineageWatch {
        from_step: u64,
        wanted: usize,
        dt_hours: f64,
        lineages: Vec<LineageSnap>,
        live: Vec<(ErythroblastSnap, usize, usize)>,
        entries: Vec<(f64, PlasmaStateSnap)>,
    }
);

record!(
    /// A simulation's state ([`Simulation`]), without what its config
    /// determines.
    SimulationSnap as Simulation {
        marrow: MarrowSnap,
        blood: RedCellsSnap,
        body: Option<BodyStateSnap>,
        step: u64,
        burn_in_steps: u64,
        window: StepSumsSnap,
        window_steps: u64,
        last: StepSumsSnap,
        watch: Option<WatchSnap>,
    }
);

record!(
    /// A whole run: the caller's label for it, its config (RON text), the
    /// simulation, the clock and the samples so far.
    Snapshot as Snapshot {
        label: String,
        config_ron: String,
        sim: SimulationSnap,
        clock: ClockSnap,
        samples: Vec<SampleSnap>,
    }
);

/// A 64-bit FNV-1a hash of every mirror's name, fields and types: a
/// checkpoint records it, and one with another layout is refused.
pub fn layout_fingerprint() -> u64 {
    mirror::layout_text()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

fn invalid(what: impl Into<String>) -> Error {
    Error::Restore(what.into())
}

impl Snapshot {
    /// The snapshot of `run` (taken between steps), labelled `label`.
    pub fn of(run: &Run, label: &str) -> Result<Self, Error> {
        let Simulation {
            team: Alone, // one process: a checkpoint is of a whole body
            config,
            params: _, // rebuilt from the config
            marrow,
            blood,
            plasma,            // prescribed: rebuilt from the config and the day
            marrow_scratch: _, // emptied at the start of every step
            marrow_chunks: _,  // read only within a step
            blood_scratch: _,  // emptied at the start of every step
            step,
            burn_in_steps,
            window,
            window_steps,
            last,
            watch,
        } = &run.sim;
        let watch = watch.as_ref().map(|w| {
            let LineageWatch {
                from_step,
                wanted,
                dt_hours,
                tracer,
                entries,
            } = w;
            let (lineages, live) = tracer.state_parts();
            WatchSnap {
                from_step: *from_step,
                wanted: *wanted,
                dt_hours: *dt_hours,
                lineages: Snap::snap(&lineages),
                live: live
                    .iter()
                    .map(|(c, l, r)| (ErythroblastSnap::snap(c), *l, *r))
                    .collect(),
                entries: entries
                    .iter()
                    .map(|(d, p)| (*d, PlasmaStateSnap::snap(p)))
                    .collect(),
            }
        });
        let config_ron = ron::to_string(config)
            .map_err(|e| invalid(format!("cannot write the config as RON: {e}")))?;
        Ok(Self {
            label: label.to_string(),
            config_ron,
            sim: SimulationSnap {
                marrow: Snap::snap(marrow),
                blood: Snap::snap(blood),
                body: plasma.body().map(|b| BodyStateSnap::snap(&b.state_parts())),
                step: *step,
                burn_in_steps: *burn_in_steps,
                window: Snap::snap(window),
                window_steps: *window_steps,
                last: Snap::snap(last),
                watch,
            },
            clock: Snap::snap(&run.clock),
            samples: Snap::snap(&run.samples),
        })
    }

    /// The config of the snapshot's run.
    pub fn config(&self) -> Result<Config, Error> {
        ron::Options::default()
            .from_str(&self.config_ron)
            .map_err(|e| invalid(format!("its config does not parse: {e}")))
    }

    /// The run, continuing where the snapshot was taken, and its label.
    /// Everything is checked first (the config as at the start of a run,
    /// every column's length and values), so a damaged snapshot is an
    /// error, never a panic or a wrong run.
    pub fn restore(self) -> Result<(Run, String), Error> {
        let config = self.config()?;
        let params = Params::try_from(&config)?;
        self.check()?;
        let Snapshot {
            label,
            config_ron: _,
            sim,
            clock,
            samples,
        } = self;
        let SimulationSnap {
            marrow,
            blood,
            body,
            step,
            burn_in_steps,
            window,
            window_steps,
            last,
            watch,
        } = sim;
        let day = step as f64 * params.run.dt_hours() / 24.0;
        let plasma = match (params.body.clone(), body) {
            (None, None) => {
                PlasmaSource::Prescribed(PrescribedPlasma::new(params.plasma.clone(), day))
            }
            (Some(p), Some(state)) => PlasmaSource::Body(Body::from_state(p, state.unsnap())),
            (Some(_), None) => return Err(invalid("its config has a body but it holds none")),
            (None, Some(_)) => return Err(invalid("it holds a body but its config has none")),
        };
        let watch = match watch {
            None => None,
            Some(w) => Some(restore_watch(w)?),
        };
        let mut sim = Simulation {
            team: Alone,
            config,
            params,
            marrow: marrow.unsnap(),
            blood: blood.unsnap(),
            plasma,
            marrow_scratch: Vec::new(),
            marrow_chunks: 0,
            blood_scratch: Vec::new(),
            step,
            burn_in_steps,
            window: window.unsnap(),
            window_steps,
            last: last.unsnap(),
            watch,
        };
        sim.reserve_headroom();
        let run = Run {
            sim,
            samples: samples.unsnap(),
            clock: clock.unsnap(),
        };
        Ok((run, label))
    }

    /// Lengths and values every step relies on.
    fn check(&self) -> Result<(), Error> {
        let m = &self.sim.marrow.cells;
        let n = m.volume_fl.len();
        let lengths = [
            m.hb_pg.len(),
            m.mito_fe_fg.len(),
            m.free_globin_pg.len(),
            m.zpp_fe_fg.len(),
            m.membrane.len(),
            m.uptake_factor.len(),
            m.phase_h.len(),
            m.phase_len_h.len(),
            m.age_h.len(),
            m.id.len(),
            m.divisions.len(),
            m.stage.len(),
        ];
        if lengths.iter().any(|&l| l != n) {
            return Err(invalid("its erythroblast columns differ in length"));
        }
        if n > u32::MAX as usize {
            return Err(invalid(
                "it holds more erythroblast agents than a step can index",
            ));
        }
        if m.stage.iter().any(|&s| s > Stage::Reticulocyte as u8) {
            return Err(invalid("an erythroblast has no valid stage"));
        }
        let f32_columns = [
            &m.volume_fl,
            &m.hb_pg,
            &m.mito_fe_fg,
            &m.free_globin_pg,
            &m.zpp_fe_fg,
            &m.membrane,
            &m.uptake_factor,
            &m.phase_h,
            &m.phase_len_h,
            &m.age_h,
        ];
        if f32_columns.iter().any(|c| c.iter().any(|v| !v.is_finite())) {
            return Err(invalid("an erythroblast holds a value that is not finite"));
        }
        let b = &self.sim.blood;
        let n = b.volume_fl.len();
        if [b.hb_pg.len(), b.age_h.len(), b.lifespan_h.len(), b.id.len()]
            .iter()
            .any(|&l| l != n)
        {
            return Err(invalid("its red-cell columns differ in length"));
        }
        if n > u32::MAX as usize {
            return Err(invalid(
                "it holds more red-cell agents than a step can index",
            ));
        }
        let blood = [&b.volume_fl, &b.hb_pg, &b.age_h, &b.lifespan_h];
        if blood.iter().any(|c| c.iter().any(|v| !v.is_finite())) {
            return Err(invalid("a red cell holds a value that is not finite"));
        }
        let c = &self.clock;
        if c.every == 0 || c.done > c.total {
            return Err(invalid("its clock is out of range"));
        }
        if self.samples.is_empty() {
            return Err(invalid("it holds no sample"));
        }
        Ok(())
    }
}

fn restore_watch(w: WatchSnap) -> Result<LineageWatch, Error> {
    let WatchSnap {
        from_step,
        wanted,
        dt_hours,
        lineages,
        live,
        entries,
    } = w;
    let live = live
        .into_iter()
        .map(|(c, l, r)| (c.unsnap(), l, r))
        .collect();
    let tracer = LineageTracer::from_state(lineages.unsnap(), live)
        .ok_or_else(|| invalid("a followed cell points at no recorded cell"))?;
    Ok(LineageWatch {
        from_step,
        wanted,
        dt_hours,
        tracer,
        entries: entries.into_iter().map(|(d, p)| (d, p.unsnap())).collect(),
    })
}
