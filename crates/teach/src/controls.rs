//! The page's sliders: their ranges, the values in force in a run, and how
//! a moved slider becomes the run's events (body: diet, bleeding, IL-6,
//! lead; applied live) or its marrow (globin output, division rule; a new
//! steady state).

use erythro_core::config::DivisionRule;
use erythro_core::events::{in_force, Event};
use erythro_core::Config;
use serde::{Deserialize, Serialize};

/// The end of an open-ended event, days: the longest a config allows.
pub const FOREVER_DAY: f64 = 36500.0;

/// The values of every slider.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Controls {
    /// Dietary iron, mg/day.
    pub diet_fe_mg_per_day: f64,
    /// Blood loss, mL/day.
    pub bleeding_ml_per_day: f64,
    /// IL-6, pg/mL.
    pub il6_pg_ml: f64,
    /// Blood lead, ug/dL.
    pub lead_ug_dl: f64,
    /// Beta-globin output, % of normal.
    pub beta_globin_pct: f64,
    /// Alpha-globin output, % of normal.
    pub alpha_globin_pct: f64,
    /// The division rule.
    pub division_rule: DivisionRule,
}

/// A change to some sliders (the body of `POST .../controls`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlsPatch {
    /// Dietary iron, mg/day.
    pub diet_fe_mg_per_day: Option<f64>,
    /// Blood loss, mL/day.
    pub bleeding_ml_per_day: Option<f64>,
    /// IL-6, pg/mL.
    pub il6_pg_ml: Option<f64>,
    /// Blood lead, ug/dL.
    pub lead_ug_dl: Option<f64>,
    /// Beta-globin output, % of normal.
    pub beta_globin_pct: Option<f64>,
    /// Alpha-globin output, % of normal.
    pub alpha_globin_pct: Option<f64>,
    /// The division rule.
    pub division_rule: Option<DivisionRule>,
}

/// A slider's range, shown on the page and enforced by the API.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Limit {
    /// Field name in [`Controls`].
    pub field: &'static str,
    /// Label on the page.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
    /// Slider step.
    pub step: f64,
    /// True when a change needs a new steady state (a marrow parameter).
    pub restarts: bool,
}

/// Every numeric slider. The ranges are the model's own (the config's
/// checks) narrowed to what a lesson needs; the globin floors keep the
/// marrow producing (the config allows down to 0).
pub const LIMITS: [Limit; 6] = [
    limit(
        "diet_fe_mg_per_day",
        "Dietary iron",
        "mg/day",
        0.0,
        40.0,
        0.5,
        false,
    ),
    limit(
        "bleeding_ml_per_day",
        "Blood loss",
        "mL/day",
        0.0,
        100.0,
        1.0,
        false,
    ),
    limit(
        "il6_pg_ml",
        "IL-6 (inflammation)",
        "pg/mL",
        0.0,
        200.0,
        1.0,
        false,
    ),
    limit("lead_ug_dl", "Blood lead", "ug/dL", 0.0, 150.0, 1.0, false),
    limit(
        "beta_globin_pct",
        "Beta-globin output",
        "% of normal",
        30.0,
        100.0,
        5.0,
        true,
    ),
    limit(
        "alpha_globin_pct",
        "Alpha-globin output",
        "% of normal",
        30.0,
        100.0,
        5.0,
        true,
    ),
];

#[allow(clippy::too_many_arguments)] // a table row: named columns read better than a struct literal per row
const fn limit(
    field: &'static str,
    label: &'static str,
    unit: &'static str,
    low: f64,
    high: f64,
    step: f64,
    restarts: bool,
) -> Limit {
    Limit {
        field,
        label,
        unit,
        low,
        high,
        step,
        restarts,
    }
}

/// A slider value outside its range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field} = {value} is out of range: expected [{low}, {high}] {unit}")]
pub struct OutOfRange {
    /// The field.
    pub field: &'static str,
    /// The value given.
    pub value: f64,
    /// Lowest allowed.
    pub low: f64,
    /// Highest allowed.
    pub high: f64,
    /// Unit.
    pub unit: &'static str,
}

impl ControlsPatch {
    /// Its numeric values with their field names, in [`LIMITS`] order.
    fn values(&self) -> [(&'static str, Option<f64>); 6] {
        [
            ("diet_fe_mg_per_day", self.diet_fe_mg_per_day),
            ("bleeding_ml_per_day", self.bleeding_ml_per_day),
            ("il6_pg_ml", self.il6_pg_ml),
            ("lead_ug_dl", self.lead_ug_dl),
            ("beta_globin_pct", self.beta_globin_pct),
            ("alpha_globin_pct", self.alpha_globin_pct),
        ]
    }

    /// Checks every given value against its slider's range.
    pub fn check(&self) -> Result<(), OutOfRange> {
        for ((field, value), l) in self.values().into_iter().zip(&LIMITS) {
            debug_assert_eq!(field, l.field);
            if let Some(v) = value {
                if !(v >= l.low && v <= l.high) {
                    return Err(OutOfRange {
                        field,
                        value: v,
                        low: l.low,
                        high: l.high,
                        unit: l.unit,
                    });
                }
            }
        }
        Ok(())
    }

    /// True when it changes a marrow parameter of `now` (a new steady state).
    pub fn restarts(&self, now: &Controls) -> bool {
        self.beta_globin_pct
            .is_some_and(|v| v != now.beta_globin_pct)
            || self
                .alpha_globin_pct
                .is_some_and(|v| v != now.alpha_globin_pct)
            || self.division_rule.is_some_and(|r| r != now.division_rule)
    }
}

/// The sliders' values in force in the step after `day` of a run of `config`.
pub fn in_force_at(config: &Config, day: f64) -> Controls {
    let df = config.run.dt_hours / 24.0;
    let f = in_force(&config.events, day + df, df);
    let body = config.body.clone().unwrap_or_default();
    Controls {
        diet_fe_mg_per_day: f.diet_fe_mg_per_day.unwrap_or(body.diet_fe_mg_per_day),
        bleeding_ml_per_day: body.bleeding_ml_per_day + f.bleeding_ml_per_day,
        il6_pg_ml: f.il6_pg_ml,
        lead_ug_dl: f.lead_ug_dl,
        beta_globin_pct: config.marrow.beta_globin_factor * 100.0,
        alpha_globin_pct: config.marrow.alpha_globin_factor * 100.0,
        division_rule: config.marrow.division_rule,
    }
}

/// The live (body) sliders a patch moves, as events from `day` on: each
/// moved quantity's earlier events end at `day` (later ones are dropped)
/// and one open-ended event holds the new value. Other events (therapy,
/// donations) are kept as scheduled.
pub fn apply_live(events: &mut Vec<Event>, patch: &ControlsPatch, day: f64) {
    let open = |v: f64| (day, FOREVER_DAY, v);
    if let Some(v) = patch.diet_fe_mg_per_day {
        events.retain(|e| !matches!(e, Event::Diet { from_day, .. } if *from_day >= day));
        events.push(Event::Diet {
            from_day: day,
            fe_mg_per_day: v,
        });
    }
    // (the slider's new value, which events it replaces, how to make one)
    type IsKind = fn(&Event) -> bool;
    type Make = fn((f64, f64, f64)) -> Event;
    let windowed: [(Option<f64>, IsKind, Make); 3] = [
        (
            patch.bleeding_ml_per_day,
            |e| matches!(e, Event::Bleeding { .. }),
            |(from_day, to_day, ml_per_day)| Event::Bleeding {
                from_day,
                to_day,
                ml_per_day,
            },
        ),
        (
            patch.il6_pg_ml,
            |e| matches!(e, Event::Inflammation { .. }),
            |(from_day, to_day, il6_pg_ml)| Event::Inflammation {
                from_day,
                to_day,
                il6_pg_ml,
            },
        ),
        (
            patch.lead_ug_dl,
            |e| matches!(e, Event::Lead { .. }),
            |(from_day, to_day, ug_dl)| Event::Lead {
                from_day,
                to_day,
                ug_dl,
            },
        ),
    ];
    for (value, is_kind, make) in windowed {
        let Some(v) = value else { continue };
        events.retain_mut(|e| {
            if !is_kind(e) {
                return true;
            }
            match e {
                Event::Bleeding {
                    from_day, to_day, ..
                }
                | Event::Inflammation {
                    from_day, to_day, ..
                }
                | Event::Lead {
                    from_day, to_day, ..
                } => {
                    *to_day = to_day.min(day);
                    *from_day < day
                }
                _ => true,
            }
        });
        if v > 0.0 {
            events.push(make(open(v)));
        }
    }
}

/// Sets the marrow sliders of a patch in `config`.
pub fn apply_marrow(config: &mut Config, patch: &ControlsPatch) {
    let m = &mut config.marrow;
    if let Some(v) = patch.beta_globin_pct {
        m.beta_globin_factor = v / 100.0;
    }
    if let Some(v) = patch.alpha_globin_pct {
        m.alpha_globin_factor = v / 100.0;
    }
    if let Some(r) = patch.division_rule {
        m.division_rule = r;
    }
}

/// The body sliders of `c` as a patch (to carry them into a new steady state).
pub fn live_patch(c: &Controls) -> ControlsPatch {
    ControlsPatch {
        diet_fe_mg_per_day: Some(c.diet_fe_mg_per_day),
        bleeding_ml_per_day: Some(c.bleeding_ml_per_day),
        il6_pg_ml: Some(c.il6_pg_ml),
        lead_ug_dl: Some(c.lead_ug_dl),
        ..ControlsPatch::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn menorrhagia() -> Config {
        presets::find("ida_menorrhagia").unwrap().config(1).unwrap()
    }

    #[test]
    fn a_moved_slider_is_in_force_from_the_next_step_and_not_before() {
        let mut c = menorrhagia();
        assert_eq!(in_force_at(&c, 10.0).bleeding_ml_per_day, 22.0);
        let patch = ControlsPatch {
            bleeding_ml_per_day: Some(4.0),
            diet_fe_mg_per_day: Some(2.0),
            lead_ug_dl: Some(30.0),
            ..Default::default()
        };
        apply_live(&mut c.events, &patch, 10.0);
        c.validate().unwrap();
        let now = in_force_at(&c, 10.0);
        assert_eq!(now.bleeding_ml_per_day, 4.0);
        assert_eq!(now.diet_fe_mg_per_day, 2.0);
        assert_eq!(now.lead_ug_dl, 30.0);
        // Before the change the old schedule holds.
        let before = in_force_at(&c, 9.0);
        assert_eq!(before.bleeding_ml_per_day, 22.0);
        assert_eq!(before.lead_ug_dl, 0.0);
        // Setting zero ends the loss.
        apply_live(
            &mut c.events,
            &ControlsPatch {
                bleeding_ml_per_day: Some(0.0),
                ..Default::default()
            },
            20.0,
        );
        assert_eq!(in_force_at(&c, 20.0).bleeding_ml_per_day, 0.0);
        assert_eq!(in_force_at(&c, 15.0).bleeding_ml_per_day, 4.0);
    }

    #[test]
    fn a_slider_moved_before_a_scheduled_event_replaces_it() {
        // Lead poisoning starts on day 1; setting lead on day 0 replaces it.
        let mut c = presets::find("lead_poisoning").unwrap().config(1).unwrap();
        assert_eq!(in_force_at(&c, 5.0).lead_ug_dl, 60.0);
        let patch = ControlsPatch {
            lead_ug_dl: Some(10.0),
            ..Default::default()
        };
        apply_live(&mut c.events, &patch, 0.0);
        assert_eq!(in_force_at(&c, 5.0).lead_ug_dl, 10.0);
        assert_eq!(c.events.len(), 1);
    }

    #[test]
    fn ranges_name_field_value_and_range() {
        let bad = ControlsPatch {
            il6_pg_ml: Some(500.0),
            ..Default::default()
        };
        assert_eq!(
            bad.check().unwrap_err().to_string(),
            "il6_pg_ml = 500 is out of range: expected [0, 200] pg/mL"
        );
        let nan = ControlsPatch {
            diet_fe_mg_per_day: Some(f64::NAN),
            ..Default::default()
        };
        assert!(nan.check().is_err());
        let now = in_force_at(&menorrhagia(), 0.0);
        let globin = ControlsPatch {
            beta_globin_pct: Some(60.0),
            ..Default::default()
        };
        assert!(globin.check().is_ok() && globin.restarts(&now));
        assert!(!live_patch(&now).restarts(&now));
    }
}
