//! Mergeable measures: the stats and bin counts of parts of a population,
//! merged in any order, give the blood count and histograms of the whole
//! to the bit, and so does the whole in another order (what lets a
//! population held by several processes be measured exactly).

use erythro_analysis::{
    histograms, red_cell_indices, volume_spread, Cbc, HistogramCounts, RedCellStats, RedCellView,
};
use erythro_core::sums::ExactSum;

/// A pseudo-random population of `n` cells.
fn population(n: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut v = Vec::new();
    let mut hb = Vec::new();
    let mut age = Vec::new();
    for _ in 0..n {
        let volume = 55.0 + 70.0 * next();
        v.push(volume as f32);
        hb.push((volume * (0.25 + 0.12 * next())) as f32);
        age.push((2800.0 * next()) as f32);
    }
    (v, hb, age)
}

fn view<'a>(v: &'a [f32], hb: &'a [f32], age: &'a [f32]) -> RedCellView<'a> {
    RedCellView {
        volume_fl: v,
        hb_pg: hb,
        age_h: age,
        reticulocyte_age_h: 24.0,
        cells_per_agent: 2e7,
        blood_volume_l: 5.0,
    }
}

/// The blood count measured part by part, the parts cut at `cuts`.
fn by_parts(v: &[f32], hb: &[f32], age: &[f32], cuts: &[usize]) -> (Cbc, Vec<u64>) {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(v.len());
    let parts: Vec<RedCellView> = bounds
        .windows(2)
        .map(|w| view(&v[w[0]..w[1]], &hb[w[0]..w[1]], &age[w[0]..w[1]]))
        .collect();
    // Merged last part first, through words as a reduction sends them.
    let mut words = vec![0i64; RedCellStats::WORDS];
    let mut counts = HistogramCounts::default();
    for p in parts.iter().rev() {
        let mut w = vec![0i64; RedCellStats::WORDS];
        RedCellStats::measure(p).unwrap().to_words(&mut w);
        for (a, b) in words.iter_mut().zip(w) {
            *a += b;
        }
        counts.merge(&HistogramCounts::count(p));
    }
    let stats = RedCellStats::from_words(&words);
    let mut spread = ExactSum::ZERO;
    for p in &parts {
        spread += volume_spread(p, stats.mean_volume_fl());
    }
    let cbc = Cbc::from_stats(&stats, spread, 2e7, 5.0).unwrap();
    let h = counts.histograms();
    let bits = h
        .volume
        .fraction
        .iter()
        .chain(&h.hb_content.fraction)
        .chain(h.cytogram.fraction.iter().flatten())
        .map(|f| f.to_bits())
        .collect();
    (cbc, bits)
}

fn bits(c: &Cbc) -> Vec<u64> {
    c.fields().iter().map(|(_, v)| v.to_bits()).collect()
}

#[test]
fn parts_merge_to_the_whole_to_the_bit() {
    let (v, hb, age) = population(20_000);
    let whole = red_cell_indices(&view(&v, &hb, &age)).unwrap();
    let (one, hist) = by_parts(&v, &hb, &age, &[]);
    assert_eq!(bits(&one), bits(&whole));
    let h = histograms(&view(&v, &hb, &age));
    assert_eq!(hist.len(), 250 + 120 + 1750);
    assert_eq!(
        hist[..250],
        h.volume
            .fraction
            .iter()
            .map(|f| f.to_bits())
            .collect::<Vec<_>>()[..]
    );
    for cuts in [vec![1], vec![7_000, 7_001, 13_000], vec![0, 19_999]] {
        let (parts, parts_hist) = by_parts(&v, &hb, &age, &cuts);
        assert_eq!(bits(&parts), bits(&whole), "cut at {cuts:?}");
        assert_eq!(parts_hist, hist, "cut at {cuts:?}");
    }
}

#[test]
fn another_order_gives_the_same_bits() {
    let (v, hb, age) = population(5_000);
    let whole = red_cell_indices(&view(&v, &hb, &age)).unwrap();
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.reverse();
    order.swap(3, 4000);
    let pick = |x: &[f32]| order.iter().map(|&i| x[i]).collect::<Vec<f32>>();
    let (v2, hb2, age2) = (pick(&v), pick(&hb), pick(&age));
    let shuffled = red_cell_indices(&view(&v2, &hb2, &age2)).unwrap();
    assert_eq!(bits(&shuffled), bits(&whole));
    // And an empty part is no part.
    let empty = RedCellStats::measure(&view(&[], &[], &[])).unwrap();
    assert_eq!(empty.agents(), 0);
}
