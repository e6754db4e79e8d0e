//! Evaluating a target's marker at its time on a run's samples.
//!
//! A run is kept as a [`Series`]: its sampling days and one column per
//! output field, plus the iron absorbed since the start (for
//! `absorbed_fe_mg`). Times count from the intervention (the config's
//! first event, or day 0 when there is none), as the trials count days
//! after a donation, a dose or an injection; changes and ratios are taken
//! against the last sample before it.
//!
//! The stages of developing iron deficiency are read from the run's own
//! state, as a clinician reads a patient's laboratory results: storage
//! depletion is ferritin below 15 ug/L with saturation and hemoglobin still
//! normal; iron-deficient erythropoiesis is transferrin saturation below 16%
//! with stores depleted and hemoglobin normal; iron deficiency anemia is
//! hemoglobin below the sex's lower reference limit (WHO 2011; Camaschella,
//! NEJM 2015). Each patient of a staged cohort is in exactly one stage
//! (Suominen et al., Blood 1998; Hastka et al. 1994), seen at any point of
//! it, so a marker at a stage is its mean over every sample at which the
//! run is in that stage: the cross-section of the stage, not its first
//! day (a marker that lags, such as the ZPP the red cells carry, would
//! otherwise be read before it could move). Ferritin, saturation and
//! hemoglobin are judged on their mean over a day either side, so the
//! sampling noise of a reduced agent count does not mark a stage on one
//! low sample.

use crate::targets::{Marker, Simple, Stage, When};

/// Ferritin below which stores are depleted, ug/L (WHO 2020 guideline).
pub const DEPLETED_FERRITIN_UG_L: f64 = 15.0;
/// Saturation below which erythropoiesis is iron-deficient, % (the
/// classical 16%, Bainton and Finch 1964).
pub const DEFICIENT_TSAT_PCT: f64 = 16.0;
/// Days at the end of a run that stand for its end state, and the least run
/// length (days) for which they do: a condition followed for months is
/// read as its last week's mean, as a steady state is, so the sampling
/// noise of a reduced agent count does not decide a target on one sample;
/// shorter runs (time courses) are read at their last sample.
const END_WINDOW_DAYS: f64 = 7.0;
const END_WINDOW_MIN_RUN_DAYS: f64 = 28.0;
/// Days either side over which a stage's defining markers are smoothed.
const STAGE_SMOOTHING_DAYS: f64 = 1.0;
/// Tolerance on sample times, days (well below an hour).
const EPS_DAYS: f64 = 1e-6;

/// A run's samples as columns.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Sampling days since the steady state, increasing.
    pub days: Vec<f64>,
    /// Each output field's values, indexed like `days`.
    pub columns: Vec<(String, Vec<f64>)>,
    /// Iron absorbed since the start at each sample, mg (None without a body).
    pub absorbed_total_mg: Option<Vec<f64>>,
    /// Day the intervention starts: the config's first event, or 0.
    pub event_day: f64,
    /// The lower reference limit of hemoglobin for the run's sex, g/dL.
    pub hb_lower_g_dl: f64,
}

/// What a measurement gives.
#[derive(Clone, Debug, PartialEq)]
pub enum Measured {
    /// A value.
    Value(f64),
    /// Not reached by the end of the run: the value is at least this
    /// (a recovery that has not happened by the last day).
    AtLeast(f64),
    /// The model does not produce it, or the run cannot show it; why.
    NotMeasured(String),
}

impl Series {
    /// The values of field `name`, if the run has it.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn field(&self, name: &str) -> Result<&[f64], String> {
        self.column(name)
            .ok_or_else(|| format!("the run has no `{name}` (not produced by this config)"))
    }

    /// The hours between samples (the smallest gap), or infinity with fewer than two.
    pub fn sampling_hours(&self) -> f64 {
        self.days
            .windows(2)
            .map(|w| (w[1] - w[0]) * 24.0)
            .fold(f64::INFINITY, f64::min)
    }

    /// Index of the last sample before the intervention (the first sample
    /// when it starts at once). Strictly before: a one-off event (a
    /// donation, an infusion) on day D acts in the step that ends on day D,
    /// so the sample of day D already shows it.
    fn baseline_index(&self) -> usize {
        self.days
            .iter()
            .rposition(|&d| d < self.event_day - EPS_DAYS)
            .unwrap_or(0)
    }

    /// The quantity at sample `i`.
    fn simple_at(&self, m: &Simple, i: usize) -> Result<f64, String> {
        match m {
            Simple::Field(name) => Ok(self.field(name)?[i]),
            Simple::HepcidinTsatRatio => {
                let (h, t) = (self.field("hepcidin_nm")?[i], self.field("tsat_pct")?[i]);
                if t > 0.0 {
                    Ok(h / t)
                } else {
                    Err(format!(
                        "saturation is 0 on day {:.2}: no ratio",
                        self.days[i]
                    ))
                }
            }
            Simple::AbsorbedFe => {
                let total = self
                    .absorbed_total_mg
                    .as_deref()
                    .ok_or("the run has no iron economy (no absorption)")?;
                // The 24 hours from the time (a dose given then), or the
                // last 24 hours at the end of the run.
                let last = self.days.len() - 1;
                let (from, to) = if self.days[i] + 1.0 <= self.days[last] + EPS_DAYS {
                    let to = self
                        .days
                        .iter()
                        .position(|&d| d >= self.days[i] + 1.0 - EPS_DAYS)
                        .unwrap_or(last);
                    (i, to)
                } else {
                    let from = self
                        .days
                        .iter()
                        .rposition(|&d| d <= self.days[last] - 1.0 + EPS_DAYS)
                        .ok_or("the run is shorter than a day: no daily absorption")?;
                    (from, last)
                };
                Ok((total[to] - total[from]) / (self.days[to] - self.days[from]))
            }
        }
    }

    /// The samples a time stands for (one, the end's week, or a stage's span).
    fn indices(&self, when: When) -> Result<Vec<usize>, String> {
        let last = self
            .days
            .len()
            .checked_sub(1)
            .ok_or("the run has no samples")?;
        let at = |t: f64, tolerance: f64, what: String| -> Result<Vec<usize>, String> {
            let (i, gap) = self
                .days
                .iter()
                .enumerate()
                .map(|(i, &d)| (i, (d - t).abs()))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .expect("at least one sample");
            if t > self.days[last] + EPS_DAYS {
                Err(format!(
                    "{what} is after the run ends (day {:.1})",
                    self.days[last] - self.event_day
                ))
            } else if gap > tolerance + EPS_DAYS {
                Err(format!(
                    "{what} falls between samples (every {:.0} h)",
                    self.sampling_hours()
                ))
            } else {
                Ok(vec![i])
            }
        };
        match when {
            When::End if self.days[last] - self.days[0] >= END_WINDOW_MIN_RUN_DAYS => {
                let from = self.days[last] - END_WINDOW_DAYS + EPS_DAYS;
                Ok((0..=last).filter(|&i| self.days[i] > from).collect())
            }
            When::End => Ok(vec![last]),
            // Within half a day of daily samples.
            When::Day(d) => at(self.event_day + d, 0.5, format!("day {d}")),
            // Within half an hour: needs hourly samples.
            When::Hour(h) => at(self.event_day + h / 24.0, 0.5 / 24.0, format!("hour {h}")),
            When::Stage(stage) => {
                let hb = self.smoothed("hb_g_dl")?;
                let normal_hb = |i: usize| hb[i] >= self.hb_lower_g_dl;
                let depleted = {
                    let f = self.smoothed("ferritin_ug_l")?;
                    move |i: usize| f[i] < DEPLETED_FERRITIN_UG_L
                };
                let t = self.smoothed("tsat_pct")?;
                let deficient = move |i: usize| t[i] < DEFICIENT_TSAT_PCT;
                let holds: Box<dyn Fn(usize) -> bool> = match stage {
                    Stage::Depletion => {
                        Box::new(move |i| depleted(i) && !deficient(i) && normal_hb(i))
                    }
                    Stage::DeficientErythropoiesis => {
                        Box::new(move |i| depleted(i) && deficient(i) && normal_hb(i))
                    }
                    Stage::Ida => Box::new(move |i| !normal_hb(i)),
                };
                let span: Vec<usize> = (0..=last).filter(|&i| holds(i)).collect();
                if span.is_empty() {
                    return Err(format!(
                        "the stage is never reached in {:.0} days",
                        self.days[last] - self.days[0]
                    ));
                }
                Ok(span)
            }
        }
    }

    /// A field's mean over the samples within `STAGE_SMOOTHING_DAYS` either
    /// side of each.
    fn smoothed(&self, name: &str) -> Result<Vec<f64>, String> {
        let values = self.field(name)?;
        let days = &self.days;
        let mut out = Vec::with_capacity(values.len());
        let (mut lo, mut hi, mut sum) = (0, 0, 0.0);
        for &d in days {
            while hi < days.len() && days[hi] <= d + STAGE_SMOOTHING_DAYS + EPS_DAYS {
                sum += values[hi];
                hi += 1;
            }
            while days[lo] < d - STAGE_SMOOTHING_DAYS - EPS_DAYS {
                sum -= values[lo];
                lo += 1;
            }
            out.push(sum / (hi - lo) as f64);
        }
        Ok(out)
    }

    fn mean_over(&self, m: &Simple, indices: &[usize]) -> Result<f64, String> {
        let mut sum = 0.0;
        for &i in indices {
            sum += self.simple_at(m, i)?;
        }
        Ok(sum / indices.len() as f64)
    }

    /// The marker at the time.
    pub fn measure(&self, marker: &Marker, when: When) -> Measured {
        match self.try_measure(marker, when) {
            Ok(m) => m,
            Err(why) => Measured::NotMeasured(why),
        }
    }

    fn try_measure(&self, marker: &Marker, when: When) -> Result<Measured, String> {
        let base = self.baseline_index();
        match marker {
            Marker::Simple(m) => Ok(Measured::Value(self.mean_over(m, &self.indices(when)?)?)),
            Marker::Change(m) => {
                let v = self.mean_over(m, &self.indices(when)?)?;
                Ok(Measured::Value(v - self.simple_at(m, base)?))
            }
            Marker::Ratio(m) => {
                let v = self.mean_over(m, &self.indices(when)?)?;
                let b = self.simple_at(m, base)?;
                if b == 0.0 {
                    return Err("the starting value is 0: no ratio".into());
                }
                Ok(Measured::Value(v / b))
            }
            Marker::PeakDay(m) => {
                let mut best = (base, self.simple_at(m, base)?);
                for i in base..self.days.len() {
                    let v = self.simple_at(m, i)?;
                    if v > best.1 {
                        best = (i, v);
                    }
                }
                Ok(Measured::Value(self.days[best.0] - self.event_day))
            }
            Marker::RecoveryDay(m, fraction) => {
                let b = self.simple_at(m, base)?;
                let mut extreme = (base, 0.0f64);
                for i in base..self.days.len() {
                    let away = self.simple_at(m, i)? - b;
                    if away.abs() > extreme.1.abs() {
                        extreme = (i, away);
                    }
                }
                if extreme.1 == 0.0 {
                    return Err("the marker never moves from its starting value".into());
                }
                // Back by `fraction` of the excursion, on its own side or
                // past the start (an overshoot counts as recovered).
                let side = extreme.1.signum();
                let allowed = (1.0 - fraction) * extreme.1.abs();
                for i in extreme.0..self.days.len() {
                    if (self.simple_at(m, i)? - b) * side <= allowed {
                        return Ok(Measured::Value(self.days[i] - self.event_day));
                    }
                }
                let last = self.days[self.days.len() - 1];
                Ok(Measured::AtLeast(last - self.event_day))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Simple {
        Simple::Field(name.into())
    }

    /// Daily samples over 10 days; intervention on day 2.
    fn daily() -> Series {
        let days: Vec<f64> = (0..=10).map(f64::from).collect();
        // Hemoglobin drops by 2 on day 3 and regains 0.5 a day.
        let hb: Vec<f64> = days
            .iter()
            .map(|&d| {
                if d < 3.0 {
                    14.0
                } else {
                    (12.0 + 0.5 * (d - 3.0)).min(14.0)
                }
            })
            .collect();
        let tsat: Vec<f64> = days.iter().map(|&d| 30.0 - d).collect();
        let hepcidin: Vec<f64> = days
            .iter()
            .map(|&d| if d == 5.0 { 9.0 } else { 3.0 })
            .collect();
        Series {
            absorbed_total_mg: Some(days.iter().map(|&d| 2.0 * d * d).collect()),
            columns: vec![
                ("hb_g_dl".into(), hb),
                ("tsat_pct".into(), tsat),
                ("hepcidin_nm".into(), hepcidin),
            ],
            days,
            event_day: 2.0,
            hb_lower_g_dl: 13.0,
        }
    }

    #[test]
    fn simple_markers_at_end_and_day() {
        let s = daily();
        let m = |name| Marker::Simple(field(name));
        assert_eq!(s.measure(&m("tsat_pct"), When::End), Measured::Value(20.0));
        // day=D counts from the intervention (day 2).
        assert_eq!(
            s.measure(&m("tsat_pct"), When::Day(3.0)),
            Measured::Value(25.0)
        );
        let late = s.measure(&m("tsat_pct"), When::Day(9.0));
        assert!(matches!(&late, Measured::NotMeasured(w) if w.contains("after the run")));
        let absent = s.measure(&m("ferritin_ug_l"), When::End);
        assert!(matches!(&absent, Measured::NotMeasured(w) if w.contains("ferritin_ug_l")));
        // Hepcidin over saturation on day 5 (3 days after the intervention).
        let r = s.measure(&Marker::Simple(Simple::HepcidinTsatRatio), When::Day(3.0));
        assert_eq!(r, Measured::Value(9.0 / 25.0));
    }

    #[test]
    fn a_months_long_run_ends_as_its_last_weeks_mean() {
        // Sixty daily samples alternating 10 and 20 around a steady state:
        // the end is the mean of days 54..60 (four 20s and three 10s, as day
        // 60 is even), not the last sample.
        let days: Vec<f64> = (0..=60).map(f64::from).collect();
        let tsat = days
            .iter()
            .map(|&d| {
                if (d as u32).is_multiple_of(2) {
                    20.0
                } else {
                    10.0
                }
            })
            .collect();
        let s = Series {
            columns: vec![("tsat_pct".into(), tsat)],
            days,
            absorbed_total_mg: None,
            event_day: 0.0,
            hb_lower_g_dl: 12.0,
        };
        let end = s.measure(&Marker::Simple(field("tsat_pct")), When::End);
        assert_eq!(end, Measured::Value(110.0 / 7.0));
    }

    #[test]
    fn absorption_is_the_day_from_the_time() {
        let s = daily();
        let a = Marker::Simple(Simple::AbsorbedFe);
        // Total 2 d^2: the last day (9..10) absorbs 2 * (100 - 81) = 38 mg.
        assert_eq!(s.measure(&a, When::End), Measured::Value(38.0));
        // The day from the intervention (day 2..3): 2 * (9 - 4) = 10 mg.
        assert_eq!(s.measure(&a, When::Day(0.0)), Measured::Value(10.0));
        let mut t = daily();
        t.days = vec![0.0, 0.5];
        t.absorbed_total_mg = Some(vec![0.0, 1.0]);
        t.columns.iter_mut().for_each(|(_, c)| c.truncate(2));
        assert!(matches!(t.measure(&a, When::End), Measured::NotMeasured(_)));
        t.absorbed_total_mg = None;
        assert!(matches!(t.measure(&a, When::End), Measured::NotMeasured(_)));
    }

    #[test]
    fn change_ratio_peak_and_recovery() {
        let s = daily();
        let hb = field("hb_g_dl");
        assert_eq!(
            s.measure(&Marker::Change(hb.clone()), When::Day(1.0)),
            Measured::Value(-2.0)
        );
        assert_eq!(
            s.measure(&Marker::Ratio(field("tsat_pct")), When::Day(2.0)),
            Measured::Value(26.0 / 29.0)
        );
        // A donation on day 3 already shows in the day-3 sample: the
        // baseline is the sample before.
        let mut d = daily();
        d.event_day = 3.0;
        assert_eq!(
            d.measure(&Marker::Change(hb.clone()), When::Day(0.0)),
            Measured::Value(-2.0)
        );
        // Hepcidin peaks on day 5: 3 days after the intervention.
        assert_eq!(
            s.measure(&Marker::PeakDay(field("hepcidin_nm")), When::End),
            Measured::Value(3.0)
        );
        // Hb fell 2 by day 3 and regains 0.5/day: 80% of it (to 13.6) by
        // day 7, 5 days after the intervention.
        assert_eq!(
            s.measure(&Marker::RecoveryDay(hb.clone(), 0.8), When::End),
            Measured::Value(5.0)
        );
        // An overshoot counts: ferritin 10 falls to 4 and jumps to 12.
        let mut o = daily();
        o.columns.push((
            "ferritin_ug_l".into(),
            vec![
                10.0, 10.0, 10.0, 4.0, 6.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0,
            ],
        ));
        assert_eq!(
            o.measure(&Marker::RecoveryDay(field("ferritin_ug_l"), 1.0), When::End),
            Measured::Value(3.0)
        );
        // Saturation falls all along and never comes back.
        assert_eq!(
            s.measure(&Marker::RecoveryDay(field("tsat_pct"), 0.5), When::End),
            Measured::AtLeast(8.0)
        );
    }

    #[test]
    fn hours_need_hourly_samples() {
        let mut s = daily();
        let m = Marker::Simple(field("tsat_pct"));
        let h = s.measure(&m, When::Hour(6.0));
        assert!(
            matches!(&h, Measured::NotMeasured(w) if w.contains("between samples")),
            "{h:?}"
        );
        assert_eq!(s.measure(&m, When::Hour(24.0)), Measured::Value(27.0));
        s.days = (0..=48).map(|h| f64::from(h) / 24.0).collect();
        s.columns = vec![("tsat_pct".into(), (0..=48).map(f64::from).collect())];
        s.event_day = 0.5;
        assert_eq!(s.sampling_hours().round(), 1.0);
        assert_eq!(s.measure(&m, When::Hour(6.0)), Measured::Value(18.0));
    }

    #[test]
    fn stages_average_every_sample_the_run_spends_in_them() {
        // Ferritin falls 2 a day from 30, TSAT 1 a day from 30 (to 0), Hb
        // 0.1 a day from 13.5 (lower limit 12): depletion on days 8-14,
        // deficient erythropoiesis on day 15, anemia from day 16.
        let days: Vec<f64> = (0..=40).map(f64::from).collect();
        let col = |f: &dyn Fn(f64) -> f64| days.iter().map(|&d| f(d)).collect::<Vec<_>>();
        let s = Series {
            columns: vec![
                ("ferritin_ug_l".into(), col(&|d| 30.0 - 2.0 * d)),
                ("tsat_pct".into(), col(&|d| (30.0 - d).max(0.0))),
                ("hb_g_dl".into(), col(&|d| 13.5 - 0.1 * d)),
            ],
            days: days.clone(),
            absorbed_total_mg: None,
            event_day: 0.0,
            hb_lower_g_dl: 12.0,
        };
        let tsat = Marker::Simple(field("tsat_pct"));
        // Depletion, days 8..=14 (saturation still 16 or more): mean 30 - 11.
        assert_eq!(
            s.measure(&tsat, When::Stage(Stage::Depletion)),
            Measured::Value(19.0)
        );
        // Deficient erythropoiesis only on day 15 (TSAT 15): hemoglobin is
        // below its limit from day 16, and a patient is in one stage.
        assert_eq!(
            s.measure(&tsat, When::Stage(Stage::DeficientErythropoiesis)),
            Measured::Value(15.0)
        );
        // Saturation that dips below 16% on one sample while stores are
        // still full marks nothing; nor does a low saturation before the
        // stores are depleted (each stage needs depleted stores).
        let mut noisy = s.clone();
        noisy.columns[1].1[3] = 10.0;
        noisy.columns[0].1 = col(&|d| if d < 20.0 { 30.0 } else { 10.0 });
        noisy.columns[2].1 = col(&|_| 13.5);
        // (Ferritin's day-either-side mean is first below 15 on day 21):
        // days 21..=40, TSAT 9 down to 0 and then 0: mean 45 / 20.
        assert_eq!(
            noisy.measure(&tsat, When::Stage(Stage::DeficientErythropoiesis)),
            Measured::Value(2.25)
        );
        // ... and no sample is in depletion (saturation is low by then).
        assert!(matches!(
            noisy.measure(&tsat, When::Stage(Stage::Depletion)),
            Measured::NotMeasured(_)
        ));
        let hb = s.measure(&Marker::Simple(field("hb_g_dl")), When::Stage(Stage::Ida));
        let Measured::Value(v) = hb else {
            panic!("{hb:?}")
        };
        // Anemia from day 16 to the end (day 40): mean Hb 13.5 - 2.8.
        assert!((v - 10.7).abs() < 1e-9, "{v}");
        let mut healthy = s.clone();
        healthy.hb_lower_g_dl = 5.0;
        assert!(matches!(
            healthy.measure(&tsat, When::Stage(Stage::Ida)),
            Measured::NotMeasured(_)
        ));
    }
}
