//! RDW-SD reads the width of a Gaussian volume distribution at 20 % of its peak.

use erythro_analysis::{red_cell_indices, RedCellView};

/// Inverse standard normal CDF (Acklam's rational approximation, relative
/// error < 1.2e-9), so the population is an exact quantile grid, free of noise.
fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

fn rdw_sd_of_gaussian(mean_fl: f64, sd_fl: f64) -> f64 {
    let n = 200_000;
    let volume_fl: Vec<f32> = (0..n)
        .map(|i| (mean_fl + sd_fl * inverse_normal_cdf((i as f64 + 0.5) / n as f64)) as f32)
        .collect();
    let hb_pg: Vec<f32> = volume_fl.iter().map(|v| v * 0.33).collect();
    let age_h = vec![100.0_f32; n];
    red_cell_indices(&RedCellView {
        volume_fl: &volume_fl,
        hb_pg: &hb_pg,
        age_h: &age_h,
        reticulocyte_age_h: 24.0,
        cells_per_agent: 1e7,
        blood_volume_l: 5.0,
    })
    .unwrap()
    .rdw_sd_fl
}

#[test]
fn inverse_cdf_is_sane() {
    assert!(inverse_normal_cdf(0.5).abs() < 1e-12);
    assert!((inverse_normal_cdf(0.975) - 1.959963985).abs() < 1e-6);
    assert!((inverse_normal_cdf(0.01) + 2.326347874).abs() < 1e-6);
}

#[test]
fn width_at_twenty_percent_of_a_gaussian() {
    // exp(-x^2 / 2 sd^2) = 0.2  <=>  x = sd * sqrt(2 ln 5); full width twice that.
    let factor = 2.0 * (2.0 * 5.0_f64.ln()).sqrt();
    assert!((factor - 3.5882).abs() < 1e-4);
    for (mean, sd) in [(90.0, 6.0), (90.0, 9.0), (75.0, 7.0)] {
        let expected = factor * sd;
        let got = rdw_sd_of_gaussian(mean, sd);
        assert!(
            (got - expected).abs() <= 0.03 * expected,
            "mean {mean} sd {sd}: RDW-SD {got} fL, expected {expected} fL"
        );
    }
}
