//! The analyser's distributions: volume and hemoglobin-content histograms and
//! the volume x hemoglobin-concentration cytogram.

use serde::Serialize;

use crate::rdw::{bin_index, VOLUME_BINS, VOLUME_BIN_FL, VOLUME_LOWER_FL};
use crate::thresholds::{cell_hb_concentration_g_dl, chc_class, volume_class};
use crate::RedCellView;

const HB_LOWER_PG: f64 = 0.0;
const HB_BIN_PG: f64 = 0.5;
const HB_BINS: usize = 120; // 0..60 pg

const CYTO_VOLUME_LOWER_FL: f64 = 0.0;
const CYTO_VOLUME_BIN_FL: f64 = 4.0;
const CYTO_VOLUME_BINS: usize = 50; // 0..200 fL
const CYTO_CHC_LOWER_G_DL: f64 = 15.0;
const CYTO_CHC_BIN_G_DL: f64 = 1.0;
const CYTO_CHC_BINS: usize = 35; // 15..50 g/dL

/// A one-dimensional histogram of equal-width bins, as fractions of all cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram1d {
    /// Lower edge of the first bin, in `unit`.
    pub lower: f64,
    /// Width of every bin, in `unit`.
    pub bin_width: f64,
    /// Unit of `lower` and `bin_width`, e.g. "fL".
    pub unit: &'static str,
    /// Fraction of all cells in each bin; sums to 1 for a non-empty population.
    /// Values outside the range are counted in the first or last bin.
    pub fraction: Vec<f64>,
}

impl Histogram1d {
    /// `(bin lower edge, bin upper edge, fraction)` for each bin, in order,
    /// so a caller can write CSV without knowing the layout.
    pub fn csv_rows(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        // Edges from the index, not by accumulation, so they carry no drift.
        self.fraction.iter().enumerate().map(move |(i, &f)| {
            let lo = self.lower + i as f64 * self.bin_width;
            (lo, lo + self.bin_width, f)
        })
    }
}

/// Two-dimensional histogram of cell volume x cell hemoglobin concentration,
/// the red-cell cytogram of ADVIA-style analysers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cytogram {
    /// Volume bin edges, fL (0..200 in 4-fL steps: 51 edges, 50 bins).
    pub volume_edges_fl: Vec<f64>,
    /// Concentration bin edges, g/dL (15..50 in 1-g/dL steps: 36 edges, 35 bins).
    pub chc_edges_g_dl: Vec<f64>,
    /// `fraction[v][c]`: fraction of all cells in volume bin `v` and
    /// concentration bin `c`; sums to 1. Out-of-range cells go to the edge bins.
    pub fraction: Vec<Vec<f64>>,
    /// The analyser's nine regions as % of all cells, `regions[v][c]`:
    /// row `v` 0 micro (< 60 fL), 1 normo (60-120 fL), 2 macro (> 120 fL);
    /// column `c` 0 hypo (< 28 g/dL), 1 normo (28-41 g/dL), 2 hyper (> 41 g/dL).
    /// Computed from each cell's exact values, not from the bins; sums to 100.
    pub regions: [[f64; 3]; 3],
}

/// Names of the rows of [`Cytogram::regions`].
pub const REGION_VOLUME_NAMES: [&str; 3] = ["micro", "normo", "macro"];
/// Names of the columns of [`Cytogram::regions`].
pub const REGION_CHC_NAMES: [&str; 3] = ["hypo", "normo", "hyper"];

impl Cytogram {
    /// `(volume lower, volume upper, chc lower, chc upper, fraction)` for each
    /// cell of the grid, volume-major.
    pub fn csv_rows(&self) -> impl Iterator<Item = (f64, f64, f64, f64, f64)> + '_ {
        self.fraction.iter().enumerate().flat_map(move |(v, row)| {
            row.iter().enumerate().map(move |(c, &f)| {
                (
                    self.volume_edges_fl[v],
                    self.volume_edges_fl[v + 1],
                    self.chc_edges_g_dl[c],
                    self.chc_edges_g_dl[c + 1],
                    f,
                )
            })
        })
    }

    /// `(volume class, concentration class, % of cells)` for the nine regions,
    /// e.g. `("micro", "hypo", 1.2)`.
    pub fn region_rows(&self) -> impl Iterator<Item = (&'static str, &'static str, f64)> + '_ {
        (0..3).flat_map(move |v| {
            (0..3).map(move |c| {
                (
                    REGION_VOLUME_NAMES[v],
                    REGION_CHC_NAMES[c],
                    self.regions[v][c],
                )
            })
        })
    }
}

/// All distributions an analyser draws for the red cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histograms {
    /// Cell volume, 0..250 fL in 1-fL bins.
    pub volume: Histogram1d,
    /// Cell hemoglobin content, 0..60 pg in 0.5-pg bins.
    pub hb_content: Histogram1d,
    /// Volume x concentration cytogram with its nine regions.
    pub cytogram: Cytogram,
}

/// The bin counts behind [`Histograms`], mergeable: counts of parts of a
/// population add up to the whole's, so a population held by several
/// processes bins exactly as if one held it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramCounts {
    agents: u64,
    volume: Vec<u64>,
    hb: Vec<u64>,
    cyto: Vec<u64>,
    regions: [[u64; 3]; 3],
}

impl Default for HistogramCounts {
    fn default() -> Self {
        Self {
            agents: 0,
            volume: vec![0; VOLUME_BINS],
            hb: vec![0; HB_BINS],
            cyto: vec![0; CYTO_VOLUME_BINS * CYTO_CHC_BINS],
            regions: [[0; 3]; 3],
        }
    }
}

impl HistogramCounts {
    /// Words of [`HistogramCounts::to_words`].
    pub const WORDS: usize = 1 + VOLUME_BINS + HB_BINS + CYTO_VOLUME_BINS * CYTO_CHC_BINS + 9;

    /// Bins the cells of `view` as [`histograms`] does.
    pub fn count(view: &RedCellView) -> Self {
        let n = view
            .volume_fl
            .len()
            .min(view.hb_pg.len())
            .min(view.age_h.len());
        let mut c = Self {
            agents: n as u64,
            ..Self::default()
        };
        for i in 0..n {
            let volume_fl = f64::from(view.volume_fl[i]);
            let hb_pg = f64::from(view.hb_pg[i]);
            let chc_g_dl = cell_hb_concentration_g_dl(hb_pg, volume_fl);
            c.volume[bin_index(volume_fl, VOLUME_LOWER_FL, VOLUME_BIN_FL, VOLUME_BINS)] += 1;
            c.hb[bin_index(hb_pg, HB_LOWER_PG, HB_BIN_PG, HB_BINS)] += 1;
            let v = bin_index(
                volume_fl,
                CYTO_VOLUME_LOWER_FL,
                CYTO_VOLUME_BIN_FL,
                CYTO_VOLUME_BINS,
            );
            let k = bin_index(
                chc_g_dl,
                CYTO_CHC_LOWER_G_DL,
                CYTO_CHC_BIN_G_DL,
                CYTO_CHC_BINS,
            );
            c.cyto[v * CYTO_CHC_BINS + k] += 1;
            c.regions[volume_class(volume_fl)][chc_class(chc_g_dl)] += 1;
        }
        c
    }

    /// Every count, in [`HistogramCounts::to_words`] order.
    fn counts(&self) -> impl Iterator<Item = u64> + '_ {
        std::iter::once(self.agents)
            .chain(self.volume.iter().copied())
            .chain(self.hb.iter().copied())
            .chain(self.cyto.iter().copied())
            .chain(self.regions.iter().flatten().copied())
    }

    /// The counts as [`HistogramCounts::WORDS`] integers; an element-wise
    /// sum of such words is the words of the merged counts.
    pub fn to_words(&self, words: &mut [i64]) {
        for (w, c) in words[..Self::WORDS].iter_mut().zip(self.counts()) {
            *w = c as i64;
        }
    }

    /// The counts whose words (or sum of words) are `words`.
    pub fn from_words(words: &[i64]) -> Self {
        let mut w = words.iter().map(|&x| x as u64);
        let mut take = |n: usize| -> Vec<u64> { w.by_ref().take(n).collect() };
        let agents = take(1)[0];
        let volume = take(VOLUME_BINS);
        let hb = take(HB_BINS);
        let cyto = take(CYTO_VOLUME_BINS * CYTO_CHC_BINS);
        let r = take(9);
        Self {
            agents,
            volume,
            hb,
            cyto,
            regions: std::array::from_fn(|v| std::array::from_fn(|c| r[3 * v + c])),
        }
    }

    /// Adds the counts of other cells.
    pub fn merge(&mut self, o: &HistogramCounts) {
        self.agents += o.agents;
        for (a, b) in self.volume.iter_mut().zip(&o.volume) {
            *a += b;
        }
        for (a, b) in self.hb.iter_mut().zip(&o.hb) {
            *a += b;
        }
        for (a, b) in self.cyto.iter_mut().zip(&o.cyto) {
            *a += b;
        }
        for (a, b) in self
            .regions
            .iter_mut()
            .flatten()
            .zip(o.regions.iter().flatten())
        {
            *a += b;
        }
    }

    /// The histograms as fractions of all cells counted.
    pub fn histograms(&self) -> Histograms {
        let n = self.agents;
        // An empty population has no fractions; 0 rather than NaN keeps output clean.
        let frac = |count: u64| if n == 0 { 0.0 } else { count as f64 / n as f64 };
        let edges = |lower: f64, width: f64, bins: usize| -> Vec<f64> {
            (0..=bins).map(|i| lower + i as f64 * width).collect()
        };
        Histograms {
            volume: Histogram1d {
                lower: VOLUME_LOWER_FL,
                bin_width: VOLUME_BIN_FL,
                unit: "fL",
                fraction: self.volume.iter().copied().map(frac).collect(),
            },
            hb_content: Histogram1d {
                lower: HB_LOWER_PG,
                bin_width: HB_BIN_PG,
                unit: "pg",
                fraction: self.hb.iter().copied().map(frac).collect(),
            },
            cytogram: Cytogram {
                volume_edges_fl: edges(CYTO_VOLUME_LOWER_FL, CYTO_VOLUME_BIN_FL, CYTO_VOLUME_BINS),
                chc_edges_g_dl: edges(CYTO_CHC_LOWER_G_DL, CYTO_CHC_BIN_G_DL, CYTO_CHC_BINS),
                fraction: self
                    .cyto
                    .chunks(CYTO_CHC_BINS)
                    .map(|row| row.iter().copied().map(frac).collect())
                    .collect(),
                regions: self.regions.map(|row| row.map(|count| 100.0 * frac(count))),
            },
        }
    }
}

/// Bins the population. This never fails so that a caller can always draw
/// something: it does not validate (use [`red_cell_indices`](crate::red_cell_indices)
/// for that), bins only the first `min(len)` cells if the slices differ in
/// length, puts NaN and out-of-range values in the edge bins, and returns
/// all-zero fractions for an empty population.
pub fn histograms(view: &RedCellView) -> Histograms {
    HistogramCounts::count(view).histograms()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_cells() -> Histograms {
        // A micro-hypo, a normo-normo and an out-of-range macro-hyper cell.
        let v = [50.0_f32, 90.0, 300.0];
        let hb = [12.0_f32, 30.0, 130.0];
        let age = [0.0_f32; 3];
        histograms(&RedCellView {
            volume_fl: &v,
            hb_pg: &hb,
            age_h: &age,
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 1.0,
        })
    }

    #[test]
    fn cells_land_in_the_expected_bins() {
        let h = three_cells();
        let third = 1.0 / 3.0;
        assert_eq!(h.volume.fraction.len(), 250);
        assert_eq!(h.volume.fraction[50], third);
        assert_eq!(h.volume.fraction[249], third); // 300 fL clamped
        assert_eq!(h.hb_content.fraction.len(), 120);
        assert_eq!(h.hb_content.fraction[24], third); // 12 pg / 0.5
        assert_eq!(h.hb_content.fraction[119], third); // 130 pg clamped
                                                       // 50 fL, 24 g/dL -> volume bin 12, chc bin 9.
        assert_eq!(h.cytogram.fraction[12][9], third);
        for (v, row) in h.cytogram.regions.iter().enumerate() {
            for (c, &pct) in row.iter().enumerate() {
                let want = if v == c { 100.0 / 3.0 } else { 0.0 };
                assert!((pct - want).abs() < 1e-12, "region [{v}][{c}] = {pct}");
            }
        }
    }

    #[test]
    fn csv_rows_cover_every_bin_with_its_edges() {
        let h = three_cells();
        let rows: Vec<_> = h.hb_content.csv_rows().collect();
        assert_eq!(rows.len(), 120);
        assert_eq!(rows[1], (0.5, 1.0, 0.0));
        assert_eq!(rows[119].1, 60.0);
        let cyto: Vec<_> = h.cytogram.csv_rows().collect();
        assert_eq!(cyto.len(), 50 * 35);
        assert_eq!(cyto[12 * 35 + 9], (48.0, 52.0, 24.0, 25.0, 1.0 / 3.0));
        assert_eq!(*h.cytogram.volume_edges_fl.last().unwrap(), 200.0);
        assert_eq!(*h.cytogram.chc_edges_g_dl.last().unwrap(), 50.0);
        let regions: Vec<_> = h.cytogram.region_rows().collect();
        assert_eq!(regions[0].0, "micro");
        assert_eq!(regions[0].1, "hypo");
        assert_eq!((regions[8].0, regions[8].1), ("macro", "hyper"));
        assert!((regions[8].2 - 100.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_population_gives_zero_fractions() {
        let h = histograms(&RedCellView {
            volume_fl: &[],
            hb_pg: &[],
            age_h: &[],
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 1.0,
        });
        assert!(h.volume.fraction.iter().all(|&f| f == 0.0));
        assert_eq!(h.cytogram.regions, [[0.0; 3]; 3]);
    }
}
