//! Serializable mirrors of every state-holding type of a run, one per
//! model type, written with `mirror!`: a mirror lists the fields of its
//! model type by name, and both conversions destructure exhaustively (no
//! `..`), so a field added to the model without a place here is a compile
//! error, not a checkpoint that silently forgets it.
//!
//! To add a field: add `name: Type` to the mirror of its struct (the
//! compiler points at it). The layout fingerprint ([`layout_text`]) lists
//! every mirror's fields and types, so checkpoints written before the
//! change are refused by name instead of being misread.

use erythro_analysis::Cbc;
use erythro_core::body::BodyState;
use erythro_core::circulation::RedCells;
use erythro_core::events::InForce;
use erythro_core::marrow::lineage::{CellFate, Lineage, Moment, TracedCell};
use erythro_core::marrow::{Erythroblast, Erythroblasts, Marrow};
use erythro_core::plasma::PlasmaState;
use erythro_core::sums::{ExactSum, StepSums};
use serde::{Deserialize, Serialize};

use crate::driver::Clock;
use crate::sample::{BodyMeasures, MarrowMeasures, PlasmaMeasures, Sample};

/// A serializable mirror `Self` of model type `T`.
pub trait Snap<T>: Sized {
    /// The mirror of `t`.
    fn snap(t: &T) -> Self;
    /// The model value back.
    fn unsnap(self) -> T;
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl Snap<$t> for $t {
            fn snap(t: &$t) -> Self {
                *t
            }
            fn unsnap(self) -> $t {
                self
            }
        }
    )*};
}
plain!(f32, f64, u8, u64, usize, bool);

impl<S: Snap<T>, T> Snap<Vec<T>> for Vec<S> {
    fn snap(t: &Vec<T>) -> Self {
        t.iter().map(S::snap).collect()
    }
    fn unsnap(self) -> Vec<T> {
        self.into_iter().map(S::unsnap).collect()
    }
}

impl<S: Snap<T>, T> Snap<Option<T>> for Option<S> {
    fn snap(t: &Option<T>) -> Self {
        t.as_ref().map(S::snap)
    }
    fn unsnap(self) -> Option<T> {
        self.map(S::unsnap)
    }
}

/// An exact sum as its three integer limbs (lossless).
impl Snap<ExactSum> for [i64; 3] {
    fn snap(t: &ExactSum) -> Self {
        t.limbs()
    }
    fn unsnap(self) -> ExactSum {
        ExactSum::from_limbs(self)
    }
}

/// Every mirror's name, fields and their types, in declaration order.
pub(super) const LAYOUTS: &[(&str, &[(&str, &str)])] = &[
    layout_of::<ErythroblastsSnap>(),
    layout_of::<MarrowSnap>(),
    layout_of::<RedCellsSnap>(),
    layout_of::<StepSumsSnap>(),
    layout_of::<InForceSnap>(),
    layout_of::<BodyStateSnap>(),
    layout_of::<PlasmaStateSnap>(),
    layout_of::<ErythroblastSnap>(),
    layout_of::<MomentSnap>(),
    layout_of::<TracedCellSnap>(),
    layout_of::<LineageSnap>(),
    layout_of::<CbcSnap>(),
    layout_of::<MarrowMeasuresSnap>(),
    layout_of::<BodyMeasuresSnap>(),
    layout_of::<PlasmaMeasuresSnap>(),
    layout_of::<SampleSnap>(),
    layout_of::<ClockSnap>(),
    layout_of::<super::WatchSnap>(),
    layout_of::<super::SimulationSnap>(),
    layout_of::<super::Snapshot>(),
];

/// A mirror's field list.
pub(super) trait Layout {
    /// The model type's name.
    const NAME: &'static str;
    /// Each field's name and type.
    const FIELDS: &'static [(&'static str, &'static str)];
}

const fn layout_of<L: Layout>() -> (&'static str, &'static [(&'static str, &'static str)]) {
    (L::NAME, L::FIELDS)
}

/// Every mirror's layout as one text: what the fingerprint hashes.
pub fn layout_text() -> String {
    let mut out = String::new();
    for (name, fields) in LAYOUTS {
        out.push_str(name);
        out.push('{');
        for (f, t) in *fields {
            out.push_str(f);
            out.push(':');
            out.push_str(t);
            out.push(',');
        }
        out.push('}');
    }
    out
}

/// Declares `$name`, a serializable record with the listed fields, and
/// its entry in the layout fingerprint.
macro_rules! record {
    ($(#[$m:meta])* $name:ident as $label:ident { $($f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $(
                #[allow(missing_docs)]
                pub $f: $t,
            )*
        }

        impl Layout for $name {
            const NAME: &'static str = stringify!($label);
            const FIELDS: &'static [(&'static str, &'static str)] =
                &[$((stringify!($f), stringify!($t))),*];
        }
    };
}
pub(super) use record;

/// Declares `$name`, the serializable mirror of struct `$src`, with the
/// listed fields (all of `$src`'s, each a type that mirrors the field).
macro_rules! mirror {
    ($(#[$m:meta])* $name:ident = $src:ident { $($f:ident : $t:ty),* $(,)? }) => {
        record!($(#[$m])* $name as $src { $($f: $t),* });

        impl Snap<$src> for $name {
            fn snap(s: &$src) -> Self {
                let $src { $($f),* } = s;
                Self { $($f: <$t as Snap<_>>::snap($f)),* }
            }
            fn unsnap(self) -> $src {
                let Self { $($f),* } = self;
                $src { $($f: Snap::unsnap($f)),* }
            }
        }
    };
}

mirror!(
    /// The erythroblast columns ([`Erythroblasts`]).
    ErythroblastsSnap = Erythroblasts {
        volume_fl: Vec<f32>,
        hb_pg: Vec<f32>,
        mito_fe_fg: Vec<f32>,
        free_globin_pg: Vec<f32>,
        zpp_fe_fg: Vec<f32>,
        membrane: Vec<f32>,
        uptake_factor: Vec<f32>,
        phase_h: Vec<f32>,
        phase_len_h: Vec<f32>,
        age_h: Vec<f32>,
        id: Vec<u64>,
        divisions: Vec<u8>,
        stage: Vec<u8>,
    }
);

mirror!(
    /// The marrow ([`Marrow`]).
    MarrowSnap = Marrow {
        cells: ErythroblastsSnap,
        lineages: u64,
        entry_carry: f64,
        progenitor_tsat: Option<f64>,
    }
);

mirror!(
    /// The circulating red-cell columns ([`RedCells`]).
    RedCellsSnap = RedCells {
        volume_fl: Vec<f32>,
        hb_pg: Vec<f32>,
        age_h: Vec<f32>,
        lifespan_h: Vec<f32>,
        id: Vec<u64>,
        zpp_per_heme: Vec<f32>,
    }
);

mirror!(
    /// A step's sums ([`StepSums`]).
    StepSumsSnap = StepSums {
        entered: u64,
        marrow_uptake_fe_fg: [i64; 3],
        released: u64,
        released_fe_fg: [i64; 3],
        sampled_released_fe_fg: [i64; 3],
        released_divisions: u64,
        released_hb_pg: [i64; 3],
        extruded_fe_fg: [i64; 3],
        died: u64,
        died_fe_fg: [i64; 3],
        forced_maturations: u64,
        blood_uptake_fe_fg: [i64; 3],
        senescent: u64,
        senescent_fe_fg: [i64; 3],
        bled: u64,
        bled_fe_fg: [i64; 3],
        transfused_fe_fg: [i64; 3],
        shed_fe_fg: [i64; 3],
    }
);

mirror!(
    /// The events in force in a step ([`InForce`]).
    InForceSnap = InForce {
        diet_fe_mg_per_day: Option<f64>,
        bleeding_ml_per_day: f64,
        donated_ml: f64,
        il6_pg_ml: f64,
        lead_ug_dl: f64,
        oral_iron_mg: f64,
        intravenous_iron_mg: f64,
        transfusion_units: f64,
    }
);

mirror!(
    /// The body's pools and regulators ([`BodyState`]).
    BodyStateSnap = BodyState {
        plasma_fe_mg: f64,
        storage_fe_mg: f64,
        macrophage_fe_mg: f64,
        red_cell_fe_mg: f64,
        hepcidin_nm: f64,
        epo_mu_ml: f64,
        absorbed_mg: f64,
        lost_mg: f64,
        given_mg: f64,
        il6_pg_ml: f64,
        next: InForceSnap,
        lead_ug_dl: f64,
        intravenous_fe_mg: f64,
        transferrin_ug_dl: f64,
        iron_signal: f64,
        acute_ferritin_rise: f64,
        ferroportin: f64,
        gut_oral_fe_mg: f64,
        store_release_per_hour: f64,
    }
);

mirror!(
    /// A plasma state ([`PlasmaState`]).
    PlasmaStateSnap = PlasmaState {
        tsat: f64,
        epo_mu_ml: f64,
        lead_ug_dl: f64,
        blood_loss_fraction: f64,
        transfusion_units: f64,
        inflammation: f64,
    }
);

mirror!(
    /// One erythroblast ([`Erythroblast`]).
    ErythroblastSnap = Erythroblast {
        volume_fl: f32,
        hb_pg: f32,
        mito_fe_fg: f32,
        free_globin_pg: f32,
        zpp_fe_fg: f32,
        membrane: f32,
        uptake_factor: f32,
        phase_h: f32,
        phase_len_h: f32,
        age_h: f32,
        id: u64,
        divisions: u8,
        stage: u8,
    }
);

mirror!(
    /// A moment of a traced cell ([`Moment`]).
    MomentSnap = Moment {
        hours: f32,
        volume_fl: f32,
        hb_pg: f32,
    }
);

/// A traced cell's fate ([`CellFate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum CellFateSnap {
    Divided,
    Released,
    Died,
    InMarrow,
}

impl Snap<CellFate> for CellFateSnap {
    fn snap(t: &CellFate) -> Self {
        match t {
            CellFate::Divided => Self::Divided,
            CellFate::Released => Self::Released,
            CellFate::Died => Self::Died,
            CellFate::InMarrow => Self::InMarrow,
        }
    }
    fn unsnap(self) -> CellFate {
        match self {
            Self::Divided => CellFate::Divided,
            Self::Released => CellFate::Released,
            Self::Died => CellFate::Died,
            Self::InMarrow => CellFate::InMarrow,
        }
    }
}

mirror!(
    /// A traced cell ([`TracedCell`]).
    TracedCellSnap = TracedCell {
        id: u64,
        node: u64,
        divisions: u8,
        born: MomentSnap,
        end: MomentSnap,
        fate: CellFateSnap,
        matured: Option<MomentSnap>,
        forced: bool,
        enucleated: Option<MomentSnap>,
    }
);

mirror!(
    /// A traced lineage ([`Lineage`]).
    LineageSnap = Lineage {
        lineage: u64,
        entry_step: u64,
        cells: Vec<TracedCellSnap>,
    }
);

mirror!(
    /// A blood count ([`Cbc`]).
    CbcSnap = Cbc {
        rbc_1e12_per_l: f64,
        hb_g_dl: f64,
        hct_pct: f64,
        mcv_fl: f64,
        mch_pg: f64,
        mchc_g_dl: f64,
        rdw_cv_pct: f64,
        rdw_sd_fl: f64,
        retic_pct: f64,
        retic_abs_1e9_per_l: f64,
        chr_pg: f64,
        hypo_pct: f64,
        hyper_pct: f64,
        micro_pct: f64,
        macro_pct: f64,
        mentzer: f64,
        shine_lal: f64,
        england_fraser: f64,
        srivastava: f64,
        green_king: f64,
        rdwi: f64,
        ricerca: f64,
        ehsani: f64,
        sirdah: f64,
    }
);

mirror!(
    /// A sample's marrow measures ([`MarrowMeasures`]).
    MarrowMeasuresSnap = MarrowMeasures {
        erythroblasts_1e9: f64,
        marrow_agents: f64,
        mean_divisions: f64,
        production_1e9_per_day: f64,
        ineffective_pct: f64,
        ring_sideroblast_pct: f64,
        zpp_umol_per_mol_heme: f64,
        released_hb_pg: f64,
    }
);

mirror!(
    /// A sample's iron studies ([`BodyMeasures`]).
    BodyMeasuresSnap = BodyMeasures {
        serum_iron_ug_dl: f64,
        tibc_ug_dl: f64,
        ferritin_ug_l: f64,
        hepcidin_nm: f64,
        storage_fe_mg: f64,
        body_fe_mg: f64,
    }
);

mirror!(
    /// A sample's plasma measures ([`PlasmaMeasures`]).
    PlasmaMeasuresSnap = PlasmaMeasures {
        tsat_pct: f64,
        epo_mu_ml: f64,
        lead_ug_dl: f64,
        body: Option<BodyMeasuresSnap>,
    }
);

mirror!(
    /// A sample ([`Sample`]).
    SampleSnap = Sample {
        day: f64,
        cbc: CbcSnap,
        marrow: MarrowMeasuresSnap,
        plasma: PlasmaMeasuresSnap,
    }
);

mirror!(
    /// A run's clock ([`Clock`]).
    ClockSnap = Clock {
        done: u64,
        total: u64,
        every: u64,
    }
);
