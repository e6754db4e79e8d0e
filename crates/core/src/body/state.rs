//! The body's state apart from its constants, as a checkpoint saves it:
//! [`BodyState`] lists every field of [`Body`] but its parameters, and the
//! destructuring on both sides makes a field added to the body without a
//! place here a compile error.

use super::{Body, BodyParams};
use crate::events::InForce;

/// Everything a [`Body`] holds besides its constants: what a checkpoint
/// saves and [`Body::from_state`] restores. Listed field by field in
/// [`Body::state_parts`], so a field added to the body without a place here does
/// not compile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BodyState {
    /// See [`Body::plasma_fe_mg`].
    pub plasma_fe_mg: f64,
    /// See [`Body::storage_fe_mg`].
    pub storage_fe_mg: f64,
    /// See [`Body::macrophage_fe_mg`].
    pub macrophage_fe_mg: f64,
    /// See [`Body::red_cell_fe_mg`].
    pub red_cell_fe_mg: f64,
    /// See [`Body::hepcidin_nm`].
    pub hepcidin_nm: f64,
    /// See [`Body::epo_mu_ml`].
    pub epo_mu_ml: f64,
    /// See [`Body::absorbed_mg`].
    pub absorbed_mg: f64,
    /// See [`Body::lost_mg`].
    pub lost_mg: f64,
    /// See [`Body::given_mg`].
    pub given_mg: f64,
    /// See [`Body::il6_pg_ml`].
    pub il6_pg_ml: f64,
    /// The events in force in the coming step.
    pub next: InForce,
    /// Blood lead from the schedule in the coming step, ug/dL.
    pub lead_ug_dl: f64,
    /// See [`Body::intravenous_fe_mg`].
    pub intravenous_fe_mg: f64,
    /// See [`Body::transferrin_ug_dl`].
    pub transferrin_ug_dl: f64,
    /// See [`Body::iron_signal`].
    pub iron_signal: f64,
    /// See [`Body::acute_ferritin_rise`].
    pub acute_ferritin_rise: f64,
    /// See [`Body::ferroportin`].
    pub ferroportin: f64,
    /// See [`Body::gut_oral_fe_mg`].
    pub gut_oral_fe_mg: f64,
    /// Share of stores released per hour at normal ferroportin.
    pub store_release_per_hour: f64,
}

impl Body {
    /// The body's state (everything but its constants).
    pub fn state_parts(&self) -> BodyState {
        let Body {
            p: _,
            plasma_fe_mg,
            storage_fe_mg,
            macrophage_fe_mg,
            red_cell_fe_mg,
            hepcidin_nm,
            epo_mu_ml,
            absorbed_mg,
            lost_mg,
            given_mg,
            il6_pg_ml,
            next,
            lead_ug_dl,
            intravenous_fe_mg,
            transferrin_ug_dl,
            iron_signal,
            acute_ferritin_rise,
            ferroportin,
            gut_oral_fe_mg,
            store_release_per_hour,
        } = *self;
        BodyState {
            plasma_fe_mg,
            storage_fe_mg,
            macrophage_fe_mg,
            red_cell_fe_mg,
            hepcidin_nm,
            epo_mu_ml,
            absorbed_mg,
            lost_mg,
            given_mg,
            il6_pg_ml,
            next,
            lead_ug_dl,
            intravenous_fe_mg,
            transferrin_ug_dl,
            iron_signal,
            acute_ferritin_rise,
            ferroportin,
            gut_oral_fe_mg,
            store_release_per_hour,
        }
    }

    /// The body with constants `params` in state `s` (as
    /// [`Body::state_parts`] gave it): a restored checkpoint.
    pub fn from_state(params: BodyParams, s: BodyState) -> Self {
        let BodyState {
            plasma_fe_mg,
            storage_fe_mg,
            macrophage_fe_mg,
            red_cell_fe_mg,
            hepcidin_nm,
            epo_mu_ml,
            absorbed_mg,
            lost_mg,
            given_mg,
            il6_pg_ml,
            next,
            lead_ug_dl,
            intravenous_fe_mg,
            transferrin_ug_dl,
            iron_signal,
            acute_ferritin_rise,
            ferroportin,
            gut_oral_fe_mg,
            store_release_per_hour,
        } = s;
        Self {
            p: params,
            plasma_fe_mg,
            storage_fe_mg,
            macrophage_fe_mg,
            red_cell_fe_mg,
            hepcidin_nm,
            epo_mu_ml,
            absorbed_mg,
            lost_mg,
            given_mg,
            il6_pg_ml,
            next,
            lead_ug_dl,
            intravenous_fe_mg,
            transferrin_ug_dl,
            iron_signal,
            acute_ferritin_rise,
            ferroportin,
            gut_oral_fe_mg,
            store_release_per_hour,
        }
    }
}
