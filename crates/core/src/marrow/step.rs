//! The marrow's parameters, validated and turned once per run into what the
//! kernel multiplies by ([`MarrowParams`]), and the few factors that follow
//! the plasma, made each step ([`MarrowStep`]).

use crate::config::{DivisionRule, MarrowConfig};
use crate::plasma::PlasmaState;
use crate::rng::{self, Purpose};
use crate::units::FE_FG_PER_ATOM;

/// Transferrin saturation of the healthy reference: capacities are stated
/// relative to a cell's iron uptake at this saturation (healthy man, Israel 2022).
pub const REFERENCE_TSAT: f64 = 0.30;

/// The smaller of two non-NaN values: a single `minss`, where `f32::min`
/// adds NaN handling the model never needs (no state is ever NaN).
#[inline(always)]
pub(crate) fn min(a: f32, b: f32) -> f32 {
    if a < b {
        a
    } else {
        b
    }
}

/// The larger of two non-NaN values (see [`min`]).
#[inline(always)]
pub(crate) fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// The marrow's constants for a whole run, from a validated
/// [`MarrowConfig`] and the run's seed, time step and scale. Built only by
/// [`crate::params::Params`]'s conversion (and tests), so every value has
/// passed its range check. Copy: a [`MarrowStep`] carries it by value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarrowParams {
    pub(crate) seed: u64,
    pub(crate) dt_h: f32,
    pub(crate) rule: DivisionRule,
    pub(crate) critical_fraction: f32,
    pub(crate) fixed_budget: u8,
    pub(crate) division_cap: u8,
    pub(crate) clock_h: f32,
    pub(crate) ineffective_probability: f64,
    pub(crate) asymmetry_sd: f64,
    pub(crate) cycle_h: f64,
    pub(crate) cycle_cv: f64,
    pub(crate) growth_per_step: f32,
    /// Share of a cycling cell's growth that is globin (the fixed-budget
    /// rule scales it by the hemoglobin made).
    pub(crate) growth_hemoglobin_share: f32,
    pub(crate) maturation_h: f32,
    pub(crate) inverse_maturation_h: f32,
    pub(crate) enucleation_fraction: f32,
    pub(crate) marrow_retic_h: f32,
    pub(crate) remodel_per_step: f32,
    pub(crate) receptors_early: f32,
    pub(crate) receptors_peak: f32,
    pub(crate) inverse_receptor_ramp_h: f32,
    pub(crate) receptors_retic: f32,
    pub(crate) inverse_reference_volume: f32,
    /// Membrane kept through enucleation: the volume fraction^(2/3).
    pub(crate) enucleation_membrane: f32,
    /// Membrane kept over one step of reticulocyte remodelling.
    pub(crate) remodel_membrane_per_step: f32,
    /// fg Fe per receptor per step from fully saturated transferrin (f64:
    /// the saturation factor multiplies it before the cast, each step).
    pub(crate) per_receptor: f64,
    pub(crate) tsat_half_uptake: f64,
    /// fg Fe per receptor per step at the reference saturation.
    pub(crate) reference_per_receptor: f32,
    pub(crate) alpha_margin: f32,
    pub(crate) beta_margin: f32,
    /// Before lead inhibition (which follows the plasma).
    pub(crate) porphyrin_margin: f64,
    pub(crate) lead_alad_ic50_ug_dl: f64,
    /// Before lead inhibition (which follows the plasma).
    pub(crate) ferrochelatase_margin: f64,
    pub(crate) lead_ferrochelatase_ic50_ug_dl: f64,
    pub(crate) hri_enabled: bool,
    pub(crate) zinc_fraction: f32,
    pub(crate) baseline_zpp: f32,
    pub(crate) free_globin_decay: f32,
    pub(crate) toxic_fraction: f32,
    pub(crate) toxic_hazard: f32,
    pub(crate) starvation_threshold: f32,
    pub(crate) starvation_hazard: f32,
    pub(crate) sample_fraction: f64,
    // Entry of proerythroblasts.
    pub(crate) entry_max_per_h: f64,
    pub(crate) epo_half_entry_mu_ml: f64,
    pub(crate) tsat_half_progenitor: f64,
    pub(crate) progenitor_hill: f64,
    /// Share of the progenitors' remembered saturation kept over one step.
    pub(crate) progenitor_keep: f64,
    pub(crate) proerythroblast_volume_fl: f64,
    pub(crate) proerythroblast_volume_cv: f64,
    pub(crate) ring_sideroblast_iron_fg: f32,
    pub(crate) beta_excess_toxicity: f32,
    pub(crate) inflammation_entry_suppression: f64,
    pub(crate) alas_feedback: f64,
    /// Half-width of the uniform lineage receptor factor (cv * sqrt 3).
    pub(crate) lineage_receptor_spread: f32,
    pub(crate) lead_zinc_ki: f64,
    pub(crate) retic_shift_max_h: f64,
    pub(crate) retic_shift_epo_half: f64,
}

/// EPO of a healthy adult, mU/mL (normal 4-26): the level above which the
/// marrow releases reticulocytes early.
pub const NORMAL_EPO_MU_ML: f64 = 10.0;

impl MarrowParams {
    /// The constants of a run from a checked `m`: `seed` keys every stream,
    /// `dt_h` is the step in hours, `remodel_per_h` the hourly volume factor
    /// of reticulocyte remodelling (shared with circulating reticulocytes),
    /// `sample_fraction` the share of releases the circulation follows.
    pub(crate) fn new(
        m: &MarrowConfig,
        seed: u64,
        dt_h: f64,
        remodel_per_h: f64,
        sample_fraction: f64,
    ) -> Self {
        let per_receptor = m.fe_atoms_per_receptor_hour * FE_FG_PER_ATOM * dt_h;
        let half_life = m.free_globin_half_life_hours;
        let params = Self {
            seed,
            dt_h: dt_h as f32,
            rule: m.division_rule,
            critical_fraction: (m.critical_hb_g_dl / 100.0) as f32,
            fixed_budget: m.fixed_budget_divisions,
            division_cap: m.division_cap,
            clock_h: m.maturation_clock_hours as f32,
            ineffective_probability: m.ineffective_probability,
            asymmetry_sd: m.division_asymmetry_sd,
            cycle_h: m.cycle_hours,
            cycle_cv: m.cycle_cv,
            // Growth follows protein synthesis: a cell whose globin genes
            // make less (thalassemia trait) grows less, for the share of
            // growth that is globin.
            growth_per_step: m.growth_per_cycle.powf(
                dt_h / m.cycle_hours
                    * (1.0 - m.growth_hemoglobin_share
                        + m.growth_hemoglobin_share
                            * 0.5
                            * (m.alpha_globin_factor.min(1.0) + m.beta_globin_factor.min(1.0))),
            ) as f32,
            growth_hemoglobin_share: m.growth_hemoglobin_share as f32,
            maturation_h: m.maturation_hours as f32,
            inverse_maturation_h: (1.0 / m.maturation_hours) as f32,
            enucleation_fraction: m.enucleation_volume_fraction as f32,
            marrow_retic_h: m.marrow_reticulocyte_hours as f32,
            remodel_per_step: remodel_per_h.powf(dt_h) as f32,
            receptors_early: m.receptors_early as f32,
            receptors_peak: m.receptors_peak as f32,
            inverse_receptor_ramp_h: (1.0 / m.receptor_ramp_hours) as f32,
            receptors_retic: m.receptors_reticulocyte as f32,
            inverse_reference_volume: (1.0 / m.membrane_reference_volume_fl) as f32,
            // Area scales as volume^(2/3) (a sphere's, and any shape's kept).
            enucleation_membrane: m.enucleation_volume_fraction.powf(2.0 / 3.0) as f32,
            remodel_membrane_per_step: remodel_per_h.powf(dt_h * 2.0 / 3.0) as f32,
            per_receptor,
            tsat_half_uptake: m.tsat_half_uptake,
            reference_per_receptor: 0.0,
            alpha_margin: (m.globin_margin * m.alpha_globin_factor) as f32,
            beta_margin: (m.globin_margin * m.beta_globin_factor) as f32,
            porphyrin_margin: m.porphyrin_margin,
            lead_alad_ic50_ug_dl: m.lead_alad_ic50_ug_dl,
            ferrochelatase_margin: m.ferrochelatase_margin,
            lead_ferrochelatase_ic50_ug_dl: m.lead_ferrochelatase_ic50_ug_dl,
            hri_enabled: m.hri_enabled,
            zinc_fraction: m.zinc_insertion_fraction as f32,
            baseline_zpp: (m.baseline_zpp_umol_per_mol * 1e-6) as f32,
            // Without HRI the unpaired chains are heme-less globin that
            // aggregates into inclusions, cleared far more slowly.
            free_globin_decay: (0.5f64).powf(
                dt_h / if m.hri_enabled {
                    half_life
                } else {
                    m.apoglobin_half_life_hours
                },
            ) as f32,
            toxic_fraction: (m.free_globin_toxic_g_dl / 100.0) as f32,
            // Aggregated heme-less globin (no HRI) is sequestered in
            // inclusions and kills less than soluble free alpha chains.
            toxic_hazard: (m.free_globin_apoptosis_per_hour
                * 100.0
                * dt_h
                * if m.hri_enabled {
                    1.0
                } else {
                    m.apoglobin_relative_toxicity
                }) as f32,
            starvation_threshold: m.starvation_supply_threshold as f32,
            starvation_hazard: (m.starvation_apoptosis_per_hour * dt_h) as f32,
            sample_fraction,
            entry_max_per_h: m.entry_max_per_day / 24.0,
            epo_half_entry_mu_ml: m.epo_half_entry_mu_ml,
            tsat_half_progenitor: m.tsat_half_progenitor,
            progenitor_hill: m.progenitor_hill,
            // The step as the kernel counts it (f32), as entry always has.
            progenitor_keep: (-((dt_h as f32) as f64) / m.progenitor_iron_memory_hours).exp(),
            proerythroblast_volume_fl: m.proerythroblast_volume_fl,
            proerythroblast_volume_cv: m.proerythroblast_volume_cv,
            ring_sideroblast_iron_fg: m.ring_sideroblast_iron_fg as f32,
            beta_excess_toxicity: m.beta_excess_relative_toxicity as f32,
            inflammation_entry_suppression: m.inflammation_entry_suppression,
            alas_feedback: m.alas_feedback,
            lineage_receptor_spread: (m.lineage_receptor_cv * 3f64.sqrt()) as f32,
            lead_zinc_ki: m.lead_zinc_ki_ug_dl,
            retic_shift_max_h: m
                .reticulocyte_shift_max_hours
                .min(m.marrow_reticulocyte_hours),
            retic_shift_epo_half: m.reticulocyte_shift_epo_half_mu_ml,
        };
        Self {
            reference_per_receptor: params.uptake_per_receptor(REFERENCE_TSAT),
            ..params
        }
    }

    /// Run seed (keys every random stream).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Time step, hours, as the kernel counts it.
    pub fn dt_h(&self) -> f32 {
        self.dt_h
    }

    /// Zinc protoporphyrin per heme of iron-replete erythropoiesis, mol/mol
    /// (ferrochelatase's background zinc use): the ZPP of a healthy donor's cells.
    pub fn baseline_zpp_per_heme(&self) -> f32 {
        self.baseline_zpp
    }

    /// Mitochondrial iron above which an erythroblast counts as a ring
    /// sideroblast, fg Fe.
    pub fn ring_sideroblast_iron_fg(&self) -> f32 {
        self.ring_sideroblast_iron_fg
    }

    /// The receptor-uptake factor of the lineage of cell `id`: uniform with
    /// mean 1 and the configured coefficient of variation, from a hash of
    /// the seed and the lineage, taken once at entry (and by tiling).
    #[inline]
    pub(super) fn lineage_receptor_factor(&self, id: u64) -> f32 {
        let lineage = id >> super::cells::LINEAGE_SHIFT;
        let h = rng::mix64(self.seed ^ rng::mix64(lineage ^ 0x5EC7_0C71));
        let u = (h >> 40) as f32 * (1.0 / (1u64 << 24) as f32);
        1.0 + self.lineage_receptor_spread * (2.0 * u - 1.0)
    }

    /// fg Fe per receptor per step at saturation `tsat` (Michaelis-Menten in
    /// saturation).
    fn uptake_per_receptor(&self, tsat: f64) -> f32 {
        (self.per_receptor * (tsat / (tsat + self.tsat_half_uptake))) as f32
    }
}

/// Everything a step needs besides the agents: the run's constants and the
/// factors that follow the plasma this step (receptor uptake at the current
/// saturation, heme enzymes under the current lead).
#[derive(Clone, Debug)]
pub struct MarrowStep {
    /// Step number (keys per-step hazards).
    pub step: u64,
    pub(super) p: MarrowParams,
    /// fg Fe per receptor per step at the current saturation.
    pub(super) uptake_per_receptor: f32,
    /// Protoporphyrin capacity under the current lead (ALAD).
    pub(super) porphyrin_margin: f32,
    /// Ferrochelatase capacity under the current lead.
    pub(super) ferrochelatase_margin: f32,
    /// Hours reticulocytes leave the marrow early at the current EPO.
    pub(super) retic_shift_h: f32,
    /// ZPP made alongside each heme under the current lead.
    pub(super) baseline_zpp: f32,
}

impl MarrowStep {
    /// Step `step` of a run with parameters `p`, at the plasma state `plasma`.
    pub fn new(p: &MarrowParams, plasma: &PlasmaState, step: u64) -> Self {
        let alad = 1.0 / (1.0 + plasma.lead_ug_dl / p.lead_alad_ic50_ug_dl);
        let fech = 1.0 / (1.0 + plasma.lead_ug_dl / p.lead_ferrochelatase_ic50_ug_dl);
        // ALA piles up behind the blocked ALAD and drives it harder: the
        // porphyrin flux keeps alad^(1 - feedback) of its capacity.
        let porphyrin = alad.powf(1.0 - p.alas_feedback);
        let excess_epo = (plasma.epo_mu_ml - NORMAL_EPO_MU_ML).max(0.0);
        let shift = p.retic_shift_max_h * excess_epo / (excess_epo + p.retic_shift_epo_half);
        Self {
            step,
            p: *p,
            uptake_per_receptor: p.uptake_per_receptor(plasma.tsat),
            porphyrin_margin: (p.porphyrin_margin * porphyrin) as f32,
            ferrochelatase_margin: (p.ferrochelatase_margin * fech) as f32,
            retic_shift_h: shift as f32,
            baseline_zpp: (p.baseline_zpp as f64 * (1.0 + plasma.lead_ug_dl / p.lead_zinc_ki))
                as f32,
        }
    }

    /// Run seed.
    pub fn seed(&self) -> u64 {
        self.p.seed
    }

    /// Hours reticulocytes leave the marrow early at this step's EPO (and
    /// stay reticulocytes longer in blood).
    pub fn reticulocyte_shift_h(&self) -> f32 {
        self.retic_shift_h
    }

    /// Hours a reticulocyte spends in the marrow at this step's EPO.
    pub(super) fn marrow_retic_h(&self) -> f32 {
        self.p.marrow_retic_h - self.retic_shift_h
    }

    /// The run's constants.
    pub fn params(&self) -> &MarrowParams {
        &self.p
    }

    /// A reticulocyte's iron uptake and globin-pairing capacity per step, fg
    /// Fe: what circulating reticulocytes use to finish their hemoglobin.
    pub fn reticulocyte_capacity_fe_fg(&self) -> (f32, f32) {
        let r = self.p.receptors_retic;
        (
            r * self.uptake_per_receptor,
            r * self.p.reference_per_receptor * self.p.alpha_margin.min(self.p.beta_margin),
        )
    }

    /// A cycle length drawn for the cell `id` (lognormal around the mean).
    pub(super) fn cycle_length(&self, id: u64) -> f32 {
        let z = rng::normal(self.p.seed, id, Purpose::CycleLength, 0);
        let cv = self.p.cycle_cv;
        (self.p.cycle_h * (cv * z - 0.5 * cv * cv).exp()) as f32
    }

    /// The cycle length of standard normal draw `z` (as [`Self::cycle_length`]
    /// in `f32`, for the draws at division).
    pub(super) fn lognormal_cycle(&self, z: f32) -> f32 {
        let cv = self.p.cycle_cv as f32;
        self.p.cycle_h as f32 * (cv * z - 0.5 * cv * cv).exp()
    }

    /// Transferrin receptors of a cell by stage and differentiation clock
    /// (Iacopetta 1982: about 300,000 early, 800,000 intermediate, 105,000 in
    /// reticulocytes); maturing cells decline linearly to the reticulocyte
    /// level. Written as selects, not branches, so the kernel's loop over
    /// mixed stages vectorises; `age_h` and `phase_h` are mid-step values.
    #[inline(always)]
    pub(super) fn receptors(&self, stage: u8, age_h: f32, phase_h: f32) -> f32 {
        let p = &self.p;
        let program = |t: f32| {
            p.receptors_early
                + (p.receptors_peak - p.receptors_early) * min(t * p.inverse_receptor_ramp_h, 1.0)
        };
        // A cycling cell reads the program at its age, a maturing one at
        // the decision it took `phase_h` ago, then declines from there.
        // Stages as `cells::Stage` numbers them (this file sits below it).
        let cycling = stage == 0;
        let at = program(if cycling { age_h } else { age_h - phase_h });
        // Maturation lasts `maturation_h` for every cell.
        let maturing = at + (p.receptors_retic - at) * min(phase_h * p.inverse_maturation_h, 1.0);
        if cycling {
            at
        } else if stage == 1 {
            maturing
        } else {
            p.receptors_retic
        }
    }
}
