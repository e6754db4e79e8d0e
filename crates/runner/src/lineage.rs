//! Following whole lineages of a running simulation: the first lineages to
//! enter from a chosen day are traced cell by cell alongside the run, with
//! the run's own per-step constants, so each traced tree is the run's own
//! lineage to the bit (see `erythro_core::marrow::lineage`). The run itself
//! is not changed: the watch only reads what the step is about to use.

use erythro_core::marrow::lineage::{Lineage, LineageTracer};
use erythro_core::marrow::MarrowStep;
use erythro_core::plasma::PlasmaState;

/// Which lineages to follow, and the tracer following them.
#[derive(Clone, Debug)]
pub struct LineageWatch {
    pub(crate) from_step: u64,
    pub(crate) wanted: usize,
    pub(crate) dt_hours: f64,
    pub(crate) tracer: LineageTracer,
    /// For each followed lineage: the day (since the steady state) at the
    /// start of the step it entered in, and the plasma it entered in.
    pub(crate) entries: Vec<(f64, PlasmaState)>,
}

impl LineageWatch {
    /// Follows the first `count` lineages entering at or after simulation
    /// step `from_step` (steps since the steady state).
    pub(crate) fn new(from_step: u64, count: usize, dt_hours: f64) -> Self {
        Self {
            from_step,
            wanted: count,
            dt_hours,
            tracer: LineageTracer::new(),
            entries: Vec::new(),
        }
    }

    /// Called once per step with the constants the marrow is using, after
    /// the marrow's entry made lineages `entered` (a range of lineage numbers).
    pub(crate) fn observe(
        &mut self,
        ctx: &MarrowStep,
        plasma: &PlasmaState,
        sim_step: u64,
        entered: std::ops::Range<u64>,
    ) {
        if sim_step >= self.from_step {
            for lineage in entered {
                if self.tracer.lineages().len() >= self.wanted {
                    break;
                }
                let day = sim_step as f64 * self.dt_hours / 24.0;
                self.entries.push((day, *plasma));
                self.tracer.add_founder(ctx, lineage);
            }
        }
        if self.tracer.live() > 0 {
            self.tracer.step(ctx);
        }
    }

    /// True once every wanted lineage has entered and left the marrow.
    pub fn is_complete(&self) -> bool {
        self.tracer.lineages().len() >= self.wanted && self.tracer.live() == 0
    }

    /// The lineages followed so far, in order of entry.
    pub fn lineages(&self) -> &[Lineage] {
        self.tracer.lineages()
    }

    /// The tracer (its live cells are the run's cells of those lineages).
    pub fn tracer(&self) -> &LineageTracer {
        &self.tracer
    }

    /// The day (since the steady state) lineage `i` of
    /// [`LineageWatch::lineages`] entered, and the plasma it entered in.
    pub fn entry(&self, i: usize) -> Option<(f64, PlasmaState)> {
        self.entries.get(i).copied()
    }
}
