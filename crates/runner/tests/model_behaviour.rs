//! Whole-model behaviour: the healthy default lands in the reference ranges,
//! and conditions show their textbook patterns because of the mechanism.
//! Small populations (tens of thousands of agents) in the optimised test profile.

mod common;

use erythro_analysis::reference::{flag, ranges};
use erythro_core::config::{DivisionRule, Reference};
use erythro_core::Config;
use erythro_runner::{Sample, Simulation};

/// The last sample after `days` days.
fn run(config: Config, days: f64) -> Sample {
    common::pool(2).install(|| {
        let mut sim = Simulation::new(config).unwrap();
        *sim.run(days, |_| {}, |_, _| {}).unwrap().last().unwrap()
    })
}

#[test]
fn healthy_default_is_inside_the_reference_ranges() {
    let s = run(common::small(Config::default()), 2.0);
    // reference/healthy-adult.md, men: every index the analysis reports
    // that has a range (iron studies need the body, which this run lacks).
    let fields = s.fields();
    let mut checked = 0;
    for r in ranges(Reference::AdultMan) {
        if let Some((_, v)) = fields.iter().find(|(n, _)| *n == r.field) {
            if r.field == "epo_mu_ml" || r.field == "tsat_pct" {
                continue; // prescribed here, not made by the model
            }
            assert!(
                flag(r, *v).is_empty(),
                "{} {v} outside {}-{}",
                r.label,
                r.low,
                r.high
            );
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} indices checked");
    // About four divisions per lineage (stage ratios 1:2:4:8:16).
    assert!(
        (3.9..=4.1).contains(&s.marrow.mean_divisions),
        "divisions {}",
        s.marrow.mean_divisions
    );
}

#[test]
fn steady_state_is_stationary() {
    let config = common::small(Config::default());
    let samples = common::pool(2).install(|| {
        let mut sim = Simulation::new(config).unwrap();
        sim.run(10.0, |_| {}, |_, _| {}).unwrap()
    });
    let (first, last) = (&samples[0].cbc, &samples[samples.len() - 1].cbc);
    let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * a.abs();
    assert!(
        close(first.mcv_fl, last.mcv_fl, 0.01),
        "MCV {} -> {}",
        first.mcv_fl,
        last.mcv_fl
    );
    assert!(
        close(first.hb_g_dl, last.hb_g_dl, 0.03),
        "Hb {} -> {}",
        first.hb_g_dl,
        last.hb_g_dl
    );
    assert!(
        close(first.rdw_cv_pct, last.rdw_cv_pct, 0.03),
        "RDW {} -> {}",
        first.rdw_cv_pct,
        last.rdw_cv_pct
    );
    // The built circulation holds its youngest cells too: reticulocytes are
    // there from the first sample, at the level the marrow then keeps up.
    assert!(
        close(last.retic_pct, first.retic_pct, 0.25),
        "reticulocytes {}% -> {}%",
        first.retic_pct,
        last.retic_pct
    );
}

#[test]
fn cutting_iron_supply_makes_smaller_paler_cells_through_extra_divisions() {
    let healthy = run(common::with_tsat(0.30), 1.0);
    let restricted = run(common::with_tsat(0.06), 1.0);
    let (h, r) = (&healthy.cbc, &restricted.cbc);
    assert!(
        r.mcv_fl < h.mcv_fl - 15.0,
        "MCV {} vs {}",
        r.mcv_fl,
        h.mcv_fl
    );
    assert!(
        r.mchc_g_dl < h.mchc_g_dl - 1.5,
        "MCHC {} vs {}",
        r.mchc_g_dl,
        h.mchc_g_dl
    );
    assert!(
        restricted.marrow.mean_divisions > healthy.marrow.mean_divisions + 0.5,
        "divisions {} vs {}",
        restricted.marrow.mean_divisions,
        healthy.marrow.mean_divisions
    );
    // Iron-restricted erythropoiesis: fewer cells, not more.
    assert!(
        r.rbc_1e12_per_l < h.rbc_1e12_per_l,
        "RBC {} vs {}",
        r.rbc_1e12_per_l,
        h.rbc_1e12_per_l
    );
    assert!(
        r.chr_pg < h.chr_pg
            && restricted.marrow.zpp_umol_per_mol_heme > 3.0 * healthy.marrow.zpp_umol_per_mol_heme
    );
}

#[test]
fn fixed_budget_rule_keeps_divisions_and_gives_pale_cells() {
    // The competing hypothesis: same divisions, slower maturation.
    let mut healthy = common::with_tsat(0.30);
    healthy.marrow.division_rule = DivisionRule::FixedBudget;
    let mut restricted = common::with_tsat(0.06);
    restricted.marrow.division_rule = DivisionRule::FixedBudget;
    let (h, r) = (run(healthy, 1.0), run(restricted, 1.0));
    assert!(
        (h.marrow.mean_divisions - 4.0).abs() < 0.01
            && (r.marrow.mean_divisions - 4.0).abs() < 0.01
    );
    assert!(
        r.cbc.mch_pg < h.cbc.mch_pg - 3.0,
        "MCH {} vs {}",
        r.cbc.mch_pg,
        h.cbc.mch_pg
    );
}

/// Healthy and beta-thalassemia-trait runs with the body, long enough for
/// EPO to answer the trait's lower hemoglobin.
fn healthy_and_beta_thal() -> (Sample, Sample) {
    let healthy = run(common::from_file("conditions/healthy_man.ron"), 60.0);
    let thal = run(common::from_file("conditions/beta_thal_trait.ron"), 60.0);
    (healthy, thal)
}

#[test]
fn beta_thalassemia_trait_is_microcytic_with_a_high_count() {
    let (healthy, thal) = healthy_and_beta_thal();
    let (h, t) = (&healthy.cbc, &thal.cbc);
    assert!(t.mcv_fl < 75.0, "MCV {}", t.mcv_fl);
    assert!(
        t.rbc_1e12_per_l > h.rbc_1e12_per_l + 0.5,
        "RBC {} vs {}",
        t.rbc_1e12_per_l,
        h.rbc_1e12_per_l
    );
    assert!(t.mentzer < 13.0, "Mentzer {}", t.mentzer);
    // Unpaired alpha chains: ineffective erythropoiesis; no iron pile-up.
    assert!(thal.marrow.ineffective_pct > 5.0 && thal.marrow.ring_sideroblast_pct < 1.0);
}

#[test]
#[ignore = "known failure (issue 12): the trait's RDW-CV is about 20%, published cohorts 13-15%"]
fn beta_thalassemia_trait_has_a_near_normal_rdw() {
    let (_, thal) = healthy_and_beta_thal();
    assert!(
        (11.5..=15.5).contains(&thal.cbc.rdw_cv_pct),
        "RDW-CV {}",
        thal.cbc.rdw_cv_pct
    );
}

#[test]
fn lead_blocks_heme_so_iron_piles_up_and_zpp_rises() {
    let mut c = common::small(Config::default());
    // Very severe poisoning: ferrochelatase is in excess, so iron piles up
    // in mitochondria (ring sideroblasts, uncommon in lead poisoning) only
    // when lead halves it well below the iron's delivery.
    c.plasma.lead_ug_dl = erythro_core::schedule::Schedule::Constant(200.0);
    let lead = run(c, 1.0);
    let healthy = run(common::small(Config::default()), 1.0);
    assert!(
        lead.marrow.ring_sideroblast_pct > 10.0,
        "sideroblasts {}",
        lead.marrow.ring_sideroblast_pct
    );
    assert!(lead.marrow.zpp_umol_per_mol_heme > 3.0 * healthy.marrow.zpp_umol_per_mol_heme);
    assert!(lead.cbc.mcv_fl < healthy.cbc.mcv_fl);
}

#[test]
fn without_hri_iron_deficiency_is_not_microcytic() {
    // HRI-null mice make normocytic cells in iron deficiency (MODEL.md).
    let mut with = common::with_tsat(0.08);
    with.marrow.hri_enabled = true;
    let mut without = with.clone();
    without.marrow.hri_enabled = false;
    let (w, wo) = (run(with, 1.0), run(without, 1.0));
    assert!(
        wo.cbc.mcv_fl > w.cbc.mcv_fl + 10.0,
        "MCV without HRI {} vs with {}",
        wo.cbc.mcv_fl,
        w.cbc.mcv_fl
    );
    assert!(
        wo.marrow.ineffective_pct > w.marrow.ineffective_pct,
        "unpaired globin kills"
    );
}

#[test]
fn iron_restricted_config_ends_microcytic_and_hypochromic_in_physiological_order() {
    let samples = common::pool(2).install(|| {
        let config = common::from_file("iron_restricted.ron");
        let days = config.run.days;
        let mut sim = Simulation::new(config).unwrap();
        sim.run(days, |_| {}, |_, _| {}).unwrap()
    });
    let last = &samples[samples.len() - 1];
    assert!(last.cbc.mcv_fl < 80.0, "MCV {}", last.cbc.mcv_fl);
    assert!(last.cbc.mchc_g_dl < 32.0, "MCHC {}", last.cbc.mchc_g_dl);
    assert!(
        last.marrow.mean_divisions > 4.5,
        "divisions {}",
        last.marrow.mean_divisions
    );
    // Reticulocyte hemoglobin falls first, and RDW rises (old and new cells
    // mixing) before MCV leaves its range.
    let first_day =
        |below: &dyn Fn(&Sample) -> bool| samples.iter().find(|s| below(s)).map(|s| s.day).unwrap();
    let chr = first_day(&|s| s.cbc.chr_pg < 28.0);
    let range = |field: &str| {
        let r = ranges(Reference::AdultMan)
            .iter()
            .find(|r| r.field == field)
            .unwrap();
        (r.low, r.high)
    };
    let mcv = first_day(&|s| s.cbc.mcv_fl < range("mcv_fl").0);
    let rdw = first_day(&|s| s.cbc.rdw_cv_pct > range("rdw_cv_pct").1);
    assert!(
        chr < rdw && rdw < mcv,
        "CHr day {chr}, RDW day {rdw}, MCV day {mcv}"
    );
}

#[test]
fn zpp_is_carried_by_the_red_cells_and_lags_the_marrow_for_weeks() {
    // Iron-restricted, then iron back within half a day (as after
    // intravenous iron): the marrow makes normal cells again at once, but
    // the blood's ZPP falls only as the pale cells are replaced (a 120-day
    // lifespan), as seen for weeks after treatment.
    let mut c = common::with_tsat(0.06);
    c.plasma.tsat = erythro_core::schedule::Schedule::Piecewise(vec![(0.0, 0.06), (0.5, 0.30)]);
    let samples = common::pool(2).install(|| {
        let mut sim = Simulation::new(c).unwrap();
        sim.run(14.0, |_| {}, |_, _| {}).unwrap()
    });
    let healthy = run(common::with_tsat(0.30), 1.0).marrow;
    let before = samples[0].marrow.zpp_umol_per_mol_heme;
    let after = samples.last().unwrap().marrow;
    let normal = healthy.zpp_umol_per_mol_heme;
    assert!(before > 3.0 * normal, "ZPP {before} vs healthy {normal}");
    // Two weeks on, much of the excess is still there (read from the
    // marrow it would be gone: its new cells are normal) ...
    let kept = (after.zpp_umol_per_mol_heme - normal) / (before - normal);
    assert!((0.35..0.9).contains(&kept), "{kept} of the excess kept");
    // ... although the marrow's new cells are full again.
    let (new_hb, healthy_hb) = (after.released_hb_pg, healthy.released_hb_pg);
    assert!(
        (new_hb - healthy_hb).abs() < 0.1 * healthy_hb,
        "released Hb {new_hb} vs {healthy_hb} pg"
    );
}
