//! The blood count as a terminal table, flagged against reference ranges.

use std::fmt::Write as _;

use erythro_analysis::reference::{flag, onsets, ranges};
use erythro_core::Config;
use erythro_io::results::series;
use erythro_runner::Sample;

/// When each marker first left its reference range, as text.
pub fn onset_report(config: &Config, samples: &[Sample]) -> String {
    let mut out = String::from("First day outside the reference range\n");
    let onsets = onsets(config.run.reference, &series(samples));
    if onsets.is_empty() {
        out.push_str("  every marker stayed inside its range\n");
    }
    for (r, day, side) in onsets {
        let _ = writeln!(out, "  {:<14} day {:>6.1}  {}", r.label, day, side);
    }
    out
}

/// The final blood count, marrow measures and discriminant indices as text.
pub fn report(config: &Config, s: &Sample) -> String {
    let mut out = String::new();
    let fields: Vec<(&str, f64)> = s.fields();
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .unwrap_or(f64::NAN)
    };
    let _ = writeln!(out, "Blood count at day {:.1}", s.day);
    let _ = writeln!(
        out,
        "  {:<14} {:>9}  {:<8} {:>13}  flag",
        "", "value", "unit", "reference"
    );
    for r in ranges(config.run.reference) {
        let v = value(r.field);
        if v.is_nan() {
            continue; // not reported by this run (iron studies need the body)
        }
        let range = format!("{}-{}", r.low, r.high);
        let _ = writeln!(
            out,
            "  {:<14} {:>9.2}  {:<8} {:>13}  {}",
            r.label,
            v,
            r.unit,
            range,
            flag(r, v)
        );
    }
    let c = &s.cbc;
    let _ = writeln!(
        out,
        "  {:<14} {:>9.2}  pg        CHr; %HYPO {:.2}, %MICRO {:.2}",
        "Retic Hb", c.chr_pg, c.hypo_pct, c.micro_pct
    );
    let m = &s.marrow;
    let _ = writeln!(out, "Marrow");
    let _ = writeln!(
        out,
        "  divisions per lineage       {:>8.2}",
        m.mean_divisions
    );
    let _ = writeln!(
        out,
        "  erythroblasts (1e9)         {:>8.1}",
        m.erythroblasts_1e9
    );
    let _ = writeln!(
        out,
        "  production (1e9/day)        {:>8.1}",
        m.production_1e9_per_day
    );
    let _ = writeln!(
        out,
        "  ineffective (% dying)       {:>8.2}",
        m.ineffective_pct
    );
    let _ = writeln!(
        out,
        "  ring sideroblasts (%)       {:>8.2}",
        m.ring_sideroblast_pct
    );
    let _ = writeln!(
        out,
        "  ZPP, red cells (umol/mol)   {:>8.1}",
        m.zpp_umol_per_mol_heme
    );
    let _ = writeln!(
        out,
        "Discriminant indices (below cutoff suggests thalassaemia trait)"
    );
    for (d, v, suggestion) in c.discriminants() {
        let _ = writeln!(
            out,
            "  {:<16} {:>9.2}  cutoff {:>7}  {}",
            d.name,
            v,
            d.cutoff,
            suggestion.label()
        );
    }
    out
}
