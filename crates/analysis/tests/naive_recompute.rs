//! The indices agree with hand-computed values and with a naive, independent
//! recomputation on a large pseudo-random population.

mod common;

use erythro_analysis::{red_cell_indices, Cbc, RedCellView, DISCRIMINANTS};

fn assert_rel(name: &str, got: f64, want: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        got == want || (got - want).abs() <= 1e-9 * scale,
        "{name}: got {got}, want {want}"
    );
}

#[test]
fn four_hand_computed_cells() {
    // Cell:            0      1     2     3
    // volume fL:      50     80    90   100   -> sum 320, MCV 80
    // hb pg:        12.5     24    27    32   -> sum 95.5, MCH 23.875
    // own CHC g/dL:   25     30    30    32   -> one hypo (< 28), none hyper
    // age h:          10     30    50   200   -> retic (< 48): cells 0 and 1
    let volume_fl = [50.0_f32, 80.0, 90.0, 100.0];
    let hb_pg = [12.5_f32, 24.0, 27.0, 32.0];
    let age_h = [10.0_f32, 30.0, 50.0, 200.0];
    let cbc = red_cell_indices(&RedCellView {
        volume_fl: &volume_fl,
        hb_pg: &hb_pg,
        age_h: &age_h,
        reticulocyte_age_h: 48.0,
        cells_per_agent: 1.25e12,
        blood_volume_l: 1.0,
    })
    .unwrap();
    // RBC = 4 * 1.25e12 / 1 L / 1e12 = 5
    assert_rel("rbc", cbc.rbc_1e12_per_l, 5.0);
    // Hb = 95.5 pg * 1.25e12 * 1e-12 g/pg / 10 dL = 11.9375 g/dL
    assert_rel("hb", cbc.hb_g_dl, 11.9375);
    // Hct = 320 fL * 1.25e12 * 1e-15 L/fL / 1 L * 100 = 40 %
    assert_rel("hct", cbc.hct_pct, 40.0);
    assert_rel("mcv", cbc.mcv_fl, 80.0);
    assert_rel("mch", cbc.mch_pg, 23.875);
    // MCHC = 100 * 23.875 / 80
    assert_rel("mchc", cbc.mchc_g_dl, 29.84375);
    // deviations -30, 0, 10, 20 -> squares 900+0+100+400 = 1400, /4 = 350;
    // RDW-CV = 100 * sqrt(350) / 80 = 1.25 * 18.708286933869708
    assert_rel("rdw_cv", cbc.rdw_cv_pct, 23.385358667337135);
    assert_rel("retic", cbc.retic_pct, 50.0);
    // 2 * 1.25e12 / 1 L / 1e9
    assert_rel("retic_abs", cbc.retic_abs_1e9_per_l, 2500.0);
    // (12.5 + 24) / 2
    assert_rel("chr", cbc.chr_pg, 18.25);
    assert_rel("hypo", cbc.hypo_pct, 25.0);
    assert_rel("hyper", cbc.hyper_pct, 0.0);
    assert_rel("micro", cbc.micro_pct, 25.0);
    assert_rel("macro", cbc.macro_pct, 0.0);
    // Mentzer = 80 / 5
    assert_rel("mentzer", cbc.mentzer, 16.0);
    // Shine & Lal = 6400 * 23.875 / 100
    assert_rel("shine_lal", cbc.shine_lal, 1528.0);
    // England & Fraser = 80 - 5 - 59.6875 - 3.4
    assert_rel("england_fraser", cbc.england_fraser, 11.9125);
    // Srivastava = 23.875 / 5
    assert_rel("srivastava", cbc.srivastava, 4.775);
    // Ehsani = 80 - 50; Sirdah = 80 - 5 - 120
    assert_rel("ehsani", cbc.ehsani, 30.0);
    assert_rel("sirdah", cbc.sirdah, -45.0);
}

/// RDW-SD the long way: 1-fL histogram, 1-4-6-4-1 smoothing, walk out from
/// the peak to 20 %, interpolate between bin centres.
fn naive_rdw_sd(volumes: &[f64]) -> f64 {
    let mut h = vec![0.0_f64; 250];
    for &v in volumes {
        let b = if v < 0.0 {
            0
        } else {
            (v.floor() as usize).min(249)
        };
        h[b] += 1.0;
    }
    let at = |i: isize| -> f64 {
        if !(0..250).contains(&i) {
            0.0
        } else {
            h[i as usize]
        }
    };
    let s: Vec<f64> = (0..250_isize)
        .map(|i| (at(i - 2) + 4.0 * at(i - 1) + 6.0 * at(i) + 4.0 * at(i + 1) + at(i + 2)) / 16.0)
        .collect();
    let mut peak = 0;
    for i in 0..250 {
        if s[i] > s[peak] {
            peak = i;
        }
    }
    let level = 0.2 * s[peak];
    let mut l = peak;
    while l > 0 && s[l - 1] >= level {
        l -= 1;
    }
    let mut r = peak;
    while r < 249 && s[r + 1] >= level {
        r += 1;
    }
    assert!(l > 0 && r < 249, "test population must not touch the edges");
    let left = (l as f64 - 0.5) + (level - s[l - 1]) / (s[l] - s[l - 1]);
    let right = (r as f64 + 0.5) + (s[r] - level) / (s[r] - s[r + 1]);
    right - left
}

fn naive(pop: &common::Population, retic_age_h: f32, cpa: f64, blood_l: f64) -> Cbc {
    let v: Vec<f64> = pop.volume_fl.iter().map(|&x| x as f64).collect();
    let hb: Vec<f64> = pop.hb_pg.iter().map(|&x| x as f64).collect();
    let n = v.len() as f64;
    let mcv = v.iter().sum::<f64>() / n;
    let mch = hb.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mcv) * (x - mcv)).sum::<f64>() / n;
    let rbc = n * cpa / blood_l * 1e-12;
    let hb_g_dl = hb.iter().sum::<f64>() * cpa * 1e-12 / blood_l / 10.0;
    let hct = v.iter().sum::<f64>() * cpa * 1e-15 / blood_l * 100.0;
    let rdw = var.sqrt() / mcv * 100.0;
    let retic: Vec<usize> = (0..v.len())
        .filter(|&i| pop.age_h[i] < retic_age_h)
        .collect();
    let chc = |i: usize| hb[i] / v[i] * 100.0;
    let pct = |f: &dyn Fn(usize) -> bool| (0..v.len()).filter(|&i| f(i)).count() as f64 / n * 100.0;
    Cbc {
        rbc_1e12_per_l: rbc,
        hb_g_dl,
        hct_pct: hct,
        mcv_fl: mcv,
        mch_pg: mch,
        mchc_g_dl: mch / mcv * 100.0,
        rdw_cv_pct: rdw,
        rdw_sd_fl: naive_rdw_sd(&v),
        retic_pct: retic.len() as f64 / n * 100.0,
        retic_abs_1e9_per_l: retic.len() as f64 * cpa / blood_l * 1e-9,
        chr_pg: retic.iter().map(|&i| hb[i]).sum::<f64>() / retic.len() as f64,
        hypo_pct: pct(&|i| chc(i) < 28.0),
        hyper_pct: pct(&|i| chc(i) > 41.0),
        micro_pct: pct(&|i| v[i] < 60.0),
        macro_pct: pct(&|i| v[i] > 120.0),
        mentzer: mcv / rbc,
        shine_lal: mcv * mcv * mch / 100.0,
        england_fraser: mcv - rbc - 5.0 * hb_g_dl - 3.4,
        srivastava: mch / rbc,
        green_king: mcv * mcv * rdw / 100.0 / hb_g_dl,
        rdwi: mcv * rdw / rbc,
        ricerca: rdw / rbc,
        ehsani: mcv - 10.0 * rbc,
        sirdah: mcv - rbc - 3.0 * hct,
    }
}

#[test]
fn ten_thousand_cells_match_a_naive_recomputation() {
    let pop = common::mixed_population(10_000, 42);
    let (retic_age_h, cpa, blood_l) = (30.0_f32, 2.5e9, 5.0);
    let view = RedCellView {
        volume_fl: &pop.volume_fl,
        hb_pg: &pop.hb_pg,
        age_h: &pop.age_h,
        reticulocyte_age_h: retic_age_h,
        cells_per_agent: cpa,
        blood_volume_l: blood_l,
    };
    let got = red_cell_indices(&view).unwrap();
    let want = naive(&pop, retic_age_h, cpa, blood_l);
    // The population must exercise every counter, or the comparison proves little.
    for (name, value) in want.fields() {
        assert!(value != 0.0 && value.is_finite(), "{name} = {value}");
    }
    let got_fields = got.fields();
    assert_eq!(got_fields.len(), 24);
    for ((name, g), (_, w)) in got_fields.into_iter().zip(want.fields()) {
        assert_rel(name, g, w);
    }
    // Each discriminant is reachable by name.
    for d in DISCRIMINANTS {
        assert_eq!(
            got.discriminant(d.name),
            got.fields().iter().find(|f| f.0 == d.name).map(|f| f.1)
        );
    }
    // Same input, same bits.
    let again = red_cell_indices(&view).unwrap();
    for ((_, a), (_, b)) in got.fields().into_iter().zip(again.fields()) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}
