//! Reference ranges of the healthy adult (`shared/reference/healthy-adult.md`)
//! for flagging a blood count.

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

/// Men: Israel et al. 2022 (Hb, RBC, MCV, MCH, RDW); MCHC derived; RDW-SD and
/// reticulocytes are common laboratory ranges.
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
