//! Volume percentiles from an HdrHistogram of the cell volumes.

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::{Error, RedCellView};

/// Volumes are recorded in units of 0.01 fL.
const UNITS_PER_FL: f64 = 100.0;
/// Highest recordable value: 1000 fL; larger cells are recorded as 1000 fL.
const HIGHEST_UNITS: u64 = 100_000;
/// Significant decimal digits kept by the histogram.
const SIGFIG: u8 = 3;

/// Percentiles of cell volume, fL (to 3 significant digits).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VolumePercentiles {
    /// 5th percentile of cell volume, fL.
    pub p5_fl: f64,
    /// 25th percentile of cell volume, fL.
    pub p25_fl: f64,
    /// Median cell volume, fL.
    pub p50_fl: f64,
    /// 75th percentile of cell volume, fL.
    pub p75_fl: f64,
    /// 95th percentile of cell volume, fL.
    pub p95_fl: f64,
}

/// Percentiles of the cells' volumes, one count per agent (every agent
/// stands for the same number of cells, so weighting would not change them).
///
/// Each percentile is the midpoint of the HdrHistogram bucket holding it
/// (`median_equivalent`), which halves the bias of reporting the bucket top.
/// Same errors as [`red_cell_indices`](crate::red_cell_indices), minus the
/// total-hemoglobin check.
pub fn volume_percentiles(view: &RedCellView) -> Result<VolumePercentiles, Error> {
    let n = view.validate()?;
    // Constant, valid bounds (1 >= 1, 100_000 >= 2, sigfig <= 5): cannot fail.
    let mut hist = Histogram::<u64>::new_with_bounds(1, HIGHEST_UNITS, SIGFIG)
        .expect("constant histogram bounds are valid");
    for i in 0..n {
        let (volume_fl, _) = view.cell(i)?;
        let units = ((volume_fl * UNITS_PER_FL).round() as u64).min(HIGHEST_UNITS);
        hist.saturating_record(units);
    }
    let at = |q: f64| hist.median_equivalent(hist.value_at_quantile(q)) as f64 / UNITS_PER_FL;
    Ok(VolumePercentiles {
        p5_fl: at(0.05),
        p25_fl: at(0.25),
        p50_fl: at(0.50),
        p75_fl: at(0.75),
        p95_fl: at(0.95),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_ramp() {
        // 1000 cells, 60.0 .. 119.94 fL in 0.06-fL steps.
        let v: Vec<f32> = (0..1000).map(|i| 60.0 + 0.06 * i as f32).collect();
        let hb = vec![30.0_f32; v.len()];
        let age = vec![100.0_f32; v.len()];
        let p = volume_percentiles(&RedCellView {
            volume_fl: &v,
            hb_pg: &hb,
            age_h: &age,
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 1.0,
        })
        .unwrap();
        for (got, want) in [
            (p.p5_fl, 63.0),
            (p.p25_fl, 75.0),
            (p.p50_fl, 90.0),
            (p.p75_fl, 105.0),
            (p.p95_fl, 117.0),
        ] {
            // 3 significant digits of 0.01-fL units: ~0.1 % resolution.
            assert!((got - want).abs() < 0.002 * want, "{got} vs {want}");
        }
        assert!(p.p5_fl < p.p25_fl && p.p25_fl < p.p50_fl);
        assert!(p.p50_fl < p.p75_fl && p.p75_fl < p.p95_fl);
    }

    #[test]
    fn huge_cells_are_clamped_not_rejected() {
        let v = [5000.0_f32];
        let p = volume_percentiles(&RedCellView {
            volume_fl: &v,
            hb_pg: &[30.0],
            age_h: &[1.0],
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 1.0,
        })
        .unwrap();
        assert!((p.p50_fl - 1000.0).abs() < 1.0, "{}", p.p50_fl);
    }
}
