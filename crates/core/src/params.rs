//! The one validating conversion from a [`Config`] (raw serde input) to the
//! [`Params`] a run uses: every range is checked here, once, and every
//! constant that does not change from step to step is computed here, once.
//! The per-step code reads only `*Params` and the plasma state.

use crate::body::BodyParams;
use crate::circulation::CirculationParams;
use crate::config::{Config, RunConfig, ScaleConfig};
use crate::error::Error;
use crate::marrow::MarrowParams;
use crate::plasma::PlasmaParams;

/// A whole run, validated: what the runner and the model read.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Seed, duration, step and sampling.
    pub run: RunParams,
    /// How many real cells each agent stands for.
    pub scale: ScaleParams,
    /// The prescribed plasma schedules (with a body, only their day-0
    /// saturation and EPO and the lead schedule are read).
    pub plasma: PlasmaParams,
    /// The erythroblasts' constants.
    pub marrow: MarrowParams,
    /// The circulating red cells' constants.
    pub circulation: CirculationParams,
    /// The body's iron economy with its events, when the config has one.
    pub body: Option<BodyParams>,
}

impl TryFrom<&Config> for Params {
    type Error = Error;

    /// Checks every value of `c` (the first violation is the error, naming
    /// the field, the value and the valid range), then computes the
    /// constants.
    fn try_from(c: &Config) -> Result<Self, Error> {
        c.check()?;
        let run = &c.run;
        let scale = &c.scale;
        let dt = run.dt_hours;
        let remodel_per_h = remodel_per_hour(c);
        Ok(Self {
            run: RunParams::new(run),
            scale: ScaleParams::new(scale),
            plasma: PlasmaParams::new(&c.plasma),
            marrow: MarrowParams::new(
                &c.marrow,
                run.seed,
                dt,
                remodel_per_h,
                scale.circulating_sample_fraction,
            ),
            circulation: CirculationParams::new(&c.circulation, run.seed, dt, remodel_per_h),
            body: c.body.as_ref().map(|b| {
                BodyParams::new(b, scale, run.reference, dt, &c.events, &c.plasma.lead_ug_dl)
            }),
        })
    }
}

impl Config {
    /// Checks every value against its valid range and returns the first
    /// violation, naming the field, the value and the range: the conversion
    /// into [`Params`], with the result dropped.
    pub fn validate(&self) -> Result<(), Error> {
        Params::try_from(self).map(drop)
    }
}

/// The hourly volume factor of reticulocyte remodelling: the configured loss
/// spread over the marrow and blood reticulocyte phases together.
fn remodel_per_hour(c: &Config) -> f64 {
    let hours = c.marrow.marrow_reticulocyte_hours + c.circulation.reticulocyte_blood_hours;
    if hours <= 0.0 {
        1.0
    } else {
        (1.0 - c.circulation.reticulocyte_volume_loss).powf(1.0 / hours)
    }
}

/// Seed, duration, step and sampling of a run, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct RunParams {
    seed: u64,
    days: f64,
    dt_hours: f64,
    sample_every_hours: f64,
    burn_in_days: f64,
}

impl RunParams {
    fn new(r: &RunConfig) -> Self {
        Self {
            seed: r.seed,
            days: r.days,
            dt_hours: r.dt_hours,
            sample_every_hours: r.sample_every_hours,
            burn_in_days: r.burn_in_days,
        }
    }

    /// Seed of every random stream.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Simulated days after the steady state.
    pub fn days(&self) -> f64 {
        self.days
    }

    /// Time step, hours.
    pub fn dt_hours(&self) -> f64 {
        self.dt_hours
    }

    /// Hours between samples of the blood count.
    pub fn sample_every_hours(&self) -> f64 {
        self.sample_every_hours
    }

    /// Days the marrow runs alone before the circulation is built.
    pub fn burn_in_days(&self) -> f64 {
        self.burn_in_days
    }
}

/// How many real cells an agent stands for, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleParams {
    cells_per_agent: f64,
    circulating_sample_fraction: f64,
    blood_volume_l: f64,
}

impl ScaleParams {
    fn new(s: &ScaleConfig) -> Self {
        Self {
            cells_per_agent: s.cells_per_agent,
            circulating_sample_fraction: s.circulating_sample_fraction,
            blood_volume_l: s.blood_volume_l,
        }
    }

    /// Real erythroblasts per marrow agent.
    pub fn cells_per_agent(&self) -> f64 {
        self.cells_per_agent
    }

    /// Fraction of released reticulocytes followed as circulating agents.
    pub fn circulating_sample_fraction(&self) -> f64 {
        self.circulating_sample_fraction
    }

    /// Real red cells per circulating agent.
    pub fn cells_per_blood_agent(&self) -> f64 {
        self.cells_per_agent / self.circulating_sample_fraction
    }

    /// Blood volume, L.
    pub fn blood_volume_l(&self) -> f64 {
        self.blood_volume_l
    }

    /// The scale of a population repeated `copies` times: each agent stands
    /// for `1/copies` as many real cells.
    pub fn tile(&mut self, copies: usize) {
        self.cells_per_agent /= copies as f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Event;
    use crate::schedule::Schedule;

    #[test]
    fn validate_is_the_conversion() {
        let mut c = Config::default();
        assert_eq!(c.validate(), Params::try_from(&c).map(drop));
        c.marrow.cycle_hours = 1.0;
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "marrow.cycle_hours = 1 is out of range: expected [4, 100]"
        );
        assert_eq!(c.validate(), Params::try_from(&c).map(drop));
    }

    #[test]
    fn events_need_a_body() {
        let mut c = Config::default();
        c.events.push(Event::Donation {
            day: 1.0,
            ml: 450.0,
        });
        let e = Params::try_from(&c).unwrap_err();
        assert!(e.to_string().starts_with("events:"), "{e}");
        c.body = Some(Default::default());
        let p = Params::try_from(&c).unwrap();
        assert_eq!(p.body.unwrap().events(), &c.events[..]);
    }

    #[test]
    fn the_first_violation_in_config_order_is_the_error() {
        // Both invalid: the run's field is checked before the plasma's.
        let mut c = Config::default();
        c.run.dt_hours = 10.0;
        c.plasma.tsat = Schedule::Constant(2.0);
        let e = Params::try_from(&c).unwrap_err();
        assert!(e.to_string().starts_with("run.dt_hours"), "{e}");
    }

    #[test]
    fn scale_tiles_agents_not_cells() {
        let mut s = ScaleParams::new(&ScaleConfig::default());
        let blood = s.cells_per_blood_agent();
        s.tile(4);
        assert_eq!(
            s.cells_per_agent(),
            ScaleConfig::default().cells_per_agent / 4.0
        );
        assert_eq!(s.cells_per_blood_agent(), blood / 4.0);
    }
}
