//! A quantity prescribed over time: a constant, or piecewise-linear in days.

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A value over simulated days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Schedule {
    /// The same value at every time.
    Constant(f64),
    /// `(day, value)` points with strictly increasing days, interpolated
    /// linearly between them and held flat before the first and after the last.
    Piecewise(Vec<(f64, f64)>),
}

impl Schedule {
    /// The value at `day`. An empty `Piecewise` (which [`Schedule::check`]
    /// refuses, so no run holds one) reads as NaN instead of panicking.
    pub fn at_day(&self, day: f64) -> f64 {
        match self {
            Schedule::Constant(v) => *v,
            Schedule::Piecewise(points) => {
                let (Some(&first), Some(&last)) = (points.first(), points.last()) else {
                    return f64::NAN;
                };
                if day <= first.0 {
                    return first.1;
                }
                if day >= last.0 {
                    return last.1;
                }
                // Few points: a linear scan is clearer than a search.
                for pair in points.windows(2) {
                    let ((d0, v0), (d1, v1)) = (pair[0], pair[1]);
                    if day <= d1 {
                        return v0 + (v1 - v0) * (day - d0) / (d1 - d0);
                    }
                }
                last.1
            }
        }
    }

    /// Checks every value lies in `[lo, hi]` and the days are well formed.
    pub fn check(&self, field: &'static str, lo: f64, hi: f64) -> Result<(), Error> {
        let range = format!("[{lo}, {hi}]");
        let in_range = |v: f64| v.is_finite() && v >= lo && v <= hi;
        match self {
            Schedule::Constant(v) if !in_range(*v) => Err(Error::OutOfRange {
                field,
                value: *v,
                range: range.clone(),
            }),
            Schedule::Constant(_) => Ok(()),
            Schedule::Piecewise(points) => {
                if points.is_empty() {
                    return Err(Error::InvalidSchedule {
                        field,
                        reason: "needs at least one (day, value) point".into(),
                    });
                }
                for (i, &(day, v)) in points.iter().enumerate() {
                    if !in_range(v) {
                        return Err(Error::OutOfRange {
                            field,
                            value: v,
                            range: range.clone(),
                        });
                    }
                    if !day.is_finite() || day < 0.0 {
                        return Err(Error::InvalidSchedule {
                            field,
                            reason: format!("point {i}: day {day} must be a finite number >= 0"),
                        });
                    }
                    if i > 0 && day <= points[i - 1].0 {
                        return Err(Error::InvalidSchedule {
                            field,
                            reason: format!(
                                "point {i}: day {day} must be after day {} of the point before",
                                points[i - 1].0
                            ),
                        });
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piecewise_interpolates_and_holds_ends() {
        let s = Schedule::Piecewise(vec![(10.0, 0.3), (20.0, 0.1)]);
        assert_eq!(s.at_day(0.0), 0.3);
        assert!((s.at_day(15.0) - 0.2).abs() < 1e-12);
        assert_eq!(s.at_day(99.0), 0.1);
    }

    #[test]
    fn an_empty_schedule_is_refused_and_never_panics() {
        let s = Schedule::Piecewise(vec![]);
        let e = s.check("plasma.tsat", 0.0, 1.0).unwrap_err();
        assert!(e.to_string().contains("at least one"), "{e}");
        assert!(s.at_day(3.0).is_nan());
    }

    #[test]
    fn days_must_increase() {
        let s = Schedule::Piecewise(vec![(10.0, 0.3), (10.0, 0.1)]);
        let e = s.check("plasma.tsat", 0.0, 1.0).unwrap_err();
        assert!(e.to_string().contains("must be after day 10"), "{e}");
    }
}
