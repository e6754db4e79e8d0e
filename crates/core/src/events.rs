//! Things that happen to the body on given days: diet changes, bleeding,
//! inflammation, lead, iron therapy, transfusion, donation. Days count from
//! the steady state. The body reads them each step; only transfusion also
//! adds red-cell agents (the runner does that, told by the plasma state).
//! The events themselves, as configured, are [`crate::config::Event`].

pub use crate::config::Event;

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
    /// Oral iron swallowed in this step (a morning dose), mg.
    pub oral_iron_mg: f64,
    /// Intravenous iron given in this step, mg.
    pub intravenous_iron_mg: f64,
    /// Units transfused in this step.
    pub transfusion_units: f64,
}

/// Hour of the day oral doses are taken (a morning dose on an empty
/// stomach, as in the absorption studies).
const DOSE_HOUR: f64 = 8.0;

/// Tolerance on event times, days (a millisecond): step ends are sums of
/// `dt_days` and dose times sums of days and hours, so the same instant can
/// differ in the last bits.
const TIME_EPS_DAYS: f64 = 1e-8;

/// Sums the events in force at `day`; one-off events count in the step
/// `(day - dt_days, day]`.
pub fn in_force(events: &[Event], day: f64, dt_days: f64) -> InForce {
    let mut f = InForce::default();
    let during = |from: f64, to: f64| day > from && day <= to;
    let now = |at: f64| at > day - dt_days + TIME_EPS_DAYS && at <= day + TIME_EPS_DAYS;
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
                every_days,
            } => {
                // The dose of a dosing day is taken at 08:00 of that day.
                let first = from_day.floor() + DOSE_HOUR / 24.0;
                let k = ((day - first + TIME_EPS_DAYS) / every_days)
                    .floor()
                    .max(0.0);
                let dose_at = first + k * every_days;
                if dose_at >= from_day - TIME_EPS_DAYS
                    && dose_at <= to_day + TIME_EPS_DAYS
                    && now(dose_at)
                {
                    f.oral_iron_mg += mg_per_day;
                }
            }
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

    #[test]
    fn every_oral_dose_is_taken_once_whatever_the_rounding_of_the_step_ends() {
        let events = vec![Event::OralIron {
            from_day: 7.0,
            to_day: 8.5,
            mg_per_day: 60.0,
            every_days: 1.0,
        }];
        let dt = 1.0 / 24.0;
        // Step ends as a product (the runner) and as a running sum.
        let mut summed = 0.0;
        let (mut by_product, mut by_sum) = (Vec::new(), Vec::new());
        for h in 1..=24 * 12 {
            summed += dt;
            by_product.push(in_force(&events, h as f64 * dt, dt).oral_iron_mg);
            by_sum.push(in_force(&events, summed, dt).oral_iron_mg);
        }
        for doses in [by_product, by_sum] {
            let given: Vec<usize> = (0..doses.len()).filter(|&i| doses[i] > 0.0).collect();
            // 08:00 on days 7 and 8 end steps 7 * 24 + 8 and 8 * 24 + 8.
            assert_eq!(given, vec![7 * 24 + 8 - 1, 8 * 24 + 8 - 1]);
            assert_eq!(doses.iter().sum::<f64>(), 120.0);
        }
    }
}
