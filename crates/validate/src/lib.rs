//! # erythro-validate: the conditions against published cohorts
//!
//! [`validate`] runs every condition config ([`conditions`], embedded)
//! side by side under one or both division rules and checks each run three
//! ways:
//!
//! 1. **Quantitatively**, against the published targets of
//!    `validation/targets.csv` ([`targets`]): each marker is measured at its
//!    time ([`measure`]) and passes within 2 SD of a cohort's mean, or inside
//!    its interval ([`score`]). Context rows are shown, not counted; a marker
//!    the model does not produce counts as a failure, never dropped.
//! 2. **Hard physical limits** on every sample of every run ([`limits`]):
//!    serum iron within TIBC, saturation a percentage, ferritin no lower than
//!    assays report, red-cell indices within what human blood can be, no NaN.
//! 3. **Directions** ([`direction`]): each marker moves the textbook way
//!    against the healthy run of the same sex.
//!
//! Runs sample at least daily (hourly where their configs ask), and the
//! targets' times count from each config's first event, as trials count
//! from the donation, dose or injection. The model is never told a target.
#![deny(missing_docs)]

pub mod conditions;
pub mod direction;
pub mod kept;
pub mod limits;
pub mod measure;
pub mod output;
pub mod score;
pub mod targets;

use std::sync::OnceLock;

use anyhow::{Context, Result};
use erythro_analysis::reference;
use erythro_core::config::DivisionRule;
use erythro_core::events::Event;
use erythro_io::config as config_file;
use erythro_runner::{batch, Sample, Simulation};

use crate::measure::{Measured, Series};
use crate::score::Score;
use crate::targets::Target;

/// The output fields of a sample (`Sample::fields` without `day`) that
/// targets may name; a test checks it against a real sample.
pub const FIELDS: &[&str] = &[
    "rbc_1e12_per_l",
    "hb_g_dl",
    "hct_pct",
    "mcv_fl",
    "mch_pg",
    "mchc_g_dl",
    "rdw_cv_pct",
    "rdw_sd_fl",
    "retic_pct",
    "retic_abs_1e9_per_l",
    "chr_pg",
    "hypo_pct",
    "hyper_pct",
    "micro_pct",
    "macro_pct",
    "mentzer",
    "shine_lal",
    "england_fraser",
    "srivastava",
    "green_king",
    "rdwi",
    "ricerca",
    "ehsani",
    "sirdah",
    "erythroblasts_1e9",
    "marrow_agents",
    "mean_divisions",
    "production_1e9_per_day",
    "ineffective_pct",
    "ring_sideroblast_pct",
    "zpp_umol_per_mol_heme",
    "released_hb_pg",
    "tsat_pct",
    "epo_mu_ml",
    "lead_ug_dl",
    "serum_iron_ug_dl",
    "tibc_ug_dl",
    "ferritin_ug_l",
    "hepcidin_nm",
    "storage_fe_mg",
    "body_fe_mg",
];

/// A division rule to validate under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Divide until the critical hemoglobin concentration (the default).
    Critical,
    /// A fixed number of divisions.
    FixedBudget,
}

impl Rule {
    /// The config's rule.
    pub fn division_rule(self) -> DivisionRule {
        match self {
            Rule::Critical => DivisionRule::CriticalConcentration,
            Rule::FixedBudget => DivisionRule::FixedBudget,
        }
    }

    /// Its name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Critical => "critical",
            Rule::FixedBudget => "fixed-budget",
        }
    }
}

/// Reads targets: `text` with its `origin` for messages, or the embedded
/// file when `None`; checked against the runs and the sample fields.
pub fn load_targets(text: Option<(&str, &str)>) -> Result<Vec<Target>, targets::Error> {
    let (text, origin) = text.unwrap_or((targets::EMBEDDED, "validation/targets.csv"));
    let names = conditions::names();
    targets::parse(
        text,
        origin,
        &targets::Known {
            conditions: &names,
            fields: FIELDS,
        },
    )
}

/// A target with what the model gave.
#[derive(Clone, Debug)]
pub struct TargetResult {
    /// The target.
    pub target: Target,
    /// The model's value.
    pub measured: Measured,
    /// Pass or fail and the distance.
    pub score: Score,
}

/// A broken hard limit, with the run that broke it.
#[derive(Clone, Debug)]
pub struct Broken {
    /// Condition.
    pub condition: &'static str,
    /// The violation.
    pub violation: limits::Violation,
}

/// Everything a validation under one rule found.
pub struct RuleRun {
    /// The rule.
    pub rule: Rule,
    /// Each condition's run, in [`conditions::CONDITIONS`] order.
    pub series: Vec<(&'static str, Series)>,
    /// Every target, in file order.
    pub results: Vec<TargetResult>,
    /// Broken limits.
    pub broken: Vec<Broken>,
    /// The directional checks.
    pub directions: direction::Directions,
}

impl RuleRun {
    /// Scored targets passed, scored targets, and the rate, %.
    pub fn pass_rate(&self) -> (usize, usize, f64) {
        score::pass_rate(
            self.results
                .iter()
                .filter(|r| r.target.scored)
                .map(|r| r.score.verdict),
        )
    }

    /// Why this run fails at `min_pass` %: a low pass rate, each broken
    /// limit and each failed direction; empty when it passes.
    pub fn failures(&self, min_pass: f64) -> Vec<String> {
        let mut out = Vec::new();
        let (pass, all, rate) = self.pass_rate();
        if rate < min_pass {
            out.push(format!(
                "{}: {pass} of {all} scored targets pass ({rate:.1}%), below {min_pass}%",
                self.rule.name()
            ));
        }
        for b in &self.broken {
            let v = &b.violation;
            out.push(format!(
                "{}: {} breaks the limit {} {} on day {:.2} ({} = {})",
                self.rule.name(),
                b.condition,
                v.field,
                v.limit,
                v.first_day,
                v.field,
                v.first_value
            ));
        }
        for d in &self.directions.failed {
            out.push(format!("{}: direction fails: {d}", self.rule.name()));
        }
        out
    }
}

/// The day a config's intervention starts: its first event, or 0.
pub fn event_day(events: &[Event]) -> f64 {
    events
        .iter()
        .map(|e| match *e {
            Event::Diet { from_day, .. }
            | Event::Bleeding { from_day, .. }
            | Event::Inflammation { from_day, .. }
            | Event::Lead { from_day, .. }
            | Event::OralIron { from_day, .. } => from_day,
            Event::IntravenousIron { day, .. }
            | Event::Transfusion { day, .. }
            | Event::Donation { day, .. } => day,
        })
        .fold(None, |a: Option<f64>, d| Some(a.map_or(d, |a| a.min(d))))
        .unwrap_or(0.0)
}

/// Runs one condition under `rule` and keeps every sample as a [`Series`].
/// `quick` runs at 1/20 of the config's agents.
pub fn run_condition(c: &conditions::Condition, rule: Rule, quick: bool) -> Result<Series> {
    let mut config = config_file::parse(c.ron, c.path)?;
    config.marrow.division_rule = rule.division_rule();
    if quick {
        config.scale.cells_per_agent *= 20.0;
        config.run.burn_in_days = config.run.burn_in_days.min(14.0);
    }
    // At least daily, whatever the config says.
    config.run.sample_every_hours = config.run.sample_every_hours.min(24.0);
    let hb_lower_g_dl = reference::ranges(config.run.reference)
        .iter()
        .find(|r| r.field == "hb_g_dl")
        .map_or(f64::NAN, |r| r.low);
    let event_day = event_day(&config.events);
    let days = config.run.days;
    let mut sim = Simulation::new(config)
        .with_context(|| format!("{} under the {} rule", c.name, rule.name()))?;
    let dt = sim.params().run.dt_hours();
    let total = (days * 24.0 / dt).round() as u64;
    let every = ((sim.params().run.sample_every_hours() / dt).round() as u64).max(1);
    let mut samples: Vec<Sample> = Vec::new();
    let mut absorbed = Vec::new();
    let mut take = |sim: &mut Simulation| -> Result<()> {
        samples.push(sim.sample().with_context(|| c.name.to_string())?);
        absorbed.push(sim.body().map(|b| b.absorbed_mg));
        Ok(())
    };
    take(&mut sim)?;
    for i in 1..=total {
        sim.step();
        if i % every == 0 || i == total {
            take(&mut sim)?;
        }
    }
    Ok(series_of(&samples, absorbed, event_day, hb_lower_g_dl))
}

/// Columns from samples.
fn series_of(
    samples: &[Sample],
    absorbed: Vec<Option<f64>>,
    event_day: f64,
    hb_lower_g_dl: f64,
) -> Series {
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    let mut days = Vec::with_capacity(samples.len());
    for s in samples {
        days.push(s.day);
        for (name, v) in s.fields() {
            if name == "day" {
                continue;
            }
            match columns.iter_mut().find(|(n, _)| n == name) {
                Some((_, col)) => col.push(v),
                None => columns.push((name.to_string(), vec![v])),
            }
        }
    }
    Series {
        days,
        columns,
        absorbed_total_mg: absorbed.into_iter().collect(),
        event_day,
        hb_lower_g_dl,
    }
}

/// Measures and scores every target on the runs.
pub fn evaluate(targets: &[Target], series: Vec<(&'static str, Series)>, rule: Rule) -> RuleRun {
    let find = |name: &str| series.iter().find(|(n, _)| *n == name).map(|(_, s)| s);
    let results = targets
        .iter()
        .map(|t| {
            let measured = match find(&t.condition) {
                Some(s) => s.measure(&t.marker, t.when),
                None => Measured::NotMeasured("the condition was not run".into()),
            };
            let score = score::score(&t.published, &measured);
            TargetResult {
                target: t.clone(),
                measured,
                score,
            }
        })
        .collect();
    let broken = series
        .iter()
        .flat_map(|(name, s)| {
            limits::check(s).into_iter().map(|violation| Broken {
                condition: name,
                violation,
            })
        })
        .collect();
    let directions = direction::check(&|name| find(name));
    RuleRun {
        rule,
        series,
        results,
        broken,
        directions,
    }
}

/// Runs every condition under each of `rules`, `workers` runs side by side
/// with `inner` threads each (the results do not depend on either), and
/// checks them against `targets`. With `kept`, each run is kept there as it
/// finishes and one kept by this build is read back instead of run again.
/// `on_done` hears each run as it finishes, and whether it was read back.
pub fn validate(
    targets: &[Target],
    rules: &[Rule],
    quick: bool,
    workers: usize,
    inner: usize,
    kept: Option<&kept::Kept>,
    on_done: &(dyn Fn(&str, Rule, bool) + Sync),
) -> Result<Vec<RuleRun>> {
    let jobs: Vec<(Rule, &conditions::Condition)> = rules
        .iter()
        .flat_map(|&r| conditions::CONDITIONS.iter().map(move |c| (r, c)))
        .collect();
    let slots: Vec<OnceLock<Series>> = jobs.iter().map(|_| OnceLock::new()).collect();
    batch::side_by_side(jobs.len(), workers, inner, |i| -> Result<()> {
        let (rule, c) = jobs[i];
        if let Some(series) = kept.map(|k| k.load(c, rule, quick)).transpose()?.flatten() {
            let _ = slots[i].set(series);
            on_done(c.name, rule, true);
            return Ok(());
        }
        let series = run_condition(c, rule, quick)?;
        if let Some(k) = kept {
            k.store(c, rule, quick, &series)?;
        }
        let _ = slots[i].set(series);
        on_done(c.name, rule, false);
        Ok(())
    })?;
    let mut done = jobs
        .iter()
        .zip(slots)
        .map(|((rule, c), s)| (*rule, c.name, s.into_inner().expect("every run finished")));
    let per_rule = conditions::CONDITIONS.len();
    Ok(rules
        .iter()
        .map(|&rule| {
            let series: Vec<(&'static str, Series)> = done
                .by_ref()
                .take(per_rule)
                .map(|(_, name, s)| (name, s))
                .collect();
            evaluate(targets, series, rule)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Verdict;

    #[test]
    fn the_embedded_targets_read() {
        load_targets(None).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn the_field_list_is_what_a_sample_has() {
        // A small healthy man with a body (1/50 of the agents), just built.
        let c = conditions::find("healthy_man").unwrap();
        let mut config = config_file::parse(c.ron, c.path).unwrap();
        config.scale.cells_per_agent *= 50.0;
        let mut sim = Simulation::new(config).unwrap();
        let names: Vec<&str> = sim
            .sample()
            .unwrap()
            .fields()
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| *n != "day")
            .collect();
        assert_eq!(names, FIELDS);
    }

    #[test]
    fn events_start_the_clock() {
        assert_eq!(event_day(&[]), 0.0);
        let events = [
            Event::OralIron {
                from_day: 9.0,
                to_day: 20.0,
                mg_per_day: 60.0,
                every_days: 1.0,
            },
            Event::Donation {
                day: 7.0,
                ml: 500.0,
            },
        ];
        assert_eq!(event_day(&events), 7.0);
    }

    fn synthetic(name: &'static str, hb: f64) -> (&'static str, Series) {
        (
            name,
            Series {
                days: vec![0.0, 1.0],
                columns: vec![
                    ("hb_g_dl".into(), vec![hb, hb]),
                    ("tsat_pct".into(), vec![30.0, 120.0]),
                ],
                ..Series::default()
            },
        )
    }

    #[test]
    fn failures_name_the_rate_the_limits_and_pass_when_all_is_well() {
        let text =
            "condition,marker,when,stat,center,spread,lo,hi,n,population,sex,citation,use,note\n\
            healthy_man,hb_g_dl,end,mean_sd,15,1,,,,,M,A,score,\n\
            healthy_woman,hb_g_dl,end,mean_sd,13,0.5,,,,,F,B,score,\n\
            healthy_woman,hb_g_dl,end,mean_sd,20,0.5,,,,,F,C,context,\n\
            healthy_woman,mcv_fl,end,mean_sd,90,5,,,,,F,D,score,\n";
        let t = load_targets(Some((text, "t.csv"))).unwrap();
        let runs = [
            synthetic("healthy_man", 15.5),
            synthetic("healthy_woman", 14.5),
        ];
        let r = evaluate(&t, runs.to_vec(), Rule::Critical);
        // Man passes, woman is 2 SD off, MCV is not measured; context not counted.
        assert_eq!(r.pass_rate(), (1, 3, 100.0 / 3.0));
        assert_eq!(r.results[3].score.verdict, Verdict::NotMeasured);
        let why = r.failures(30.0);
        assert!(why.iter().all(|w| !w.contains("scored targets")), "{why:?}");
        assert!(
            why.iter().any(|w| w.contains("tsat_pct in [0, 100]")),
            "{why:?}"
        );
        assert!(r.failures(90.0)[0].contains("1 of 3 scored targets pass"));
    }
}
