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
//!   the marrow and of extruded nuclei, processed intravenous iron;
//!   -> plasma, stores;
//! - intravenous iron complex, held in macrophages until broken down;
//! - stores (ferritin) <- plasma, macrophages; -> plasma;
//! - red cells: a book of the hemoglobin iron of all circulating cells,
//!   moved by exactly the flows the circulating agents report (the agents
//!   are a sample; the book is the body's);
//! - erythroblasts: the marrow agents' iron, which the agents keep.
//!
//! Plasma iron is bound to transferrin, so it can never exceed the binding
//! capacity: ferroportin hands iron only to apo-transferrin (export slows
//! as saturation rises), and iron beyond 95% of the capacity circulates as
//! non-transferrin-bound iron that the liver clears into stores at once.

use crate::config::{Reference, ScaleConfig};
use crate::events::{in_force, Event, InForce};
use crate::plasma::{Plasma, PlasmaState};
use crate::schedule::Schedule;
use crate::sums::StepSums;
use crate::units::{FE_FG_PER_PG_HB, MG_PER_FG};

mod state;
pub use state::BodyState;

/// The body's serde config, defined with the other configs.
pub use crate::config::BodyConfig;

/// The population's healthy set points of the regulators: hemoglobin at
/// which EPO sits at its normal level, and the saturation and stores at
/// which hepcidin sits at its reference. They are the population's, by
/// sex, never a patient's own (disease) state taken as normal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SetPoints {
    /// Hemoglobin at which EPO is at `epo_mu_ml`, g/dL.
    pub hb_g_dl: f64,
    /// Normal EPO, mU/mL.
    pub epo_mu_ml: f64,
    /// Transferrin saturation at which hepcidin is at its reference, fraction.
    pub tsat: f64,
    /// Storage iron at which hepcidin is at its reference, mg.
    pub storage_fe_mg: f64,
}

impl SetPoints {
    /// The set points of a population.
    pub fn population(reference: Reference) -> Self {
        // Hepcidin's reference is a replete man (TSAT 30%, stores 800 mg:
        // men 776 +/- 313 mg, Cook 1986); women share it, and their lower
        // hepcidin follows from their smaller stores and saturation. EPO is
        // about 10 mU/mL (normal 4-26) at each sex's mean hemoglobin.
        let hb_g_dl = match reference {
            // The model's healthy man sits at 14.3 g/dL (men 13.5-17,
            // Israel 2022): EPO set there keeps the run at its own steady
            // state.
            Reference::AdultMan => 14.3,
            // Women: mean 12.9 g/dL (Israel 2022).
            Reference::AdultWoman => 12.9,
        };
        Self {
            hb_g_dl,
            epo_mu_ml: 10.0,
            tsat: 0.30,
            storage_fe_mg: 800.0,
        }
    }
}

/// The body's constants for a whole run: a validated [`BodyConfig`], the
/// scale, the time step, the events and the lead schedule, with every factor
/// that does not change from step to step computed once. Built only by
/// [`crate::params::Params`]'s conversion, so every value has passed its
/// range check.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyParams {
    cells_per_marrow_agent: f64,
    cells_per_blood_agent: f64,
    blood_volume_dl: f64,
    dt_hours: f64,
    /// `dt_hours / 24`.
    day_fraction: f64,
    events: Vec<Event>,
    lead: Schedule,
    set_points: SetPoints,
    storage_fe_mg: f64,
    plasma_volume_l: f64,
    diet_fe_mg_per_day: f64,
    absorbable_fraction: f64,
    enterocyte_factor: f64,
    bleeding_ml_per_day: f64,
    macrophage_release_hours: f64,
    plasma_to_store_per_hour: f64,
    ferritin_ug_l_per_mg: f64,
    ferritin_floor_ug_l: f64,
    tibc_replete_ug_dl: f64,
    tibc_empty_extra_ug_dl: f64,
    tibc_half_stores_mg: f64,
    hepcidin_reference_nm: f64,
    hepcidin_half_ferroportin_nm: f64,
    ferroportin_recovery_hours: f64,
    ferroportin_factor: f64,
    hepcidin_production_factor: f64,
    hepcidin_iron_sensing: f64,
    epo_log_slope_per_g_dl: f64,
    oral_iron_absorbable_fraction: f64,
    il6_half_effect_pg_ml: f64,
    tibc_il6_max_drop: f64,
    epo_il6_max_drop: f64,
    store_release_half_mg: f64,
    /// Share of macrophage iron moved to stores in one step.
    macrophage_store_share: f64,
    /// Share of plasma iron hepatocytes take up in one step.
    plasma_store_share: f64,
    /// Obligatory loss in one step, mg.
    basal_loss_mg: f64,
    /// Share of the way hepcidin relaxes to its target in one step.
    hepcidin_relax: f64,
    /// Share of the way EPO relaxes to its target in one step.
    epo_relax: f64,
    /// Share of the way transferrin relaxes to its target in one step.
    transferrin_relax: f64,
    /// Share of the way the hepatic iron signal follows saturation in one step.
    iron_signal_relax: f64,
    /// Share of the way the acute-phase ferritin rise follows IL-6 in one
    /// step (about a day: ferritin peaks 1-2 days after endotoxin).
    acute_ferritin_relax: f64,
    /// Share of an intravenous complex broken down in one step.
    iv_processing_share: f64,
    /// Share of the oral dose in the gut that passes the duodenum in one step.
    oral_transit_share: f64,
    /// Hepcidin's rise per unit of inflammatory drive.
    hepcidin_il6_gain: f64,
    /// Ferritin's rise per unit of inflammatory drive.
    ferritin_il6_gain: f64,
    /// Erythroferrone's suppression of hepcidin per unit of EPO excess.
    erythroferrone_gain: f64,
    /// Ferroportin's activity at the reference hepcidin, unnormalised.
    ferroportin_at_reference: f64,
}

/// Plasma iron may fill transferrin to this share of its capacity; iron
/// beyond it is non-transferrin-bound and cleared by the liver (serum iron
/// never exceeds TIBC; saturations above 90% are seen only in overload).
const MAX_TSAT: f64 = 0.95;

impl BodyParams {
    /// The constants of a run from a checked `c` and the checked rest of the
    /// config.
    pub(crate) fn new(
        c: &BodyConfig,
        scale: &ScaleConfig,
        reference: Reference,
        dt_hours: f64,
        events: &[Event],
        lead: &Schedule,
    ) -> Self {
        let day_fraction = dt_hours / 24.0;
        let relax = |half_life_hours: f64| 1.0 - 0.5f64.powf(dt_hours / half_life_hours);
        Self {
            cells_per_marrow_agent: scale.cells_per_agent,
            cells_per_blood_agent: scale.cells_per_agent / scale.circulating_sample_fraction,
            blood_volume_dl: scale.blood_volume_l * 10.0,
            dt_hours,
            day_fraction,
            events: events.to_vec(),
            lead: lead.clone(),
            set_points: SetPoints::population(reference),
            storage_fe_mg: c.storage_fe_mg,
            plasma_volume_l: c.plasma_volume_l,
            diet_fe_mg_per_day: c.diet_fe_mg_per_day,
            absorbable_fraction: c.absorbable_fraction,
            enterocyte_factor: c.enterocyte_factor,
            bleeding_ml_per_day: c.bleeding_ml_per_day,
            macrophage_release_hours: c.macrophage_release_hours,
            plasma_to_store_per_hour: c.plasma_to_store_per_hour,
            ferritin_ug_l_per_mg: c.ferritin_ug_l_per_mg,
            ferritin_floor_ug_l: c.ferritin_floor_ug_l,
            tibc_replete_ug_dl: c.tibc_replete_ug_dl,
            tibc_empty_extra_ug_dl: c.tibc_empty_extra_ug_dl,
            tibc_half_stores_mg: c.tibc_half_stores_mg,
            hepcidin_reference_nm: c.hepcidin_reference_nm,
            hepcidin_half_ferroportin_nm: c.hepcidin_half_ferroportin_nm,
            ferroportin_recovery_hours: c.ferroportin_recovery_hours,
            ferroportin_factor: c.ferroportin_factor,
            hepcidin_production_factor: c.hepcidin_production_factor,
            hepcidin_iron_sensing: c.hepcidin_iron_sensing,
            epo_log_slope_per_g_dl: c.epo_log_slope_per_g_dl,
            oral_iron_absorbable_fraction: c.oral_iron_absorbable_fraction,
            il6_half_effect_pg_ml: c.il6_half_effect_pg_ml,
            tibc_il6_max_drop: c.tibc_il6_max_drop,
            epo_il6_max_drop: c.epo_il6_max_drop,
            store_release_half_mg: c.store_release_half_mg,
            macrophage_store_share: (c.macrophage_to_store_per_day * day_fraction).min(1.0),
            plasma_store_share: (c.plasma_to_store_per_hour * dt_hours).min(1.0),
            basal_loss_mg: c.basal_loss_mg_per_day * day_fraction,
            hepcidin_relax: relax(c.hepcidin_half_life_hours),
            epo_relax: relax(c.epo_half_life_hours),
            transferrin_relax: relax(c.transferrin_half_life_days * 24.0),
            iron_signal_relax: relax(c.iron_signal_half_life_hours),
            acute_ferritin_relax: relax(24.0),
            iv_processing_share: relax(c.iv_iron_processing_hours),
            oral_transit_share: relax(c.oral_dose_transit_hours),
            hepcidin_il6_gain: (c.hepcidin_il6_max_fold - 1.0).max(0.0),
            ferritin_il6_gain: (c.ferritin_il6_max_fold - 1.0).max(0.0),
            erythroferrone_gain: c.erythroferrone_suppression * c.hepcidin_iron_sensing,
            ferroportin_at_reference: 1.0
                + c.hepcidin_reference_nm / c.hepcidin_half_ferroportin_nm,
        }
    }

    /// Hours macrophages hold recycled iron before ferroportin exports it.
    pub fn macrophage_release_hours(&self) -> f64 {
        self.macrophage_release_hours
    }

    /// The events of the run.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The population set points the regulators use.
    pub fn set_points(&self) -> SetPoints {
        self.set_points
    }

    /// The transferrin (TIBC, ug/dL) the liver makes at `storage_fe_mg` of
    /// stores and inflammatory drive `inflammation`: it rises as stores
    /// empty and falls as a negative acute-phase protein.
    fn transferrin_target(&self, storage_fe_mg: f64, inflammation: f64) -> f64 {
        let k = self.tibc_half_stores_mg;
        (self.tibc_replete_ug_dl + self.tibc_empty_extra_ug_dl * k / (k + storage_fe_mg.max(0.0)))
            * (1.0 - self.tibc_il6_max_drop * inflammation)
    }
}

/// The body's pools (mg of iron) and regulators.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    p: BodyParams,
    /// Transferrin-bound iron, mg.
    pub plasma_fe_mg: f64,
    /// Ferritin and hemosiderin iron, mg.
    pub storage_fe_mg: f64,
    /// Recycled iron in macrophages, mg.
    pub macrophage_fe_mg: f64,
    /// Intravenous iron complex not yet broken down by macrophages, mg.
    pub intravenous_fe_mg: f64,
    /// Hemoglobin iron of all circulating red cells, mg.
    pub red_cell_fe_mg: f64,
    /// Hepcidin, nM.
    pub hepcidin_nm: f64,
    /// EPO, mU/mL.
    pub epo_mu_ml: f64,
    /// Transferrin as iron-binding capacity (TIBC), ug/dL.
    pub transferrin_ug_dl: f64,
    /// The hepatic iron signal (BMP6-SMAD): transferrin saturation seen
    /// through its slower signalling, fraction.
    pub iron_signal: f64,
    /// Ferritin's acute-phase rise, as a fraction of its maximal rise.
    pub acute_ferritin_rise: f64,
    /// Ferroportin on the cell surface, relative to healthy (1 at the
    /// reference hepcidin): hepcidin internalises it within the hour, and
    /// it comes back only as the cell makes new protein (see
    /// [`Body::ferroportin_target`]).
    pub ferroportin: f64,
    /// Oral iron swallowed and not yet past the duodenum, mg (not body iron).
    pub gut_oral_fe_mg: f64,
    /// Iron absorbed since the start, mg.
    pub absorbed_mg: f64,
    /// Iron lost since the start, mg.
    pub lost_mg: f64,
    /// Iron given since the start (intravenous iron, transfusion), mg.
    pub given_mg: f64,
    /// IL-6 now, pg/mL.
    pub il6_pg_ml: f64,
    /// The events in force in the coming step.
    next: InForce,
    lead_ug_dl: f64,
    /// Share of stores released per hour at normal ferroportin at the set
    /// point, set so that stores and plasma exchange in balance there
    /// (storage iron turns over in years, so this is a small number
    /// derived, not guessed).
    store_release_per_hour: f64,
}

impl Body {
    /// A body at the configured stores, with plasma at `tsat` of its binding
    /// capacity, EPO at `epo_mu_ml` and hepcidin at its target;
    /// `red_cell_fe_mg` is the circulation's hemoglobin iron,
    /// `macrophage_fe_mg` the recycling pool at steady state.
    pub fn new(
        params: BodyParams,
        tsat: f64,
        epo_mu_ml: f64,
        red_cell_fe_mg: f64,
        macrophage_fe_mg: f64,
    ) -> Self {
        let day_fraction = params.day_fraction;
        let transferrin = params.transferrin_target(params.storage_fe_mg, 0.0);
        let mut body = Self {
            plasma_fe_mg: tsat * transferrin * params.plasma_volume_l * 1e-2,
            storage_fe_mg: params.storage_fe_mg,
            macrophage_fe_mg,
            intravenous_fe_mg: 0.0,
            red_cell_fe_mg,
            hepcidin_nm: params.hepcidin_reference_nm,
            epo_mu_ml,
            transferrin_ug_dl: transferrin,
            iron_signal: tsat,
            acute_ferritin_rise: 0.0,
            ferroportin: 1.0,
            gut_oral_fe_mg: 0.0,
            absorbed_mg: 0.0,
            lost_mg: 0.0,
            given_mg: 0.0,
            il6_pg_ml: 0.0,
            next: in_force(&params.events, day_fraction, day_fraction),
            lead_ug_dl: params.lead.at_day(0.0),
            store_release_per_hour: 0.0,
            p: params,
        };
        body.hepcidin_nm = body.hepcidin_target();
        body.ferroportin = body.ferroportin_target();
        // Stores and plasma exchange in balance at the population set point.
        let p = &body.p;
        let s = p.set_points;
        let plasma_ref =
            s.tsat * p.transferrin_target(s.storage_fe_mg, 0.0) * p.plasma_volume_l * 1e-2;
        let saturable = s.storage_fe_mg / (1.0 + s.storage_fe_mg / p.store_release_half_mg);
        body.store_release_per_hour = p.plasma_to_store_per_hour * plasma_ref / saturable;
        body
    }

    /// The run's constants.
    pub fn params(&self) -> &BodyParams {
        &self.p
    }

    /// Takes the events of `params` from the step after `day` on, the pools
    /// and regulators carrying on as they are: a schedule changed while the
    /// run goes (an interactive front end moving a slider). `params` comes
    /// from a validated run, so every event has passed its range check; only
    /// the events are taken.
    pub fn replace_events(&mut self, params: &BodyParams, day: f64) {
        self.p.events = params.events.clone();
        let df = self.p.day_fraction;
        self.next = in_force(&self.p.events, day + df, df);
    }

    /// Total iron in the pools the body keeps (not the marrow agents), mg.
    pub fn pools_fe_mg(&self) -> f64 {
        self.plasma_fe_mg
            + self.storage_fe_mg
            + self.macrophage_fe_mg
            + self.intravenous_fe_mg
            + self.red_cell_fe_mg
    }

    /// Total iron-binding capacity, ug/dL.
    pub fn tibc_ug_dl(&self) -> f64 {
        self.transferrin_ug_dl
    }

    /// Iron transferrin can bind, mg.
    fn capacity_mg(&self) -> f64 {
        self.transferrin_ug_dl * self.p.plasma_volume_l * 1e-2
    }

    /// Serum iron, ug/dL.
    pub fn serum_iron_ug_dl(&self) -> f64 {
        self.plasma_fe_mg * 1e3 / (self.p.plasma_volume_l * 10.0)
    }

    /// Transferrin saturation, fraction.
    pub fn tsat(&self) -> f64 {
        (self.serum_iron_ug_dl() / self.tibc_ug_dl()).clamp(0.0, 1.0)
    }

    /// Serum ferritin, ug/L: secreted by macrophages and hepatocytes in
    /// proportion to their ferritin iron (not the unprocessed intravenous
    /// complex), on a floor, and raised as an acute-phase protein.
    pub fn ferritin_ug_l(&self) -> f64 {
        let p = &self.p;
        (p.ferritin_floor_ug_l
            + (self.storage_fe_mg + self.macrophage_fe_mg) * p.ferritin_ug_l_per_mg)
            * (1.0 + p.ferritin_il6_gain * self.acute_ferritin_rise)
    }

    /// The hepcidin the liver is driven toward now: stores and the iron
    /// signal of saturation (BMP6/HJV) against the population's set points,
    /// IL-6, and erythroferrone from erythroblasts driven by EPO above its
    /// normal level.
    pub fn hepcidin_target(&self) -> f64 {
        let p = &self.p;
        let s = p.set_points;
        let stores = (self.storage_fe_mg / s.storage_fe_mg).max(0.0);
        let erythroferrone = (self.epo_mu_ml / s.epo_mu_ml - 1.0).max(0.0);
        p.hepcidin_reference_nm
            * p.hepcidin_production_factor
            * (stores.sqrt() * self.iron_signal / s.tsat).powf(p.hepcidin_iron_sensing)
            * (1.0 + p.hepcidin_il6_gain * self.inflammation())
            / (1.0 + p.erythroferrone_gain * erythroferrone)
    }

    /// Inflammatory drive in [0, 1): IL-6 over IL-6 plus its half-effect level.
    pub fn inflammation(&self) -> f64 {
        self.il6_pg_ml / (self.il6_pg_ml + self.p.il6_half_effect_pg_ml)
    }

    /// Hemoglobin from the red-cell iron book, g/dL.
    pub fn hb_g_dl(&self) -> f64 {
        // fg Fe per pg Hb is also mg Fe per g Hb.
        self.red_cell_fe_mg / FE_FG_PER_PG_HB / self.p.blood_volume_dl
    }

    /// Share of the blood lost per hour in the coming step (whole blood:
    /// cells and plasma): chronic bleeding, bleeding events, donations.
    fn blood_loss_fraction(&self) -> f64 {
        let dt_hours = self.p.dt_hours;
        let per_day = self.p.bleeding_ml_per_day + self.next.bleeding_ml_per_day;
        let per_hour = per_day / 24.0 + self.next.donated_ml / dt_hours;
        (per_hour / (self.p.blood_volume_dl * 100.0)).min(1.0 / dt_hours)
    }

    /// The ferroportin that the current hepcidin holds at steady state,
    /// relative to healthy (1 at the reference hepcidin): made at a
    /// constant rate, removed at a basal rate plus one proportional to
    /// hepcidin (which binds it and has it internalised and degraded).
    pub fn ferroportin_target(&self) -> f64 {
        self.p.ferroportin_at_reference
            / (1.0 + self.hepcidin_nm / self.p.hepcidin_half_ferroportin_nm)
    }

    /// Share of the way ferroportin moves to its target in one step at the
    /// current hepcidin: its removal rate (basal plus hepcidin-bound) is
    /// `1 + hepcidin / K` times the basal one, so it falls within the hour
    /// when hepcidin surges and recovers only as fast as it is resynthesised.
    fn ferroportin_relax(&self) -> f64 {
        let p = &self.p;
        let removal =
            (1.0 + self.hepcidin_nm / p.hepcidin_half_ferroportin_nm) / p.ferroportin_at_reference;
        1.0 - (-removal * p.dt_hours / p.ferroportin_recovery_hours).exp()
    }

    /// Ferroportin loads only apo-transferrin: export relative to healthy
    /// as saturation rises (1 at the set point, 0 at full saturation).
    fn apotransferrin(&self) -> f64 {
        let s = self.p.set_points.tsat;
        ((1.0 - self.tsat()) / (1.0 - s)).max(0.0)
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
            inflammation: self.inflammation(),
        }
    }

    fn advance(&mut self, day: f64, s: &StepSums) {
        let now = self.next;
        let dt_hours = self.p.dt_hours;
        let day_fraction = self.p.day_fraction;
        let marrow = self.p.cells_per_marrow_agent * MG_PER_FG;
        let blood = self.p.cells_per_blood_agent * MG_PER_FG;
        let fpn = self.ferroportin;
        let apo = self.apotransferrin();

        // What the agents did (exact flows of their state).
        let erythroid_uptake =
            s.marrow_uptake_fe_fg.value() * marrow + s.blood_uptake_fe_fg.value() * blood;
        let to_macrophages = (s.extruded_fe_fg.value() + s.died_fe_fg.value()) * marrow
            + (s.senescent_fe_fg.value() + s.shed_fe_fg.value()) * blood;
        // Bleeding takes the cells the agents lost and the same share of
        // plasma (transferrin iron).
        let bled = s.bled_fe_fg.value() * blood;
        let bled_plasma =
            self.plasma_fe_mg.max(0.0) * (self.blood_loss_fraction() * dt_hours).min(1.0);
        let transfused = s.transfused_fe_fg.value() * blood;
        self.red_cell_fe_mg +=
            s.released_fe_fg.value() * marrow + s.blood_uptake_fe_fg.value() * blood + transfused
                - (s.senescent_fe_fg.value() + s.shed_fe_fg.value()) * blood
                - bled;
        self.plasma_fe_mg -= erythroid_uptake + bled_plasma;
        self.macrophage_fe_mg += to_macrophages;
        // Intravenous iron: the complex is taken up by macrophages and
        // broken down over days into iron they can export.
        self.intravenous_fe_mg += now.intravenous_iron_mg;
        let processed = self.intravenous_fe_mg * self.p.iv_processing_share;
        self.intravenous_fe_mg -= processed;
        self.macrophage_fe_mg += processed;

        // The body's own flows. The gut exports through ferroportin too;
        // every export needs apo-transferrin.
        let p = &self.p;
        let diet = now.diet_fe_mg_per_day.unwrap_or(p.diet_fe_mg_per_day);
        self.gut_oral_fe_mg += now.oral_iron_mg;
        let passing = self.gut_oral_fe_mg * p.oral_transit_share;
        self.gut_oral_fe_mg -= passing;
        let gut_open = p.enterocyte_factor * fpn * apo;
        let absorbed = (diet * p.absorbable_fraction * day_fraction
            + passing * p.oral_iron_absorbable_fraction)
            * gut_open;
        let cell_fpn = fpn * p.ferroportin_factor * apo;
        let macrophage_out =
            self.macrophage_fe_mg * (cell_fpn * dt_hours / p.macrophage_release_hours).min(1.0);
        let macrophage_store = (self.macrophage_fe_mg - macrophage_out) * p.macrophage_store_share;
        let plasma_store = self.plasma_fe_mg.max(0.0) * p.plasma_store_share;
        // Release from ferritin is saturable in the stores.
        let releasable = self.storage_fe_mg / (1.0 + self.storage_fe_mg / p.store_release_half_mg);
        let store_out = (releasable * self.store_release_per_hour * cell_fpn * dt_hours)
            .min(self.storage_fe_mg);
        self.macrophage_fe_mg -= macrophage_out + macrophage_store;
        self.plasma_fe_mg += absorbed + macrophage_out + store_out - plasma_store;
        self.storage_fe_mg += macrophage_store + plasma_store - store_out;
        // The obligatory loss (shed cells of gut and skin) is paid from
        // stores while they last, then from plasma. Shed cells carry the
        // iron of their body: iron-deficient people lose about half the
        // normal (0.5 against 0.9-1.0 mg/day, Green et al., Am J Med 1968).
        let status = (self.tsat() / p.set_points.tsat).min(1.0);
        let basal = p.basal_loss_mg * (0.5 + 0.5 * status);
        let from_stores = basal.min(self.storage_fe_mg.max(0.0));
        let from_plasma = (basal - from_stores).min(self.plasma_fe_mg.max(0.0));
        self.storage_fe_mg -= from_stores;
        self.plasma_fe_mg -= from_plasma;
        // The marrow took this step's iron from the plasma as it found it;
        // what it took beyond the plasma's iron was mobilised from stores,
        // then from macrophages (no pool runs negative).
        let short = (-self.plasma_fe_mg).max(0.0);
        let mobilised = short.min(self.storage_fe_mg.max(0.0));
        let from_macrophages = (short - mobilised).min(self.macrophage_fe_mg.max(0.0));
        self.storage_fe_mg -= mobilised;
        self.macrophage_fe_mg -= from_macrophages;
        self.plasma_fe_mg += mobilised + from_macrophages;
        // Iron beyond what transferrin can hold is cleared into the liver.
        let ntbi = (self.plasma_fe_mg - MAX_TSAT * self.capacity_mg()).max(0.0);
        self.plasma_fe_mg -= ntbi;
        self.storage_fe_mg += ntbi;
        self.absorbed_mg += absorbed;
        self.lost_mg += from_stores + from_plasma + bled + bled_plasma;
        self.given_mg += now.intravenous_iron_mg + transfused;

        // Regulators. Hepcidin follows stores and the iron signal (BMP6/HJV)
        // and IL-6, and erythroferrone from EPO-driven erythroblasts
        // suppresses it; it relaxes first-order. EPO follows hemoglobin,
        // blunted by inflammation. Transferrin follows stores and
        // inflammation with its plasma half-life; ferritin's acute-phase
        // rise follows IL-6 over about a day.
        self.il6_pg_ml = now.il6_pg_ml;
        let inflamed = self.inflammation();
        self.iron_signal += (self.tsat() - self.iron_signal) * self.p.iron_signal_relax;
        self.acute_ferritin_rise +=
            (inflamed - self.acute_ferritin_rise) * self.p.acute_ferritin_relax;
        let target_hepcidin = self.hepcidin_target();
        self.hepcidin_nm += (target_hepcidin - self.hepcidin_nm) * self.p.hepcidin_relax;
        self.ferroportin +=
            (self.ferroportin_target() - self.ferroportin) * self.ferroportin_relax();
        let p = &self.p;
        let target_transferrin = p.transferrin_target(self.storage_fe_mg, inflamed);
        self.transferrin_ug_dl +=
            (target_transferrin - self.transferrin_ug_dl) * p.transferrin_relax;
        let s = p.set_points;
        let target_epo = s.epo_mu_ml
            * (p.epo_log_slope_per_g_dl * (s.hb_g_dl - self.hb_g_dl())).exp()
            * (1.0 - p.epo_il6_max_drop * inflamed);
        self.epo_mu_ml += (target_epo - self.epo_mu_ml) * p.epo_relax;
        // Transferrin falling under its iron (inflammation) also releases
        // non-transferrin-bound iron to the liver.
        let ntbi = (self.plasma_fe_mg - MAX_TSAT * self.capacity_mg()).max(0.0);
        self.plasma_fe_mg -= ntbi;
        self.storage_fe_mg += ntbi;

        // The coming step.
        self.next = in_force(&p.events, day + day_fraction, day_fraction);
        self.lead_ug_dl = p.lead.at_day(day);
    }
}
