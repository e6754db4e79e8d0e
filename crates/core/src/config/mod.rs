//! The model's configuration as users write it (`*Config`, serde) and its
//! range checks. The hot code never reads these: the one validating
//! conversion, [`crate::params::Params`]`::try_from(&Config)`, checks them
//! and turns them into the constants the steps use.
//!
//! Every field has a default, documented with its unit, valid range and
//! source, so a config file only names what it changes. Unknown fields are
//! refused by serde; out-of-range values by the conversion (or
//! [`Config::validate`], which runs it), naming the field, the value and the
//! valid range. This module imports neither the model nor its parameters:
//! they import it.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::schedule::Schedule;

mod body;
mod events;
mod marrow;
pub(crate) mod range;

pub use body::BodyConfig;
pub use events::Event;
pub use marrow::{DivisionRule, MarrowConfig};
use range::{check_all, Ends};

/// A whole run: how long, how sampled, at what scale, and the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Seed, duration and sampling.
    pub run: RunConfig,
    /// How many real cells each agent stands for.
    pub scale: ScaleConfig,
    /// The plasma state the cells read (prescribed schedules).
    pub plasma: PlasmaConfig,
    /// Erythroblast agents.
    pub marrow: MarrowConfig,
    /// Circulating red-cell agents.
    pub circulation: CirculationConfig,
    /// The body's iron economy. When present it computes transferrin
    /// saturation and EPO (the plasma schedules then give only their day-0
    /// saturation and the lead); when absent the plasma is prescribed.
    pub body: Option<BodyConfig>,
    /// Events on given days (diet, bleeding, inflammation, lead, therapy,
    /// transfusion, donation). They need the body's iron economy.
    pub events: Vec<Event>,
}

/// Seed, duration and sampling of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Seed of every random stream. Default 1.
    pub seed: u64,
    /// Simulated days after the steady state is built. Default 30; range (0, 3650].
    pub days: f64,
    /// Time step in hours. Default 1 (MODEL.md); range [0.25, 4]: the kinetics
    /// (cycle 23 h, reticulocyte 24 h) must stay several steps long.
    pub dt_hours: f64,
    /// Hours between samples of the blood count. Default 24; at least one step.
    pub sample_every_hours: f64,
    /// Days the marrow runs at the starting plasma state before the
    /// circulation is built from its output. Default 16: longer than the
    /// slowest lineage (division cap times cycle, plus maturation).
    pub burn_in_days: f64,
    /// Which reference ranges the blood count is flagged against. Default `AdultMan`.
    pub reference: Reference,
}

/// A population's reference ranges (`reference/healthy-adult.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reference {
    /// Healthy adult man.
    AdultMan,
    /// Healthy adult woman.
    AdultWoman,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            days: 30.0,
            dt_hours: 1.0,
            sample_every_hours: 24.0,
            burn_in_days: 16.0,
            reference: Reference::AdultMan,
        }
    }
}

/// How many real cells an agent stands for, and the body they live in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScaleConfig {
    /// Real erythroblasts per marrow agent. Default 8e5, which puts about a
    /// million agents in a healthy marrow of about 8e11 erythroid cells
    /// (MODEL.md "Scale"); range [1, 1e12].
    pub cells_per_agent: f64,
    /// Fraction of released reticulocytes followed as circulating agents
    /// (each then stands for `cells_per_agent / fraction` red cells).
    /// Default 0.05: about 1.5 million circulating agents, enough for
    /// histogram tails; range (0, 1].
    pub circulating_sample_fraction: f64,
    /// Blood volume in litres. Default 5.0 (adult man, about 70 mL/kg);
    /// range (0.1, 10].
    pub blood_volume_l: f64,
}

impl Default for ScaleConfig {
    fn default() -> Self {
        Self {
            cells_per_agent: 8.0e5,
            circulating_sample_fraction: 0.05,
            blood_volume_l: 5.0,
        }
    }
}

/// The plasma as the cells see it. In this version each quantity is
/// prescribed as a schedule over days; the body-iron compartments replace
/// these schedules without touching agent code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlasmaConfig {
    /// Transferrin saturation, fraction in [0, 1]. Default 0.30 (healthy
    /// man, about 31%, Israel 2022).
    pub tsat: Schedule,
    /// Erythropoietin, mU/mL, in [0, 10000]. Default 10 (normal 4-24).
    pub epo_mu_ml: Schedule,
    /// Blood lead, ug/dL, in [0, 500]. Default 0.
    pub lead_ug_dl: Schedule,
}

impl Default for PlasmaConfig {
    fn default() -> Self {
        Self {
            tsat: Schedule::Constant(0.30),
            epo_mu_ml: Schedule::Constant(10.0),
            lead_ug_dl: Schedule::Constant(0.0),
        }
    }
}

/// Circulating red-cell parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CirculationConfig {
    /// Hours a released cell counts as a reticulocyte in blood. Default 24
    /// (Hillman 1969: about 1 day at normal hematocrit); range [0, 120].
    pub reticulocyte_blood_hours: f64,
    /// Fraction of volume a reticulocyte loses while it remodels (marrow and
    /// blood phases together). Default 0.17 (115 fL at release to about
    /// 95 fL; prior "reticulocytes lose about 20%"); range [0, 0.9].
    pub reticulocyte_volume_loss: f64,
    /// Fraction of its post-reticulocyte volume a cell loses by the mean
    /// lifespan. Default 0.16: with remodelling, about 30% from release to
    /// removal (Malka 2014; Higgins & Mahadevan 2010); range [0, 0.9].
    pub mature_volume_loss: f64,
    /// Fraction of its hemoglobin a mature cell loses by the mean lifespan
    /// (vesiculation). Default 0.20 (Higgins & Mahadevan 2010); range [0, 0.9].
    pub mature_hb_loss: f64,
    /// Mean red-cell lifespan, days. Default 117 (ferrokinetics, 115-120);
    /// range [1, 1000].
    pub lifespan_days: f64,
    /// Weibull shape of the lifespan distribution. Default 10 (coefficient of
    /// variation about 12%, a senescence-dominated survival curve); range [1, 100].
    pub lifespan_weibull_shape: f64,
    /// Shortening of a cell's life per g/dL of unpaired globin it carries
    /// from the marrow (precipitated chains, Heinz bodies and HbH
    /// inclusions: the spleen removes such cells early). Default 2: a
    /// lifespan of 1/(1 + 2 c) at c g/dL (assumption; thalassemia trait red
    /// cells survive mildly shortened); range [0, 1000].
    pub inclusion_survival_loss_per_g_dl: f64,
    /// Faster senescence per ug/dL of blood lead. Default 0.004: at 60 ug/dL
    /// cells wear out about 25% faster (lead inhibits pyrimidine
    /// 5'-nucleotidase and damages the membrane; survival shortened in lead
    /// poisoning, Leikin and Eng, 1963); range [0, 1].
    pub lead_senescence_per_ug_dl: f64,
    /// Faster senescence at full inflammatory drive, fraction. Default 0.6:
    /// red-cell survival falls to about 80 days in chronic inflammation
    /// (Cartwright 1966; macrophage activation); range [0, 10].
    pub inflammation_senescence: f64,
}

impl Default for CirculationConfig {
    fn default() -> Self {
        Self {
            reticulocyte_blood_hours: 24.0,
            reticulocyte_volume_loss: 0.17,
            mature_volume_loss: 0.16,
            mature_hb_loss: 0.20,
            lifespan_days: 117.0,
            lifespan_weibull_shape: 10.0,
            inclusion_survival_loss_per_g_dl: 2.0,
            lead_senescence_per_ug_dl: 0.004,
            inflammation_senescence: 0.6,
        }
    }
}

impl Config {
    /// Checks every value against its valid range and returns the first
    /// violation, naming the field, the value and the range. Only the
    /// conversion into [`crate::params::Params`] calls it.
    pub(crate) fn check(&self) -> Result<(), Error> {
        use Ends::{Closed, OpenLow};
        let r = &self.run;
        let s = &self.scale;
        let c = &self.circulation;
        check_all([
            ("run.days", r.days, 0.0, 3650.0, OpenLow),
            ("run.dt_hours", r.dt_hours, 0.25, 4.0, Closed),
            (
                "run.sample_every_hours",
                r.sample_every_hours,
                r.dt_hours,
                87600.0,
                Closed,
            ),
            ("run.burn_in_days", r.burn_in_days, 1.0, 365.0, Closed),
            (
                "circulation.inclusion_survival_loss_per_g_dl",
                c.inclusion_survival_loss_per_g_dl,
                0.0,
                1000.0,
                Closed,
            ),
            (
                "circulation.lead_senescence_per_ug_dl",
                c.lead_senescence_per_ug_dl,
                0.0,
                1.0,
                Closed,
            ),
            (
                "circulation.inflammation_senescence",
                c.inflammation_senescence,
                0.0,
                10.0,
                Closed,
            ),
            (
                "scale.cells_per_agent",
                s.cells_per_agent,
                1.0,
                1e12,
                Closed,
            ),
            (
                "scale.circulating_sample_fraction",
                s.circulating_sample_fraction,
                0.0,
                1.0,
                OpenLow,
            ),
            ("scale.blood_volume_l", s.blood_volume_l, 0.1, 10.0, OpenLow),
            (
                "circulation.reticulocyte_blood_hours",
                c.reticulocyte_blood_hours,
                0.0,
                120.0,
                Closed,
            ),
            (
                "circulation.reticulocyte_volume_loss",
                c.reticulocyte_volume_loss,
                0.0,
                0.9,
                Closed,
            ),
            (
                "circulation.mature_volume_loss",
                c.mature_volume_loss,
                0.0,
                0.9,
                Closed,
            ),
            (
                "circulation.mature_hb_loss",
                c.mature_hb_loss,
                0.0,
                0.9,
                Closed,
            ),
            (
                "circulation.lifespan_days",
                c.lifespan_days,
                1.0,
                1000.0,
                Closed,
            ),
            (
                "circulation.lifespan_weibull_shape",
                c.lifespan_weibull_shape,
                1.0,
                100.0,
                Closed,
            ),
        ])?;
        let p = &self.plasma;
        p.tsat.check("plasma.tsat", 0.0, 1.0)?;
        p.epo_mu_ml.check("plasma.epo_mu_ml", 0.0, 10000.0)?;
        p.lead_ug_dl.check("plasma.lead_ug_dl", 0.0, 500.0)?;
        if let Some(body) = &self.body {
            body.check()?;
        }
        for e in &self.events {
            e.check()?;
        }
        if !self.events.is_empty() && self.body.is_none() {
            return Err(Error::InvalidSchedule {
                field: "events",
                reason: "events act on the body's iron economy: add a `body: Some(())` section"
                    .into(),
            });
        }
        self.marrow.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn out_of_range_names_field_value_and_range() {
        let mut c = Config::default();
        c.marrow.critical_hb_g_dl = 120.0;
        let e = c.validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "marrow.critical_hb_g_dl = 120 is out of range: expected (0, 100]"
        );
        let mut c = Config::default();
        c.plasma.tsat = Schedule::Constant(-0.1);
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("plasma.tsat"));
    }

    #[test]
    fn nan_is_refused() {
        let mut c = Config::default();
        c.scale.blood_volume_l = f64::NAN;
        assert!(c.validate().is_err());
    }
}
