//! Histogram fractions and cytogram regions are normalised and agree with the CBC.

mod common;

use erythro_analysis::{histograms, red_cell_indices, volume_percentiles, RedCellView};

#[test]
fn fractions_sum_to_one_and_regions_to_one_hundred() {
    let pop = common::mixed_population(10_000, 7);
    let view = RedCellView {
        volume_fl: &pop.volume_fl,
        hb_pg: &pop.hb_pg,
        age_h: &pop.age_h,
        reticulocyte_age_h: 24.0,
        cells_per_agent: 1e8,
        blood_volume_l: 5.0,
    };
    let h = histograms(&view);
    let sum = |f: &[f64]| f.iter().sum::<f64>();
    assert!((sum(&h.volume.fraction) - 1.0).abs() < 1e-12);
    assert!((sum(&h.hb_content.fraction) - 1.0).abs() < 1e-12);
    let cyto: f64 = h.cytogram.fraction.iter().map(|r| sum(r)).sum();
    assert!((cyto - 1.0).abs() < 1e-12);
    let regions: f64 = h.cytogram.regions.iter().map(|r| sum(r)).sum();
    assert!((regions - 100.0).abs() < 1e-9, "{regions}");
    assert_eq!(h.cytogram.fraction.len(), 50);
    assert!(h.cytogram.fraction.iter().all(|r| r.len() == 35));
    // The out-of-range cells (260 fL) are clamped into the last volume bin.
    assert!(h.volume.fraction[249] > 0.0);

    // The region margins are the CBC's cell-by-cell flags.
    let cbc = red_cell_indices(&view).unwrap();
    let r = h.cytogram.regions;
    let row = |v: usize| r[v].iter().sum::<f64>();
    let col = |c: usize| r.iter().map(|x| x[c]).sum::<f64>();
    assert!((row(0) - cbc.micro_pct).abs() < 1e-9);
    assert!((row(2) - cbc.macro_pct).abs() < 1e-9);
    assert!((col(0) - cbc.hypo_pct).abs() < 1e-9);
    assert!((col(2) - cbc.hyper_pct).abs() < 1e-9);
    assert!(cbc.micro_pct > 0.0 && cbc.macro_pct > 0.0 && cbc.hypo_pct > 0.0);

    // The histogram's own mean approximates MCV (bin centres, 1-fL bins).
    let mean: f64 = h
        .volume
        .csv_rows()
        .map(|(lo, hi, f)| f * (lo + hi) / 2.0)
        .sum();
    assert!((mean - cbc.mcv_fl).abs() < 1.0, "{mean} vs {}", cbc.mcv_fl);

    // The median from HdrHistogram sits near the histogram's median.
    let p = volume_percentiles(&view).unwrap();
    let mut acc = 0.0;
    let median_bin = h
        .volume
        .csv_rows()
        .find(|&(_, _, f)| {
            acc += f;
            acc >= 0.5
        })
        .unwrap();
    assert!(p.p50_fl >= median_bin.0 - 0.2 && p.p50_fl <= median_bin.1 + 0.2);
}
