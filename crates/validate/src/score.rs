//! Pass or fail for one target, its distance from the published value, and
//! a position on one shared axis for the plots.
//!
//! A mean with an SD passes within 2 SD, the distance given in SDs. An
//! interval (median with IQR or range, or a range) passes inside it, the
//! distance being how far outside, as a share of its width (0 inside). A
//! minimum or maximum passes on its side, the distance being how far past
//! it relative to the bound itself.
//!
//! On the plots' shared axis every target's pass band is [-1, 1]: a mean's
//! 2 SD either side, an interval from end to end, a minimum from its bound
//! upwards (the bound at -1) and a maximum from its bound downwards (the
//! bound at +1). One step on the axis is 2 SD, half an interval, or the
//! bound's own size for one-sided targets.

use crate::measure::Measured;
use crate::targets::Published;

/// What a target's check gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Inside the published interval.
    Pass,
    /// Outside it.
    Fail,
    /// The model does not measure it (a failure when scored).
    NotMeasured,
}

/// A target's check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// Pass, fail or not measured.
    pub verdict: Verdict,
    /// Distance from the published value: SDs for a mean, the share of the
    /// interval's width outside it for an interval, the share of the bound
    /// past it for a minimum or maximum (signed: negative below).
    pub distance: Option<f64>,
    /// Position on the plots' shared axis (pass band [-1, 1]).
    pub axis: Option<f64>,
}

/// The scale of a one-sided bound: its own size (or 1 for a bound of 0).
fn bound_scale(b: f64) -> f64 {
    if b == 0.0 {
        1.0
    } else {
        b.abs()
    }
}

/// Checks `measured` against `published`.
pub fn score(published: &Published, measured: &Measured) -> Score {
    let not = Score {
        verdict: Verdict::NotMeasured,
        distance: None,
        axis: None,
    };
    let verdict = |pass: bool| if pass { Verdict::Pass } else { Verdict::Fail };
    match *measured {
        Measured::NotMeasured(_) => not,
        Measured::AtLeast(x) => match *published {
            // A recovery not reached by the end passes a minimum at or
            // below the run's length; anything else is unknown or a miss.
            Published::Min(lo) => Score {
                verdict: verdict(x >= lo),
                distance: Some(((x - lo) / bound_scale(lo)).min(0.0)),
                axis: Some(-1.0 + (x - lo) / bound_scale(lo)),
            },
            _ => Score {
                verdict: Verdict::Fail,
                ..not
            },
        },
        Measured::Value(x) => match *published {
            Published::MeanSd { mean, sd } => {
                let z = (x - mean) / sd;
                Score {
                    verdict: verdict(z.abs() <= 2.0),
                    distance: Some(z),
                    axis: Some(z / 2.0),
                }
            }
            Published::Interval { lo, hi, .. } => {
                let width = hi - lo;
                let outside = if x < lo {
                    x - lo
                } else if x > hi {
                    x - hi
                } else {
                    0.0
                };
                let (distance, axis) = if width > 0.0 {
                    (outside / width, (x - (lo + hi) / 2.0) / (width / 2.0))
                } else {
                    // A single value: relative to its size.
                    let s = bound_scale(lo);
                    (outside / s, (x - lo) / s)
                };
                Score {
                    verdict: verdict((lo..=hi).contains(&x)),
                    distance: Some(distance),
                    axis: Some(axis),
                }
            }
            Published::Min(lo) => Score {
                verdict: verdict(x >= lo),
                distance: Some(((x - lo) / bound_scale(lo)).min(0.0)),
                axis: Some(-1.0 + (x - lo) / bound_scale(lo)),
            },
            Published::Max(hi) => Score {
                verdict: verdict(x <= hi),
                distance: Some(((x - hi) / bound_scale(hi)).max(0.0)),
                axis: Some(1.0 + (x - hi) / bound_scale(hi)),
            },
        },
    }
}

/// Scored pass rate, %: passes over scored targets (not measured counts
/// as a failure); 100 when nothing is scored.
pub fn pass_rate(verdicts: impl IntoIterator<Item = Verdict>) -> (usize, usize, f64) {
    let (mut pass, mut all) = (0, 0);
    for v in verdicts {
        all += 1;
        pass += (v == Verdict::Pass) as usize;
    }
    let rate = if all == 0 {
        100.0
    } else {
        100.0 * pass as f64 / all as f64
    };
    (pass, all, rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::IntervalKind;

    fn v(x: f64) -> Measured {
        Measured::Value(x)
    }

    #[test]
    fn means_pass_within_two_sd() {
        let p = Published::MeanSd {
            mean: 14.0,
            sd: 1.0,
        };
        assert_eq!(score(&p, &v(15.9)).verdict, Verdict::Pass);
        assert_eq!(score(&p, &v(12.0)).verdict, Verdict::Pass);
        let s = score(&p, &v(16.5));
        assert_eq!(s.verdict, Verdict::Fail);
        assert_eq!(s.distance, Some(2.5));
        assert_eq!(s.axis, Some(1.25));
    }

    #[test]
    fn intervals_pass_inside_and_say_how_far_outside() {
        let p = Published::Interval {
            kind: IntervalKind::MedianIqr,
            center: Some(32.0),
            lo: 30.0,
            hi: 34.0,
        };
        let inside = score(&p, &v(33.0));
        assert_eq!(
            (inside.verdict, inside.distance),
            (Verdict::Pass, Some(0.0))
        );
        assert_eq!(inside.axis, Some(0.5));
        let high = score(&p, &v(36.0));
        assert_eq!((high.verdict, high.distance), (Verdict::Fail, Some(0.5)));
        assert_eq!(high.axis, Some(2.0));
        assert_eq!(score(&p, &v(29.0)).distance, Some(-0.25));
        assert_eq!(score(&p, &v(30.0)).verdict, Verdict::Pass);
    }

    #[test]
    fn bounds_and_unreached_recoveries() {
        let min = Published::Min(168.0);
        assert_eq!(score(&min, &v(170.0)).verdict, Verdict::Pass);
        assert_eq!(score(&min, &v(84.0)).distance, Some(-0.5));
        assert_eq!(
            score(&min, &Measured::AtLeast(170.0)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            score(&min, &Measured::AtLeast(100.0)).verdict,
            Verdict::Fail
        );
        let max = Published::Max(2.0);
        assert_eq!(score(&max, &v(1.0)).verdict, Verdict::Pass);
        assert_eq!(score(&max, &v(1.0)).axis, Some(0.5));
        assert_eq!(score(&max, &v(3.0)).distance, Some(0.5));
        let mean = Published::MeanSd {
            mean: 30.0,
            sd: 5.0,
        };
        assert_eq!(
            score(&mean, &Measured::AtLeast(170.0)).verdict,
            Verdict::Fail
        );
        let gone = score(&mean, &Measured::NotMeasured("no".into()));
        assert_eq!((gone.verdict, gone.distance), (Verdict::NotMeasured, None));
    }

    #[test]
    fn the_pass_rate_counts_not_measured_as_failures() {
        use Verdict::*;
        assert_eq!(pass_rate([Pass, Pass, Fail, NotMeasured]), (2, 4, 50.0));
        assert_eq!(pass_rate([]), (0, 0, 100.0));
    }
}
