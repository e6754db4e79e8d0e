//! The body's iron economy as users write it (`body: Some((...))`): starting
//! stores, rate constants and regulator set points, with their range checks.

use serde::{Deserialize, Serialize};

use super::range::{check_all, Ends};
use crate::error::Error;

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
    /// TIBC with full stores, ug/dL. Default 300 (healthy 250-370).
    pub tibc_replete_ug_dl: f64,
    /// Extra TIBC when stores are empty, ug/dL. Default 150 (iron deficiency
    /// anemia: TIBC 433 +/- 98 ug/dL; hepatic transferrin synthesis rises as
    /// liver iron falls).
    pub tibc_empty_extra_ug_dl: f64,
    /// Storage iron at which half the extra TIBC is made, mg. Default 100:
    /// transferrin rises only once stores are nearly gone (TIBC is a late,
    /// insensitive marker of depletion; healthy women with 300 mg have a
    /// TIBC only slightly above men's).
    pub tibc_half_stores_mg: f64,
    /// Plasma half-life of transferrin, days. Default 8 (7-10 days):
    /// TIBC follows stores and inflammation with this lag.
    pub transferrin_half_life_days: f64,
    /// Serum ferritin with no storage iron, ug/L. Default 3: ferritin is
    /// secreted by macrophages and hepatocytes even when stores are empty;
    /// iron deficiency cohorts bottom out at 2-5 ug/L (assays read down to
    /// about 1).
    pub ferritin_floor_ug_l: f64,
    /// Half-life of the hepatic iron signal (BMP6-SMAD) that drives
    /// hepcidin from transferrin saturation, hours. Default 18: after an
    /// oral dose hepcidin peaks at 6-8 h and is still raised the next
    /// morning, lowering that day's absorption (Moretti et al., Blood 2015).
    pub iron_signal_half_life_hours: f64,
    /// Storage iron at which release from stores is half its maximum, mg.
    /// Default 800: mobilisation from ferritin is saturable, so an
    /// overloaded liver does not flood the plasma (assumption).
    pub store_release_half_mg: f64,
    /// Hours for macrophages to break down an intravenous iron-carbohydrate
    /// complex into exportable iron (half-life). Default 48: after
    /// ferric carboxymaltose or iron sucrose the iron reaches the marrow
    /// over days (Beshara et al., Br J Haematol 1999, PET with 52Fe).
    pub iv_iron_processing_hours: f64,
    /// Half-time of gastric emptying and duodenal passage of an oral iron
    /// dose, hours. Default 2 (absorption peaks 2-4 h after a dose).
    pub oral_dose_transit_hours: f64,
    /// Hepcidin of a replete man (stores 800 mg, TSAT 30%), nM. Default
    /// 4.5: the median of healthy men on the standardised Radboud
    /// mass-spectrometry scale (Donker et al., Blood 2016; the older
    /// Galesloot 2011 calibration reads 1.7-2 times higher). Women's lower
    /// hepcidin (median 2.0 nM) is not set here: it follows from their
    /// smaller stores and saturation.
    pub hepcidin_reference_nm: f64,
    /// Hepcidin half-life, hours. Default 2 (assumption: renal clearance of a
    /// 25-residue peptide; plasma levels follow IL-6 within hours).
    pub hepcidin_half_life_hours: f64,
    /// Hepcidin that halves ferroportin, nM. Default 1.15 (the earlier 2 nM
    /// on the Galesloot scale, moved to the standardised one with the
    /// reference: assumption, set so
    /// ferroportin can open about 5-fold as hepcidin vanishes in iron
    /// deficiency and close to a third at the 30+ nM of inflammation; then
    /// stores defend transferrin saturation until they run low).
    pub hepcidin_half_ferroportin_nm: f64,
    /// Time constant of ferroportin's return to the surface at the
    /// reference hepcidin, hours (its removal speeds up in proportion to
    /// hepcidin, so it falls within the hour when hepcidin surges). Default
    /// 24: hepcidin is cleared within hours, yet after one injection of
    /// hepcidin serum iron fell 80% within the hour and stayed low for more
    /// than 48 hours (Rivera et al., Blood 2005), and after endotoxin serum
    /// iron is lowest at 22 hours, long after hepcidin peaked at 6 (Kemna et
    /// al., Blood 2005): the exporter is slow to be remade. Range (0, 1000].
    pub ferroportin_recovery_hours: f64,
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
    /// Rise of ln(EPO) per g/dL of hemoglobin below the sex's set point.
    /// Default 0.44: EPO about 10 mU/mL at normal hemoglobin and 150-200 at
    /// Hb 8 in uncomplicated anemia (the log-linear relation of Beguin et al.,
    /// Blood 1993: ln(EPO) rises about 0.4-0.45 per g/dL).
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
            tibc_half_stores_mg: 100.0,
            transferrin_half_life_days: 8.0,
            ferritin_floor_ug_l: 3.0,
            iron_signal_half_life_hours: 18.0,
            store_release_half_mg: 800.0,
            iv_iron_processing_hours: 48.0,
            oral_dose_transit_hours: 2.0,
            hepcidin_reference_nm: 4.5,
            hepcidin_half_life_hours: 2.0,
            hepcidin_half_ferroportin_nm: 1.15,
            ferroportin_recovery_hours: 24.0,
            ferroportin_factor: 1.0,
            hepcidin_production_factor: 1.0,
            hepcidin_iron_sensing: 1.0,
            epo_log_slope_per_g_dl: 0.44,
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
    pub(crate) fn check(&self) -> Result<(), Error> {
        use Ends::{Closed, OpenLow};
        check_all([
            (
                "body.tibc_half_stores_mg",
                self.tibc_half_stores_mg,
                0.0,
                1e5,
                OpenLow,
            ),
            (
                "body.transferrin_half_life_days",
                self.transferrin_half_life_days,
                0.0,
                100.0,
                OpenLow,
            ),
            (
                "body.ferritin_floor_ug_l",
                self.ferritin_floor_ug_l,
                0.0,
                100.0,
                Closed,
            ),
            (
                "body.iron_signal_half_life_hours",
                self.iron_signal_half_life_hours,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "body.store_release_half_mg",
                self.store_release_half_mg,
                0.0,
                1e5,
                OpenLow,
            ),
            (
                "body.iv_iron_processing_hours",
                self.iv_iron_processing_hours,
                0.0,
                1e4,
                OpenLow,
            ),
            (
                "body.oral_dose_transit_hours",
                self.oral_dose_transit_hours,
                0.0,
                100.0,
                OpenLow,
            ),
        ])?;
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
                "body.ferroportin_recovery_hours",
                self.ferroportin_recovery_hours,
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
