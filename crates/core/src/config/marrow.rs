//! Erythroblast parameters: every default with its unit, range and source.

use serde::{Deserialize, Serialize};

use super::range::{check_all, Ends};
use crate::error::Error;

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
    /// Ferrochelatase capacity relative to healthy iron uptake. Default 2.5
    /// (assumption: the enzyme is in excess, so lead at 60 ug/dL still lets
    /// heme synthesis run near normal while ZPP rises, the normocytic to
    /// mildly microcytic anemia of lead poisoning); range (0, 10].
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
    /// Blood lead halving ferrochelatase activity, ug/dL. Default 60
    /// (assumption: ferrochelatase activity in lead workers halves at
    /// 50-70 ug/dL); range (0, 1000].
    pub lead_ferrochelatase_ic50_ug_dl: f64,
    /// Blood lead doubling zinc's share of ferrochelatase insertions, ug/dL.
    /// Default 12: lead impairs iron's delivery to ferrochelatase more than
    /// zinc's, so ZPP per heme rises from about 25-30 ug/dL of lead and is
    /// several-fold normal at 60-80, before heme synthesis falls much
    /// (Lamola and Yamane, Science 1974; ZPP screening of lead workers);
    /// range (0, 1000].
    pub lead_zinc_ki_ug_dl: f64,
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
    /// is starved. Default 0.95: healthy cells run at 1 and are never
    /// starved; starvation begins at a transferrin saturation of about 15%,
    /// the level below which the supply cannot sustain normal erythropoiesis
    /// (Bainton and Finch 1964: 16%). Dying starved cells return their iron
    /// to macrophages, so survivors are better supplied: this keeps the
    /// red-cell count low in iron deficiency (iron-restricted
    /// erythropoiesis); range [0, 1].
    pub starvation_supply_threshold: f64,
    /// Apoptosis hazard per hour of a fully starved cell (scaled linearly
    /// from the threshold to zero supply). Default 0.02 (assumption); range [0, 10].
    pub starvation_apoptosis_per_hour: f64,
    /// Proerythroblast entry at saturating EPO and transferrin saturation,
    /// real cells per day. Default 8.3e10: with EPO 10 mU/mL and saturation
    /// 30% it gives about 1.3e10/day, hence 2.1e11 red cells/day after four
    /// divisions (prior 2-2.5e11/day) and a healthy RBC near 5.0; range [0, 1e14].
    pub entry_max_per_day: f64,
    /// EPO at half-maximal entry, mU/mL. Default 40: entry can rise about
    /// 5-fold above normal under stress (prior "5-10x"); range (0, 1e5].
    pub epo_half_entry_mu_ml: f64,
    /// Transferrin saturation at which progenitor expansion is half-maximal
    /// (iron-restricted erythropoiesis). Default 0.16: the saturation below
    /// which iron supply limits erythropoiesis (Bainton and Finch 1964).
    /// Iron-starved progenitors do not answer EPO (Bullock et al., Blood
    /// 2010), so EPO's rise in iron deficiency adds few lineages; range (0, 1].
    pub tsat_half_progenitor: f64,
    /// Hill exponent of that restriction. Default 2: steep enough that the
    /// saturations of iron deficiency (< 15%) hold expansion back, shallow
    /// enough (loop gain below one) that marrow demand and plasma iron settle
    /// instead of oscillating, as they do at 3-4 once stores are empty
    /// (checked against the body runs of `configs/conditions/`); range [1, 8].
    pub progenitor_hill: f64,
    /// Time over which progenitors integrate transferrin saturation, hours:
    /// entry follows saturation averaged (exponentially) over this window,
    /// not the hour's value. Default 168: the week a BFU-E/CFU-E spends
    /// maturing to a proerythroblast (Dessypris and Sawyer, in Wintrobe's
    /// Clinical Hematology); without it marrow demand and plasma iron chase
    /// each other in a 10-day boom-and-bust cycle no patient shows; range (0, 1e4].
    pub progenitor_iron_memory_hours: f64,
    /// Mitochondrial iron above which an erythroblast counts as a ring
    /// sideroblast, fg Fe. Default 20 (assumption: several times the iron of
    /// a healthy hour's uptake); range (0, 1e6].
    pub ring_sideroblast_iron_fg: f64,
    /// Share of a cycling erythroblast's growth that follows the output of
    /// its globin genes. Default 0.75: globin is most of what an
    /// erythroblast makes, so a cell whose genes make less (thalassemia
    /// trait) also grows less, and size per division is not fixed; the rest
    /// (membrane, nucleus) grows regardless (assumption). Under the
    /// critical rule iron shortage does not slow growth: HRI throttles
    /// globin to the heme, but the cell keeps growing and divides again.
    /// Under the fixed-budget rule this share follows the hemoglobin the
    /// cell makes each hour, so iron shortage makes cells small within
    /// their fixed divisions (the hypothesis's own account of microcytosis:
    /// HRI's eIF2-alpha phosphorylation slows translation as a whole); range
    /// [0, 1].
    pub growth_hemoglobin_share: f64,
    /// Spread of transferrin-receptor iron uptake between lineages
    /// (coefficient of variation). Default 0.1: erythroblasts of one stage
    /// differ in CD71 density (assumption, a modest spread). It matters only
    /// when iron, not globin, limits synthesis: then lineages with fewer
    /// receptors make smaller, paler cells and RDW widens, as in iron
    /// deficiency (RDW rises before MCV falls), while thalassemia trait keeps
    /// a narrower distribution; range [0, 0.5].
    pub lineage_receptor_cv: f64,
    /// Toxicity of unpaired beta chains relative to unpaired alpha chains.
    /// Default 0.1: excess beta chains (alpha-thalassemia) form soluble
    /// beta-4 tetramers (HbH) that precipitate only slowly, whereas free
    /// alpha chains (beta-thalassemia) precipitate at once and kill
    /// erythroblasts (Rund and Rachmilewitz, NEJM 2005); range [0, 1].
    pub beta_excess_relative_toxicity: f64,
    /// Fall of proerythroblast entry at full inflammatory drive, fraction.
    /// Default 0.4: IL-6, TNF and interferon-gamma suppress CFU-E expansion
    /// (Means and Krantz, Blood 1992), part of the anemia of chronic disease
    /// beside trapped iron; range [0, 1].
    pub inflammation_entry_suppression: f64,
    /// How far ALA synthase feedback defends heme synthesis under lead's ALAD
    /// block, in [0, 1]. Default 0.5: ALA accumulates (urinary ALA rises in
    /// lead poisoning) and drives the inhibited enzyme, so the porphyrin
    /// flux falls only as the square root of ALAD activity (assumption);
    /// range [0, 1].
    pub alas_feedback: f64,
    /// Hours by which reticulocytes leave the marrow early at high EPO
    /// (shift reticulocytes), at most. Default 24: at a hematocrit of 25-30%
    /// reticulocytes spend about 2 days in blood instead of 1 (Hillman and
    /// Finch 1969), the time they lose in the marrow; range [0, 1000].
    pub reticulocyte_shift_max_hours: f64,
    /// EPO above normal giving half the maximal shift, mU/mL. Default 40
    /// (the shift is marked in anemia with EPO near 50-100); range (0, 1e5].
    pub reticulocyte_shift_epo_half_mu_ml: f64,
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
            ferrochelatase_margin: 2.5,
            zinc_insertion_fraction: 4e-4,
            baseline_zpp_umol_per_mol: 30.0,
            lead_alad_ic50_ug_dl: 150.0,
            lead_ferrochelatase_ic50_ug_dl: 60.0,
            lead_zinc_ki_ug_dl: 12.0,
            free_globin_half_life_hours: 3.0,
            apoglobin_half_life_hours: 48.0,
            apoglobin_relative_toxicity: 0.05,
            free_globin_toxic_g_dl: 0.1,
            free_globin_apoptosis_per_hour: 0.016,
            starvation_supply_threshold: 0.95,
            starvation_apoptosis_per_hour: 0.02,
            entry_max_per_day: 8.30e10,
            epo_half_entry_mu_ml: 40.0,
            tsat_half_progenitor: 0.16,
            progenitor_hill: 2.0,
            progenitor_iron_memory_hours: 168.0,
            ring_sideroblast_iron_fg: 20.0,
            growth_hemoglobin_share: 0.75,
            lineage_receptor_cv: 0.1,
            beta_excess_relative_toxicity: 0.1,
            inflammation_entry_suppression: 0.4,
            alas_feedback: 0.5,
            reticulocyte_shift_max_hours: 24.0,
            reticulocyte_shift_epo_half_mu_ml: 40.0,
        }
    }
}

impl MarrowConfig {
    /// Checks every value against its valid range.
    pub(crate) fn check(&self) -> Result<(), Error> {
        use Ends::{Closed, OpenHigh, OpenLow};
        let m = self;
        check_all([
            (
                "marrow.growth_hemoglobin_share",
                m.growth_hemoglobin_share,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.beta_excess_relative_toxicity",
                m.beta_excess_relative_toxicity,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.inflammation_entry_suppression",
                m.inflammation_entry_suppression,
                0.0,
                1.0,
                Closed,
            ),
            ("marrow.alas_feedback", m.alas_feedback, 0.0, 1.0, Closed),
            (
                "marrow.lineage_receptor_cv",
                m.lineage_receptor_cv,
                0.0,
                0.5,
                Closed,
            ),
            (
                "marrow.lead_zinc_ki_ug_dl",
                m.lead_zinc_ki_ug_dl,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "marrow.reticulocyte_shift_max_hours",
                m.reticulocyte_shift_max_hours,
                0.0,
                1000.0,
                Closed,
            ),
            (
                "marrow.reticulocyte_shift_epo_half_mu_ml",
                m.reticulocyte_shift_epo_half_mu_ml,
                0.0,
                1e5,
                OpenLow,
            ),
        ])?;
        check_all([
            (
                "marrow.critical_hb_g_dl",
                m.critical_hb_g_dl,
                0.0,
                100.0,
                OpenLow,
            ),
            (
                "marrow.fixed_budget_divisions",
                f64::from(m.fixed_budget_divisions),
                1.0,
                12.0,
                Closed,
            ),
            (
                "marrow.division_cap",
                f64::from(m.division_cap),
                1.0,
                12.0,
                Closed,
            ),
            (
                "marrow.maturation_clock_hours",
                m.maturation_clock_hours,
                24.0,
                1000.0,
                Closed,
            ),
            (
                "marrow.ineffective_probability",
                m.ineffective_probability,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.proerythroblast_volume_fl",
                m.proerythroblast_volume_fl,
                100.0,
                5000.0,
                Closed,
            ),
            (
                "marrow.proerythroblast_volume_cv",
                m.proerythroblast_volume_cv,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.growth_per_cycle",
                m.growth_per_cycle,
                1.0,
                2.0,
                OpenHigh,
            ),
            ("marrow.cycle_hours", m.cycle_hours, 4.0, 100.0, Closed),
            ("marrow.cycle_cv", m.cycle_cv, 0.0, 1.0, Closed),
            (
                "marrow.division_asymmetry_sd",
                m.division_asymmetry_sd,
                0.0,
                0.2,
                Closed,
            ),
            (
                "marrow.maturation_hours",
                m.maturation_hours,
                1.0,
                200.0,
                Closed,
            ),
            (
                "marrow.enucleation_volume_fraction",
                m.enucleation_volume_fraction,
                0.0,
                1.0,
                OpenLow,
            ),
            (
                "marrow.marrow_reticulocyte_hours",
                m.marrow_reticulocyte_hours,
                0.0,
                120.0,
                Closed,
            ),
            (
                "marrow.receptors_early",
                m.receptors_early,
                0.0,
                1e7,
                Closed,
            ),
            ("marrow.receptors_peak", m.receptors_peak, 0.0, 1e7, Closed),
            (
                "marrow.receptor_ramp_hours",
                m.receptor_ramp_hours,
                1.0,
                500.0,
                Closed,
            ),
            (
                "marrow.receptors_reticulocyte",
                m.receptors_reticulocyte,
                0.0,
                1e7,
                Closed,
            ),
            (
                "marrow.fe_atoms_per_receptor_hour",
                m.fe_atoms_per_receptor_hour,
                0.0,
                1000.0,
                Closed,
            ),
            (
                "marrow.tsat_half_uptake",
                m.tsat_half_uptake,
                0.0,
                10.0,
                OpenLow,
            ),
            ("marrow.globin_margin", m.globin_margin, 0.0, 10.0, OpenLow),
            (
                "marrow.alpha_globin_factor",
                m.alpha_globin_factor,
                0.0,
                2.0,
                Closed,
            ),
            (
                "marrow.beta_globin_factor",
                m.beta_globin_factor,
                0.0,
                2.0,
                Closed,
            ),
            (
                "marrow.porphyrin_margin",
                m.porphyrin_margin,
                0.0,
                10.0,
                OpenLow,
            ),
            (
                "marrow.ferrochelatase_margin",
                m.ferrochelatase_margin,
                0.0,
                10.0,
                OpenLow,
            ),
            (
                "marrow.membrane_reference_volume_fl",
                m.membrane_reference_volume_fl,
                0.0,
                1e4,
                OpenLow,
            ),
            (
                "marrow.baseline_zpp_umol_per_mol",
                m.baseline_zpp_umol_per_mol,
                0.0,
                1e6,
                Closed,
            ),
            (
                "marrow.zinc_insertion_fraction",
                m.zinc_insertion_fraction,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.lead_alad_ic50_ug_dl",
                m.lead_alad_ic50_ug_dl,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "marrow.lead_ferrochelatase_ic50_ug_dl",
                m.lead_ferrochelatase_ic50_ug_dl,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "marrow.free_globin_half_life_hours",
                m.free_globin_half_life_hours,
                0.0,
                1000.0,
                OpenLow,
            ),
            (
                "marrow.apoglobin_relative_toxicity",
                m.apoglobin_relative_toxicity,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.apoglobin_half_life_hours",
                m.apoglobin_half_life_hours,
                0.0,
                1e4,
                OpenLow,
            ),
            (
                "marrow.free_globin_toxic_g_dl",
                m.free_globin_toxic_g_dl,
                0.0,
                100.0,
                Closed,
            ),
            (
                "marrow.free_globin_apoptosis_per_hour",
                m.free_globin_apoptosis_per_hour,
                0.0,
                10.0,
                Closed,
            ),
            (
                "marrow.starvation_supply_threshold",
                m.starvation_supply_threshold,
                0.0,
                1.0,
                Closed,
            ),
            (
                "marrow.starvation_apoptosis_per_hour",
                m.starvation_apoptosis_per_hour,
                0.0,
                10.0,
                Closed,
            ),
            (
                "marrow.entry_max_per_day",
                m.entry_max_per_day,
                0.0,
                1e14,
                Closed,
            ),
            (
                "marrow.epo_half_entry_mu_ml",
                m.epo_half_entry_mu_ml,
                0.0,
                1e5,
                OpenLow,
            ),
            (
                "marrow.tsat_half_progenitor",
                m.tsat_half_progenitor,
                0.0,
                1.0,
                OpenLow,
            ),
            (
                "marrow.progenitor_hill",
                m.progenitor_hill,
                1.0,
                8.0,
                Closed,
            ),
            (
                "marrow.progenitor_iron_memory_hours",
                m.progenitor_iron_memory_hours,
                0.0,
                1e4,
                OpenLow,
            ),
            (
                "marrow.ring_sideroblast_iron_fg",
                m.ring_sideroblast_iron_fg,
                0.0,
                1e6,
                OpenLow,
            ),
            // Agents are identified by lineage and position in the division
            // tree; the tree index must fit in 16 bits.
            (
                "marrow.division_cap",
                f64::from(m.division_cap.max(m.fixed_budget_divisions)),
                1.0,
                14.0,
                Closed,
            ),
        ])
    }
}
