//! The healthy steady state of a config, built deterministically.
//!
//! The marrow runs alone at the plasma state of day 0 for `burn_in_days`
//! (longer than its slowest lineage), so its output is stationary. The
//! reticulocytes it releases over the last two days are the templates of a
//! full circulation: for every age, as many cells as the release rate times
//! the survival to that age, each a template aged exactly as the circulation
//! kernel would age it, with a lifespan drawn conditional on that age.
//!
//! Split across processes, each burns in its own lineages; the templates
//! and the totals are gathered from all of them (the templates in id order,
//! which no split changes), every process builds the same circulation and
//! keeps its share of it.

use erythro_core::body::{Body, BodyParams};
use erythro_core::circulation::{self, CirculationStep};
use erythro_core::marrow::{MarrowStep, Released};
use erythro_core::plasma::{Plasma, PlasmaState};
use erythro_core::sums::{ExactSum, StepSums};

use crate::{Collective, Simulation};

/// Bytes of a template as gathered: volume, hemoglobin, id, inclusions, ZPP.
const TEMPLATE_BYTES: usize = 4 + 4 + 8 + 4 + 4;

/// Hours of marrow output used as circulation templates.
const TEMPLATE_HOURS: f64 = 48.0;

/// Fills `sim` with its steady state; leaves the marrow rates of the last
/// burn-in day in the sampling window, and the step count at zero.
pub(crate) fn build<C: Collective>(sim: &mut Simulation<C>) {
    let plasma = sim.plasma.state();
    let dt = sim.params.run.dt_hours();
    let steps = (sim.params.run.burn_in_days() * 24.0 / dt).round() as u64;
    let template_steps = ((TEMPLATE_HOURS / dt).round() as u64).min(steps);
    let window_steps = ((24.0 / dt).round() as u64).min(steps);
    let mut templates: Vec<Released> = Vec::new();
    let mut released_all = 0u64;
    for k in 0..steps {
        let sums = sim.advance_agents(&plasma, false);
        sim.burn_in_steps += 1;
        if k + template_steps >= steps {
            released_all += sums.released;
            templates.extend(
                sim.marrow_scratch[..sim.marrow_chunks]
                    .iter()
                    .flat_map(|s| s.released.iter().copied()),
            );
        }
        if k + window_steps >= steps {
            sim.window.merge(&sums);
            sim.window_steps += 1;
        }
    }
    // The whole marrow's output, from every process.
    let mut words = [0i64; StepSums::WORDS + 1];
    sim.window.to_words(&mut words[..StepSums::WORDS]);
    words[StepSums::WORDS] = released_all as i64;
    sim.team.sum(&mut words);
    sim.window = StepSums::from_words(&words[..StepSums::WORDS]);
    let released_all = words[StepSums::WORDS] as u64;
    let mut templates = gather(&sim.team, &templates);
    // Ids are unique: id order is one order whatever the split.
    templates.sort_unstable_by_key(|t| t.id);
    if templates.is_empty() {
        // No output (for example, no entry at this plasma state): the body
        // starts with an empty circulation and the analysis will say so.
        return;
    }
    // The rate from every release, not only the sampled ones: twenty times
    // the events, so small test populations get a full circulation too.
    let p = &sim.params;
    let released_per_step =
        released_all as f64 * p.scale.circulating_sample_fraction() / template_steps as f64;
    // Only the reticulocyte's uptake and globin capacity at this plasma state
    // are read from the marrow's step.
    let ctx = MarrowStep::new(&p.marrow, &plasma, 0);
    let quiet = PlasmaState {
        blood_loss_fraction: 0.0,
        ..plasma
    };
    let blood_ctx = CirculationStep::new(&p.circulation, &ctx, &quiet);
    // Each template stands for an equal share of the output and survives
    // by its own wear (cells carrying inclusions die younger), so each has
    // its own carry: the circulation holds every kind of cell in the
    // proportion its survival keeps.
    let per_template = released_per_step / templates.len() as f64;
    let wear: Vec<f64> = templates
        .iter()
        .map(|t| p.circulation.inclusion_wear(t.inclusion_g_dl))
        .collect();
    // Each template's carry starts at its own fraction of a cell, spread
    // evenly over the templates: started at zero, every template would make
    // its first cell only once a whole cell had accrued, and when a
    // template makes less than a cell a day the youngest ages (the
    // reticulocytes) would be missing from the start.
    let n_templates = templates.len() as f64;
    let mut carry: Vec<f64> = (0..templates.len())
        .map(|k| (k as f64 + 0.5) / n_templates)
        .collect();
    let mut made = 0u64;
    let share = sim.team.share();
    for j in 1u32.. {
        let age_h = j as f64 * dt;
        // Wear is at least 1, so no template outlives a normal cell.
        if p.circulation.survival(age_h) < 1e-9 {
            break;
        }
        for (k, t) in templates.iter().enumerate() {
            carry[k] += per_template * p.circulation.survival(age_h * wear[k]);
            let n = carry[k].floor();
            carry[k] -= n;
            for _ in 0..n as u64 {
                // Ids from the top of the range never collide with lineage ids.
                let id = u64::MAX - made;
                let mine = share.holds(made);
                made += 1;
                if !mine {
                    continue;
                }
                let (volume, hb) = circulation::age_cell(t.volume_fl, t.hb_pg, j, &blood_ctx);
                let life = p.circulation.lifespan_h(id, age_h * wear[k]) as f64 / wear[k];
                sim.blood
                    .push(volume, hb, age_h as f32, life as f32, id, t.zpp_per_heme);
            }
        }
    }
    sim.last = StepSums::default();
}

/// The body's iron economy at the steady state just built: plasma at the
/// day-0 saturation, the red-cell book equal to the circulation's hemoglobin
/// iron, macrophages holding what the recycling flux keeps in them.
pub(crate) fn body<C: Collective>(sim: &Simulation<C>, params: BodyParams) -> Body {
    let p = &sim.params;
    let marrow_w = p.scale.cells_per_agent() * 1e-12;
    let blood_w = marrow_w / p.scale.circulating_sample_fraction();
    let mut limbs = sim.blood.iron_sum_fe_fg().limbs();
    sim.team.sum(&mut limbs);
    let red_cells = ExactSum::from_limbs(limbs).value() * blood_w;
    let window_h = (sim.window_steps as f64 * p.run.dt_hours()).max(1.0);
    let recycled_per_h = sim.window.released_fe_fg.value() * marrow_w / window_h;
    let macrophages = recycled_per_h * params.macrophage_release_hours();
    let tsat = p.plasma.tsat().at_day(0.0);
    let epo = p.plasma.epo_mu_ml().at_day(0.0);
    Body::new(params, tsat, epo, red_cells, macrophages)
}

/// Every process's templates, concatenated.
fn gather<C: Collective>(team: &C, templates: &[Released]) -> Vec<Released> {
    let mut bytes = Vec::with_capacity(templates.len() * TEMPLATE_BYTES);
    for t in templates {
        bytes.extend_from_slice(&t.volume_fl.to_le_bytes());
        bytes.extend_from_slice(&t.hb_pg.to_le_bytes());
        bytes.extend_from_slice(&t.id.to_le_bytes());
        bytes.extend_from_slice(&t.inclusion_g_dl.to_le_bytes());
        bytes.extend_from_slice(&t.zpp_per_heme.to_le_bytes());
    }
    team.all_gather(&bytes)
        .chunks_exact(TEMPLATE_BYTES)
        .map(|b| Released {
            volume_fl: f32::from_le_bytes(b[0..4].try_into().expect("4 bytes")),
            hb_pg: f32::from_le_bytes(b[4..8].try_into().expect("4 bytes")),
            id: u64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
            inclusion_g_dl: f32::from_le_bytes(b[16..20].try_into().expect("4 bytes")),
            zpp_per_heme: f32::from_le_bytes(b[20..24].try_into().expect("4 bytes")),
        })
        .collect()
}
