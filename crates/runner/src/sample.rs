//! What the runner measures at each sampling time, in real-body units.

use erythro_analysis::Cbc;
use serde::Serialize;

/// Marrow measures over a sampling window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MarrowMeasures {
    /// Nucleated erythroblasts in the body, 1e9 cells.
    pub erythroblasts_1e9: f64,
    /// Marrow agents (nucleated and reticulocytes).
    pub marrow_agents: f64,
    /// Mean divisions from proerythroblast to each reticulocyte released in the window.
    pub mean_divisions: f64,
    /// Red cells released per day, 1e9 cells/day.
    pub production_1e9_per_day: f64,
    /// Erythroblasts dying in the marrow, % of those that leave it (dead + released).
    pub ineffective_pct: f64,
    /// Nucleated erythroblasts with mitochondrial iron above the ring-sideroblast threshold, %.
    pub ring_sideroblast_pct: f64,
    /// Zinc protoporphyrin per heme of the circulating red cells, umol/mol
    /// (as a hematofluorometer reads washed cells): each cell keeps what the
    /// marrow made in it, so ZPP lags the marrow by the cells' turnover.
    pub zpp_umol_per_mol_heme: f64,
    /// Mean hemoglobin of the reticulocytes released in the window, pg.
    pub released_hb_pg: f64,
}

/// The plasma state at the sampling time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PlasmaMeasures {
    /// Transferrin saturation, %.
    pub tsat_pct: f64,
    /// Erythropoietin, mU/mL.
    pub epo_mu_ml: f64,
    /// Blood lead, ug/dL.
    pub lead_ug_dl: f64,
    /// Iron studies from the body's iron economy (none when prescribed).
    #[serde(flatten)]
    pub body: Option<BodyMeasures>,
}

/// Iron studies, when the body's iron economy runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BodyMeasures {
    /// Serum iron, ug/dL.
    pub serum_iron_ug_dl: f64,
    /// Total iron-binding capacity, ug/dL.
    pub tibc_ug_dl: f64,
    /// Serum ferritin, ug/L.
    pub ferritin_ug_l: f64,
    /// Hepcidin, nM.
    pub hepcidin_nm: f64,
    /// Storage iron, mg.
    pub storage_fe_mg: f64,
    /// Total body iron in pools and erythroblasts, mg.
    pub body_fe_mg: f64,
}

/// One sampling time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sample {
    /// Days since the steady state.
    pub day: f64,
    /// The blood count.
    #[serde(flatten)]
    pub cbc: Cbc,
    /// Marrow measures.
    #[serde(flatten)]
    pub marrow: MarrowMeasures,
    /// Plasma.
    #[serde(flatten)]
    pub plasma: PlasmaMeasures,
}

impl Sample {
    /// Every field with its output name (unit in the name), in a fixed order:
    /// the columns of `timeseries.csv`.
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        let m = &self.marrow;
        let p = &self.plasma;
        let mut out = vec![("day", self.day)];
        out.extend(self.cbc.fields());
        out.extend([
            ("erythroblasts_1e9", m.erythroblasts_1e9),
            ("marrow_agents", m.marrow_agents),
            ("mean_divisions", m.mean_divisions),
            ("production_1e9_per_day", m.production_1e9_per_day),
            ("ineffective_pct", m.ineffective_pct),
            ("ring_sideroblast_pct", m.ring_sideroblast_pct),
            ("zpp_umol_per_mol_heme", m.zpp_umol_per_mol_heme),
            ("released_hb_pg", m.released_hb_pg),
            ("tsat_pct", p.tsat_pct),
            ("epo_mu_ml", p.epo_mu_ml),
            ("lead_ug_dl", p.lead_ug_dl),
        ]);
        if let Some(b) = &p.body {
            out.extend([
                ("serum_iron_ug_dl", b.serum_iron_ug_dl),
                ("tibc_ug_dl", b.tibc_ug_dl),
                ("ferritin_ug_l", b.ferritin_ug_l),
                ("hepcidin_nm", b.hepcidin_nm),
                ("storage_fe_mg", b.storage_fe_mg),
                ("body_fe_mg", b.body_fe_mg),
            ]);
        }
        out
    }
}
