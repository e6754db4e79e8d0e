//! Events as users schedule them (`events: [...]`): diet changes, bleeding,
//! inflammation, lead, iron therapy, transfusion, donation, on given days
//! counted from the steady state, with their range checks.

use serde::{Deserialize, Serialize};

use super::range::{check_all, Ends};
use crate::error::Error;

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
    /// Oral iron between two days: one morning dose (08:00) of elemental
    /// iron on each dosing day.
    OralIron {
        /// First day.
        from_day: f64,
        /// Last day.
        to_day: f64,
        /// mg per dose, in [0, 1000].
        mg_per_day: f64,
        /// Days between doses: 1 daily (default), 2 alternate days.
        #[serde(default = "every_day")]
        every_days: f64,
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

/// Daily dosing, the default of [`Event::OralIron`].
fn every_day() -> f64 {
    1.0
}

impl Event {
    /// Checks the event's values.
    pub(crate) fn check(&self) -> Result<(), Error> {
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
                every_days,
            } => {
                window(from_day, to_day)?;
                check_all([
                    ("events[].mg_per_day", mg_per_day, 0.0, 1000.0, Closed),
                    ("events[].every_days", every_days, 1.0, 365.0, Closed),
                ])
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
