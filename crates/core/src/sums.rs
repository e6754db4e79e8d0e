//! The per-step reduction: what all agents took from and gave to the body.
//!
//! Each fixed-size chunk of agents fills its own `StepSums`; the runner folds
//! them in chunk order, so the totals are bitwise identical at any thread
//! count. Quantities are per agent (multiply by the agent's weight for the
//! body); iron is in fg.

/// Totals over one step, in agent units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepSums {
    /// Proerythroblast agents that entered.
    pub entered: u64,
    /// Iron taken from plasma transferrin by erythroblasts, fg.
    pub marrow_uptake_fe_fg: f64,
    /// Iron put into hemoglobin in the marrow, fg.
    pub heme_fe_fg: f64,
    /// Zinc protoporphyrin made in the marrow, in fg of iron the same
    /// number of heme molecules would hold (so ZPP/heme is a molar ratio).
    pub zpp_fe_equiv_fg: f64,
    /// Reticulocytes released to blood (agents, sampled or not).
    pub released: u64,
    /// Hemoglobin iron carried into blood by released reticulocytes, fg.
    pub released_fe_fg: f64,
    /// Hemoglobin iron of the released reticulocytes that joined the
    /// circulating sample, fg (what the circulating agents gained).
    pub sampled_released_fe_fg: f64,
    /// Sum over released reticulocytes of their divisions.
    pub released_divisions: u64,
    /// Sum over released reticulocytes of their hemoglobin, pg.
    pub released_hb_pg: f64,
    /// Mitochondrial iron left behind at enucleation (to macrophages), fg.
    pub extruded_fe_fg: f64,
    /// Erythroblasts dead in the marrow (starvation, unpaired globin, or
    /// stopped by the cap or clock): ineffective erythropoiesis.
    pub died: u64,
    /// Iron of the cells that died in the marrow (to macrophages), fg.
    pub died_fe_fg: f64,
    /// Cells that matured because the cap or the clock stopped them.
    pub forced_maturations: u64,
    /// Iron taken from plasma by circulating reticulocytes, fg (circulating
    /// agent units).
    pub blood_uptake_fe_fg: f64,
    /// Circulating agents removed at senescence.
    pub senescent: u64,
    /// Hemoglobin iron of senescent cells (to macrophages), fg.
    pub senescent_fe_fg: f64,
    /// Circulating agents lost by bleeding.
    pub bled: u64,
    /// Hemoglobin iron of the cells lost by bleeding (leaves the body), fg.
    pub bled_fe_fg: f64,
    /// Hemoglobin iron of transfused red cells (circulating agent units), fg.
    pub transfused_fe_fg: f64,
    /// Hemoglobin iron shed by ageing cells (vesicles, to macrophages), fg.
    pub shed_fe_fg: f64,
}

impl StepSums {
    /// Adds another chunk's totals.
    pub fn merge(&mut self, o: &StepSums) {
        self.entered += o.entered;
        self.marrow_uptake_fe_fg += o.marrow_uptake_fe_fg;
        self.heme_fe_fg += o.heme_fe_fg;
        self.zpp_fe_equiv_fg += o.zpp_fe_equiv_fg;
        self.released += o.released;
        self.released_fe_fg += o.released_fe_fg;
        self.sampled_released_fe_fg += o.sampled_released_fe_fg;
        self.released_divisions += o.released_divisions;
        self.released_hb_pg += o.released_hb_pg;
        self.extruded_fe_fg += o.extruded_fe_fg;
        self.died += o.died;
        self.died_fe_fg += o.died_fe_fg;
        self.forced_maturations += o.forced_maturations;
        self.blood_uptake_fe_fg += o.blood_uptake_fe_fg;
        self.senescent += o.senescent;
        self.senescent_fe_fg += o.senescent_fe_fg;
        self.bled += o.bled;
        self.bled_fe_fg += o.bled_fe_fg;
        self.transfused_fe_fg += o.transfused_fe_fg;
        self.shed_fe_fg += o.shed_fe_fg;
    }
}
