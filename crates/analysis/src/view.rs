//! The borrowed, struct-of-arrays view of a red-cell population and its checks.

use crate::Error;

/// A population of circulating red-cell agents, as struct-of-arrays slices
/// indexed alike (cell `i` is `volume_fl[i]`, `hb_pg[i]`, `age_h[i]`).
#[derive(Debug, Clone, Copy)]
pub struct RedCellView<'a> {
    /// Volume of each cell, fL.
    pub volume_fl: &'a [f32],
    /// Hemoglobin content of each cell, pg.
    pub hb_pg: &'a [f32],
    /// Hours since each cell was released from the marrow.
    pub age_h: &'a [f32],
    /// Cells with `age_h` < this are reticulocytes.
    pub reticulocyte_age_h: f32,
    /// Real cells each agent stands for (may be fractional, > 0).
    pub cells_per_agent: f64,
    /// Whole-body blood volume in litres (> 0).
    pub blood_volume_l: f64,
}

impl RedCellView<'_> {
    /// Number of agents, after checking that the slices agree in length, that
    /// there is at least one agent and that the population-wide parameters
    /// are usable. Per-cell values are checked by the measuring pass itself
    /// so the data is only walked once.
    pub fn validate(&self) -> Result<usize, Error> {
        let n = self.lengths()?;
        if n == 0 {
            return Err(Error::EmptyPopulation);
        }
        self.check()
    }

    /// The number of agents, if the slices agree in length.
    fn lengths(&self) -> Result<usize, Error> {
        let n = self.volume_fl.len();
        if self.hb_pg.len() != n || self.age_h.len() != n {
            return Err(Error::LengthMismatch {
                volume_fl: n,
                hb_pg: self.hb_pg.len(),
                age_h: self.age_h.len(),
            });
        }
        Ok(n)
    }

    /// [`RedCellView::validate`] for a part of a population, which may be
    /// empty.
    pub(crate) fn check(&self) -> Result<usize, Error> {
        let n = self.lengths()?;
        positive("cells_per_agent", self.cells_per_agent)?;
        positive("blood_volume_l", self.blood_volume_l)?;
        if !self.reticulocyte_age_h.is_finite() {
            return Err(Error::NotFinite {
                field: "reticulocyte_age_h",
                value: f64::from(self.reticulocyte_age_h),
            });
        }
        Ok(n)
    }

    /// Checks cell `index` and returns its (volume fL, hemoglobin pg) in `f64`.
    pub(crate) fn cell(&self, index: usize) -> Result<(f64, f64), Error> {
        let volume_fl = f64::from(self.volume_fl[index]);
        let hb_pg = f64::from(self.hb_pg[index]);
        let age_h = f64::from(self.age_h[index]);
        let bad = |field, value| Error::InvalidCell {
            field,
            index,
            value,
        };
        // A zero volume would make the cell's concentration infinite.
        if !(volume_fl.is_finite() && volume_fl > 0.0) {
            return Err(bad("volume_fl", volume_fl));
        }
        if !(hb_pg.is_finite() && hb_pg >= 0.0) {
            return Err(bad("hb_pg", hb_pg));
        }
        if !age_h.is_finite() {
            return Err(bad("age_h", age_h));
        }
        Ok((volume_fl, hb_pg))
    }

    /// Whether cell `index` is still a reticulocyte.
    pub(crate) fn is_reticulocyte(&self, index: usize) -> bool {
        self.age_h[index] < self.reticulocyte_age_h
    }
}

fn positive(field: &'static str, value: f64) -> Result<(), Error> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::NonPositive { field, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(v: &'a [f32], hb: &'a [f32], age: &'a [f32]) -> RedCellView<'a> {
        RedCellView {
            volume_fl: v,
            hb_pg: hb,
            age_h: age,
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 5.0,
        }
    }

    #[test]
    fn validate_reports_each_problem() {
        assert_eq!(view(&[90.0], &[30.0], &[1.0]).validate(), Ok(1));
        assert_eq!(view(&[], &[], &[]).validate(), Err(Error::EmptyPopulation));
        let mut v = view(&[90.0], &[30.0], &[1.0]);
        v.cells_per_agent = f64::NAN;
        assert!(matches!(
            v.validate(),
            Err(Error::NonPositive {
                field: "cells_per_agent",
                ..
            })
        ));
        v.cells_per_agent = 1.0;
        v.reticulocyte_age_h = f32::INFINITY;
        assert!(matches!(v.validate(), Err(Error::NotFinite { .. })));
    }

    #[test]
    fn cell_rejects_impossible_values() {
        let v = view(&[90.0, 0.0, 90.0], &[30.0, 30.0, -1.0], &[1.0, 1.0, 1.0]);
        assert_eq!(v.cell(0), Ok((90.0, 30.0)));
        assert_eq!(
            v.cell(1),
            Err(Error::InvalidCell {
                field: "volume_fl",
                index: 1,
                value: 0.0
            })
        );
        assert!(matches!(
            v.cell(2),
            Err(Error::InvalidCell { field: "hb_pg", .. })
        ));
    }
}
