//! The plasma as the agents read it, and the per-step factors derived from it.
//!
//! Agents never see the body compartments: they read one [`PlasmaState`] per
//! step. In this version a [`PrescribedPlasma`] reads it from the config's
//! schedules; the body-iron compartments implement [`Plasma`] too and take
//! its place without any change to agent code.

use crate::config::PlasmaConfig;
use crate::sums::StepSums;

/// What every agent reads in one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlasmaState {
    /// Transferrin saturation, fraction.
    pub tsat: f64,
    /// Erythropoietin, mU/mL.
    pub epo_mu_ml: f64,
    /// Blood lead, ug/dL.
    pub lead_ug_dl: f64,
    /// Fraction of the circulating blood lost per hour (bleeding,
    /// menstruation, donation); each red cell leaves with this probability
    /// per hour of the step.
    pub blood_loss_fraction: f64,
    /// Units of packed red cells transfused in this step.
    pub transfusion_units: f64,
}

/// A source of the plasma state: read before a step, advanced after it with
/// the step's reduction (the only coupling between cells and body).
pub trait Plasma {
    /// The state the agents read in the coming step.
    fn state(&self) -> PlasmaState;
    /// Moves to `day` given what the agents took and gave in the last step.
    fn advance(&mut self, day: f64, sums: &StepSums, dt_hours: f64);
    /// For reading a concrete plasma model's own measures.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Plasma prescribed by schedules over days.
#[derive(Clone, Debug)]
pub struct PrescribedPlasma {
    config: PlasmaConfig,
    now: PlasmaState,
}

impl PrescribedPlasma {
    /// The prescribed plasma at `day`.
    pub fn new(config: PlasmaConfig, day: f64) -> Self {
        let now = Self::at(&config, day);
        Self { config, now }
    }

    fn at(c: &PlasmaConfig, day: f64) -> PlasmaState {
        PlasmaState {
            tsat: c.tsat.at_day(day),
            epo_mu_ml: c.epo_mu_ml.at_day(day),
            lead_ug_dl: c.lead_ug_dl.at_day(day),
            blood_loss_fraction: 0.0,
            transfusion_units: 0.0,
        }
    }
}

impl Plasma for PrescribedPlasma {
    fn state(&self) -> PlasmaState {
        self.now
    }

    fn advance(&mut self, day: f64, _sums: &StepSums, _dt_hours: f64) {
        self.now = Self::at(&self.config, day);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
