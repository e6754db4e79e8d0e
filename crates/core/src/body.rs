//! The body's iron economy and its regulators (MODEL.md "Body iron and
//! regulators"): compartments in mg of iron, hepcidin, ferroportin,
//! transferrin, EPO. It is a [`Plasma`]: it reads the agents only through
//! the per-step reduction and tells them only the [`PlasmaState`].
//!
//! Iron books (mg, f64). Every flow moves iron between named pools, so total
//! body iron changes only by absorption (and therapy) minus losses:
//! - plasma (transferrin) <- gut absorption, macrophage and store release
//!   (both through ferroportin); -> erythroid uptake, stores, basal loss;
//! - macrophages <- senescent and shed red-cell iron, iron of cells dying in
//!   the marrow and of extruded nuclei, intravenous iron; -> plasma, stores;
//! - stores (ferritin) <- plasma, macrophages; -> plasma;
//! - red cells: a book of the hemoglobin iron of all circulating cells,
//!   moved by exactly the flows the circulating agents report (the agents
//!   are a sample; the book is the body's);
//! - erythroblasts: the marrow agents' iron, which the agents keep.

use serde::{Deserialize, Serialize};

use crate::config::{check_all, Ends, ScaleConfig};
use crate::events::{in_force, Event, InForce};
use crate::plasma::{Plasma, PlasmaState};
use crate::schedule::Schedule;
use crate::sums::StepSums;
use crate::Error;

/// mg per fg.
const MG_PER_FG: f64 = 1e-12;
/// Iron in hemoglobin, mg per g (MODEL.md).
const FE_MG_PER_G_HB: f64 = 3.47;

/// The body's starting state and rate constants (healthy adult man).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BodyConfig {
    /// Storage iron at the start, mg. Default 800 (men 776 +/- 313, Cook 1986).
    pub storage_fe_mg: f64,
    /// Plasma volume, L. Default 2.9 (5 L blood at 43% hematocrit).
    pub plasma_volume_l: f64,
    /// Dietary iron, mg/day. Default 14 (10-15 eaten).
    pub diet_fe_mg_per_day: f64,
    /// Share of dietary iron the gut can take up at normal ferroportin.
    /// Default 0.072: 1.0 mg/day at healthy hepcidin, balancing the basal
    /// loss (1-2 mg/day absorbed); range [0, 1].
    pub absorbable_fraction: f64,
    /// Enterocyte function relative to normal (gastrectomy, celiac disease
    /// lower it). Default 1; range [0, 2].
    pub enterocyte_factor: f64,
    /// Obligatory loss (skin, gut, urine), mg/day. Default 1.0 (MODEL.md).
    pub basal_loss_mg_per_day: f64,
    /// Chronic blood loss, mL of whole blood per day (hookworm, menorrhagia,
    /// an occult bleed). Default 0; range [0, 1000].
    pub bleeding_ml_per_day: f64,
    /// Hours macrophages hold recycled iron before ferroportin exports it.
    /// Default 12 (most erythrophagocytosed iron returns to plasma within
    /// hours to a day).
    pub macrophage_release_hours: f64,
    /// Share of macrophage iron moved to ferritin stores per day. Default 0.1.
    pub macrophage_to_store_per_day: f64,
    /// Share of plasma iron hepatocytes take up per hour. Default 0.1: with
    /// the matching release it sets, stores and plasma exchange about 6 mg
    /// a day, so stores can cover several mg/day of loss (phlebotomy) before
    /// saturation falls, and ferritin falls first in iron deficiency.
    pub plasma_to_store_per_hour: f64,
    /// Serum ferritin per mg of storage iron, ug/L per mg. Default 1/8
    /// (1 ug/L for about 8 mg stored, Walters 1973).
    pub ferritin_ug_l_per_mg: f64,
    /// TIBC with replete stores, ug/dL. Default 300 (250-370).
    pub tibc_replete_ug_dl: f64,
    /// Extra TIBC when stores are empty, ug/dL. Default 150 (iron deficiency:
    /// TIBC above 400).
    pub tibc_empty_extra_ug_dl: f64,
    /// Healthy hepcidin, nM. Default 7.8 (men, Galesloot 2011).
    pub hepcidin_reference_nm: f64,
    /// Hepcidin half-life, hours. Default 2 (assumption: renal clearance of a
    /// 25-residue peptide; plasma levels follow IL-6 within hours).
    pub hepcidin_half_life_hours: f64,
    /// Hepcidin that halves ferroportin, nM. Default 2 (assumption, set so
    /// ferroportin can open about 5-fold as hepcidin vanishes in iron
    /// deficiency and close to a third at the 30+ nM of inflammation; then
    /// stores defend transferrin saturation until they run low).
    pub hepcidin_half_ferroportin_nm: f64,
    /// Set points of the regulators: the hemoglobin at which EPO is at its
    /// day-0 value, the saturation and the stores at which hepcidin is at its
    /// reference. Default none: the body's own state at the start, so a run
    /// starts at steady state. A config that starts in a disease state gives
    /// the healthy values (14.3 g/dL, 0.30, 800 mg for a man) so the
    /// regulators see the disease.
    pub set_points: Option<SetPoints>,
    /// Ferroportin activity of macrophages and stores relative to normal,
    /// whatever hepcidin does (ferroportin disease, loss-of-function SLC40A1:
    /// about 0.3-0.5). The gut is spared: enterocytes export 1-2 mg/day,
    /// macrophages 20-25, so a trafficking defect limits macrophages first.
    /// Default 1; range [0, 2].
    pub ferroportin_factor: f64,
    /// Hepcidin production relative to normal for the same signals
    /// (iron-refractory iron deficiency, TMPRSS6 loss: inappropriately high).
    /// Default 1; range [0, 100].
    pub hepcidin_production_factor: f64,
    /// How strongly low stores and saturation (and erythroferrone, which
    /// acts on the same BMP-SMAD signal) lower hepcidin, in [0, 1].
    /// Default 1. Iron-refractory iron deficiency (TMPRSS6 loss:
    /// matriptase-2 no longer cleaves hemojuvelin) is about 0: hepcidin
    /// stays up while iron runs short, and EPO barely lowers it (assumption,
    /// as reported in Tmprss6-deficient mice).
    pub hepcidin_iron_sensing: f64,
    /// Rise of ln(EPO) per g/dL of hemoglobin below the set point. Default
    /// 0.34 (EPO about 100 mU/mL at Hb 8).
    pub epo_log_slope_per_g_dl: f64,
    /// EPO half-life, hours. Default 7 (6-9).
    pub epo_half_life_hours: f64,
    /// Share of oral (ferrous) iron absorbed at normal ferroportin. Default
    /// 0.04: with ferroportin fully open in iron deficiency (about 5-fold)
    /// about 20% of a ferrous sulfate dose (10-20%); far less when hepcidin
    /// is high.
    pub oral_iron_absorbable_fraction: f64,
    /// IL-6 giving half the maximal inflammatory effects, pg/mL. Default 10.
    pub il6_half_effect_pg_ml: f64,
    /// Maximal fold rise of hepcidin production with IL-6. Default 8 (IL-6
    /// infusion raised hepcidin about 7.5-fold within hours, Nemeth 2004).
    pub hepcidin_il6_max_fold: f64,
    /// Maximal fold rise of ferritin as an acute-phase protein. Default 3.
    pub ferritin_il6_max_fold: f64,
    /// Maximal fall of transferrin (TIBC) in inflammation, fraction. Default
    /// 0.4 (a negative acute-phase protein: TIBC 150-250 in chronic disease).
    pub tibc_il6_max_drop: f64,
    /// Maximal blunting of EPO by inflammation, fraction. Default 0.5
    /// (EPO is inappropriately low for the anemia of chronic disease).
    pub epo_il6_max_drop: f64,
    /// Hepcidin suppression by erythroferrone per unit of EPO above its
    /// starting level. Default 0.5 (erythroferrone from EPO-stimulated
    /// erythroblasts suppresses hepcidin within a day, Kautz 2014).
    pub erythroferrone_suppression: f64,
}

/// Healthy set points of the regulators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPoints {
    /// Hemoglobin at which EPO is at its day-0 value, g/dL.
    pub hb_g_dl: f64,
    /// EPO at that hemoglobin, mU/mL.
    pub epo_mu_ml: f64,
    /// Transferrin saturation at which hepcidin is at its reference, fraction.
    pub tsat: f64,
    /// Replete storage iron (hepcidin at its reference; TIBC at its replete value), mg.
    pub storage_fe_mg: f64,
}

impl Default for BodyConfig {
    fn default() -> Self {
        Self {
            storage_fe_mg: 800.0,
            plasma_volume_l: 2.9,
            diet_fe_mg_per_day: 14.0,
            absorbable_fraction: 0.072,
            enterocyte_factor: 1.0,
            basal_loss_mg_per_day: 1.0,
            bleeding_ml_per_day: 0.0,
            macrophage_release_hours: 12.0,
            macrophage_to_store_per_day: 0.1,
            plasma_to_store_per_hour: 0.1,
            ferritin_ug_l_per_mg: 0.125,
            tibc_replete_ug_dl: 300.0,
            tibc_empty_extra_ug_dl: 150.0,
            hepcidin_reference_nm: 7.8,
            hepcidin_half_life_hours: 2.0,
            hepcidin_half_ferroportin_nm: 2.0,
            set_points: None,
            ferroportin_factor: 1.0,
            hepcidin_production_factor: 1.0,
            hepcidin_iron_sensing: 1.0,
            epo_log_slope_per_g_dl: 0.34,
            epo_half_life_hours: 7.0,
            oral_iron_absorbable_fraction: 0.04,
            il6_half_effect_pg_ml: 10.0,
            hepcidin_il6_max_fold: 8.0,
            ferritin_il6_max_fold: 3.0,
            tibc_il6_max_drop: 0.4,
            epo_il6_max_drop: 0.5,
            erythroferrone_suppression: 0.5,
        }
    }
}

impl BodyConfig {
    /// Checks every value against its valid range.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        use Ends::{Closed, OpenLow};
        if let Some(p) = &self.set_points {
            check_all([
                ("body.set_points.hb_g_dl", p.hb_g_dl, 1.0, 30.0, Closed),
                ("body.set_points.epo_mu_ml", p.epo_mu_ml, 0.0, 1e4, OpenLow),
                ("body.set_points.tsat", p.tsat, 0.0, 1.0, OpenLow),
                (
                    "body.set_points.storage_fe_mg",
                    p.storage_fe_mg,
                    0.0,
                    1e5,
                    OpenLow,
                ),
            ])?;
        }
        check_all([
            ("body.storage_fe_mg", self.storage_fe_mg, 0.0, 1e5, Closed),
            (
                "body.plasma_volume_l",
                self.plasma_volume_l,
                0.1,
                10.0,
                OpenLow,
            ),
            (
                "body.diet_fe_mg_per_day",
                self.diet_fe_mg_per_day,
                0.0,
                1000.0,
                Closed,
            ),
            (
                "body.absorbable_fraction",
                self.absorbable_fraction,
                0.0,
                1.0,
                Closed,
            ),
            (
                "body.enterocyte_factor",
                self.enterocyte_factor,
                0.0,
                2.0,
                Closed,
            ),
            (
                "body.basal_loss_mg_per_day",
                self.basal_loss_mg_per_day,
                0.0,
                100.0,
                Closed,
            ),
            (
                "body.macrophage_release_hours",
                self.macrophage_release_hours,
                0.0,
                1e4,
                OpenLow,
            ),
            (
                "body.macrophage_to_store_per_day",
                self.macrophage_to_store_per_day,
                0.0,
                24.0,
                Closed,
            ),
            (
                "body.plasma_to_store_per_hour",
                self.plasma_to_store_per_hour,
                0.0,
                1.0,
                Closed,
            ),
            (
                "body.ferritin_ug_l_per_mg",
                self.ferritin_ug_l_per_mg,
                0.0,
                100.0,
                OpenLow,
            ),
            (
                "body.tibc_replete_ug_dl",
                self.tibc_replete_ug_dl,
                0.0,
                2000.0,
                OpenLow,
            ),
            (
                "body.tibc_empty_extra_ug_dl",
                self.tibc_empty_extra_ug_dl,
                0.0,
                2000.0,
                Closed,
            ),
            (
                "body.hepcidin_reference_nm",
                self.hepcidin_reference_nm,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "body.hepcidin_half_life_hours",
                self.hepcidin_half_life_hours,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "body.hepcidin_half_ferroportin_nm",
                self.hepcidin_half_ferroportin_nm,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "body.epo_log_slope_per_g_dl",
                self.epo_log_slope_per_g_dl,
                0.0,
                5.0,
                Closed,
            ),
            (
                "body.epo_half_life_hours",
                self.epo_half_life_hours,
                0.0,
                1000.0,
                OpenLow,
            ),
        ])
    }
}

/// The body's pools (mg of iron) and regulators.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    config: BodyConfig,
    cells_per_marrow_agent: f64,
    cells_per_blood_agent: f64,
    blood_volume_dl: f64,
    /// Transferrin-bound iron, mg.
    pub plasma_fe_mg: f64,
    /// Ferritin and hemosiderin iron, mg.
    pub storage_fe_mg: f64,
    /// Recycled iron in macrophages, mg.
    pub macrophage_fe_mg: f64,
    /// Hemoglobin iron of all circulating red cells, mg.
    pub red_cell_fe_mg: f64,
    /// Hepcidin, nM.
    pub hepcidin_nm: f64,
    /// EPO, mU/mL.
    pub epo_mu_ml: f64,
    /// Iron absorbed since the start, mg.
    pub absorbed_mg: f64,
    /// Iron lost since the start, mg.
    pub lost_mg: f64,
    /// Iron given since the start (intravenous iron, transfusion), mg.
    pub given_mg: f64,
    /// IL-6 now, pg/mL.
    pub il6_pg_ml: f64,
    events: Vec<Event>,
    dt_hours: f64,
    /// The events in force in the coming step.
    next: InForce,
    lead: Schedule,
    lead_ug_dl: f64,
    /// Saturation at the start: the hepcidin set point.
    reference_tsat: f64,
    /// Hemoglobin and EPO at the start: the EPO set point, so a run starts
    /// at its own steady state.
    reference_hb_g_dl: f64,
    reference_epo_mu_ml: f64,
    replete_storage_fe_mg: f64,
    /// Share of stores released per hour at normal ferroportin, set so that
    /// stores and plasma exchange in balance at the start (storage iron
    /// turns over in years, so this is a small number derived, not guessed).
    store_release_per_hour: f64,
}

impl Body {
    /// A body at the configured stores, with plasma at `tsat` of its binding
    /// capacity, EPO at `epo_mu_ml` and hepcidin at its reference; `red_cell_fe_mg` is
    /// the circulation's hemoglobin iron, `macrophage_fe_mg` the recycling
    /// pool at steady state.
    #[allow(clippy::too_many_arguments)] // the steady state it starts from, spelled out
    pub fn new(
        config: BodyConfig,
        scale: &ScaleConfig,
        events: Vec<Event>,
        dt_hours: f64,
        lead: Schedule,
        tsat: f64,
        epo_mu_ml: f64,
        red_cell_fe_mg: f64,
        macrophage_fe_mg: f64,
    ) -> Self {
        let mut body = Self {
            cells_per_marrow_agent: scale.cells_per_agent,
            cells_per_blood_agent: scale.cells_per_agent / scale.circulating_sample_fraction,
            blood_volume_dl: scale.blood_volume_l * 10.0,
            plasma_fe_mg: 0.0,
            storage_fe_mg: config.storage_fe_mg,
            macrophage_fe_mg,
            red_cell_fe_mg,
            hepcidin_nm: config.hepcidin_reference_nm,
            epo_mu_ml,
            absorbed_mg: 0.0,
            lost_mg: 0.0,
            given_mg: 0.0,
            il6_pg_ml: 0.0,
            next: in_force(&events, dt_hours / 24.0, dt_hours / 24.0),
            events,
            dt_hours,
            lead_ug_dl: lead.at_day(0.0),
            reference_tsat: tsat.max(0.01),
            reference_hb_g_dl: 0.0,
            reference_epo_mu_ml: epo_mu_ml,
            replete_storage_fe_mg: config.storage_fe_mg.max(1.0),
            store_release_per_hour: 0.0,
            lead,
            config,
        };
        body.reference_hb_g_dl = body.hb_g_dl();
        if let Some(p) = &body.config.set_points {
            body.reference_hb_g_dl = p.hb_g_dl;
            body.reference_epo_mu_ml = p.epo_mu_ml;
            body.reference_tsat = p.tsat;
            body.replete_storage_fe_mg = p.storage_fe_mg;
        }
        body.plasma_fe_mg = tsat * body.tibc_ug_dl() * body.config.plasma_volume_l * 1e-2;
        body.hepcidin_nm = body.hepcidin_target();
        // Stores and plasma exchange in balance at the healthy set point
        // (the start itself when the body starts healthy).
        let c = &body.config;
        let (plasma_ref, stores_ref) = match &c.set_points {
            Some(p) => (
                p.tsat * c.tibc_replete_ug_dl * c.plasma_volume_l * 1e-2,
                p.storage_fe_mg,
            ),
            None => (body.plasma_fe_mg, body.storage_fe_mg),
        };
        if stores_ref > 0.0 {
            body.store_release_per_hour = c.plasma_to_store_per_hour * plasma_ref / stores_ref;
        }
        body
    }

    /// Total iron in the pools the body keeps (not the marrow agents), mg.
    pub fn pools_fe_mg(&self) -> f64 {
        self.plasma_fe_mg + self.storage_fe_mg + self.macrophage_fe_mg + self.red_cell_fe_mg
    }

    /// Total iron-binding capacity, ug/dL: transferrin rises as stores empty.
    pub fn tibc_ug_dl(&self) -> f64 {
        let c = &self.config;
        let emptiness = (1.0 - self.storage_fe_mg / self.replete_storage_fe_mg).clamp(0.0, 1.0);
        (c.tibc_replete_ug_dl + c.tibc_empty_extra_ug_dl * emptiness)
            * (1.0 - c.tibc_il6_max_drop * self.inflammation())
    }

    /// Serum iron, ug/dL.
    pub fn serum_iron_ug_dl(&self) -> f64 {
        self.plasma_fe_mg * 1e3 / (self.config.plasma_volume_l * 10.0)
    }

    /// Transferrin saturation, fraction.
    pub fn tsat(&self) -> f64 {
        (self.serum_iron_ug_dl() / self.tibc_ug_dl()).clamp(0.0, 1.0)
    }

    /// Serum ferritin, ug/L: it reflects the iron in the ferritin of
    /// hepatocytes and of macrophages.
    pub fn ferritin_ug_l(&self) -> f64 {
        let c = &self.config;
        (self.storage_fe_mg + self.macrophage_fe_mg)
            * c.ferritin_ug_l_per_mg
            * (1.0 + (c.ferritin_il6_max_fold - 1.0).max(0.0) * self.inflammation())
    }

    /// The hepcidin the liver is driven toward now: stores and saturation
    /// (BMP6/HJV) against their set points, IL-6, and erythroferrone from
    /// erythroblasts driven by EPO above its set point.
    pub fn hepcidin_target(&self) -> f64 {
        let c = &self.config;
        let stores = (self.storage_fe_mg / self.replete_storage_fe_mg).max(0.0);
        let erythroferrone = (self.epo_mu_ml / self.reference_epo_mu_ml - 1.0).max(0.0);
        c.hepcidin_reference_nm
            * c.hepcidin_production_factor
            * (stores.sqrt() * self.tsat() / self.reference_tsat).powf(c.hepcidin_iron_sensing)
            * (1.0 + (c.hepcidin_il6_max_fold - 1.0).max(0.0) * self.inflammation())
            / (1.0 + c.erythroferrone_suppression * c.hepcidin_iron_sensing * erythroferrone)
    }

    /// Inflammatory drive in [0, 1): IL-6 over IL-6 plus its half-effect level.
    pub fn inflammation(&self) -> f64 {
        self.il6_pg_ml / (self.il6_pg_ml + self.config.il6_half_effect_pg_ml)
    }

    /// Hemoglobin from the red-cell iron book, g/dL.
    pub fn hb_g_dl(&self) -> f64 {
        self.red_cell_fe_mg / FE_MG_PER_G_HB / self.blood_volume_dl
    }

    /// Share of the blood lost per hour in the coming step (whole blood:
    /// cells and plasma): chronic bleeding, bleeding events, donations.
    fn blood_loss_fraction(&self) -> f64 {
        let per_day = self.config.bleeding_ml_per_day + self.next.bleeding_ml_per_day;
        let per_hour = per_day / 24.0 + self.next.donated_ml / self.dt_hours;
        (per_hour / (self.blood_volume_dl * 100.0)).min(1.0 / self.dt_hours)
    }

    /// Ferroportin activity relative to healthy (1 at the reference hepcidin).
    pub fn ferroportin(&self) -> f64 {
        let k = self.config.hepcidin_half_ferroportin_nm;
        (1.0 + self.config.hepcidin_reference_nm / k) / (1.0 + self.hepcidin_nm / k)
    }
}

impl Plasma for Body {
    fn state(&self) -> PlasmaState {
        PlasmaState {
            tsat: self.tsat(),
            epo_mu_ml: self.epo_mu_ml,
            lead_ug_dl: self.lead_ug_dl + self.next.lead_ug_dl,
            blood_loss_fraction: self.blood_loss_fraction(),
            transfusion_units: self.next.transfusion_units,
        }
    }

    fn advance(&mut self, day: f64, s: &StepSums, dt_hours: f64) {
        let c = self.config.clone();
        let now = self.next;
        let day_fraction = dt_hours / 24.0;
        let marrow = self.cells_per_marrow_agent * MG_PER_FG;
        let blood = self.cells_per_blood_agent * MG_PER_FG;
        let fpn = self.ferroportin();

        // What the agents did (exact flows of their state).
        let erythroid_uptake = s.marrow_uptake_fe_fg * marrow + s.blood_uptake_fe_fg * blood;
        let to_macrophages =
            (s.extruded_fe_fg + s.died_fe_fg) * marrow + (s.senescent_fe_fg + s.shed_fe_fg) * blood;
        // Bleeding takes the cells the agents lost and the same share of
        // plasma (transferrin iron).
        let bled = s.bled_fe_fg * blood;
        let bled_plasma =
            self.plasma_fe_mg.max(0.0) * (self.blood_loss_fraction() * dt_hours).min(1.0);
        let transfused = s.transfused_fe_fg * blood;
        self.red_cell_fe_mg +=
            s.released_fe_fg * marrow + s.blood_uptake_fe_fg * blood + transfused
                - (s.senescent_fe_fg + s.shed_fe_fg) * blood
                - bled;
        self.plasma_fe_mg -= erythroid_uptake + bled_plasma;
        self.macrophage_fe_mg += to_macrophages + now.intravenous_iron_mg;

        // The body's own flows. The gut exports through ferroportin too.
        let diet = now.diet_fe_mg_per_day.unwrap_or(c.diet_fe_mg_per_day);
        let absorbed = (diet * c.absorbable_fraction
            + now.oral_iron_mg_per_day * c.oral_iron_absorbable_fraction)
            * c.enterocyte_factor
            * fpn
            * day_fraction;
        let cell_fpn = fpn * c.ferroportin_factor;
        let macrophage_out =
            self.macrophage_fe_mg * (cell_fpn * dt_hours / c.macrophage_release_hours).min(1.0);
        let macrophage_store = (self.macrophage_fe_mg - macrophage_out)
            * (c.macrophage_to_store_per_day * day_fraction).min(1.0);
        let plasma_store =
            self.plasma_fe_mg.max(0.0) * (c.plasma_to_store_per_hour * dt_hours).min(1.0);
        let store_out =
            self.storage_fe_mg * (self.store_release_per_hour * cell_fpn * dt_hours).min(1.0);
        let basal = (c.basal_loss_mg_per_day * day_fraction)
            .min(self.storage_fe_mg - store_out)
            .max(0.0);
        self.macrophage_fe_mg -= macrophage_out + macrophage_store;
        self.plasma_fe_mg += absorbed + macrophage_out + store_out - plasma_store;
        self.storage_fe_mg += macrophage_store + plasma_store - store_out - basal;
        self.absorbed_mg += absorbed;
        self.lost_mg += basal + bled + bled_plasma;
        self.given_mg += now.intravenous_iron_mg + transfused;

        // Regulators. Hepcidin follows stores and saturation (BMP6/HJV) and
        // IL-6, and erythroferrone from EPO-driven erythroblasts suppresses
        // it; it relaxes first-order. EPO follows hemoglobin, blunted by
        // inflammation.
        self.il6_pg_ml = now.il6_pg_ml;
        let inflamed = self.inflammation();
        let target_hepcidin = self.hepcidin_target();
        let relax = 1.0 - 0.5f64.powf(dt_hours / c.hepcidin_half_life_hours);
        self.hepcidin_nm += (target_hepcidin - self.hepcidin_nm) * relax;
        let target_epo = self.reference_epo_mu_ml
            * (c.epo_log_slope_per_g_dl * (self.reference_hb_g_dl - self.hb_g_dl())).exp()
            * (1.0 - c.epo_il6_max_drop * inflamed);
        let relax = 1.0 - 0.5f64.powf(dt_hours / c.epo_half_life_hours);
        self.epo_mu_ml += (target_epo - self.epo_mu_ml) * relax;

        // The coming step.
        self.next = in_force(&self.events, day + dt_hours / 24.0, dt_hours / 24.0);
        self.lead_ug_dl = self.lead.at_day(day);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
