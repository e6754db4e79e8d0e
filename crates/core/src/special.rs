//! The gamma function, for the mean of the Weibull red-cell lifespan (pure
//! arithmetic). The model keeps its own Lanczos (g = 7, about 1e-15
//! relative) rather than statrs' (which the analysis crate uses for the
//! sensitivity statistics): every run's bits depend on this one number, and
//! the two differ in the last ulp.

/// Lanczos coefficients, g = 7, 9 terms (relative error about 1e-15).
const LANCZOS_G7: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Gamma function (Lanczos, g = 7).
pub fn gamma(x: f64) -> f64 {
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x))
    } else {
        let x = x - 1.0;
        let t = x + 7.5;
        let sum = LANCZOS_G7[1..]
            .iter()
            .enumerate()
            .fold(LANCZOS_G7[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_matches_known_values() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-12);
    }
}
