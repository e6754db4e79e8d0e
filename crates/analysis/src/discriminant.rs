//! The published red-cell discriminant indices that separate thalassaemia
//! trait from iron deficiency, with their cutoffs and sources.
//!
//! Every index here reads the same way: a value below the cutoff suggests
//! thalassaemia trait, a value at or above it suggests iron deficiency. The
//! inputs are in the units the authors used: RBC 10^12/L, Hb g/dL, Hct %,
//! MCV fL, MCH pg, RDW (CV) %.

use serde::Serialize;

/// One published discriminant index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Discriminant {
    /// Name, equal to the [`Cbc`](crate::Cbc) field that holds its value.
    pub name: &'static str,
    /// The formula, for display.
    pub formula: &'static str,
    /// Values below this suggest thalassaemia trait, at or above it iron deficiency.
    pub cutoff: f64,
    /// Where the index and its cutoff were published.
    pub source: &'static str,
}

/// What a discriminant value suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Suggestion {
    /// The value is below the cutoff.
    ThalassaemiaTrait,
    /// The value is at or above the cutoff.
    IronDeficiency,
    /// The count is not microcytic (MCV at or above
    /// [`MICROCYTIC_MCV_FL`]): the indices separate thalassaemia trait from
    /// iron deficiency only in a microcytic count, so there is no verdict.
    NotMicrocytic,
}

/// MCV below which a count is microcytic, fL (the lower reference limit):
/// the discriminant indices are read only below it (Mentzer 1973 and its
/// successors were derived and validated in microcytic patients).
pub const MICROCYTIC_MCV_FL: f64 = 80.0;

impl Suggestion {
    /// Human-readable label, e.g. for a CLI line "suggests thalassaemia trait".
    pub fn label(self) -> &'static str {
        match self {
            Suggestion::ThalassaemiaTrait => "thalassaemia trait",
            Suggestion::IronDeficiency => "iron deficiency",
            Suggestion::NotMicrocytic => "no verdict (MCV >= 80 fL)",
        }
    }
}

impl Discriminant {
    /// What `value` of this index suggests (below the cutoff: thalassaemia trait).
    pub fn suggests(&self, value: f64) -> Suggestion {
        if value < self.cutoff {
            Suggestion::ThalassaemiaTrait
        } else {
            Suggestion::IronDeficiency
        }
    }
}

/// All discriminants, in the order they appear among the [`Cbc`](crate::Cbc) fields.
pub const DISCRIMINANTS: &[Discriminant] = &[
    Discriminant {
        name: "mentzer",
        formula: "MCV / RBC",
        cutoff: 13.0,
        source: "Mentzer WC. Differentiation of iron deficiency from thalassaemia trait. Lancet 1973;1:882",
    },
    Discriminant {
        name: "shine_lal",
        formula: "MCV^2 * MCH / 100",
        cutoff: 1530.0,
        source: "Shine I, Lal S. A strategy to detect beta-thalassaemia minor. Lancet 1977;1:692-694",
    },
    Discriminant {
        name: "england_fraser",
        formula: "MCV - RBC - 5 * Hb - 3.4",
        cutoff: 0.0,
        source: "England JM, Fraser PM. Differentiation of iron deficiency from thalassaemia trait by routine blood-count. Lancet 1973;1:449-452",
    },
    Discriminant {
        name: "srivastava",
        formula: "MCH / RBC",
        cutoff: 3.8,
        source: "Srivastava PC, Bevington JM. Iron deficiency and/or thalassaemia trait. Lancet 1973;1:832",
    },
    Discriminant {
        name: "green_king",
        formula: "MCV^2 * RDW / (100 * Hb)",
        cutoff: 65.0,
        source: "Green R, King R. A new red cell discriminant incorporating volume dispersion for differentiating iron deficiency anemia from thalassemia minor. Blood Cells 1989;15:481-491",
    },
    Discriminant {
        name: "rdwi",
        formula: "MCV * RDW / RBC",
        cutoff: 220.0,
        source: "Jayabose S et al. Differentiating iron deficiency anemia from thalassemia minor by using an RDW-based index (RDWI). Pediatric Research 1999 (abstract)",
    },
    Discriminant {
        name: "ricerca",
        formula: "RDW / RBC",
        cutoff: 4.4,
        source: "Ricerca BM et al. Differentiation of iron deficiency from thalassaemia trait: a new approach. Haematologica 1987;72:409-413",
    },
    Discriminant {
        name: "ehsani",
        formula: "MCV - 10 * RBC",
        cutoff: 15.0,
        source: "Ehsani MA et al. A new index for discrimination between iron deficiency anemia and beta-thalassemia minor. Pak J Biol Sci 2009;12:473-475",
    },
    Discriminant {
        name: "sirdah",
        formula: "MCV - RBC - 3 * Hct",
        cutoff: 27.0,
        source: "Sirdah M et al. Evaluation of the diagnostic reliability of different RBC indices and formulas in the differentiation of the beta-thalassaemia minor from iron deficiency in Palestinian population. Int J Lab Hematol 2008;30:324-330",
    },
];

/// The nine indices computed from the CBC, in [`DISCRIMINANTS`] order.
/// Units: `mcv_fl` fL, `rbc` 10^12/L, `hb` g/dL, `hct` %, `mch` pg, `rdw` CV %.
pub(crate) struct Inputs {
    pub mcv_fl: f64,
    pub mch_pg: f64,
    pub rbc_1e12_per_l: f64,
    pub hb_g_dl: f64,
    pub hct_pct: f64,
    pub rdw_cv_pct: f64,
}

impl Inputs {
    /// Values of all discriminants, in [`DISCRIMINANTS`] order.
    pub fn values(&self) -> [f64; 9] {
        let Inputs {
            mcv_fl: mcv,
            mch_pg: mch,
            rbc_1e12_per_l: rbc,
            hb_g_dl: hb,
            hct_pct: hct,
            rdw_cv_pct: rdw,
        } = *self;
        [
            mcv / rbc,
            mcv * mcv * mch / 100.0,
            mcv - rbc - 5.0 * hb - 3.4,
            mch / rbc,
            mcv * mcv * rdw / (100.0 * hb),
            mcv * rdw / rbc,
            rdw / rbc,
            mcv - 10.0 * rbc,
            mcv - rbc - 3.0 * hct,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_cutoff_suggests_thalassaemia_trait() {
        let m = DISCRIMINANTS[0];
        assert_eq!(m.suggests(12.9), Suggestion::ThalassaemiaTrait);
        assert_eq!(m.suggests(13.0), Suggestion::IronDeficiency);
        assert_eq!(Suggestion::IronDeficiency.label(), "iron deficiency");
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in DISCRIMINANTS.iter().enumerate() {
            for b in &DISCRIMINANTS[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn formulas_match_a_typical_iron_deficient_count() {
        // MCV 70, MCH 20, RBC 4, Hb 9, Hct 28, RDW 18.
        let v = Inputs {
            mcv_fl: 70.0,
            mch_pg: 20.0,
            rbc_1e12_per_l: 4.0,
            hb_g_dl: 9.0,
            hct_pct: 28.0,
            rdw_cv_pct: 18.0,
        }
        .values();
        let expected = [
            17.5,
            980.0,
            70.0 - 4.0 - 45.0 - 3.4,
            5.0,
            4900.0 * 18.0 / 900.0,
            315.0,
            4.5,
            30.0,
            70.0 - 4.0 - 84.0,
        ];
        for (got, want) in v.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }
}
