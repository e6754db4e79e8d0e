//! # erythro-validate: the conditions against the clinic
//!
//! [`validate`] runs every condition config of `configs/conditions/` (embedded
//! in the crate) side by side and checks each marker against the direction
//! the textbook pattern expects, compared with the healthy run of the same
//! sex (or, for therapy, with the run's own start). The directions are
//! written here, from the clinical literature; the model is never told them.
#![deny(missing_docs)]

use std::fmt::Write as _;

use anyhow::{Context, Result};
use erythro_analysis::reference;
use erythro_io::config as config_file;
use erythro_runner::{batch, Sample, Simulation};

/// The markers of the table, with their output field names.
const MARKERS: &[(&str, &str)] = &[
    ("Hb", "hb_g_dl"),
    ("RBC", "rbc_1e12_per_l"),
    ("MCV", "mcv_fl"),
    ("MCH", "mch_pg"),
    ("MCHC", "mchc_g_dl"),
    ("RDW-CV", "rdw_cv_pct"),
    ("SI", "serum_iron_ug_dl"),
    ("TIBC", "tibc_ug_dl"),
    ("TSAT", "tsat_pct"),
    ("Ferritin", "ferritin_ug_l"),
    ("Hepcidin", "hepcidin_nm"),
    ("ZPP", "zpp_umol_per_mol_heme"),
    ("Sidero", "ring_sideroblast_pct"),
    ("Mentzer", "mentzer"),
];

/// What the textbook pattern expects of a marker.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Higher than the baseline by more than 5%.
    Up,
    /// Lower than the baseline by more than 5%.
    Down,
    /// Inside the reference range (or within 25% of the baseline where
    /// there is no range).
    Normal,
    /// Not higher than the baseline by more than 5%.
    NotUp,
    /// Not lower than the baseline by more than 5%.
    NotDown,
    /// Above a fixed value (Mentzer above 13: iron deficiency).
    Above(f64),
    /// Below a fixed value (Mentzer below 13: thalassemia trait).
    Below(f64),
    /// Risen from the baseline by less than this much, in the marker's unit
    /// (oral-iron refractoriness: hemoglobin up by less than 1 g/dL after
    /// 4-6 weeks of oral iron, Hershko and Camaschella, Blood 2014).
    RiseBelow(f64),
}

impl Expect {
    fn label(self) -> String {
        match self {
            Expect::Up => "up".into(),
            Expect::Down => "down".into(),
            Expect::Normal => "normal".into(),
            Expect::NotUp => "not up".into(),
            Expect::NotDown => "not down".into(),
            Expect::Above(x) => format!(">{x}"),
            Expect::Below(x) => format!("<{x}"),
            Expect::RiseBelow(x) => format!("+<{x}"),
        }
    }

    fn holds(self, value: f64, baseline: f64, range: Option<(f64, f64)>) -> bool {
        // 5% of the baseline, with a small absolute floor so markers whose
        // healthy value is zero (ring sideroblasts) do not flip on noise.
        let margin = (0.05 * baseline.abs()).max(0.1);
        match self {
            Expect::Up => value > baseline + margin,
            Expect::Down => value < baseline - margin,
            Expect::Normal => match range {
                Some((lo, hi)) => (lo..=hi).contains(&value),
                None => (value - baseline).abs() <= 0.25 * baseline.abs(),
            },
            Expect::NotUp => value <= baseline + margin,
            Expect::NotDown => value >= baseline - margin,
            Expect::Above(x) => value > x,
            Expect::Below(x) => value < x,
            Expect::RiseBelow(x) => value - baseline < x,
        }
    }
}

/// What a condition is compared against.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Baseline {
    Man,
    Woman,
    /// The run's own day 0 (therapy: recovery from the starting state).
    Start,
}

struct Condition {
    name: &'static str,
    ron: &'static str,
    baseline: Baseline,
    expect: &'static [(&'static str, Expect)],
}

use Expect::*;

/// Iron deficiency (diet, blood loss, malabsorption): Camaschella, NEJM 2015.
const IRON_DEFICIENCY: &[(&str, Expect)] = &[
    ("ferritin_ug_l", Down),
    ("tsat_pct", Down),
    ("serum_iron_ug_dl", Down),
    ("tibc_ug_dl", Up),
    ("hepcidin_nm", Down),
    ("mcv_fl", Down),
    ("mchc_g_dl", Down),
    ("rbc_1e12_per_l", Down),
    ("hb_g_dl", Down),
    ("rdw_cv_pct", Up),
    ("zpp_umol_per_mol_heme", Up),
    ("mentzer", Above(13.0)),
];

/// Thalassemia trait: microcytosis with a high count, normal RDW and iron.
const THAL_TRAIT: &[(&str, Expect)] = &[
    ("mcv_fl", Down),
    ("rbc_1e12_per_l", Up),
    ("rdw_cv_pct", Normal),
    ("ferritin_ug_l", Normal),
    ("tsat_pct", Normal),
    ("serum_iron_ug_dl", Normal),
    ("mentzer", Below(13.0)),
];

/// Recovery on iron: compared with the run's start (Camaschella 2015:
/// hemoglobin up about 2 g/dL in 3 weeks on oral iron).
const RECOVERY: &[(&str, Expect)] = &[
    ("hb_g_dl", Up),
    ("mcv_fl", Up),
    ("tsat_pct", Up),
    ("ferritin_ug_l", Up),
];

/// A condition whose config is `configs/conditions/NAME.ron`, embedded.
macro_rules! condition {
    ($name:literal, $baseline:expr, $expect:expr) => {
        Condition {
            name: $name,
            ron: include_str!(concat!("../../../configs/conditions/", $name, ".ron")),
            baseline: $baseline,
            expect: $expect,
        }
    };
}

const CONDITIONS: &[Condition] = &[
    condition!(
        "healthy_woman",
        Baseline::Man,
        &[
            ("hb_g_dl", Down),
            ("ferritin_ug_l", Down),
            ("mcv_fl", Normal),
            ("mchc_g_dl", Normal),
        ]
    ),
    condition!("ida_diet", Baseline::Man, IRON_DEFICIENCY),
    condition!("ida_hookworm", Baseline::Man, IRON_DEFICIENCY),
    condition!("ida_menorrhagia", Baseline::Woman, IRON_DEFICIENCY),
    condition!("gastrectomy", Baseline::Man, IRON_DEFICIENCY),
    condition!("recovery_oral_iron", Baseline::Start, RECOVERY),
    condition!("recovery_iv_iron", Baseline::Start, RECOVERY),
    condition!("beta_thal_trait", Baseline::Man, THAL_TRAIT),
    condition!("alpha_thal_trait", Baseline::Man, THAL_TRAIT),
    // Weiss & Goodnough, NEJM 2005.
    condition!(
        "chronic_disease",
        Baseline::Man,
        &[
            ("hepcidin_nm", Up),
            ("ferritin_ug_l", Up),
            ("serum_iron_ug_dl", Down),
            ("tibc_ug_dl", Down),
            ("tsat_pct", Down),
            ("hb_g_dl", Down),
            ("mcv_fl", Above(75.0)),
        ]
    ),
    // Pietrangelo, Gastroenterology 2017 (type A): hepcidin normal or high.
    condition!(
        "ferroportin_disease",
        Baseline::Man,
        &[
            ("ferritin_ug_l", Up),
            ("tsat_pct", NotUp),
            ("hepcidin_nm", NotDown),
        ]
    ),
    // Finberg et al., Nat Genet 2008: hepcidin inappropriately normal/high.
    condition!(
        "irida",
        Baseline::Man,
        &[
            ("tsat_pct", Down),
            ("mcv_fl", Down),
            ("hb_g_dl", Down),
            ("hepcidin_nm", NotDown),
        ]
    ),
    condition!(
        "irida_oral_iron",
        Baseline::Start,
        &[("hb_g_dl", RiseBelow(1.0))]
    ),
    condition!(
        "irida_iv_iron",
        Baseline::Start,
        &[("hb_g_dl", Up), ("ferritin_ug_l", Up)]
    ),
    // ZPP and ring sideroblasts up, iron studies normal or high.
    condition!(
        "lead_poisoning",
        Baseline::Man,
        &[
            ("zpp_umol_per_mol_heme", Up),
            ("ring_sideroblast_pct", Up),
            ("tsat_pct", NotDown),
            ("ferritin_ug_l", NotDown),
        ]
    ),
    condition!(
        "ida_with_inflammation",
        Baseline::Man,
        &[
            ("tsat_pct", Down),
            ("mcv_fl", Down),
            ("hb_g_dl", Down),
            ("ferritin_ug_l", Normal),
        ]
    ),
];

const HEALTHY_MAN: &str = include_str!("../../../configs/conditions/healthy_man.ron");
const HEALTHY_WOMAN: &str = include_str!("../../../configs/conditions/healthy_woman.ron");

/// First and last sample of a condition config.
fn run_config(name: &str, ron: &str, quick: bool) -> Result<(Sample, Sample)> {
    let mut config = config_file::parse(ron, &format!("configs/conditions/{name}.ron"))?;
    if quick {
        config.scale.cells_per_agent *= 20.0;
        config.run.burn_in_days = config.run.burn_in_days.min(14.0);
    }
    let days = config.run.days;
    let mut sim = Simulation::new(config).with_context(|| format!("condition {name}"))?;
    let samples = sim
        .run(days, |_| {}, |_, _| {})
        .with_context(|| format!("condition {name}"))?;
    Ok((samples[0], samples[samples.len() - 1]))
}

fn value(s: &Sample, field: &str) -> f64 {
    s.fields()
        .iter()
        .find(|(n, _)| *n == field)
        .map(|(_, v)| *v)
        .unwrap_or(f64::NAN)
}

/// The outcome of a validation: the table as printed, the same as CSV, and
/// how many expected patterns failed.
pub struct Validation {
    /// The table, markers across, conditions down, each with its check.
    pub table: String,
    /// `condition,marker,value,baseline,expected,result`, one row per check.
    pub csv: String,
    /// Checks that failed.
    pub failures: usize,
    /// Checks made.
    pub checks: usize,
}

/// Names of the runs [`validate`] makes, in the order it makes them.
pub fn run_names() -> Vec<&'static str> {
    let mut names = vec!["healthy_man", "healthy_woman"];
    names.extend(CONDITIONS.iter().map(|c| c.name));
    names
}

/// Runs the healthy baselines and every condition, `workers` runs side by
/// side with `inner` threads each (the results do not depend on either),
/// and checks every expected pattern. `quick` runs at 1/20 of each
/// config's scale. `on_done` hears each run's name as it finishes.
pub fn validate(
    quick: bool,
    workers: usize,
    inner: usize,
    on_done: &(dyn Fn(&str) + Sync),
) -> Result<Validation> {
    let mut jobs: Vec<(&str, &str)> = vec![
        ("healthy_man", HEALTHY_MAN),
        ("healthy_woman", HEALTHY_WOMAN),
    ];
    jobs.extend(CONDITIONS.iter().map(|c| (c.name, c.ron)));
    let slots: Vec<std::sync::OnceLock<(Sample, Sample)>> =
        jobs.iter().map(|_| std::sync::OnceLock::new()).collect();
    batch::side_by_side(jobs.len(), workers, inner, |i| -> Result<()> {
        let (name, ron) = jobs[i];
        let _ = slots[i].set(run_config(name, ron, quick)?);
        on_done(name);
        Ok(())
    })?;
    let mut runs = slots
        .into_iter()
        .map(|s| s.into_inner().expect("every run finished"));
    let man = runs.next().expect("healthy man").1;
    let woman = runs.next().expect("healthy woman").1;
    let results: Vec<(Sample, Sample)> = runs.collect();
    let mut table = String::new();
    let mut csv = String::from("condition,marker,value,baseline,expected,result\n");
    let mut failures = 0;
    let mut checked = 0;
    let _ = write!(table, "{:<22}", "condition");
    for (label, _) in MARKERS {
        let _ = write!(table, " {label:>9}");
    }
    table.push('\n');
    for (c, (start, end)) in CONDITIONS.iter().zip(&results) {
        let (baseline, reference) = match c.baseline {
            Baseline::Man => (&man, erythro_core::config::Reference::AdultMan),
            Baseline::Woman => (&woman, erythro_core::config::Reference::AdultWoman),
            Baseline::Start => (start, erythro_core::config::Reference::AdultMan),
        };
        let mut values = format!("{:<22}", c.name);
        let mut checks = format!("{:<22}", "");
        for (_, field) in MARKERS {
            let v = value(end, field);
            let b = value(baseline, field);
            let _ = write!(values, " {v:>9.2}");
            match c.expect.iter().find(|(f, _)| f == field) {
                Some((_, e)) => {
                    let range = reference::ranges(reference)
                        .iter()
                        .find(|r| r.field == *field)
                        .map(|r| (r.low, r.high));
                    let ok = e.holds(v, b, range);
                    failures += (!ok) as usize;
                    checked += 1;
                    let mark = format!("{}{}", e.label(), if ok { " ok" } else { " FAIL" });
                    let _ = write!(checks, " {mark:>9}");
                    let _ = writeln!(
                        csv,
                        "{},{},{v},{b},{},{}",
                        c.name,
                        field,
                        e.label(),
                        if ok { "pass" } else { "fail" }
                    );
                }
                None => {
                    let _ = write!(checks, " {:>9}", "");
                }
            }
        }
        let _ = writeln!(table, "{values}\n{checks}");
    }
    let _ = writeln!(
        table,
        "\nbaselines: healthy man (Hb {:.1}, MCV {:.1}, ferritin {:.0}, TSAT {:.0}%), healthy woman (Hb {:.1}, ferritin {:.0})",
        value(&man, "hb_g_dl"),
        value(&man, "mcv_fl"),
        value(&man, "ferritin_ug_l"),
        value(&man, "tsat_pct"),
        value(&woman, "hb_g_dl"),
        value(&woman, "ferritin_ug_l"),
    );
    Ok(Validation {
        table,
        csv,
        failures,
        checks: checked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_need_more_than_five_percent() {
        assert!(Up.holds(106.0, 100.0, None));
        assert!(!Up.holds(104.0, 100.0, None));
        assert!(Down.holds(94.0, 100.0, None));
        assert!(!Down.holds(96.0, 100.0, None));
        assert!(NotUp.holds(104.0, 100.0, None) && !NotUp.holds(106.0, 100.0, None));
        assert!(NotDown.holds(96.0, 100.0, None) && !NotDown.holds(94.0, 100.0, None));
        // A zero baseline still needs an absolute 0.1 to count as a change.
        assert!(!Up.holds(0.05, 0.0, None) && Up.holds(0.2, 0.0, None));
    }

    #[test]
    fn normal_uses_the_range_when_there_is_one() {
        assert!(Normal.holds(85.0, 60.0, Some((80.0, 100.0))));
        assert!(!Normal.holds(75.0, 76.0, Some((80.0, 100.0))));
        assert!(Normal.holds(120.0, 100.0, None) && !Normal.holds(130.0, 100.0, None));
        assert!(Above(13.0).holds(13.5, 0.0, None) && !Below(13.0).holds(13.5, 0.0, None));
        assert!(RiseBelow(1.0).holds(7.9, 7.0, None) && !RiseBelow(1.0).holds(8.1, 7.0, None));
    }

    #[test]
    fn every_condition_config_parses_and_names_real_markers() {
        for c in CONDITIONS {
            config_file::parse(c.ron, c.name).unwrap_or_else(|e| panic!("{}: {e}", c.name));
            for (field, _) in c.expect {
                assert!(
                    MARKERS.iter().any(|(_, f)| f == field),
                    "{}: {field} is not a marker of the table",
                    c.name
                );
            }
        }
        assert_eq!(run_names().len(), CONDITIONS.len() + 2);
    }
}
