//! Measuring a run at a sampling time: the blood count, the marrow's
//! measures over the window since the last sample and the body's iron
//! studies. In a split run every measure is a merge of the processes'
//! mergeable stats (counts and exact sums, [`RedCellStats`],
//! [`HistogramCounts`]) in one or two collective reductions, so every
//! process gets the numbers one process holding the whole body would.

use erythro_analysis::{volume_spread, Cbc, HistogramCounts, Histograms, RedCellStats};
use erythro_core::marrow::Stage;
use erythro_core::plasma::{Plasma, PlasmaState};
use erythro_core::sums::{ExactSum, StepSums};

use crate::sample::{BodyMeasures, MarrowMeasures, PlasmaMeasures, Sample};
use crate::{Collective, Error, Simulation};

/// Words of the first reduction of a sample before the blood's stats:
/// processes that failed to measure, nucleated and ring-sideroblast
/// erythroblasts, marrow agents, the marrow's iron, the red cells' ZPP and
/// heme iron (three limbs each).
const MARROW_WORDS: usize = 4 + 3 + 3 + 3;

impl<C: Collective> Simulation<C> {
    /// Measures the blood and marrow now; marrow rates cover the steps since
    /// the previous sample, which this call starts afresh. Collective in a
    /// split run: every process samples together and gets the same sample.
    pub fn sample(&mut self) -> Result<Sample, Error> {
        let day = self.day();
        let view = self.red_cell_view();
        let local = RedCellStats::measure(&view);
        let cells = &self.marrow.cells;
        let threshold = self.params.marrow.ring_sideroblast_iron_fg();
        let (mut nucleated, mut ringed) = (0u64, 0u64);
        for (&stage, &mito) in cells.stage.iter().zip(&cells.mito_fe_fg) {
            if stage != Stage::Reticulocyte as u8 {
                nucleated += 1;
                ringed += (mito > threshold) as u64;
            }
        }
        let mut words = vec![0i64; MARROW_WORDS + RedCellStats::WORDS];
        words[0] = local.is_err() as i64;
        words[1] = nucleated as i64;
        words[2] = ringed as i64;
        words[3] = self.marrow.len() as i64;
        words[4..7].copy_from_slice(&self.marrow.iron_sum_fe_fg().limbs());
        words[7..10].copy_from_slice(&self.blood.zpp_sum_fe_fg().limbs());
        words[10..13].copy_from_slice(&self.blood.iron_sum_fe_fg().limbs());
        if let Ok(stats) = &local {
            stats.to_words(&mut words[MARROW_WORDS..]);
        }
        self.team.sum(&mut words);
        let failed = words[0] as u64;
        if failed > 0 {
            return Err(match local {
                Err(source) => Error::Analysis { day, source },
                Ok(_) => Error::Elsewhere { day, ranks: failed },
            });
        }
        let stats = RedCellStats::from_words(&words[MARROW_WORDS..]);
        // The second pass, from the whole population's mean.
        let mut spread = volume_spread(&view, stats.mean_volume_fl()).limbs();
        self.team.sum(&mut spread);
        let scale = &self.params.scale;
        let cbc = Cbc::from_stats(
            &stats,
            ExactSum::from_limbs(spread),
            view.cells_per_agent,
            view.blood_volume_l,
        )
        .map_err(|source| Error::Analysis { day, source })?;
        let marrow_iron_fe_fg = ExactSum::from_limbs([words[4], words[5], words[6]]).value();
        let zpp = ExactSum::from_limbs([words[7], words[8], words[9]]).value();
        let heme = ExactSum::from_limbs([words[10], words[11], words[12]]).value();
        let zpp_umol_per_mol_heme = if heme > 0.0 { 1e6 * zpp / heme } else { 0.0 };
        let marrow = self.marrow_measures(
            words[1] as u64,
            words[2] as u64,
            words[3] as u64,
            zpp_umol_per_mol_heme,
        );
        let p = self.plasma.state();
        self.window = StepSums::default();
        self.window_steps = 0;
        let body_fe_mg = |pools: f64| pools + marrow_iron_fe_fg * scale.cells_per_agent() * 1e-12;
        Ok(Sample {
            day,
            cbc,
            marrow,
            plasma: self.plasma_measures(&p, body_fe_mg),
        })
    }

    fn plasma_measures(&self, p: &PlasmaState, body_fe_mg: impl Fn(f64) -> f64) -> PlasmaMeasures {
        PlasmaMeasures {
            tsat_pct: p.tsat * 100.0,
            epo_mu_ml: p.epo_mu_ml,
            lead_ug_dl: p.lead_ug_dl,
            body: self.body().map(|b| BodyMeasures {
                serum_iron_ug_dl: b.serum_iron_ug_dl(),
                tibc_ug_dl: b.tibc_ug_dl(),
                ferritin_ug_l: b.ferritin_ug_l(),
                hepcidin_nm: b.hepcidin_nm,
                storage_fe_mg: b.storage_fe_mg,
                body_fe_mg: body_fe_mg(b.pools_fe_mg()),
            }),
        }
    }

    /// Total body iron, mg: the body's pools plus the erythroblasts' iron
    /// (None when the plasma is prescribed). Collective in a split run.
    pub fn body_iron_mg(&self) -> Option<f64> {
        let mut limbs = self.marrow.iron_sum_fe_fg().limbs();
        self.team.sum(&mut limbs);
        let b = self.body()?;
        Some(
            b.pools_fe_mg()
                + ExactSum::from_limbs(limbs).value() * self.params.scale.cells_per_agent() * 1e-12,
        )
    }

    /// The marrow's measures from the whole marrow's counts and the window.
    fn marrow_measures(
        &self,
        nucleated: u64,
        ringed: u64,
        agents: u64,
        zpp_umol_per_mol_heme: f64,
    ) -> MarrowMeasures {
        let w = &self.window;
        let per_agent = self.params.scale.cells_per_agent();
        let window_days =
            (self.window_steps as f64 * self.params.run.dt_hours() / 24.0).max(f64::MIN_POSITIVE);
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        MarrowMeasures {
            erythroblasts_1e9: nucleated as f64 * per_agent / 1e9,
            marrow_agents: agents as f64,
            mean_divisions: ratio(w.released_divisions as f64, w.released as f64),
            production_1e9_per_day: w.released as f64 * per_agent / 1e9 / window_days,
            ineffective_pct: 100.0 * ratio(w.died as f64, (w.died + w.released) as f64),
            ring_sideroblast_pct: 100.0 * ratio(ringed as f64, nucleated as f64),
            zpp_umol_per_mol_heme,
            released_hb_pg: ratio(w.released_hb_pg.value(), w.released as f64),
        }
    }

    /// The histograms of the whole circulation (collective in a split run).
    pub fn histograms(&self) -> Histograms {
        let mut words = vec![0i64; HistogramCounts::WORDS];
        HistogramCounts::count(&self.red_cell_view()).to_words(&mut words);
        self.team.sum(&mut words);
        HistogramCounts::from_words(&words).histograms()
    }

    /// Marrow and circulating agents of the whole body (collective in a
    /// split run).
    pub fn agents(&self) -> (u64, u64) {
        let mut words = [self.marrow.len() as i64, self.blood.len() as i64];
        self.team.sum(&mut words);
        (words[0] as u64, words[1] as u64)
    }
}
