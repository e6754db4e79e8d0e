//! Per-step constants of the marrow: validated parameters and the plasma
//! state turned into what the kernel multiplies by.

use crate::config::{DivisionRule, MarrowConfig};
use crate::plasma::PlasmaState;
use crate::rng::{self, Purpose};

use super::{min, FE_FG_PER_ATOM, REFERENCE_TSAT};

/// Everything a step needs besides the agents: validated parameters turned
/// into per-step constants, and the plasma state.
#[derive(Clone, Debug)]
pub struct MarrowStep {
    /// Run seed.
    pub seed: u64,
    /// Step number (keys per-step hazards).
    pub step: u64,
    pub(super) dt_h: f32,
    pub(super) rule: DivisionRule,
    pub(super) critical_fraction: f32,
    pub(super) fixed_budget: u8,
    pub(super) division_cap: u8,
    pub(super) clock_h: f32,
    pub(super) ineffective_probability: f64,
    pub(super) asymmetry_sd: f64,
    pub(super) cycle_h: f64,
    pub(super) cycle_cv: f64,
    pub(super) growth_per_step: f32,
    pub(super) maturation_h: f32,
    pub(super) enucleation_fraction: f32,
    pub(super) marrow_retic_h: f32,
    pub(super) remodel_per_step: f32,
    pub(super) receptors_early: f32,
    pub(super) receptors_peak: f32,
    pub(super) receptor_ramp_h: f32,
    pub(super) receptors_retic: f32,
    pub(super) inverse_reference_volume: f32,
    /// fg Fe per receptor per step at the current saturation.
    pub(super) uptake_per_receptor: f32,
    /// fg Fe per receptor per step at the reference saturation.
    pub(super) reference_per_receptor: f32,
    pub(super) alpha_margin: f32,
    pub(super) beta_margin: f32,
    pub(super) porphyrin_margin: f32,
    pub(super) ferrochelatase_margin: f32,
    pub(super) hri_enabled: bool,
    pub(super) zinc_fraction: f32,
    pub(super) baseline_zpp: f32,
    pub(super) free_globin_decay: f32,
    pub(super) toxic_fraction: f32,
    pub(super) toxic_hazard: f32,
    pub(super) starvation_threshold: f32,
    pub(super) starvation_hazard: f32,
    pub(super) sample_fraction: f64,
}

impl MarrowStep {
    /// Per-step constants from validated parameters and the plasma state.
    /// `reticulocyte_remodel_per_h` is the hourly volume factor of remodelling,
    /// shared with circulating reticulocytes.
    pub fn new(
        m: &MarrowConfig,
        plasma: &PlasmaState,
        seed: u64,
        step: u64,
        dt_h: f64,
        remodel_per_h: f64,
        sample_fraction: f64,
    ) -> Self {
        let per_receptor = m.fe_atoms_per_receptor_hour * FE_FG_PER_ATOM * dt_h;
        let uptake_saturation = |tsat: f64| tsat / (tsat + m.tsat_half_uptake);
        let alad = 1.0 / (1.0 + plasma.lead_ug_dl / m.lead_alad_ic50_ug_dl);
        let fech = 1.0 / (1.0 + plasma.lead_ug_dl / m.lead_ferrochelatase_ic50_ug_dl);
        let half_life = m.free_globin_half_life_hours;
        Self {
            seed,
            step,
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
            growth_per_step: m.growth_per_cycle.powf(dt_h / m.cycle_hours) as f32,
            maturation_h: m.maturation_hours as f32,
            enucleation_fraction: m.enucleation_volume_fraction as f32,
            marrow_retic_h: m.marrow_reticulocyte_hours as f32,
            remodel_per_step: remodel_per_h.powf(dt_h) as f32,
            receptors_early: m.receptors_early as f32,
            receptors_peak: m.receptors_peak as f32,
            receptor_ramp_h: m.receptor_ramp_hours as f32,
            receptors_retic: m.receptors_reticulocyte as f32,
            inverse_reference_volume: (1.0 / m.membrane_reference_volume_fl) as f32,
            uptake_per_receptor: (per_receptor * uptake_saturation(plasma.tsat)) as f32,
            reference_per_receptor: (per_receptor * uptake_saturation(REFERENCE_TSAT)) as f32,
            alpha_margin: (m.globin_margin * m.alpha_globin_factor) as f32,
            beta_margin: (m.globin_margin * m.beta_globin_factor) as f32,
            porphyrin_margin: (m.porphyrin_margin * alad) as f32,
            ferrochelatase_margin: (m.ferrochelatase_margin * fech) as f32,
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
        }
    }

    /// A reticulocyte's iron uptake and globin-pairing capacity per step, fg
    /// Fe: what circulating reticulocytes use to finish their hemoglobin.
    pub fn reticulocyte_capacity_fe_fg(&self) -> (f32, f32) {
        let r = self.receptors_retic;
        (
            r * self.uptake_per_receptor,
            r * self.reference_per_receptor * self.alpha_margin.min(self.beta_margin),
        )
    }

    /// A cycle length drawn for the cell `id` (lognormal around the mean).
    pub(super) fn cycle_length(&self, id: u64) -> f32 {
        let z = rng::normal(self.seed, id, Purpose::CycleLength, 0);
        let cv = self.cycle_cv;
        (self.cycle_h * (cv * z - 0.5 * cv * cv).exp()) as f32
    }

    /// Transferrin receptors of a cell by stage and differentiation clock
    /// (Iacopetta 1982: about 300,000 early, 800,000 intermediate, 105,000 in
    /// reticulocytes); maturing cells decline linearly to the reticulocyte level.
    #[inline]
    pub(super) fn receptors(&self, stage: u8, age_h: f32, phase_h: f32, phase_len_h: f32) -> f32 {
        let program = |t: f32| {
            self.receptors_early
                + (self.receptors_peak - self.receptors_early) * min(t / self.receptor_ramp_h, 1.0)
        };
        match stage {
            0 => program(age_h),
            1 => {
                let at_decision = program(age_h - phase_h);
                at_decision + (self.receptors_retic - at_decision) * min(phase_h / phase_len_h, 1.0)
            }
            _ => self.receptors_retic,
        }
    }
}
