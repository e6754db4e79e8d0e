//! Partial rank correlation coefficients (PRCC): how strongly each swept
//! parameter moves an output once the others are accounted for, for
//! monotone but not necessarily linear dependence (Marino et al., J Theor
//! Biol 2008, "A methodology for performing global uncertainty and
//! sensitivity analysis in systems biology").
//!
//! Inputs and output are replaced by their ranks (ties share the mean
//! rank); the PRCC of input j is the correlation between the residuals of
//! rank(x_j) and rank(y) after linear regression on the other inputs' ranks,
//! computed here from the inverse `P` of the rank correlation matrix as
//! `-P[j][y] / sqrt(P[j][j] P[y][y])`. Its significance is the Student t
//! test with `n - k - 1` degrees of freedom (k inputs).

use erythro_core::rng::mix64;
use statrs::function::beta::beta_reg;

/// The PRCC of one input and its two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prcc {
    /// Partial rank correlation in [-1, 1] (NaN when undefined: an input or
    /// the output does not vary, or inputs are collinear).
    pub coefficient: f64,
    /// Two-sided p-value of "no partial correlation".
    pub p_value: f64,
}

/// Ranks from 1, ties sharing the mean of their ranks.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = mean_rank;
        }
        i = j + 1;
    }
    out
}

/// Pearson correlation matrix of the columns.
fn correlations(columns: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = columns[0].len() as f64;
    let centred: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / n;
            c.iter().map(|v| v - mean).collect()
        })
        .collect();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    centred
        .iter()
        .map(|a| {
            centred
                .iter()
                .map(|b| dot(a, b) / (dot(a, a) * dot(b, b)).sqrt())
                .collect()
        })
        .collect()
}

/// Inverse by Gauss-Jordan elimination with partial pivoting; `None` when
/// (numerically) singular.
fn inverse(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| (i == j) as u8 as f64).collect())
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        // Also catches NaN.
        if a[pivot][col].abs().is_nan() || a[pivot][col].abs() <= 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col];
        for j in 0..n {
            a[col][j] /= p;
            inv[col][j] /= p;
        }
        for i in 0..n {
            if i != col {
                let f = a[i][col];
                if f != 0.0 {
                    for j in 0..n {
                        a[i][j] -= f * a[col][j];
                        inv[i][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// A uniform draw in [0, 1) keyed by `(key, counter)`.
fn unit(key: u64, counter: u64) -> f64 {
    (mix64(key ^ mix64(counter)) >> 11) as f64 / (1u64 << 53) as f64
}

/// A Latin hypercube of `samples` points in `[0, 1)^dims`: along each
/// dimension the samples fall one in each of `samples` equal strata, in an
/// order shuffled per dimension, at a uniform position inside the stratum.
/// Keyed by `seed` only, so the design is the same on every machine.
pub fn latin_hypercube(seed: u64, samples: usize, dims: usize) -> Vec<Vec<f64>> {
    let mut design = vec![vec![0.0; dims]; samples];
    for d in 0..dims {
        let key = mix64(seed ^ mix64(0x4c48_5300 ^ d as u64));
        let mut order: Vec<usize> = (0..samples).collect();
        // Fisher-Yates; the modulo bias is below 1e-15 for any sample count.
        for i in (1..samples).rev() {
            let j = (mix64(key ^ mix64((1 << 40) | i as u64)) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for (i, row) in design.iter_mut().enumerate() {
            row[d] = (order[i] as f64 + unit(key, i as u64)) / samples as f64;
        }
    }
    design
}

/// PRCC of each input (each a column of `inputs`, all of `output`'s length)
/// against `output`. Needs more samples than inputs + 2.
pub fn prcc(inputs: &[Vec<f64>], output: &[f64]) -> Vec<Prcc> {
    let k = inputs.len();
    let n = output.len();
    let undefined = Prcc {
        coefficient: f64::NAN,
        p_value: f64::NAN,
    };
    if k == 0 || n < k + 3 {
        return vec![undefined; k];
    }
    let mut columns: Vec<Vec<f64>> = inputs.iter().map(|c| ranks(c)).collect();
    columns.push(ranks(output));
    let c = correlations(&columns);
    if c.iter().flatten().any(|v| !v.is_finite()) {
        return vec![undefined; k];
    }
    let Some(p) = inverse(c) else {
        return vec![undefined; k];
    };
    let df = (n - k - 1) as f64;
    (0..k)
        .map(|j| {
            let r = (-p[j][k] / (p[j][j] * p[k][k]).sqrt()).clamp(-1.0, 1.0);
            let t = r * (df / (1.0 - r * r).max(f64::MIN_POSITIVE)).sqrt();
            Prcc {
                coefficient: r,
                p_value: student_t_two_sided(t, df),
            }
        })
        .collect()
}

/// Two-sided p-value of Student's t with `df` degrees of freedom:
/// `I_{df/(df+t^2)}(df/2, 1/2)`, the regularized incomplete beta function
/// (statrs), which keeps small p-values accurate where `1 - cdf` would not.
pub fn student_t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    beta_reg(df / 2.0, 0.5, df / (df + t * t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), [3.0, 1.0, 2.0]);
        assert_eq!(ranks(&[5.0, 1.0, 5.0, 0.0]), [3.5, 2.0, 3.5, 1.0]);
    }

    #[test]
    fn student_t_against_known_values() {
        // Tables: t(0.975, 10) = 2.228139; df 1 is Cauchy; df 2 closed form.
        assert!((student_t_two_sided(2.228_138_851_986, 10.0) - 0.05).abs() < 1e-9);
        assert!((student_t_two_sided(1.0, 1.0) - 0.5).abs() < 1e-12);
        let t: f64 = 2.0;
        let exact = 1.0 - t / (2.0 + t * t).sqrt();
        assert!((student_t_two_sided(t, 2.0) - exact).abs() < 1e-12);
        // Large df approaches the normal: 1.959964 -> 0.05.
        assert!((student_t_two_sided(1.959_964, 1e6) - 0.05).abs() < 1e-5);
        assert_eq!(student_t_two_sided(0.0, 5.0), 1.0);
    }

    /// With two inputs the PRCC is the textbook partial correlation of the
    /// ranks, `(r_xy - r_xz r_yz) / sqrt((1 - r_xz^2)(1 - r_yz^2))`.
    #[test]
    fn two_inputs_match_the_closed_form() {
        let n = 40;
        let x: Vec<f64> = (0..n).map(|i| (mix64(i) % 1000) as f64).collect();
        let z: Vec<f64> = (0..n)
            .map(|i| (mix64(i + 99) % 1000) as f64 + 0.3 * x[i as usize])
            .collect();
        let y: Vec<f64> = (0..n as usize)
            .map(|i| x[i] - 2.0 * z[i] + (mix64(i as u64 + 7) % 500) as f64)
            .collect();
        let r = correlations(&[ranks(&x), ranks(&z), ranks(&y)]);
        let (rxz, rxy, rzy) = (r[0][1], r[0][2], r[1][2]);
        let expected_x = (rxy - rxz * rzy) / ((1.0 - rxz * rxz) * (1.0 - rzy * rzy)).sqrt();
        let expected_z = (rzy - rxz * rxy) / ((1.0 - rxz * rxz) * (1.0 - rxy * rxy)).sqrt();
        let got = prcc(&[x, z], &y);
        assert!(
            (got[0].coefficient - expected_x).abs() < 1e-12,
            "{got:?} vs {expected_x}"
        );
        assert!(
            (got[1].coefficient - expected_z).abs() < 1e-12,
            "{got:?} vs {expected_z}"
        );
    }

    /// A synthetic model with known monotone dependence, sampled by the
    /// sweep's own Latin hypercube: strong linear in x1, weaker and
    /// nonlinear (cubic, exponential) in x2, weak and decreasing in x3,
    /// none in x4. The PRCC must rank them so, with the right signs.
    #[test]
    fn synthetic_monotone_model_is_ranked_correctly() {
        let n = 200;
        let design = latin_hypercube(11, n, 4);
        let column = |d: usize| design.iter().map(|r| r[d]).collect::<Vec<f64>>();
        let (x1, x2, x3, x4) = (column(0), column(1), column(2), column(3));
        let noise = |i: usize| (mix64(i as u64 ^ 0xABCD) >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        let y: Vec<f64> = (0..n)
            .map(|i| {
                10.0 * x1[i] + 4.0 * x2[i].powi(3) + (x2[i]).exp() - 1.5 * x3[i] + 0.5 * noise(i)
            })
            .collect();
        let p = prcc(&[x1, x2, x3, x4], &y);
        let c: Vec<f64> = p.iter().map(|p| p.coefficient).collect();
        assert!(c[0] > c[1] && c[1] > -c[2] && -c[2] > c[3].abs(), "{c:?}");
        assert!(c[0] > 0.9 && c[1] > 0.0 && c[2] < 0.0, "{c:?}");
        for (j, p) in p.iter().enumerate().take(3) {
            assert!(p.p_value < 1e-6, "x{}: {p:?}", j + 1);
        }
        assert!(p[3].p_value > 0.01, "x4 looks influential: {:?}", p[3]);
    }

    #[test]
    fn undefined_when_too_few_samples_or_no_variation() {
        let x = vec![1.0, 2.0, 3.0];
        assert!(prcc(&[x], &[1.0, 2.0, 3.0])[0].coefficient.is_nan());
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        assert!(prcc(&[x], &[4.0; 10])[0].coefficient.is_nan());
    }
}
