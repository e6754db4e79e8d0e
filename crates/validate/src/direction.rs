//! The second layer: each condition's markers move the way the textbook
//! pattern expects, compared with the healthy run of the same sex (or, for
//! therapy, with the run's own start). The directions are written here,
//! from the clinical literature; the model is never told them.

use std::fmt::Write as _;

use erythro_analysis::reference;
use erythro_core::config::Reference;

use crate::measure::Series;

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

/// A condition's expected pattern.
struct Pattern {
    name: &'static str,
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

/// The patterns, by condition.
const PATTERNS: &[Pattern] = &[
    p(
        "healthy_woman",
        Baseline::Man,
        &[
            ("hb_g_dl", Down),
            ("ferritin_ug_l", Down),
            ("mcv_fl", Normal),
            ("mchc_g_dl", Normal),
        ],
    ),
    p("ida_diet", Baseline::Man, IRON_DEFICIENCY),
    p("ida_hookworm", Baseline::Man, IRON_DEFICIENCY),
    p("ida_menorrhagia", Baseline::Woman, IRON_DEFICIENCY),
    p("gastrectomy", Baseline::Man, IRON_DEFICIENCY),
    p("recovery_oral_iron", Baseline::Start, RECOVERY),
    p("recovery_iv_iron", Baseline::Start, RECOVERY),
    p("beta_thal_trait", Baseline::Man, THAL_TRAIT),
    p("alpha_thal_trait", Baseline::Man, THAL_TRAIT),
    // Weiss & Goodnough, NEJM 2005.
    p(
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
        ],
    ),
    // Pietrangelo, Gastroenterology 2017 (type A): hepcidin normal or high.
    p(
        "ferroportin_disease",
        Baseline::Man,
        &[
            ("ferritin_ug_l", Up),
            ("tsat_pct", NotUp),
            ("hepcidin_nm", NotDown),
        ],
    ),
    // Finberg et al., Nat Genet 2008: hepcidin inappropriately normal/high.
    p(
        "irida",
        Baseline::Man,
        &[
            ("tsat_pct", Down),
            ("mcv_fl", Down),
            ("hb_g_dl", Down),
            ("hepcidin_nm", NotDown),
        ],
    ),
    p(
        "irida_oral_iron",
        Baseline::Start,
        &[("hb_g_dl", RiseBelow(1.0))],
    ),
    p(
        "irida_iv_iron",
        Baseline::Start,
        &[("hb_g_dl", Up), ("ferritin_ug_l", Up)],
    ),
    // ZPP and ring sideroblasts up, iron studies normal or high.
    p(
        "lead_poisoning",
        Baseline::Man,
        &[
            ("zpp_umol_per_mol_heme", Up),
            ("ring_sideroblast_pct", Up),
            ("tsat_pct", NotDown),
            ("ferritin_ug_l", NotDown),
        ],
    ),
    p(
        "ida_with_inflammation",
        Baseline::Man,
        &[
            ("tsat_pct", Down),
            ("mcv_fl", Down),
            ("hb_g_dl", Down),
            ("ferritin_ug_l", Normal),
        ],
    ),
];

const fn p(
    name: &'static str,
    baseline: Baseline,
    expect: &'static [(&'static str, Expect)],
) -> Pattern {
    Pattern {
        name,
        baseline,
        expect,
    }
}

/// Conditions that have a directional pattern.
pub fn names() -> impl Iterator<Item = &'static str> {
    PATTERNS.iter().map(|p| p.name)
}

/// The directional checks over the runs, as printed and as CSV.
pub struct Directions {
    /// The table, markers across, conditions down, each with its check.
    pub table: String,
    /// `condition,marker,value,baseline,expected,result`, one row per check.
    pub csv: String,
    /// Checks that failed, as `condition marker`.
    pub failed: Vec<String>,
    /// Checks made.
    pub checks: usize,
}

fn value(s: &Series, i: usize, field: &str) -> f64 {
    s.column(field).map_or(f64::NAN, |c| c[i])
}

/// Checks every pattern; `run` gives a condition's series (the healthy man
/// and woman among them). A pattern whose run is missing is skipped.
pub fn check<'a>(run: &dyn Fn(&str) -> Option<&'a Series>) -> Directions {
    let mut table = String::new();
    let mut csv = String::from("condition,marker,value,baseline,expected,result\n");
    let mut failed = Vec::new();
    let mut checks = 0;
    let _ = write!(table, "{:<24}", "condition");
    for (label, _) in MARKERS {
        let _ = write!(table, " {label:>9}");
    }
    table.push('\n');
    let (man, woman) = (run("healthy_man"), run("healthy_woman"));
    for c in PATTERNS {
        let Some(series) = run(c.name) else { continue };
        let end = series.days.len() - 1;
        let (baseline, at, reference) = match c.baseline {
            Baseline::Man => (man, None, Reference::AdultMan),
            Baseline::Woman => (woman, None, Reference::AdultWoman),
            Baseline::Start => (Some(series), Some(0), Reference::AdultMan),
        };
        let Some(baseline) = baseline else { continue };
        let at = at.unwrap_or(baseline.days.len() - 1);
        let mut values = format!("{:<24}", c.name);
        let mut marks = format!("{:<24}", "");
        for (_, field) in MARKERS {
            let v = value(series, end, field);
            let b = value(baseline, at, field);
            let _ = write!(values, " {v:>9.2}");
            match c.expect.iter().find(|(f, _)| f == field) {
                Some((_, e)) => {
                    let range = reference::ranges(reference)
                        .iter()
                        .find(|r| r.field == *field)
                        .map(|r| (r.low, r.high));
                    let ok = e.holds(v, b, range);
                    if !ok {
                        failed.push(format!("{} {field}", c.name));
                    }
                    checks += 1;
                    let mark = format!("{}{}", e.label(), if ok { " ok" } else { " FAIL" });
                    let _ = write!(marks, " {mark:>9}");
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
                    let _ = write!(marks, " {:>9}", "");
                }
            }
        }
        let _ = writeln!(table, "{values}\n{marks}");
    }
    if let (Some(m), Some(w)) = (man, woman) {
        let (im, iw) = (m.days.len() - 1, w.days.len() - 1);
        let _ = writeln!(
            table,
            "\nbaselines: healthy man (Hb {:.1}, MCV {:.1}, ferritin {:.0}, TSAT {:.0}%), healthy woman (Hb {:.1}, ferritin {:.0})",
            value(m, im, "hb_g_dl"),
            value(m, im, "mcv_fl"),
            value(m, im, "ferritin_ug_l"),
            value(m, im, "tsat_pct"),
            value(w, iw, "hb_g_dl"),
            value(w, iw, "ferritin_ug_l"),
        );
    }
    Directions {
        table,
        csv,
        failed,
        checks,
    }
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
    fn every_pattern_has_a_run_and_names_real_markers() {
        for c in PATTERNS {
            assert!(crate::conditions::find(c.name).is_some(), "{}", c.name);
            for (field, _) in c.expect {
                assert!(
                    MARKERS.iter().any(|(_, f)| f == field),
                    "{}: {field} is not a marker of the table",
                    c.name
                );
            }
        }
    }

    fn run(columns: &[(&str, f64, f64)]) -> Series {
        Series {
            days: vec![0.0, 10.0],
            columns: columns
                .iter()
                .map(|(n, a, b)| (n.to_string(), vec![*a, *b]))
                .collect(),
            ..Series::default()
        }
    }

    #[test]
    fn a_direction_that_does_not_hold_is_named() {
        let man = run(&[("hb_g_dl", 15.0, 15.0), ("ferritin_ug_l", 100.0, 100.0)]);
        let woman = run(&[("hb_g_dl", 13.0, 13.0), ("ferritin_ug_l", 120.0, 120.0)]);
        let d = check(&|name| match name {
            "healthy_man" => Some(&man),
            "healthy_woman" => Some(&woman),
            _ => None,
        });
        // Hb down holds; ferritin down does not; MCV and MCHC are absent (NaN).
        assert_eq!(d.checks, 4);
        assert!(d
            .failed
            .contains(&"healthy_woman ferritin_ug_l".to_string()));
        assert!(!d.failed.contains(&"healthy_woman hb_g_dl".to_string()));
        assert!(
            d.csv.contains("healthy_woman,hb_g_dl,13,15,down,pass"),
            "{}",
            d.csv
        );
    }
}
