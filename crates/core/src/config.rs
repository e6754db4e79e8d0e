//! The model's configuration as users write it (`*Config`, serde) and its
//! validated form (`Params`) that the hot code reads.
//!
//! Every field has a default, documented with its unit, valid range and
//! source, so a config file only names what it changes. Unknown fields are
//! refused by serde; out-of-range values by [`Config::validate`], which names
//! the field, the value and the valid range.

use serde::{Deserialize, Serialize};

use crate::schedule::Schedule;
use crate::Error;

/// A whole run: how long, how sampled, at what scale, and the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Seed, duration and sampling.
    pub run: RunConfig,
    /// How many real cells each agent stands for.
    pub scale: ScaleConfig,
    /// The plasma state the cells read (prescribed schedules).
    pub plasma: PlasmaConfig,
    /// Erythroblast agents.
    pub marrow: MarrowConfig,
    /// Circulating red-cell agents.
    pub circulation: CirculationConfig,
}

/// Seed, duration and sampling of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Seed of every random stream. Default 1.
    pub seed: u64,
    /// Simulated days after the steady state is built. Default 30; range (0, 3650].
    pub days: f64,
    /// Time step in hours. Default 1 (MODEL.md); range [0.25, 4]: the kinetics
    /// (cycle 23 h, reticulocyte 24 h) must stay several steps long.
    pub dt_hours: f64,
    /// Hours between samples of the blood count. Default 24; at least one step.
    pub sample_every_hours: f64,
    /// Days the marrow runs at the starting plasma state before the
    /// circulation is built from its output. Default 16: longer than the
    /// slowest lineage (division cap times cycle, plus maturation).
    pub burn_in_days: f64,
    /// Which reference ranges the blood count is flagged against. Default `AdultMan`.
    pub reference: Reference,
}

/// A population's reference ranges (`reference/healthy-adult.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reference {
    /// Healthy adult man.
    AdultMan,
    /// Healthy adult woman.
    AdultWoman,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            days: 30.0,
            dt_hours: 1.0,
            sample_every_hours: 24.0,
            burn_in_days: 16.0,
            reference: Reference::AdultMan,
        }
    }
}

/// How many real cells an agent stands for, and the body they live in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScaleConfig {
    /// Real erythroblasts per marrow agent. Default 8e5, which puts about a
    /// million agents in a healthy marrow of about 8e11 erythroid cells
    /// (MODEL.md "Scale"); range [1, 1e12].
    pub cells_per_agent: f64,
    /// Fraction of released reticulocytes followed as circulating agents
    /// (each then stands for `cells_per_agent / fraction` red cells).
    /// Default 0.05: about 1.5 million circulating agents, enough for
    /// histogram tails; range (0, 1].
    pub circulating_sample_fraction: f64,
    /// Blood volume in litres. Default 5.0 (adult man, about 70 mL/kg);
    /// range (0.1, 10].
    pub blood_volume_l: f64,
}

impl Default for ScaleConfig {
    fn default() -> Self {
        Self {
            cells_per_agent: 8.0e5,
            circulating_sample_fraction: 0.05,
            blood_volume_l: 5.0,
        }
    }
}

/// The plasma as the cells see it. In this version each quantity is
/// prescribed as a schedule over days; the body-iron compartments replace
/// these schedules without touching agent code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlasmaConfig {
    /// Transferrin saturation, fraction in [0, 1]. Default 0.30 (healthy
    /// man, about 31%, Israel 2022).
    pub tsat: Schedule,
    /// Erythropoietin, mU/mL, in [0, 10000]. Default 10 (normal 4-24).
    pub epo_mu_ml: Schedule,
    /// Blood lead, ug/dL, in [0, 500]. Default 0.
    pub lead_ug_dl: Schedule,
}

impl Default for PlasmaConfig {
    fn default() -> Self {
        Self {
            tsat: Schedule::Constant(0.30),
            epo_mu_ml: Schedule::Constant(10.0),
            lead_ug_dl: Schedule::Constant(0.0),
        }
    }
}

/// How an erythroblast decides, at the end of a cycle, whether to divide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DivisionRule {
    /// Divide until hemoglobin concentration reaches
    /// `critical_hb_g_dl` (the Stohlman-era hypothesis; the default).
    CriticalConcentration,
    /// Divide exactly `fixed_budget_divisions` times; heme shortage slows
    /// the cycle and maturation instead (marrow autoradiography in iron
    /// deficiency; MODEL.md "Competing hypotheses").
    FixedBudget,
}

/// Erythroblast parameters. Calibrated together against healthy, iron
/// restricted and thalassemia trait (MODEL.md "Calibration notes").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarrowConfig {
    /// Division rule. Default `CriticalConcentration`.
    pub division_rule: DivisionRule,
    /// Critical whole-cell hemoglobin concentration, g/dL, in (0, 100].
    /// Default 11.5: there is no reliable human value; the prior of 20-27
    /// g/dL refers to cytoplasm, and late erythroblasts are about half
    /// nucleus, so the whole-cell value is about half of it. Calibrated to
    /// sit between the concentrations healthy cells reach after their third
    /// (about 7 g/dL) and fourth (about 14 g/dL) division, so nearly every
    /// healthy lineage stops after four.
    pub critical_hb_g_dl: f64,
    /// Divisions under the `FixedBudget` rule. Default 4 (stage ratios
    /// 1:2:4:8:16, Hu et al. 2013); range [1, 12].
    pub fixed_budget_divisions: u8,
    /// Most divisions any lineage may make. Default 6; range [1, 12].
    pub division_cap: u8,
    /// Hours of proliferation after which a cell matures anyway (the
    /// maturation clock). Default 200 (marrow transit 5-7 days, Hu 2013);
    /// range [24, 1000].
    pub maturation_clock_hours: f64,
    /// Probability that a cell stopped by the cap or the clock dies in the
    /// marrow (ineffective erythropoiesis) rather than maturing under-filled.
    /// Default 0.5 (assumption); range [0, 1].
    pub ineffective_probability: f64,
    /// Mean proerythroblast volume at entry, fL. Default 770, so it is about
    /// 950 fL by its first division (prior "about 1000 fL"; calibrated with
    /// MCV); range [100, 5000].
    pub proerythroblast_volume_fl: f64,
    /// Coefficient of variation of the entry volume (lognormal). Default 0.08
    /// (assumption, calibrated with ageing to a healthy RDW-CV near 13%); range [0, 1].
    pub proerythroblast_volume_cv: f64,
    /// Volume growth over one cycle, a factor in [1, 2). Default 1.24, so
    /// four divisions shrink a proerythroblast about 5-fold (1000 -> 200 fL
    /// prior) and every division leaves smaller daughters (MODEL.md).
    pub growth_per_cycle: f64,
    /// Mean cell-cycle time, hours. Default 23 (cinemicrography, Blood Cells
    /// 1987); range [4, 100].
    pub cycle_hours: f64,
    /// Coefficient of variation of the cycle time (lognormal). Default 0.08
    /// (assumption); range [0, 1].
    pub cycle_cv: f64,
    /// Standard deviation of the share each daughter gets around 1/2.
    /// Default 0.02 (assumption, calibrated with RDW); range [0, 0.2].
    pub division_asymmetry_sd: f64,
    /// Hours a post-mitotic cell matures (orthochromatic normoblast, nuclear
    /// condensation, enucleation) while still making hemoglobin. Default 30:
    /// transit is then 5 x 23 + 30 + 24 h, about 7 days (prior 5-7), and
    /// healthy MCH lands near 29.5 pg (calibrated); range [1, 200].
    pub maturation_hours: f64,
    /// Fraction of volume kept at enucleation (the nucleus leaves). Default
    /// 0.8 (orthochromatic about 145 fL here to reticulocyte about 116 fL;
    /// prior 115 fL at release); range (0, 1].
    pub enucleation_volume_fraction: f64,
    /// Hours a reticulocyte stays in the marrow. Default 24 (Hillman 1969:
    /// 1-3 days); range [0, 120].
    pub marrow_reticulocyte_hours: f64,
    /// Transferrin receptors per cell at entry. Default 300,000 (Iacopetta,
    /// Morgan & Yeoh 1982); range [0, 1e7].
    pub receptors_early: f64,
    /// Receptors per cell at the peak (intermediate erythroblasts). Default
    /// 800,000 (Iacopetta 1982); range [0, 1e7].
    pub receptors_peak: f64,
    /// Hours after entry at which receptors reach the peak. Default 60
    /// (between the second and third division: intermediate stages;
    /// calibrated with MCH); range [1, 500].
    pub receptor_ramp_hours: f64,
    /// Receptors per reticulocyte. Default 105,000 (Iacopetta 1982).
    pub receptors_reticulocyte: f64,
    /// Volume at which a post-mitotic cell has the receptor numbers above,
    /// fL. Post-mitotic capacities scale with membrane area,
    /// (volume / this)^(2/3). Default 145: a healthy orthochromatic
    /// normoblast at its decision here (770 x 1.24^5 / 16); range (0, 1e4].
    pub membrane_reference_volume_fl: f64,
    /// Iron atoms each receptor delivers per hour from fully saturated
    /// transferrin. Default 36 (Iacopetta 1982); range [0, 1000].
    pub fe_atoms_per_receptor_hour: f64,
    /// Transferrin saturation at which receptor uptake is half its maximum
    /// (Michaelis-Menten in saturation). Default 0.10 (assumption: receptors
    /// are nearly saturated with transferrin, and the iron each cycle brings
    /// falls steeply only below about 15% saturation); range (0, 10].
    pub tsat_half_uptake: f64,
    /// Globin translation capacity relative to the iron a cell's receptors
    /// deliver at 30% saturation. Default 0.85: healthy synthesis is limited
    /// by globin, and iron becomes limiting only below about 18% saturation,
    /// where erythropoiesis is clinically iron-restricted (15-20%); range (0, 10].
    pub globin_margin: f64,
    /// Alpha-globin output relative to normal. Default 1; alpha-thalassemia
    /// trait about 0.5-0.75 (one or two of four genes lost); range [0, 2].
    pub alpha_globin_factor: f64,
    /// Beta-globin output relative to normal. Default 1; beta-thalassemia
    /// trait about 0.5 (one of two genes lost); range [0, 2].
    pub beta_globin_factor: f64,
    /// Heme-regulated inhibitor: throttle globin translation to the heme
    /// available. Default true; false reproduces the HRI-null experiment.
    pub hri_enabled: bool,
    /// Protoporphyrin (ALAS2/ALAD) capacity relative to the iron receptors
    /// deliver at 30% saturation. Default 1.3 (assumption: above globin, so
    /// protoporphyrin is made for all the globin and what finds no iron
    /// shows as ZPP); range (0, 10].
    pub porphyrin_margin: f64,
    /// Ferrochelatase capacity relative to healthy iron uptake. Default 1.5
    /// (assumption); range (0, 10].
    pub ferrochelatase_margin: f64,
    /// Share of protoporphyrin without iron that takes zinc instead.
    /// Default 4e-4: with iron at half of need, ZPP reaches about 300
    /// umol/mol heme (iron deficiency: 100-500); range [0, 1].
    pub zinc_insertion_fraction: f64,
    /// ZPP made alongside heme when iron is sufficient, umol/mol heme.
    /// Default 30 (healthy < 40); range [0, 1e6].
    pub baseline_zpp_umol_per_mol: f64,
    /// Blood lead halving the heme flux through ALAD, ug/dL. Default 150:
    /// ALAD activity halves near 15 ug/dL, but the enzyme is in such excess
    /// that the flux it carries falls only at far higher lead (assumption);
    /// range (0, 1000].
    pub lead_alad_ic50_ug_dl: f64,
    /// Blood lead halving ferrochelatase activity, ug/dL. Default 40 (ZPP
    /// rises from about 25-30 ug/dL and is several-fold normal at 60-80);
    /// range (0, 1000].
    pub lead_ferrochelatase_ic50_ug_dl: f64,
    /// Half-life of unpaired globin chains (proteolysis), hours. Default 3
    /// (assumption: excess alpha chains are cleared within hours); range (0, 1000].
    pub free_globin_half_life_hours: f64,
    /// Half-life of heme-less globin made without HRI, hours. Default 48
    /// (assumption: it aggregates into inclusions, as in HRI-null
    /// erythroblasts, and proteolysis clears them slowly); range (0, 1e4].
    pub apoglobin_half_life_hours: f64,
    /// Toxicity of aggregated heme-less globin relative to free alpha chains.
    /// Default 0.05 (assumption: HRI-null iron-deficient mice are more anemic,
    /// with inclusions, but still make red cells); range [0, 1].
    pub apoglobin_relative_toxicity: f64,
    /// Unpaired-globin concentration that starts to kill the cell, g/dL.
    /// Default 0.1 (assumption); range [0, 100].
    pub free_globin_toxic_g_dl: f64,
    /// Apoptosis hazard per hour per g/dL of unpaired globin above the toxic
    /// level. Default 0.016 (calibrated: about a quarter of beta-thalassemia
    /// trait erythroblasts die, the mild ineffective erythropoiesis of the
    /// trait); range [0, 10].
    pub free_globin_apoptosis_per_hour: f64,
    /// Heme supply, as a share of what globin could use, below which a cell
    /// is starved. Default 0.5 (healthy cells run at 1); range [0, 1].
    pub starvation_supply_threshold: f64,
    /// Apoptosis hazard per hour of a fully starved cell (scaled linearly
    /// from the threshold to zero supply). Default 0.02 (assumption); range [0, 10].
    pub starvation_apoptosis_per_hour: f64,
    /// Proerythroblast entry at saturating EPO and transferrin saturation,
    /// real cells per day. Default 6.7e10: with EPO 10 mU/mL and saturation
    /// 30% it gives about 1.3e10/day, hence 2.1e11 red cells/day after four
    /// divisions (prior 2-2.5e11/day) and a healthy RBC near 5.0; range [0, 1e14].
    pub entry_max_per_day: f64,
    /// EPO at half-maximal entry, mU/mL. Default 40: entry can rise about
    /// 5-fold above normal under stress (prior "5-10x"); range (0, 1e5].
    pub epo_half_entry_mu_ml: f64,
    /// Transferrin saturation at which progenitor expansion is half-maximal
    /// (iron-restricted erythropoiesis, Hill exponent
    /// [`PROGENITOR_HILL`](crate::marrow::PROGENITOR_HILL) = 3). Default 0.10:
    /// 5% less expansion at 22% saturation, half at 10% (clinically,
    /// erythropoiesis is iron-restricted below about 15-20%); range (0, 1].
    pub tsat_half_progenitor: f64,
    /// Mitochondrial iron above which an erythroblast counts as a ring
    /// sideroblast, fg Fe. Default 20 (assumption: several times the iron of
    /// a healthy hour's uptake); range (0, 1e6].
    pub ring_sideroblast_iron_fg: f64,
}

impl Default for MarrowConfig {
    fn default() -> Self {
        Self {
            division_rule: DivisionRule::CriticalConcentration,
            critical_hb_g_dl: 11.5,
            fixed_budget_divisions: 4,
            division_cap: 6,
            maturation_clock_hours: 200.0,
            ineffective_probability: 0.5,
            proerythroblast_volume_fl: 770.0,
            proerythroblast_volume_cv: 0.08,
            growth_per_cycle: 1.24,
            cycle_hours: 23.0,
            cycle_cv: 0.08,
            division_asymmetry_sd: 0.02,
            maturation_hours: 30.0,
            enucleation_volume_fraction: 0.8,
            marrow_reticulocyte_hours: 24.0,
            receptors_early: 3.0e5,
            receptors_peak: 8.0e5,
            receptor_ramp_hours: 60.0,
            receptors_reticulocyte: 1.05e5,
            membrane_reference_volume_fl: 145.0,
            fe_atoms_per_receptor_hour: 36.0,
            tsat_half_uptake: 0.10,
            globin_margin: 0.85,
            alpha_globin_factor: 1.0,
            beta_globin_factor: 1.0,
            hri_enabled: true,
            porphyrin_margin: 1.3,
            ferrochelatase_margin: 1.5,
            zinc_insertion_fraction: 4e-4,
            baseline_zpp_umol_per_mol: 30.0,
            lead_alad_ic50_ug_dl: 150.0,
            lead_ferrochelatase_ic50_ug_dl: 40.0,
            free_globin_half_life_hours: 3.0,
            apoglobin_half_life_hours: 48.0,
            apoglobin_relative_toxicity: 0.05,
            free_globin_toxic_g_dl: 0.1,
            free_globin_apoptosis_per_hour: 0.016,
            starvation_supply_threshold: 0.5,
            starvation_apoptosis_per_hour: 0.02,
            entry_max_per_day: 6.7e10,
            epo_half_entry_mu_ml: 40.0,
            tsat_half_progenitor: 0.10,
            ring_sideroblast_iron_fg: 20.0,
        }
    }
}

/// Circulating red-cell parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CirculationConfig {
    /// Hours a released cell counts as a reticulocyte in blood. Default 24
    /// (Hillman 1969: about 1 day at normal hematocrit); range [0, 120].
    pub reticulocyte_blood_hours: f64,
    /// Fraction of volume a reticulocyte loses while it remodels (marrow and
    /// blood phases together). Default 0.17 (115 fL at release to about
    /// 95 fL; prior "reticulocytes lose about 20%"); range [0, 0.9].
    pub reticulocyte_volume_loss: f64,
    /// Fraction of its post-reticulocyte volume a cell loses by the mean
    /// lifespan. Default 0.16: with remodelling, about 30% from release to
    /// removal (Malka 2014; Higgins & Mahadevan 2010); range [0, 0.9].
    pub mature_volume_loss: f64,
    /// Fraction of its hemoglobin a mature cell loses by the mean lifespan
    /// (vesiculation). Default 0.20 (Higgins & Mahadevan 2010); range [0, 0.9].
    pub mature_hb_loss: f64,
    /// Mean red-cell lifespan, days. Default 117 (ferrokinetics, 115-120);
    /// range [1, 1000].
    pub lifespan_days: f64,
    /// Weibull shape of the lifespan distribution. Default 10 (coefficient of
    /// variation about 12%, a senescence-dominated survival curve); range [1, 100].
    pub lifespan_weibull_shape: f64,
}

impl Default for CirculationConfig {
    fn default() -> Self {
        Self {
            reticulocyte_blood_hours: 24.0,
            reticulocyte_volume_loss: 0.17,
            mature_volume_loss: 0.16,
            mature_hb_loss: 0.20,
            lifespan_days: 117.0,
            lifespan_weibull_shape: 10.0,
        }
    }
}

/// Which ends of a range are included.
#[derive(Clone, Copy)]
enum Ends {
    /// `[lo, hi]`
    Closed,
    /// `(lo, hi]`
    OpenLow,
    /// `[lo, hi)`
    OpenHigh,
}

/// Checks `value` against the range, refusing non-finite values too.
fn within(
    field: &'static str,
    value: impl Into<f64>,
    lo: f64,
    hi: f64,
    ends: Ends,
) -> Result<(), Error> {
    let v: f64 = value.into();
    let (ok, range) = match ends {
        Ends::Closed => (v >= lo && v <= hi, format!("[{lo}, {hi}]")),
        Ends::OpenLow => (v > lo && v <= hi, format!("({lo}, {hi}]")),
        Ends::OpenHigh => (v >= lo && v < hi, format!("[{lo}, {hi})")),
    };
    if ok && v.is_finite() {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            field,
            value: v,
            range,
        })
    }
}

impl Config {
    /// Checks every value against its valid range and returns the first
    /// violation, naming the field, the value and the range.
    pub fn validate(&self) -> Result<(), Error> {
        let r = &self.run;
        within("run.days", r.days, 0.0, 3650.0, Ends::OpenLow)?;
        within("run.dt_hours", r.dt_hours, 0.25, 4.0, Ends::Closed)?;
        within(
            "run.sample_every_hours",
            r.sample_every_hours,
            r.dt_hours,
            87600.0,
            Ends::Closed,
        )?;
        within("run.burn_in_days", r.burn_in_days, 1.0, 365.0, Ends::Closed)?;
        let s = &self.scale;
        within(
            "scale.cells_per_agent",
            s.cells_per_agent,
            1.0,
            1e12,
            Ends::Closed,
        )?;
        within(
            "scale.circulating_sample_fraction",
            s.circulating_sample_fraction,
            0.0,
            1.0,
            Ends::OpenLow,
        )?;
        within(
            "scale.blood_volume_l",
            s.blood_volume_l,
            0.1,
            10.0,
            Ends::OpenLow,
        )?;
        let p = &self.plasma;
        p.tsat.check("plasma.tsat", 0.0, 1.0)?;
        p.epo_mu_ml.check("plasma.epo_mu_ml", 0.0, 10000.0)?;
        p.lead_ug_dl.check("plasma.lead_ug_dl", 0.0, 500.0)?;
        let m = &self.marrow;
        within(
            "marrow.critical_hb_g_dl",
            m.critical_hb_g_dl,
            0.0,
            100.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.fixed_budget_divisions",
            m.fixed_budget_divisions,
            1.0,
            12.0,
            Ends::Closed,
        )?;
        within(
            "marrow.division_cap",
            m.division_cap,
            1.0,
            12.0,
            Ends::Closed,
        )?;
        within(
            "marrow.maturation_clock_hours",
            m.maturation_clock_hours,
            24.0,
            1000.0,
            Ends::Closed,
        )?;
        within(
            "marrow.ineffective_probability",
            m.ineffective_probability,
            0.0,
            1.0,
            Ends::Closed,
        )?;
        within(
            "marrow.proerythroblast_volume_fl",
            m.proerythroblast_volume_fl,
            100.0,
            5000.0,
            Ends::Closed,
        )?;
        within(
            "marrow.proerythroblast_volume_cv",
            m.proerythroblast_volume_cv,
            0.0,
            1.0,
            Ends::Closed,
        )?;
        within(
            "marrow.growth_per_cycle",
            m.growth_per_cycle,
            1.0,
            2.0,
            Ends::OpenHigh,
        )?;
        within(
            "marrow.cycle_hours",
            m.cycle_hours,
            4.0,
            100.0,
            Ends::Closed,
        )?;
        within("marrow.cycle_cv", m.cycle_cv, 0.0, 1.0, Ends::Closed)?;
        within(
            "marrow.division_asymmetry_sd",
            m.division_asymmetry_sd,
            0.0,
            0.2,
            Ends::Closed,
        )?;
        within(
            "marrow.maturation_hours",
            m.maturation_hours,
            1.0,
            200.0,
            Ends::Closed,
        )?;
        within(
            "marrow.enucleation_volume_fraction",
            m.enucleation_volume_fraction,
            0.0,
            1.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.marrow_reticulocyte_hours",
            m.marrow_reticulocyte_hours,
            0.0,
            120.0,
            Ends::Closed,
        )?;
        within(
            "marrow.receptors_early",
            m.receptors_early,
            0.0,
            1e7,
            Ends::Closed,
        )?;
        within(
            "marrow.receptors_peak",
            m.receptors_peak,
            0.0,
            1e7,
            Ends::Closed,
        )?;
        within(
            "marrow.receptor_ramp_hours",
            m.receptor_ramp_hours,
            1.0,
            500.0,
            Ends::Closed,
        )?;
        within(
            "marrow.receptors_reticulocyte",
            m.receptors_reticulocyte,
            0.0,
            1e7,
            Ends::Closed,
        )?;
        within(
            "marrow.fe_atoms_per_receptor_hour",
            m.fe_atoms_per_receptor_hour,
            0.0,
            1000.0,
            Ends::Closed,
        )?;
        within(
            "marrow.tsat_half_uptake",
            m.tsat_half_uptake,
            0.0,
            10.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.globin_margin",
            m.globin_margin,
            0.0,
            10.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.alpha_globin_factor",
            m.alpha_globin_factor,
            0.0,
            2.0,
            Ends::Closed,
        )?;
        within(
            "marrow.beta_globin_factor",
            m.beta_globin_factor,
            0.0,
            2.0,
            Ends::Closed,
        )?;
        within(
            "marrow.porphyrin_margin",
            m.porphyrin_margin,
            0.0,
            10.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.ferrochelatase_margin",
            m.ferrochelatase_margin,
            0.0,
            10.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.membrane_reference_volume_fl",
            m.membrane_reference_volume_fl,
            0.0,
            1e4,
            Ends::OpenLow,
        )?;
        within(
            "marrow.baseline_zpp_umol_per_mol",
            m.baseline_zpp_umol_per_mol,
            0.0,
            1e6,
            Ends::Closed,
        )?;
        within(
            "marrow.zinc_insertion_fraction",
            m.zinc_insertion_fraction,
            0.0,
            1.0,
            Ends::Closed,
        )?;
        within(
            "marrow.lead_alad_ic50_ug_dl",
            m.lead_alad_ic50_ug_dl,
            0.0,
            1000.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.lead_ferrochelatase_ic50_ug_dl",
            m.lead_ferrochelatase_ic50_ug_dl,
            0.0,
            1000.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.free_globin_half_life_hours",
            m.free_globin_half_life_hours,
            0.0,
            1000.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.apoglobin_relative_toxicity",
            m.apoglobin_relative_toxicity,
            0.0,
            1.0,
            Ends::Closed,
        )?;
        within(
            "marrow.apoglobin_half_life_hours",
            m.apoglobin_half_life_hours,
            0.0,
            1e4,
            Ends::OpenLow,
        )?;
        within(
            "marrow.free_globin_toxic_g_dl",
            m.free_globin_toxic_g_dl,
            0.0,
            100.0,
            Ends::Closed,
        )?;
        within(
            "marrow.free_globin_apoptosis_per_hour",
            m.free_globin_apoptosis_per_hour,
            0.0,
            10.0,
            Ends::Closed,
        )?;
        within(
            "marrow.starvation_supply_threshold",
            m.starvation_supply_threshold,
            0.0,
            1.0,
            Ends::Closed,
        )?;
        within(
            "marrow.starvation_apoptosis_per_hour",
            m.starvation_apoptosis_per_hour,
            0.0,
            10.0,
            Ends::Closed,
        )?;
        within(
            "marrow.entry_max_per_day",
            m.entry_max_per_day,
            0.0,
            1e14,
            Ends::Closed,
        )?;
        within(
            "marrow.epo_half_entry_mu_ml",
            m.epo_half_entry_mu_ml,
            0.0,
            1e5,
            Ends::OpenLow,
        )?;
        within(
            "marrow.tsat_half_progenitor",
            m.tsat_half_progenitor,
            0.0,
            1.0,
            Ends::OpenLow,
        )?;
        within(
            "marrow.ring_sideroblast_iron_fg",
            m.ring_sideroblast_iron_fg,
            0.0,
            1e6,
            Ends::OpenLow,
        )?;
        let c = &self.circulation;
        within(
            "circulation.reticulocyte_blood_hours",
            c.reticulocyte_blood_hours,
            0.0,
            120.0,
            Ends::Closed,
        )?;
        within(
            "circulation.reticulocyte_volume_loss",
            c.reticulocyte_volume_loss,
            0.0,
            0.9,
            Ends::Closed,
        )?;
        within(
            "circulation.mature_volume_loss",
            c.mature_volume_loss,
            0.0,
            0.9,
            Ends::Closed,
        )?;
        within(
            "circulation.mature_hb_loss",
            c.mature_hb_loss,
            0.0,
            0.9,
            Ends::Closed,
        )?;
        within(
            "circulation.lifespan_days",
            c.lifespan_days,
            1.0,
            1000.0,
            Ends::Closed,
        )?;
        within(
            "circulation.lifespan_weibull_shape",
            c.lifespan_weibull_shape,
            1.0,
            100.0,
            Ends::Closed,
        )?;
        // Agents are identified by lineage and position in the division tree;
        // the tree index must fit in 16 bits.
        let most = m.division_cap.max(m.fixed_budget_divisions);
        within("marrow.division_cap", most, 1.0, 14.0, Ends::Closed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn out_of_range_names_field_value_and_range() {
        let mut c = Config::default();
        c.marrow.critical_hb_g_dl = 120.0;
        let e = c.validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "marrow.critical_hb_g_dl = 120 is out of range: expected (0, 100]"
        );
        let mut c = Config::default();
        c.plasma.tsat = Schedule::Constant(-0.1);
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("plasma.tsat"));
    }

    #[test]
    fn nan_is_refused() {
        let mut c = Config::default();
        c.scale.blood_volume_l = f64::NAN;
        assert!(c.validate().is_err());
    }
}
