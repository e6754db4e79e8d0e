//! RDW-SD: the width of the red-cell volume histogram at 20 % of its peak.

/// Number of 1-fL bins of the volume histogram (0..250 fL).
pub(crate) const VOLUME_BINS: usize = 250;
/// Lower edge of the volume histogram, fL.
pub(crate) const VOLUME_LOWER_FL: f64 = 0.0;
/// Bin width of the volume histogram, fL.
pub(crate) const VOLUME_BIN_FL: f64 = 1.0;
/// Fraction of the peak height at which analysers read RDW-SD.
pub(crate) const RDW_SD_LEVEL: f64 = 0.2;

/// Bin of a value in a histogram of `n` bins starting at `lower`; values
/// outside the range (and NaN, which casts to 0) go to the first/last bin.
pub(crate) fn bin_index(x: f64, lower: f64, width: f64, n: usize) -> usize {
    let k = ((x - lower) / width).floor();
    if k >= n as f64 {
        n - 1
    } else if k > 0.0 {
        k as usize
    } else {
        0
    }
}

/// Volume bin (1 fL, 0..250 fL) of a cell.
pub(crate) fn volume_bin(volume_fl: f64) -> usize {
    bin_index(volume_fl, VOLUME_LOWER_FL, VOLUME_BIN_FL, VOLUME_BINS)
}

/// Width in fL of the volume histogram at 20 % of its peak.
///
/// The raw 1-fL histogram is smoothed with the 5-bin binomial kernel
/// 1-4-6-4-1 / 16 (bins outside the range count as empty) so that counting
/// noise does not pick a spurious peak or crossing. A binomial kernel rather
/// than a flat moving average because it adds only 1 fL² of variance (a flat
/// 5-bin average adds 2 fL², which widens a 6-fL-SD curve by ~3 %). From the
/// highest smoothed bin (the first one on ties) we walk outward to the first
/// bin below 20 % of the peak on each side and interpolate linearly between
/// bin centres for the crossing. If a side never drops below the level (the
/// distribution is clipped at 0 or 250 fL) that side's crossing is the centre
/// of the outermost bin. A population of identical cells reads ~3.9 fL, the
/// width of the kernel itself.
pub(crate) fn width_at_peak_fraction_fl(counts: &[u64; VOLUME_BINS]) -> f64 {
    let values: [f64; VOLUME_BINS] = std::array::from_fn(|i| counts[i] as f64);
    match span_at_peak_fraction(&values) {
        Some(s) => s.right_fl - s.left_fl,
        None => 0.0,
    }
}

/// Where the smoothed volume histogram crosses 20 % of its peak: what RDW-SD
/// measures, for drawing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RdwSdSpan {
    /// Left crossing, fL.
    pub left_fl: f64,
    /// Right crossing, fL.
    pub right_fl: f64,
    /// The level crossed, in the units of the histogram given (20 % of the
    /// smoothed peak).
    pub level: f64,
}

/// The RDW-SD crossings of a 1-fL volume histogram from 0 fL (counts or
/// fractions, one value per bin; at most 250 bins are read), as
/// [`Cbc::rdw_sd_fl`](crate::Cbc::rdw_sd_fl) measures them; `None` for an
/// empty histogram.
pub fn rdw_sd_span(histogram: &[f64]) -> Option<RdwSdSpan> {
    span_at_peak_fraction(&histogram[..histogram.len().min(VOLUME_BINS)])
}

/// See [`width_at_peak_fraction_fl`]; `values` are per-bin counts (or
/// fractions) of up to `VOLUME_BINS` 1-fL bins from 0 fL. Allocates nothing.
fn span_at_peak_fraction(values: &[f64]) -> Option<RdwSdSpan> {
    const KERNEL: [f64; 5] = [1.0, 4.0, 6.0, 4.0, 1.0];
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mut smooth = [0.0_f64; VOLUME_BINS];
    let smooth = &mut smooth[..n];
    for (i, s) in smooth.iter_mut().enumerate() {
        let mut acc = 0.0;
        for (k, w) in KERNEL.iter().enumerate() {
            // Source bin i + k - 2, skipped when outside the histogram.
            if let Some(j) = (i + k).checked_sub(2) {
                if j < n {
                    acc += w * values[j];
                }
            }
        }
        *s = acc / 16.0;
    }
    let mut peak = 0;
    for i in 1..n {
        if smooth[i] > smooth[peak] {
            peak = i;
        }
    }
    let level = RDW_SD_LEVEL * smooth[peak];
    if level <= 0.0 {
        return None;
    }
    let centre = |i: usize| VOLUME_LOWER_FL + (i as f64 + 0.5) * VOLUME_BIN_FL;

    let mut lo = peak;
    while lo > 0 && smooth[lo - 1] >= level {
        lo -= 1;
    }
    let left = if lo == 0 {
        centre(0)
    } else {
        // smooth[lo - 1] < level <= smooth[lo], so the denominator is > 0.
        let t = (level - smooth[lo - 1]) / (smooth[lo] - smooth[lo - 1]);
        centre(lo - 1) + t * VOLUME_BIN_FL
    };

    let mut hi = peak;
    while hi + 1 < n && smooth[hi + 1] >= level {
        hi += 1;
    }
    let right = if hi + 1 == n {
        centre(n - 1)
    } else {
        let t = (smooth[hi] - level) / (smooth[hi] - smooth[hi + 1]);
        centre(hi) + t * VOLUME_BIN_FL
    };
    Some(RdwSdSpan {
        left_fl: left,
        right_fl: right,
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_clamp_at_both_ends() {
        assert_eq!(volume_bin(-3.0), 0);
        assert_eq!(volume_bin(f64::NAN), 0);
        assert_eq!(volume_bin(0.5), 0);
        assert_eq!(volume_bin(90.2), 90);
        assert_eq!(volume_bin(249.99), 249);
        assert_eq!(volume_bin(1000.0), 249);
    }

    #[test]
    fn identical_cells_read_the_kernel_width() {
        let mut counts = [0_u64; VOLUME_BINS];
        counts[90] = 1000;
        // Smoothed: 1,4,6,4,1 (/16); level 1.2; crossings 0.2/3 bin inside the outer bins.
        let expected = 2.0 * (2.0 - 0.2 / 3.0);
        assert!((width_at_peak_fraction_fl(&counts) - expected).abs() < 1e-12);
    }

    #[test]
    fn a_flat_plateau_is_measured_between_its_shoulders() {
        let mut counts = [0_u64; VOLUME_BINS];
        for c in &mut counts[80..100] {
            *c = 10;
        }
        let w = width_at_peak_fraction_fl(&counts);
        // Raw bins 80..=99. Smoothed: bin 78 = 10/16, bin 79 = 50/16, peak 10,
        // level 2; left crossing 78.5 + (2 - 0.625) / 2.5 = 79.05, right 100.95.
        assert!((w - 21.9).abs() < 1e-12, "{w}");
    }

    #[test]
    fn span_of_fractions_matches_the_width_of_counts() {
        let mut counts = [0_u64; VOLUME_BINS];
        for (i, c) in counts.iter_mut().enumerate().take(120).skip(60) {
            *c = (100.0 * (-((i as f64 - 90.0) / 8.0).powi(2)).exp()) as u64;
        }
        let total: u64 = counts.iter().sum();
        let fractions: Vec<f64> = counts.iter().map(|&c| c as f64 / total as f64).collect();
        let span = rdw_sd_span(&fractions).unwrap();
        let width = width_at_peak_fraction_fl(&counts);
        assert!((span.right_fl - span.left_fl - width).abs() < 1e-9);
        assert!(span.left_fl < 90.0 && span.right_fl > 90.0);
        assert_eq!(rdw_sd_span(&[0.0; 10]), None);
    }

    #[test]
    fn clipped_distribution_uses_the_outermost_centre() {
        let mut counts = [0_u64; VOLUME_BINS];
        counts[0] = 100;
        counts[1] = 100;
        let w = width_at_peak_fraction_fl(&counts);
        assert!(w > 0.0 && w < 5.0, "{w}");
    }
}
