//! A short plain-language account of a run, generated from its files: what
//! the config changes, what happened to the blood and when, and the
//! mechanism behind it (extra divisions, paler cells, fewer or more cells,
//! iron stores and hepcidin). Every sentence is conditional on the numbers
//! it states, compared with the run's own start and with the curated healthy
//! run of the same sex (`results/healthy_man`, `results/healthy_woman`,
//! compiled in); nothing is said that the run does not show.

use erythro_core::body::BodyConfig;
use erythro_core::config::{DivisionRule, Reference};
use erythro_core::events::Event;
use erythro_core::marrow::REFERENCE_TSAT;
use erythro_core::Config;
use serde_json::{Map, Value};

use crate::plot::timecourse::marks;
use erythro_analysis::reference::ranges;
use erythro_io::results_dir::RunDir;

/// The curated healthy man's final values.
const HEALTHY_MAN: &str = include_str!("../../../results/healthy_man/summary.json");
/// The curated healthy woman's final values.
const HEALTHY_WOMAN: &str = include_str!("../../../results/healthy_woman/summary.json");

/// Final values of the curated healthy run for `reference`.
pub fn healthy(reference: Reference) -> Map<String, Value> {
    let text = match reference {
        Reference::AdultMan => HEALTHY_MAN,
        Reference::AdultWoman => HEALTHY_WOMAN,
    };
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

/// Transferrin saturation (fraction) below which, with this config's
/// marrow, receptor iron uptake falls short of what globin synthesis could
/// use: uptake goes as `t / (t + half)` and is sized so that at the reference
/// saturation it is `1 / margin` of globin's capacity.
pub fn iron_limiting_tsat(config: &Config) -> f64 {
    let m = &config.marrow;
    let h = m.tsat_half_uptake;
    let need = m.globin_margin * m.alpha_globin_factor.min(m.beta_globin_factor);
    let at_reference = REFERENCE_TSAT / (REFERENCE_TSAT + h);
    let y = need * at_reference; // the fraction t / (t + h) that must be reached
    if y >= 1.0 {
        1.0
    } else {
        y * h / (1.0 - y)
    }
}

/// `x` with a sensible number of decimals.
fn num(x: f64) -> String {
    crate::plot::tick(x)
}

/// What the config changes from the healthy default, in words.
pub fn config_changes(config: &Config) -> Vec<String> {
    let d = Config::default();
    let m = &config.marrow;
    let dm = &d.marrow;
    let mut out = Vec::new();
    if config.run.reference == Reference::AdultWoman {
        out.push("The body is an adult woman's (smaller blood volume and marrow).".to_string());
    }
    if m.division_rule == DivisionRule::FixedBudget {
        out.push(format!(
            "Erythroblasts follow the fixed-budget hypothesis: each lineage divides {} times whatever the supply; a shortage of heme slows the cycle instead, and each cell grows by the hemoglobin it makes.",
            m.fixed_budget_divisions
        ));
    }
    if m.beta_globin_factor < dm.beta_globin_factor {
        out.push(format!(
            "Beta-globin is made at {:.0}% of normal (as in beta-thalassemia trait).",
            100.0 * m.beta_globin_factor
        ));
    }
    if m.alpha_globin_factor < dm.alpha_globin_factor {
        out.push(format!(
            "Alpha-globin is made at {:.0}% of normal (as in alpha-thalassemia trait).",
            100.0 * m.alpha_globin_factor
        ));
    }
    if !m.hri_enabled {
        out.push("The heme-regulated inhibitor (HRI) is switched off: globin is made at full speed whatever the heme.".to_string());
    }
    if m.critical_hb_g_dl != dm.critical_hb_g_dl {
        out.push(format!(
            "The critical hemoglobin concentration is {} g/dL (default {}).",
            num(m.critical_hb_g_dl),
            num(dm.critical_hb_g_dl)
        ));
    }
    for mark in marks(config) {
        let when = match mark.to_day {
            Some(t) if mark.from_day == 0.0 && t >= config.run.days => "throughout".to_string(),
            Some(t) => format!("from day {:.0} to day {:.0}", mark.from_day, t),
            None => format!("on day {:.0}", mark.from_day),
        };
        out.push(format!("{} {when}.", capitalise(&mark.label)));
    }
    if let Some(body) = &config.body {
        let db = BodyConfig::default();
        if body.diet_fe_mg_per_day != db.diet_fe_mg_per_day
            && !config
                .events
                .iter()
                .any(|e| matches!(e, Event::Diet { .. }))
        {
            out.push(format!(
                "The diet holds {} mg of iron a day (default {}).",
                num(body.diet_fe_mg_per_day),
                num(db.diet_fe_mg_per_day)
            ));
        }
        if body.enterocyte_factor < db.enterocyte_factor {
            out.push(format!(
                "The gut absorbs iron at {:.0}% of normal (as after gastrectomy).",
                100.0 * body.enterocyte_factor
            ));
        }
        if body.ferroportin_factor < db.ferroportin_factor {
            out.push(format!(
                "Ferroportin works at {:.0}% of normal in macrophages and stores (ferroportin disease).",
                100.0 * body.ferroportin_factor
            ));
        }
        if body.hepcidin_production_factor > db.hepcidin_production_factor
            || body.hepcidin_iron_sensing < db.hepcidin_iron_sensing
        {
            out.push("Hepcidin does not fall as iron runs short (iron-refractory iron deficiency: lost iron sensing).".to_string());
        }
        if body.storage_fe_mg < db.storage_fe_mg * 0.5 {
            out.push(format!(
                "Iron stores start low ({} mg).",
                num(body.storage_fe_mg)
            ));
        }
        out.push(
            "The body's iron economy (absorption, stores, hepcidin, EPO) runs the plasma."
                .to_string(),
        );
    } else {
        let tsat = config.plasma.tsat.at_day(0.0);
        if marks(config).is_empty() && (tsat - d.plasma.tsat.at_day(0.0)).abs() > 1e-9 {
            out.push(format!(
                "Transferrin saturation is held at {:.0}%.",
                100.0 * tsat
            ));
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Display names of the measures the account talks about.
const MEASURES: [(&str, &str, &str); 13] = [
    ("hb_g_dl", "hemoglobin", "g/dL"),
    ("rbc_1e12_per_l", "the red-cell count", "x10^12/L"),
    ("mcv_fl", "MCV", "fL"),
    ("mch_pg", "MCH", "pg"),
    ("mchc_g_dl", "MCHC", "g/dL"),
    ("rdw_cv_pct", "RDW-CV", "%"),
    ("retic_pct", "reticulocytes", "%"),
    ("chr_pg", "CHr", "pg"),
    ("tsat_pct", "transferrin saturation", "%"),
    ("ferritin_ug_l", "ferritin", "ug/L"),
    ("hepcidin_nm", "hepcidin", "nM"),
    ("zpp_umol_per_mol_heme", "ZPP", "umol/mol heme"),
    ("mean_divisions", "divisions per lineage", ""),
];

/// Relative change that counts as a change worth telling.
fn changed(a: f64, b: f64) -> bool {
    a.is_finite() && b.is_finite() && (b - a).abs() > 0.03 * a.abs().max(b.abs()).max(1e-9)
}

/// The account, as paragraphs of plain text.
pub fn account(run: &RunDir) -> Vec<String> {
    let config = &run.config;
    let healthy = healthy(config.run.reference);
    let h = |f: &str| healthy.get(f).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let fl = |f: &str| run.first_last(f).unwrap_or((f64::NAN, f64::NAN));
    let last = |f: &str| fl(f).1;
    let first = |f: &str| fl(f).0;
    let days = run
        .series
        .column("day")
        .and_then(|d| d.last().copied())
        .unwrap_or(0.0);
    let sex = match config.run.reference {
        Reference::AdultMan => "man",
        Reference::AdultWoman => "woman",
    };
    let mut paragraphs = Vec::new();

    // 1. What was changed.
    let changes = config_changes(config);
    paragraphs.push(if changes.is_empty() {
        format!(
            "Nothing is changed from the healthy adult {sex}: this run is the reference state, built from its own steady state and followed for {days:.0} days."
        )
    } else {
        format!("What this run changes: {}", changes.join(" "))
    });

    // 2. What happened to the blood, and when.
    let moved: Vec<String> = MEASURES
        .iter()
        .filter(|(f, _, _)| *f != "mean_divisions")
        .filter(|(f, _, _)| changed(first(f), last(f)))
        .map(|(f, label, unit)| {
            let (a, b) = fl(f);
            let sep = if *unit == "%" || unit.is_empty() {
                ""
            } else {
                " "
            };
            format!(
                "{label} {} from {}{sep}{unit} to {}{sep}{unit}",
                if b > a { "rose" } else { "fell" },
                num(a),
                num(b)
            )
        })
        .collect();
    let mut blood = if moved.is_empty() {
        format!(
            "Over {days:.0} days the blood count stayed where it started (hemoglobin {} g/dL, MCV {} fL, RDW-CV {}%).",
            num(last("hb_g_dl")),
            num(last("mcv_fl")),
            num(last("rdw_cv_pct"))
        )
    } else {
        format!("Over {days:.0} days {}.", join_list(&moved))
    };
    let reference = ranges(config.run.reference);
    let label_of = |field: &str| {
        reference
            .iter()
            .find(|r| r.field == field)
            .map(|r| r.label.to_string())
            .unwrap_or_else(|| field.to_string())
    };
    let at_start: Vec<String> = run
        .onsets
        .iter()
        .filter(|o| o.day <= 0.0)
        .map(|o| format!("{} ({})", label_of(&o.field), o.side))
        .collect();
    // The first few to leave later, and hemoglobin and MCV whenever they did.
    let later: Vec<String> = run
        .onsets
        .iter()
        .filter(|o| o.day > 0.0)
        .enumerate()
        .filter(|(i, o)| *i < 4 || o.field == "hb_g_dl" || o.field == "mcv_fl")
        .map(|(_, o)| format!("{} (day {:.0}, {})", label_of(&o.field), o.day, o.side))
        .collect();
    if !at_start.is_empty() {
        blood.push_str(&format!(
            " Already outside the healthy range at the start: {}.",
            join_list(&at_start)
        ));
    }
    if !later.is_empty() {
        blood.push_str(&format!(
            " The first measures to leave the healthy range were {}.",
            join_list(&later)
        ));
    }
    let recovered = back_in_range(run);
    if !recovered.is_empty() {
        blood.push_str(&format!(" Back in range: {}.", join_list(&recovered)));
    }
    if run.onsets.is_empty() && !moved.is_empty() {
        blood.push_str(" Every measure stayed inside its healthy range.");
    }
    if changes.is_empty() && moved.is_empty() {
        blood.push_str(&format!(
            " Erythroblasts divided {} times on average: the critical concentration is reached after the fourth division in nearly every lineage.",
            num(last("mean_divisions"))
        ));
    }
    paragraphs.push(blood);

    // 3. The mechanism.
    let mechanism = mechanism(run, &h, &fl);
    if !mechanism.is_empty() {
        paragraphs.push(mechanism.join(" "));
    }
    paragraphs
}

/// Measures outside their range at the start and inside it at the end,
/// with the day from which they stayed inside.
fn back_in_range(run: &RunDir) -> Vec<String> {
    let Some(days) = run.series.column("day") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in ranges(run.config.run.reference) {
        let Some(v) = run.series.column(r.field) else {
            continue;
        };
        let outside = |x: f64| x < r.low || x > r.high;
        if v.len() < 2 || !outside(v[0]) || outside(v[v.len() - 1]) {
            continue;
        }
        let last_out = v.iter().rposition(|&x| outside(x)).unwrap_or(0);
        out.push(format!("{} from day {:.0}", r.label, days[last_out + 1]));
    }
    out
}

/// Why the cells came out as they did.
fn mechanism(
    run: &RunDir,
    h: &dyn Fn(&str) -> f64,
    fl: &dyn Fn(&str) -> (f64, f64),
) -> Vec<String> {
    let config = &run.config;
    let m = &config.marrow;
    let last = |f: &str| fl(f).1;
    let first = |f: &str| fl(f).0;
    let mut out = Vec::new();

    // What slows hemoglobin synthesis at the end of the run.
    let mut causes = Vec::new();
    let limit = iron_limiting_tsat(config);
    let tsat = last("tsat_pct");
    if tsat.is_finite() && tsat / 100.0 < limit {
        causes.push(format!(
            "transferrin saturation was {}%, below the {:.0}% at which, in this model, receptor iron uptake falls short of what globin synthesis could use (and the heme-regulated inhibitor slows globin to match the heme)",
            num(tsat),
            100.0 * limit
        ));
    }
    if m.beta_globin_factor < 1.0 || m.alpha_globin_factor < 1.0 {
        let (chain, f) = if m.beta_globin_factor <= m.alpha_globin_factor {
            ("beta", m.beta_globin_factor)
        } else {
            ("alpha", m.alpha_globin_factor)
        };
        causes.push(format!(
            "{chain}-globin is made at {:.0}% of normal, so hemoglobin is assembled more slowly whatever the iron",
            100.0 * f
        ));
    }
    let lead = last("lead_ug_dl");
    if lead.is_finite() && lead >= 10.0 {
        causes.push(format!(
            "blood lead ({} ug/dL) blocks ferrochelatase, so heme is made more slowly",
            num(lead)
        ));
    }
    let cause = if causes.is_empty() {
        None
    } else {
        Some(join_list(&causes))
    };

    let div = last("mean_divisions");
    let div_ref = h("mean_divisions");
    let mcv = last("mcv_fl");
    let mcv_ref = h("mcv_fl");
    if m.division_rule == DivisionRule::FixedBudget {
        // Size now depends on what the cells could build, not on divisions.
        let size = if mcv < mcv_ref - 3.0 {
            "smaller, because each cell grows by the hemoglobin it makes"
        } else if mcv > mcv_ref + 3.0 {
            "larger"
        } else {
            "of about the healthy size"
        };
        out.push(format!(
            "Under the fixed-budget rule every lineage divides {} times (here {} on average), so {}the number of divisions is kept; the cells come out {size} (MCV {} fL, healthy {}) with {} hemoglobin each (MCH {} pg, healthy {}).",
            m.fixed_budget_divisions,
            num(div),
            cause.as_ref().map(|c| format!("although {c}, ")).unwrap_or_default(),
            num(mcv),
            num(mcv_ref),
            if last("mch_pg") < h("mch_pg") - 1.0 { "less" } else { "about the healthy" },
            num(last("mch_pg")),
            num(h("mch_pg"))
        ));
    } else if div.is_finite() && div_ref.is_finite() && (div - div_ref).abs() >= 0.3 {
        let more = div > div_ref;
        out.push(format!(
            "Cells divided {} times on average instead of {} in the healthy run{}. A cell divides until its hemoglobin concentration reaches the critical {} g/dL; made {}, hemoglobin gets there {}, and each {} division {} the cell, so the released cells are {} (MCV {} fL against {} fL).",
            num(div),
            num(div_ref),
            cause.as_ref().map(|c| format!(", because {c}")).unwrap_or_default(),
            num(m.critical_hb_g_dl),
            if more { "more slowly" } else { "faster" },
            if more { "one division later" } else { "a division earlier" },
            if more { "extra" } else { "missing" },
            if more { "halves" } else { "would have halved" },
            if more { "smaller" } else { "larger" },
            num(mcv),
            num(mcv_ref)
        ));
    } else if let Some(c) = &cause {
        out.push(format!(
            "Cells still divided {} times on average (healthy {}) although {c}.",
            num(div),
            num(div_ref)
        ));
    } else if changed(first("mcv_fl"), mcv) || changed(mcv_ref, mcv) {
        out.push(format!(
            "Cells divided {} times on average, as in the healthy run (MCV {} fL, healthy {}).",
            num(div),
            num(mcv),
            num(mcv_ref)
        ));
    }

    let mchc = last("mchc_g_dl");
    let mchc_ref = h("mchc_g_dl");
    if mchc.is_finite() && mchc_ref.is_finite() && mchc < mchc_ref - 1.0 {
        out.push(format!(
            "The cells are also paler (MCHC {} g/dL against {}; {}% hypochromic): hemoglobin was still short after the last division, while the cells matured without dividing, so they left the marrow under-filled.",
            num(mchc),
            num(mchc_ref),
            num(last("hypo_pct"))
        ));
    }

    let rbc = last("rbc_1e12_per_l");
    let rbc_ref = h("rbc_1e12_per_l");
    let dying = last("ineffective_pct");
    if changed(rbc_ref, rbc) {
        if rbc > rbc_ref && div > div_ref + 0.3 {
            out.push(format!(
                "Every extra division also doubles the cells a proerythroblast makes, so the red-cell count is high ({} against {} x10^12/L) although each cell is small.",
                num(rbc),
                num(rbc_ref)
            ));
        } else if rbc < rbc_ref {
            let mut why = Vec::new();
            if dying.is_finite() && dying >= 1.0 {
                let how = if m.beta_globin_factor < 1.0 || m.alpha_globin_factor < 1.0 {
                    "killed by unpaired globin chains or starved of heme"
                } else {
                    "starved of heme"
                };
                why.push(format!(
                    "{}% of erythroblasts died in the marrow, {how} (ineffective erythropoiesis)",
                    num(dying)
                ));
            }
            if tsat.is_finite() && tsat / 100.0 < m.tsat_half_progenitor * 1.5 {
                why.push(format!(
                    "low saturation held back progenitor expansion (half at {:.0}%)",
                    100.0 * m.tsat_half_progenitor
                ));
            }
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            };
            out.push(format!(
                "Fewer red cells were made or kept ({} against {} x10^12/L){why}.",
                num(rbc),
                num(rbc_ref)
            ));
        }
    }

    // Ageing mixes old and new cells: RDW rises before MCV falls.
    let (rdw0, rdw1) = fl("rdw_cv_pct");
    let onset = |f: &str| run.onsets.iter().find(|o| o.field == f).map(|o| o.day);
    if rdw1 - rdw0 >= 1.5 {
        let mut s = format!(
            "RDW rose from {} to {}% because the circulation mixes the cells made before the change, which live about four months, with the new ones",
            num(rdw0),
            num(rdw1)
        );
        if let (Some(a), Some(b)) = (onset("rdw_cv_pct"), onset("mcv_fl")) {
            if a < b {
                s.push_str(&format!(
                    "; so RDW left its range (day {a:.0}) before MCV did (day {b:.0})"
                ));
            }
        }
        s.push('.');
        out.push(s);
    }

    let zpp = last("zpp_umol_per_mol_heme");
    let zpp_ref = h("zpp_umol_per_mol_heme");
    if zpp.is_finite() && zpp_ref.is_finite() && zpp > 2.0 * zpp_ref {
        out.push(format!(
            "ZPP rose to {} umol/mol heme (healthy {}): protoporphyrin that found no iron took zinc instead.",
            num(zpp),
            num(zpp_ref)
        ));
    }
    let rings = last("ring_sideroblast_pct");
    if rings.is_finite() && rings >= 1.0 {
        out.push(format!(
            "{}% of erythroblasts are ring sideroblasts: iron taken up but not put into heme piles up in their mitochondria.",
            num(rings)
        ));
    }

    // The body's iron economy.
    let (fer0, fer1) = fl("ferritin_ug_l");
    let (hep0, hep1) = fl("hepcidin_nm");
    let inflamed_at_end = config.events.iter().any(|e| {
        matches!(*e, Event::Inflammation { from_day, to_day, il6_pg_ml }
            if il6_pg_ml > 0.0 && from_day <= config.run.days && to_day >= config.run.days)
    });
    if changed(fer0, fer1) {
        out.push(format!(
            "Ferritin {} from {} to {} ug/L {}.",
            if fer1 < fer0 { "fell" } else { "rose" },
            num(fer0),
            num(fer1),
            match (fer1 < fer0, inflamed_at_end) {
                (true, _) => "as the iron stores were used up",
                (false, true) =>
                    "as stores filled and as an acute-phase protein of the inflammation",
                (false, false) => "as the iron stores filled",
            }
        ));
    }
    if changed(hep0, hep1) {
        let (ts0, ts1) = fl("tsat_pct");
        out.push(match (hep1 < hep0, ts1 < ts0) {
            (true, _) => format!(
                "Hepcidin fell from {} to {} nM, which opens ferroportin: the gut absorbs more iron and macrophages and stores release it faster.",
                num(hep0),
                num(hep1)
            ),
            (false, true) => format!(
                "Hepcidin rose from {} to {} nM, which closes ferroportin: iron stays in macrophages and stores, and saturation fell.",
                num(hep0),
                num(hep1)
            ),
            (false, false) => format!(
                "Hepcidin rose from {} to {} nM as stores and saturation recovered, closing ferroportin again so the gut absorbs less.",
                num(hep0),
                num(hep1)
            ),
        });
    }
    out.extend(therapy_response(run));
    out
}

/// After an iron treatment: the reticulocyte peak and the rise in hemoglobin.
fn therapy_response(run: &RunDir) -> Option<String> {
    let (day_iron, what) = run.config.events.iter().find_map(|e| match *e {
        Event::OralIron { from_day, .. } => Some((from_day, "oral iron")),
        Event::IntravenousIron { day, .. } => Some((day, "intravenous iron")),
        _ => None,
    })?;
    let day = run.series.column("day")?;
    let retic = run.series.column("retic_pct")?;
    let hb = run.series.column("hb_g_dl")?;
    let start = day.iter().position(|&d| d >= day_iron)?;
    let (peak_i, peak) =
        retic[start..]
            .iter()
            .enumerate()
            .fold(
                (0, f64::MIN),
                |(bi, bv), (i, &v)| if v > bv { (i, v) } else { (bi, bv) },
            );
    Some(format!(
        "After {what} from day {day_iron:.0}, reticulocytes peaked at {}% on day {:.0} and hemoglobin went from {} to {} g/dL by day {:.0}.",
        num(peak),
        day[start + peak_i],
        num(hb[start]),
        num(*hb.last()?),
        day.last()?
    ))
}

/// "a, b and c".
fn join_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iron_limits_below_about_a_fifth_saturation_by_default() {
        let t = iron_limiting_tsat(&Config::default());
        // Between clinical iron restriction (15-20%) and the healthy 30%.
        assert!(t > 0.10 && t < 0.25, "{t}");
        let mut c = Config::default();
        c.marrow.beta_globin_factor = 0.6;
        assert!(iron_limiting_tsat(&c) < t, "less globin needs less iron");
    }

    #[test]
    fn default_config_changes_nothing_and_others_are_named() {
        assert!(config_changes(&Config::default()).is_empty());
        let text = include_str!("../../../configs/beta_thal_trait.ron");
        let c = erythro_io::config::parse(text, "beta").unwrap();
        let changes = config_changes(&c);
        assert!(
            changes
                .iter()
                .any(|s| s.contains("Beta-globin is made at 60%")),
            "{changes:?}"
        );
        let text = include_str!("../../../configs/iron_restricted.ron");
        let c = erythro_io::config::parse(text, "iron").unwrap();
        let changes = config_changes(&c).join(" ");
        assert!(changes.contains("from day 14 to day 56"), "{changes}");
    }

    #[test]
    fn lists_read_as_english() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_list(&v(&["a"])), "a");
        assert_eq!(join_list(&v(&["a", "b", "c"])), "a, b and c");
        assert!(healthy(Reference::AdultMan).contains_key("mean_divisions"));
        assert!(healthy(Reference::AdultWoman).contains_key("mcv_fl"));
    }
}
