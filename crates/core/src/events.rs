//! Things that happen to the body on given days: diet changes, bleeding,
//! inflammation, lead, iron therapy, transfusion, donation. Days count from
//! the steady state. The body reads them each step; only transfusion also
//! adds red-cell agents (the runner does that, told by the plasma state).

use serde::{Deserialize, Serialize};

use crate::config::{check_all, Ends};
use crate::Error;

/// One event of the schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Event {
    /// Dietary iron from `from_day` on (the last such event in force wins).
    Diet {
        /// First day, days.
        from_day: f64,
        /// Dietary iron, mg/day, in [0, 1000].
        fe_mg_per_day: f64,
    },
    /// Chronic blood loss between two days, mL of whole blood per day.
    Bleeding {
        /// First day.
        from_day: f64,
        /// Last day.
        to_day: f64,
        /// mL/day, in [0, 2000].
        ml_per_day: f64,
    },
    /// Inflammation: circulating IL-6 between two days, pg/mL (normal < 5;
    /// chronic inflammatory disease 10-100).
    Inflammation {
        /// First day.
        from_day: f64,
        /// Last day.
        to_day: f64,
        /// IL-6, pg/mL, in [0, 10000].
        il6_pg_ml: f64,
    },
    /// Lead exposure: blood lead between two days, ug/dL.
    Lead {
        /// First day.
        from_day: f64,
        /// Last day.
        to_day: f64,
        /// Blood lead, ug/dL, in [0, 500].
        ug_dl: f64,
    },
    /// Oral iron between two days, mg of elemental iron per day.
    OralIron {
        /// First day.
        from_day: f64,
        /// Last day.
        to_day: f64,
        /// mg/day, in [0, 1000].
        mg_per_day: f64,
    },
    /// Intravenous iron: one dose, taken up by macrophages.
    IntravenousIron {
        /// Day of the infusion.
        day: f64,
        /// Elemental iron, mg, in [0, 5000].
        mg: f64,
    },
    /// Transfusion of packed red cells.
    Transfusion {
        /// Day of the transfusion.
        day: f64,
        /// Units (about 2e12 red cells and 200-250 mg of iron each), in [0, 20].
        units: f64,
    },
    /// Blood donation (or an acute bleed): whole blood lost in one hour.
    Donation {
        /// Day.
        day: f64,
        /// mL, in [0, 3000].
        ml: f64,
    },
}

impl Event {
    /// Checks the event's values; `index` names it in the error.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        use Ends::Closed;
        const DAYS: f64 = 36500.0;
        let window = |from: f64, to: f64| -> Result<(), Error> {
            check_all([
                ("events[].from_day", from, 0.0, DAYS, Closed),
                ("events[].to_day", to, from, DAYS, Closed),
            ])
        };
        match *self {
            Event::Diet {
                from_day,
                fe_mg_per_day,
            } => check_all([
                ("events[].from_day", from_day, 0.0, DAYS, Closed),
                ("events[].fe_mg_per_day", fe_mg_per_day, 0.0, 1000.0, Closed),
            ]),
            Event::Bleeding {
                from_day,
                to_day,
                ml_per_day,
            } => {
                window(from_day, to_day)?;
                check_all([("events[].ml_per_day", ml_per_day, 0.0, 2000.0, Closed)])
            }
            Event::Inflammation {
                from_day,
                to_day,
                il6_pg_ml,
            } => {
                window(from_day, to_day)?;
                check_all([("events[].il6_pg_ml", il6_pg_ml, 0.0, 10000.0, Closed)])
            }
            Event::Lead {
                from_day,
                to_day,
                ug_dl,
            } => {
                window(from_day, to_day)?;
                check_all([("events[].ug_dl", ug_dl, 0.0, 500.0, Closed)])
            }
            Event::OralIron {
                from_day,
                to_day,
                mg_per_day,
            } => {
                window(from_day, to_day)?;
                check_all([("events[].mg_per_day", mg_per_day, 0.0, 1000.0, Closed)])
            }
            Event::IntravenousIron { day, mg } => check_all([
                ("events[].day", day, 0.0, DAYS, Closed),
                ("events[].mg", mg, 0.0, 5000.0, Closed),
            ]),
            Event::Transfusion { day, units } => check_all([
                ("events[].day", day, 0.0, DAYS, Closed),
                ("events[].units", units, 0.0, 20.0, Closed),
            ]),
            Event::Donation { day, ml } => check_all([
                ("events[].day", day, 0.0, DAYS, Closed),
                ("events[].ml", ml, 0.0, 3000.0, Closed),
            ]),
        }
    }
}

/// What the schedule says for the step that ends at `day` and lasts `dt_days`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct InForce {
    /// Dietary iron if an event set it, mg/day.
    pub diet_fe_mg_per_day: Option<f64>,
    /// Extra blood loss, mL/day (bleeding events).
    pub bleeding_ml_per_day: f64,
    /// Whole blood lost at once in this step, mL (donations).
    pub donated_ml: f64,
    /// IL-6, pg/mL.
    pub il6_pg_ml: f64,
    /// Extra blood lead, ug/dL.
    pub lead_ug_dl: f64,
    /// Oral iron, mg/day.
    pub oral_iron_mg_per_day: f64,
    /// Intravenous iron given in this step, mg.
    pub intravenous_iron_mg: f64,
    /// Units transfused in this step.
    pub transfusion_units: f64,
}

/// Sums the events in force at `day`; one-off events count in the step
/// `(day - dt_days, day]`.
pub fn in_force(events: &[Event], day: f64, dt_days: f64) -> InForce {
    let mut f = InForce::default();
    let during = |from: f64, to: f64| day > from && day <= to;
    let now = |at: f64| at > day - dt_days && at <= day;
    let mut diet_from = f64::NEG_INFINITY;
    for e in events {
        match *e {
            Event::Diet {
                from_day,
                fe_mg_per_day,
            } if day > from_day && from_day >= diet_from => {
                diet_from = from_day;
                f.diet_fe_mg_per_day = Some(fe_mg_per_day);
            }
            Event::Bleeding {
                from_day,
                to_day,
                ml_per_day,
            } if during(from_day, to_day) => f.bleeding_ml_per_day += ml_per_day,
            Event::Inflammation {
                from_day,
                to_day,
                il6_pg_ml,
            } if during(from_day, to_day) => f.il6_pg_ml += il6_pg_ml,
            Event::Lead {
                from_day,
                to_day,
                ug_dl,
            } if during(from_day, to_day) => f.lead_ug_dl += ug_dl,
            Event::OralIron {
                from_day,
                to_day,
                mg_per_day,
            } if during(from_day, to_day) => f.oral_iron_mg_per_day += mg_per_day,
            Event::IntravenousIron { day: at, mg } if now(at) => f.intravenous_iron_mg += mg,
            Event::Transfusion { day: at, units } if now(at) => f.transfusion_units += units,
            Event::Donation { day: at, ml } if now(at) => f.donated_ml += ml,
            _ => {}
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_one_off_events() {
        let events = vec![
            Event::Diet {
                from_day: 10.0,
                fe_mg_per_day: 3.0,
            },
            Event::Bleeding {
                from_day: 5.0,
                to_day: 20.0,
                ml_per_day: 10.0,
            },
            Event::IntravenousIron {
                day: 30.0,
                mg: 500.0,
            },
        ];
        let at = |d: f64| in_force(&events, d, 1.0 / 24.0);
        assert_eq!(at(4.0).bleeding_ml_per_day, 0.0);
        assert_eq!(at(6.0).bleeding_ml_per_day, 10.0);
        assert_eq!(at(6.0).diet_fe_mg_per_day, None);
        assert_eq!(at(11.0).diet_fe_mg_per_day, Some(3.0));
        assert_eq!(at(30.0).intravenous_iron_mg, 500.0);
        assert_eq!(at(30.0 + 1.0 / 24.0).intravenous_iron_mg, 0.0);
        // The dose is given exactly once over the hourly steps of a day.
        let total: f64 = (1..=24 * 40)
            .map(|h| in_force(&events, h as f64 / 24.0, 1.0 / 24.0).intravenous_iron_mg)
            .sum();
        assert_eq!(total, 500.0);
    }
}
