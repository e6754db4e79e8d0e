//! Reference ranges of the healthy adult (`shared/reference/healthy-adult.md`)
//! for flagging a blood count, and when a time series first leaves them.

use erythro_core::config::Reference;

/// A measured quantity's healthy range.
pub struct Range {
    /// Output field name.
    pub field: &'static str,
    /// Label for the table.
    pub label: &'static str,
    /// Unit for the table.
    pub unit: &'static str,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
}

const fn r(
    field: &'static str,
    label: &'static str,
    unit: &'static str,
    low: f64,
    high: f64,
) -> Range {
    Range {
        field,
        label,
        unit,
        low,
        high,
    }
}

/// Men: Israel et al. 2022 (Hb, RBC, MCV, MCH, RDW, serum iron, TSAT);
/// MCHC derived; ferritin NHANES 1999-2002; RDW-SD, reticulocytes, TIBC,
/// EPO and ZPP (upper limits 40-70 umol/mol heme) common laboratory ranges.
const MAN: &[Range] = &[
    r("hb_g_dl", "Hb", "g/dL", 13.5, 17.0),
    r("rbc_1e12_per_l", "RBC", "10^12/L", 4.3, 5.7),
    r("hct_pct", "Hct", "%", 40.0, 50.0),
    r("mcv_fl", "MCV", "fL", 80.0, 100.0),
    r("mch_pg", "MCH", "pg", 27.0, 33.0),
    r("mchc_g_dl", "MCHC", "g/dL", 32.0, 36.0),
    r("rdw_cv_pct", "RDW-CV", "%", 11.5, 14.5),
    r("rdw_sd_fl", "RDW-SD", "fL", 39.0, 46.0),
    r("retic_pct", "Reticulocytes", "%", 0.5, 2.5),
    r("serum_iron_ug_dl", "Serum iron", "ug/dL", 60.0, 170.0),
    r("tibc_ug_dl", "TIBC", "ug/dL", 250.0, 370.0),
    r("tsat_pct", "TSAT", "%", 20.0, 45.0),
    r("ferritin_ug_l", "Ferritin", "ug/L", 40.0, 380.0),
    r("epo_mu_ml", "EPO", "mU/mL", 4.0, 24.0),
    r("zpp_umol_per_mol_heme", "ZPP", "umol/mol", 0.0, 60.0),
];

/// Women: as for men, with the women's columns.
const WOMAN: &[Range] = &[
    r("hb_g_dl", "Hb", "g/dL", 12.0, 15.0),
    r("rbc_1e12_per_l", "RBC", "10^12/L", 3.9, 5.0),
    r("hct_pct", "Hct", "%", 36.0, 44.0),
    r("mcv_fl", "MCV", "fL", 80.0, 100.0),
    r("mch_pg", "MCH", "pg", 27.0, 33.0),
    r("mchc_g_dl", "MCHC", "g/dL", 32.0, 36.0),
    r("rdw_cv_pct", "RDW-CV", "%", 11.5, 14.5),
    r("rdw_sd_fl", "RDW-SD", "fL", 39.0, 46.0),
    r("retic_pct", "Reticulocytes", "%", 0.5, 2.5),
    r("serum_iron_ug_dl", "Serum iron", "ug/dL", 50.0, 170.0),
    r("tibc_ug_dl", "TIBC", "ug/dL", 250.0, 370.0),
    r("tsat_pct", "TSAT", "%", 15.0, 45.0),
    r("ferritin_ug_l", "Ferritin", "ug/L", 15.0, 200.0),
    r("epo_mu_ml", "EPO", "mU/mL", 4.0, 24.0),
    r("zpp_umol_per_mol_heme", "ZPP", "umol/mol", 0.0, 60.0),
];

/// The ranges of `reference`.
pub fn ranges(reference: Reference) -> &'static [Range] {
    match reference {
        Reference::AdultMan => MAN,
        Reference::AdultWoman => WOMAN,
    }
}

/// "L" below the range, "H" above it, "" inside.
pub fn flag(range: &Range, value: f64) -> &'static str {
    if value < range.low {
        "L"
    } else if value > range.high {
        "H"
    } else {
        ""
    }
}

/// The first sampling day at which each marker with a range is outside it:
/// `(range, day, "low" or "high")`, in order of day. `series` is the run's
/// samples in time order, each as its day and its named values; markers
/// that never leave their range are absent, and markers a run does not
/// report are skipped.
pub fn onsets(
    reference: Reference,
    series: &[(f64, Vec<(&str, f64)>)],
) -> Vec<(&'static Range, f64, &'static str)> {
    let mut out = Vec::new();
    for r in ranges(reference) {
        for (day, fields) in series {
            let Some(v) = fields.iter().find(|(n, _)| *n == r.field).map(|(_, v)| *v) else {
                break;
            };
            let f = flag(r, v);
            if !f.is_empty() {
                out.push((r, *day, if f == "L" { "low" } else { "high" }));
                break;
            }
        }
    }
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_outside_the_range_only() {
        let hb = &ranges(Reference::AdultMan)[0];
        assert_eq!(
            (flag(hb, 13.0), flag(hb, 14.0), flag(hb, 18.0)),
            ("L", "", "H")
        );
    }

    #[test]
    fn onsets_are_the_first_day_out_in_day_order() {
        let series = vec![
            (0.0, vec![("hb_g_dl", 14.0), ("mcv_fl", 88.0)]),
            (1.0, vec![("hb_g_dl", 13.0), ("mcv_fl", 85.0)]),
            (2.0, vec![("hb_g_dl", 12.0), ("mcv_fl", 75.0)]),
        ];
        let o = onsets(Reference::AdultMan, &series);
        let got: Vec<(&str, f64, &str)> = o.iter().map(|(r, d, s)| (r.field, *d, *s)).collect();
        assert_eq!(got, [("hb_g_dl", 1.0, "low"), ("mcv_fl", 2.0, "low")]);
        // A woman's Hb of 13 is inside her range.
        assert_eq!(onsets(Reference::AdultWoman, &series)[0].1, 2.0);
    }
}
