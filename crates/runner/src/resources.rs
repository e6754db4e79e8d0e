//! What a run will need, estimated from its config before anything is
//! built, so a run that cannot fit is refused at once with the estimate and
//! the field to change, instead of failing hours in (or being killed by
//! the system for its memory).
//!
//! The estimate is of the largest the populations can become, not their
//! healthy size: the marrow at saturating proerythroblast entry (the most
//! EPO and iron can drive it to), the circulation at a healthy red-cell
//! count plus every transfused unit. Two more limits are hard ones, not
//! estimates: a step indexes agents with 32 bits, and a step's transfused
//! agents take ids from a block of 2^24 per step.

use erythro_core::circulation::RED_CELL_BYTES;
use erythro_core::events::Event;
use erythro_core::marrow::ERYTHROBLAST_BYTES;
use erythro_core::Config;

/// Red cells in one unit of packed cells (as the transfusion adds them).
pub use crate::transfusion::CELLS_PER_UNIT;

/// Transfused agents one step can add: their ids are a block of this many
/// per step (`transfusion.rs`), so more would reuse the next step's ids.
pub const MAX_TRANSFUSED_AGENTS_PER_STEP: f64 = (1u64 << 24) as f64;

/// Divisions of a typical lineage (MODEL.md: about four from
/// proerythroblast to reticulocyte), for the marrow's cell-hours.
const TYPICAL_DIVISIONS: i32 = 4;

/// Healthy red cells per litre of blood (reference/healthy-adult.md: RBC
/// 4.5-5.9e12/L in men), the circulation's size before transfusions.
const RED_CELLS_PER_L: f64 = 5.0e12;

/// Mean volume of a red cell, fL (healthy MCV about 90; donor cells as
/// the transfusion makes them).
const MEAN_CELL_FL: f64 = 90.0;

/// The highest hematocrit the model represents, %: the model keeps the
/// blood volume fixed, so transfused cells add no plasma; hematocrits past
/// about 70% (the most seen in polycythaemia, at which viscosity stops
/// flow) are outside what it describes.
pub const MAX_HEMATOCRIT_PCT: f64 = 70.0;

/// Circulating agents below which a blood count is sampling noise: the
/// relative standard error of a coefficient of variation (RDW) is about
/// 1/sqrt(2n), 2% at a thousand cells, and the percentiles of the volume
/// histogram need hundreds in their tails.
pub const MIN_BLOOD_AGENTS: f64 = 1000.0;

/// Memory per agent beyond its state: arrays grow by doubling and keep a
/// quarter of headroom, and a checkpoint copies the state once.
const OVERHEAD: f64 = 3.0;

/// The estimate for one config.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Marrow agents at saturating entry.
    pub marrow_agents: f64,
    /// Circulating agents: a healthy count plus every transfusion.
    pub blood_agents: f64,
    /// The most agents one step's transfusions add.
    pub transfused_per_step: f64,
    /// Memory, bytes.
    pub bytes: f64,
}

/// Why a config cannot run here.
#[derive(Debug, thiserror::Error)]
pub enum Limit {
    /// More memory than the machine has.
    #[error(
        "the run would need about {need_gib:.1} GiB of memory ({marrow:.2e} marrow and \
         {blood:.2e} circulating agents at most) and {available_gib:.1} GiB are available: \
         raise scale.cells_per_agent to at least {min_cells_per_agent:.3e} (now \
         {cells_per_agent:e}) or lower scale.circulating_sample_fraction"
    )]
    Memory {
        /// The estimate, GiB.
        need_gib: f64,
        /// Memory available, GiB.
        available_gib: f64,
        /// Marrow agents.
        marrow: f64,
        /// Circulating agents.
        blood: f64,
        /// The config's scale.
        cells_per_agent: f64,
        /// The smallest scale that fits.
        min_cells_per_agent: f64,
    },
    /// A transfusion adds more agents in one step than ids allow.
    #[error(
        "outside the model's validity: the transfusion of {units} unit(s) on day {day} \
         (events[{index}].units) would add {agents:.2e} circulating agents in one step, more \
         than the {max:.2e} a step can number: raise scale.cells_per_agent to at least \
         {min_cells_per_agent:.3e} (now {cells_per_agent:e})"
    )]
    Transfusion {
        /// Index of the (first) event in that step.
        index: usize,
        /// Its day.
        day: f64,
        /// Units in that step.
        units: f64,
        /// Agents they would add.
        agents: f64,
        /// The limit.
        max: f64,
        /// The config's scale.
        cells_per_agent: f64,
        /// The smallest scale that numbers them.
        min_cells_per_agent: f64,
    },
    /// Transfusions that would pack the fixed blood volume with cells.
    #[error(
        "outside the model's validity: the transfusions up to day {day} (events[{index}].units) \
         add {units} unit(s) within a red-cell lifespan, which would raise the hematocrit to \
         about {hct_pct:.0}%, past the {max_pct:.0}% the model describes (it keeps the blood \
         volume, scale.blood_volume_l, fixed): give at most {max_units:.1} unit(s) within \
         circulation.lifespan_days"
    )]
    Hematocrit {
        /// Index of the last event counted.
        index: usize,
        /// Its day.
        day: f64,
        /// Units within a lifespan up to it.
        units: f64,
        /// The hematocrit they would give, %.
        hct_pct: f64,
        /// The limit, %.
        max_pct: f64,
        /// The most units that stay under it.
        max_units: f64,
    },
    /// Too few circulating agents to measure a blood count.
    #[error(
        "outside the model's validity: about {agents:.0} circulating agents, fewer than the \
         {min:.0} a blood count needs: lower scale.cells_per_agent to at most \
         {max_cells_per_agent:.3e} (now {cells_per_agent:e}) or raise \
         scale.circulating_sample_fraction"
    )]
    TooFew {
        /// The estimate (a healthy count).
        agents: f64,
        /// The least that is measured.
        min: f64,
        /// The config's scale.
        cells_per_agent: f64,
        /// The largest scale that gives enough.
        max_cells_per_agent: f64,
    },
    /// More agents than a step can index.
    #[error(
        "outside the model's validity: about {agents:.2e} {what} agents, more than the \
         {max:.2e} a step can index: raise scale.cells_per_agent above {min_cells_per_agent:.3e}"
    )]
    Agents {
        /// Marrow or circulating.
        what: &'static str,
        /// The estimate.
        agents: f64,
        /// The limit.
        max: f64,
        /// The smallest scale that fits.
        min_cells_per_agent: f64,
    },
}

/// The estimate for `config` (its values as given; an invalid config is
/// refused by its own validation).
pub fn estimate(config: &Config) -> Estimate {
    let m = &config.marrow;
    let s = &config.scale;
    // Cell-hours of a lineage: 2^g cells cycling in generation g, then
    // 2^d maturing and as marrow reticulocytes.
    let cycling: f64 = (0..TYPICAL_DIVISIONS)
        .map(|g| 2f64.powi(g) * m.cycle_hours)
        .sum();
    let maturing =
        2f64.powi(TYPICAL_DIVISIONS) * (m.maturation_hours + m.marrow_reticulocyte_hours);
    let marrow_cells = m.entry_max_per_day / 24.0 * (cycling + maturing);
    let marrow_agents = marrow_cells / s.cells_per_agent;
    let per_blood_agent = s.cells_per_agent / s.circulating_sample_fraction;
    let transfused_units: f64 = transfusions(config).iter().map(|t| t.2).sum();
    let blood_agents =
        (RED_CELLS_PER_L * s.blood_volume_l + transfused_units * CELLS_PER_UNIT) / per_blood_agent;
    let transfused_per_step = transfusions(config)
        .iter()
        .map(|t| t.2 * CELLS_PER_UNIT / per_blood_agent)
        .fold(0.0, f64::max);
    let bytes = OVERHEAD
        * (marrow_agents * ERYTHROBLAST_BYTES as f64 + blood_agents * RED_CELL_BYTES as f64);
    Estimate {
        marrow_agents,
        blood_agents,
        transfused_per_step,
        bytes,
    }
}

/// Transfusions grouped by the step they fall in: (index of the first
/// event, its day, units in that step).
fn transfusions(config: &Config) -> Vec<(usize, f64, f64)> {
    let steps_per_day = 24.0 / config.run.dt_hours;
    let mut by_step: Vec<(f64, usize, f64, f64)> = Vec::new();
    for (i, e) in config.events.iter().enumerate() {
        if let Event::Transfusion { day, units } = *e {
            let step = (day * steps_per_day).ceil();
            match by_step.iter_mut().find(|t| t.0 == step) {
                Some(t) => t.3 += units,
                None => by_step.push((step, i, day, units)),
            }
        }
    }
    by_step.into_iter().map(|(_, i, d, u)| (i, d, u)).collect()
}

/// Checks `config` against the hard limits and against `available` bytes
/// of memory shared by `side_by_side` runs like it.
pub fn check(
    config: &Config,
    available: Option<f64>,
    side_by_side: usize,
) -> Result<Estimate, Limit> {
    let e = estimate(config);
    let s = &config.scale;
    let need = e.bytes * side_by_side.max(1) as f64;
    if let Some(available) = available {
        if need > available {
            const GIB: f64 = (1u64 << 30) as f64;
            return Err(Limit::Memory {
                need_gib: need / GIB,
                available_gib: available / GIB,
                marrow: e.marrow_agents,
                blood: e.blood_agents,
                cells_per_agent: s.cells_per_agent,
                min_cells_per_agent: s.cells_per_agent * need / available,
            });
        }
    }
    let max_index = u32::MAX as f64;
    for (what, agents) in [("marrow", e.marrow_agents), ("circulating", e.blood_agents)] {
        if agents > max_index {
            return Err(Limit::Agents {
                what,
                agents,
                max: max_index,
                min_cells_per_agent: s.cells_per_agent * agents / max_index,
            });
        }
    }
    let per_blood_agent = s.cells_per_agent / s.circulating_sample_fraction;
    let healthy_blood = RED_CELLS_PER_L * s.blood_volume_l / per_blood_agent;
    if healthy_blood < MIN_BLOOD_AGENTS {
        return Err(Limit::TooFew {
            agents: healthy_blood,
            min: MIN_BLOOD_AGENTS,
            cells_per_agent: s.cells_per_agent,
            max_cells_per_agent: s.cells_per_agent * healthy_blood / MIN_BLOOD_AGENTS,
        });
    }
    let transfused = transfusions(config);
    let lifespan = config.circulation.lifespan_days;
    let healthy_cells = RED_CELLS_PER_L * s.blood_volume_l;
    let max_units = ((MAX_HEMATOCRIT_PCT / 100.0 * s.blood_volume_l / (MEAN_CELL_FL * 1e-15))
        - healthy_cells)
        / CELLS_PER_UNIT;
    for &(index, day, units) in &transfused {
        let agents = units * CELLS_PER_UNIT / per_blood_agent;
        if agents > MAX_TRANSFUSED_AGENTS_PER_STEP {
            return Err(Limit::Transfusion {
                index,
                day,
                units,
                agents,
                max: MAX_TRANSFUSED_AGENTS_PER_STEP,
                cells_per_agent: s.cells_per_agent,
                min_cells_per_agent: s.cells_per_agent * agents / MAX_TRANSFUSED_AGENTS_PER_STEP,
            });
        }
    }
    for &(index, day, _) in &transfused {
        let units: f64 = transfused
            .iter()
            .filter(|t| t.1 <= day && t.1 > day - lifespan)
            .map(|t| t.2)
            .sum();
        // Blood lost in the same window takes its cells with it.
        let lost_l: f64 = config
            .events
            .iter()
            .map(|e| match *e {
                Event::Donation { day: at, ml } if at <= day && at > day - lifespan => ml,
                Event::Bleeding {
                    from_day,
                    to_day,
                    ml_per_day,
                } => ml_per_day * (to_day.min(day) - from_day.max(day - lifespan)).max(0.0),
                _ => 0.0,
            })
            .sum::<f64>()
            / 1000.0;
        let cells = (healthy_cells + units * CELLS_PER_UNIT - lost_l * RED_CELLS_PER_L).max(0.0);
        let hct_pct = 100.0 * cells * MEAN_CELL_FL * 1e-15 / s.blood_volume_l;
        if hct_pct > MAX_HEMATOCRIT_PCT {
            return Err(Limit::Hematocrit {
                index,
                day,
                units,
                hct_pct,
                max_pct: MAX_HEMATOCRIT_PCT,
                max_units: max_units + lost_l * RED_CELLS_PER_L / CELLS_PER_UNIT,
            });
        }
    }
    Ok(e)
}

/// Memory the system can give a new run now (`MemAvailable` of
/// `/proc/meminfo`), bytes; `None` where that is not known.
pub fn available_memory() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_fits_and_its_estimate_bounds_its_size() {
        let e = check(&Config::default(), Some(8.0 * (1u64 << 30) as f64), 1).unwrap();
        // About a million marrow agents at steady state (MODEL.md "Scale"):
        // the estimate at saturating entry is a few times that.
        assert!((2e6..2e7).contains(&e.marrow_agents), "{e:?}");
        // About 1.5 million circulating agents.
        assert!((1e6..3e6).contains(&e.blood_agents), "{e:?}");
    }

    #[test]
    fn a_transfusion_at_one_cell_per_agent_is_refused_naming_the_field() {
        let mut c = Config::default();
        c.scale.cells_per_agent = 1.0;
        c.scale.circulating_sample_fraction = 1.0;
        c.events = vec![Event::Transfusion {
            day: 3.0,
            units: 20.0,
        }];
        let e = estimate(&c);
        assert!((3e13..5e13).contains(&e.transfused_per_step), "{e:?}");
        // Without a memory limit the hard limits still refuse it.
        let err = check(&c, None, 1).unwrap_err().to_string();
        assert!(err.contains("scale.cells_per_agent"), "{err}");
        // At the default scale two units in one step are numbered.
        let mut ok = Config {
            events: vec![
                Event::Transfusion {
                    day: 3.0,
                    units: 1.0,
                },
                Event::Transfusion {
                    day: 3.0,
                    units: 1.0,
                },
            ],
            ..Config::default()
        };
        check(&ok, None, 1).unwrap();
        // The same units in one step are summed.
        ok.scale.cells_per_agent = 4000.0;
        let err = check(&ok, None, 1).unwrap_err().to_string();
        assert!(
            err.contains("events[0].units") && err.contains("2 unit(s)"),
            "{err}"
        );
    }

    #[test]
    fn too_little_memory_names_the_estimate_and_the_scale() {
        let mut c = Config::default();
        c.scale.cells_per_agent = 1e3;
        let err = check(&c, Some(4.0 * (1u64 << 30) as f64), 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("GiB") && err.contains("raise scale.cells_per_agent"),
            "{err}"
        );
        // Side by side, runs share the memory.
        let one = check(&Config::default(), Some(1e9), 1);
        let many = check(&Config::default(), Some(1e9), 64);
        assert!(one.is_ok() && many.is_err());
    }
}
