//! The plasma as the agents read it, and the per-step factors derived from it.
//!
//! Agents never see the body compartments: they read one [`PlasmaState`] per
//! step. A [`PrescribedPlasma`] reads it from the config's schedules; the
//! body's iron economy ([`crate::body::Body`]) implements [`Plasma`] too and
//! takes its place without any change to agent code. A run holds one of the
//! two in a [`crate::source::PlasmaSource`].

use crate::config::PlasmaConfig;
use crate::schedule::Schedule;
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
    /// Inflammatory drive in [0, 1) (IL-6 over IL-6 plus its half-effect
    /// level): it suppresses erythropoiesis and shortens red-cell survival.
    pub inflammation: f64,
}

/// A source of the plasma state: read before a step, advanced after it with
/// the step's reduction (the only coupling between cells and body).
pub trait Plasma {
    /// The state the agents read in the coming step.
    fn state(&self) -> PlasmaState;
    /// Moves to `day` given what the agents took and gave in the last step
    /// (one time step of the run).
    fn advance(&mut self, day: f64, sums: &StepSums);
}

/// The prescribed plasma of a run: validated schedules over days of
/// transferrin saturation, EPO and lead. Built only by
/// [`crate::params::Params`]'s conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct PlasmaParams {
    tsat: Schedule,
    epo_mu_ml: Schedule,
    lead_ug_dl: Schedule,
}

impl PlasmaParams {
    /// The schedules of a checked `c`.
    pub(crate) fn new(c: &PlasmaConfig) -> Self {
        Self {
            tsat: c.tsat.clone(),
            epo_mu_ml: c.epo_mu_ml.clone(),
            lead_ug_dl: c.lead_ug_dl.clone(),
        }
    }

    /// Transferrin saturation over days, fraction.
    pub fn tsat(&self) -> &Schedule {
        &self.tsat
    }

    /// Erythropoietin over days, mU/mL.
    pub fn epo_mu_ml(&self) -> &Schedule {
        &self.epo_mu_ml
    }

    /// Blood lead over days, ug/dL.
    pub fn lead_ug_dl(&self) -> &Schedule {
        &self.lead_ug_dl
    }
}

/// Plasma prescribed by schedules over days.
#[derive(Clone, Debug, PartialEq)]
pub struct PrescribedPlasma {
    params: PlasmaParams,
    now: PlasmaState,
}

impl PrescribedPlasma {
    /// The prescribed plasma at `day`.
    pub fn new(params: PlasmaParams, day: f64) -> Self {
        let now = Self::at(&params, day);
        Self { params, now }
    }

    fn at(c: &PlasmaParams, day: f64) -> PlasmaState {
        PlasmaState {
            tsat: c.tsat.at_day(day),
            epo_mu_ml: c.epo_mu_ml.at_day(day),
            lead_ug_dl: c.lead_ug_dl.at_day(day),
            blood_loss_fraction: 0.0,
            transfusion_units: 0.0,
            inflammation: 0.0,
        }
    }
}

impl Plasma for PrescribedPlasma {
    fn state(&self) -> PlasmaState {
        self.now
    }

    fn advance(&mut self, day: f64, _sums: &StepSums) {
        self.now = Self::at(&self.params, day);
    }
}
