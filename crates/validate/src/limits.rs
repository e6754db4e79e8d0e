//! Hard physical limits: what no human blood sample can show, checked on
//! every sample of every run. A broken limit is always a failure, whatever
//! the targets say, because it means a mechanism is wrong rather than
//! mis-sized.

use crate::measure::Series;

/// A limit on one field: `[low, high]`, with why.
struct Bound {
    field: &'static str,
    low: f64,
    high: f64,
    why: &'static str,
}

/// The limits on single fields.
const BOUNDS: &[Bound] = &[
    Bound {
        field: "tsat_pct",
        low: 0.0,
        high: 100.0,
        why: "a saturation is a share of transferrin's sites",
    },
    // Assays report ferritin down to about 1-2 ug/L, and the most severe
    // iron deficiency cohorts sit at a few ug/L: ferritin is secreted by
    // macrophages and hepatocytes whatever their iron, so serum ferritin
    // never reaches 0 (the issue: the model printed 0.3-0.6).
    Bound {
        field: "ferritin_ug_l",
        low: 1.0,
        high: 1e5,
        why: "assays and patients bottom out at a few ug/L",
    },
    // The palest cells of severe iron deficiency give an MCHC near 22-25
    // g/dL; above about 37-38 g/dL hemoglobin nears its solubility in the
    // cell (hereditary spherocytosis, the highest MCHC seen, stays below it).
    Bound {
        field: "mchc_g_dl",
        low: 20.0,
        high: 40.0,
        why: "hemoglobin concentration in red cells spans about 22-38 g/dL",
    },
    // Counts below about 1 (severe aplastic or megaloblastic anemia) are
    // barely compatible with life; the highest counts (polycythemia,
    // thalassemia trait) stay below about 7.5.
    Bound {
        field: "rbc_1e12_per_l",
        low: 0.5,
        high: 8.0,
        why: "human red-cell counts span about 1-7.5 x10^12/L",
    },
    // Thalassemia major and the most severe iron deficiency reach the low
    // 50s; megaloblastic anemia the 120s-130.
    Bound {
        field: "mcv_fl",
        low: 50.0,
        high: 130.0,
        why: "human MCV spans about 50-130 fL",
    },
    // Hemoglobin below 2-3 g/dL is rarely survived; polycythemia stays below 22.
    Bound {
        field: "hb_g_dl",
        low: 2.0,
        high: 22.0,
        why: "human hemoglobin spans about 2-22 g/dL",
    },
];

/// A limit broken in a run: the first sample that breaks it, the worst
/// value and how many samples do.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// The field.
    pub field: String,
    /// The limit as text.
    pub limit: String,
    /// Why it is a limit.
    pub why: &'static str,
    /// First day (since the steady state) it is broken.
    pub first_day: f64,
    /// The value that day.
    pub first_value: f64,
    /// Samples that break it.
    pub samples: usize,
}

/// Every limit each sample of `series` breaks, one entry per limit.
pub fn check(series: &Series) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut record = |field: &str, limit: String, why, day: f64, value: f64| match out
        .iter_mut()
        .find(|v: &&mut Violation| v.field == field && v.limit == limit)
    {
        Some(v) => v.samples += 1,
        None => out.push(Violation {
            field: field.to_string(),
            limit,
            why,
            first_day: day,
            first_value: value,
            samples: 1,
        }),
    };
    for (i, &day) in series.days.iter().enumerate() {
        for (name, values) in &series.columns {
            if !values[i].is_finite() {
                record(
                    name,
                    "finite".into(),
                    "no measurement is NaN or infinite",
                    day,
                    values[i],
                );
            }
        }
        for b in BOUNDS {
            if let Some(values) = series.column(b.field) {
                let v = values[i];
                if v.is_finite() && !(b.low..=b.high).contains(&v) {
                    record(
                        b.field,
                        format!("in [{}, {}]", b.low, b.high),
                        b.why,
                        day,
                        v,
                    );
                }
            }
        }
        // Serum iron is the iron transferrin carries and TIBC is what it can
        // carry, so serum iron can never exceed it (the issue: intravenous
        // iron sent it above). A relative 1e-9 allows for rounding.
        if let (Some(si), Some(tibc)) = (
            series.column("serum_iron_ug_dl"),
            series.column("tibc_ug_dl"),
        ) {
            if si[i] > tibc[i] * (1.0 + 1e-9) {
                record(
                    "serum_iron_ug_dl",
                    "<= tibc_ug_dl".into(),
                    "transferrin carries serum iron, and TIBC is its capacity",
                    day,
                    si[i],
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(columns: Vec<(&str, Vec<f64>)>) -> Series {
        Series {
            days: (0..columns[0].1.len()).map(|d| d as f64).collect(),
            columns: columns
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
            ..Series::default()
        }
    }

    #[test]
    fn a_healthy_run_breaks_nothing() {
        let s = series(vec![
            ("hb_g_dl", vec![15.0, 14.5]),
            ("mchc_g_dl", vec![33.0, 33.5]),
            ("serum_iron_ug_dl", vec![100.0, 90.0]),
            ("tibc_ug_dl", vec![300.0, 310.0]),
            ("ferritin_ug_l", vec![100.0, 95.0]),
        ]);
        assert!(check(&s).is_empty());
    }

    #[test]
    fn each_kind_of_violation_is_named_with_its_day_and_value() {
        let s = series(vec![
            ("hb_g_dl", vec![15.0, 1.5, 1.0]),
            ("serum_iron_ug_dl", vec![100.0, 400.0, 100.0]),
            ("tibc_ug_dl", vec![300.0, 310.0, 300.0]),
            ("ferritin_ug_l", vec![0.4, 20.0, 20.0]),
            ("mchc_g_dl", vec![33.0, 33.0, 41.0]),
            ("mentzer", vec![20.0, f64::NAN, 20.0]),
        ]);
        let v = check(&s);
        let find = |field: &str, limit: &str| {
            v.iter()
                .find(|x| x.field == field && x.limit.contains(limit))
                .unwrap_or_else(|| panic!("{field} {limit}: {v:?}"))
        };
        let hb = find("hb_g_dl", "[2, 22]");
        assert_eq!((hb.first_day, hb.first_value, hb.samples), (1.0, 1.5, 2));
        let si = find("serum_iron_ug_dl", "tibc");
        assert_eq!((si.first_day, si.first_value), (1.0, 400.0));
        assert_eq!(find("ferritin_ug_l", "[1,").first_day, 0.0);
        assert_eq!(find("mchc_g_dl", "[20, 40]").first_value, 41.0);
        assert_eq!(find("mentzer", "finite").first_day, 1.0);
        assert_eq!(v.len(), 5);
    }
}
