//! # erythro-report: the pictures and the report of a run
//!
//! [`plot`] draws every picture (time courses, histograms, the cytogram,
//! lineage trees, sweep plots) once for SVG and PNG; [`narrative`] tells in
//! plain language what happened in a run and why; [`lineage`] follows a
//! cohort of lineages through a run and draws one. Everything is drawn from
//! a results directory as [`erythro_io::results_dir::RunDir`] reads it, so
//! a report can be redrawn from the files alone.
//!
//! The report ([`html`], `erythro report DIR` and `erythro run --report`)
//! is one self-contained HTML file for a run, with the blood count against the reference ranges,
//! a plain-language account of what happened and why, and every plot as
//! inline SVG. The page loads nothing: no scripts, no fonts, no images from
//! anywhere (its content security policy forbids it), so it opens the same
//! offline, from a USB stick or attached to an e-mail. The plots are also
//! written as SVG and PNG files to `DIR/plots/` for slides.

#![deny(missing_docs)]

pub mod lineage;
pub mod narrative;
pub mod plot;
pub mod validation;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use erythro_analysis::reference::{flag, ranges};
use erythro_io::results_dir::RunDir;
use erythro_io::{write_file_atomic, Staged};

use crate::plot::Figure;

/// Every plot of a run.
pub fn figures(run: &RunDir) -> Result<Vec<Figure>> {
    let last = |f: &str| run.last(f).unwrap_or(f64::NAN);
    let day = last("day");
    let label = run.name.as_str();
    let mut out = vec![plot::render(
        "timecourse",
        "Time courses, with the healthy reference range shaded and the run's events marked",
        &plot::timecourse::TimeCoursePlot {
            title: format!("{label}: the blood over {day:.0} days"),
            series: &run.series,
            config: &run.config,
        },
    )?];
    let healthy = plot::histogram::healthy_volume()?;
    out.push(plot::render(
        "volume_histogram",
        "Red-cell volume histogram as an analyser prints it, with the healthy reference run behind it",
        &plot::histogram::volume_plot(
            label,
            day,
            &run.volume,
            Some(&healthy),
            last("mcv_fl"),
            last("rdw_sd_fl"),
        ),
    )?);
    out.push(plot::render(
        "hb_content_histogram",
        "Hemoglobin content per cell",
        &plot::histogram::hb_content_plot(
            label,
            day,
            &run.hb_content,
            last("mch_pg"),
            last("chr_pg"),
        ),
    )?);
    out.push(plot::render(
        "cytogram",
        "Volume x hemoglobin concentration cytogram with the analyser's nine regions",
        &plot::cytogram::CytogramPlot {
            title: format!("Cytogram: {label}, day {day:.0}"),
            data: &run.cytogram,
        },
    )?);
    if let Some(lineage) = &run.lineage {
        out.push(plot::render(
            "lineage_tree",
            "One proerythroblast's lineage: every division to every reticulocyte",
            &plot::tree::TreePlot::new(std::slice::from_ref(lineage)),
        )?);
    }
    Ok(out)
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Rows of the blood-count table that have no reference range.
const EXTRA_ROWS: [(&str, &str, &str); 8] = [
    ("chr_pg", "Reticulocyte Hb (CHr)", "pg"),
    ("hypo_pct", "%HYPO (< 28 g/dL)", "%"),
    ("micro_pct", "%MICRO (< 60 fL)", "%"),
    ("mentzer", "Mentzer index", ""),
    ("hepcidin_nm", "Hepcidin", "nM"),
    ("mean_divisions", "Divisions per lineage", ""),
    ("ineffective_pct", "Erythroblasts dying", "%"),
    ("production_1e9_per_day", "Red cells made", "10^9/day"),
];

/// The blood count at the start and the end against the reference ranges.
fn cbc_table(run: &RunDir) -> String {
    let mut t = String::new();
    let days = run.series.column("day").unwrap_or_default();
    let (d0, d1) = (
        days.first().copied().unwrap_or(0.0),
        days.last().copied().unwrap_or(0.0),
    );
    let _ = write!(
        t,
        "<table><thead><tr><th>measure</th><th>day {d0:.0}</th><th>day {d1:.0}</th><th>unit</th><th>healthy range</th><th>flag</th></tr></thead><tbody>"
    );
    let value = |v: f64| {
        if v.is_finite() {
            plot::fmt_value(v)
        } else {
            "-".into()
        }
    };
    for r in ranges(run.config.run.reference) {
        let Some((a, b)) = run.first_last(r.field) else {
            continue;
        };
        let f = flag(r, b);
        let class = match f {
            "L" => " class=\"low\"",
            "H" => " class=\"high\"",
            _ => "",
        };
        let _ = write!(
            t,
            "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}&ndash;{}</td><td>{}</td></tr>",
            esc(r.label),
            value(a),
            value(b),
            esc(r.unit),
            r.low,
            r.high,
            f
        );
    }
    for (field, label, unit) in EXTRA_ROWS {
        let Some((a, b)) = run.first_last(field) else {
            continue;
        };
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td></td><td></td></tr>",
            esc(label),
            value(a),
            value(b),
            esc(unit)
        );
    }
    t.push_str("</tbody></table>");
    t
}

pub(crate) const STYLE: &str = "
body{margin:0;background:#fafafa;color:#111;font:17px/1.5 'DejaVu Sans','Liberation Sans',Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:30px;margin:6px 0 4px}h2{font-size:22px;margin:34px 0 10px;border-bottom:2px solid #0072b2;padding-bottom:4px}
.meta{color:#555;font-size:15px;margin:0 0 12px}
.account p{margin:0 0 12px}
table{border-collapse:collapse;font-size:15px;margin:8px 0}th,td{padding:4px 12px;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#eef4fa}
tr.low td:nth-child(3),tr.low td:last-child{color:#0072b2;font-weight:bold}
tr.high td:nth-child(3),tr.high td:last-child{color:#d55e00;font-weight:bold}
figure{margin:22px 0;padding:0}figure svg{display:block;width:100%;height:auto;border:1px solid #e4e4e4}
figcaption{color:#444;font-size:15px;margin-top:6px}
footer{margin-top:36px;color:#666;font-size:14px}code{font-size:14px}
";

/// The whole page.
pub fn html(run: &RunDir, figures: &[Figure]) -> String {
    let c = &run.config;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>erythro: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
<h1>{name}</h1>\n<p class=\"meta\">{days} simulated days after the steady state, seed {seed}, \
{reference}; erythro {version}. Results directory <code>{dir}</code>.</p>\n",
        name = esc(&run.name),
        days = c.run.days,
        seed = c.run.seed,
        reference = match c.run.reference {
            erythro_core::config::Reference::AdultMan => "adult man",
            erythro_core::config::Reference::AdultWoman => "adult woman",
        },
        version = env!("CARGO_PKG_VERSION"),
        dir = esc(&run.dir.display().to_string()),
    );
    page.push_str("<section class=\"account\" id=\"account\">\n<h2>What happened, and why</h2>\n");
    for p in crate::narrative::account(run) {
        let _ = writeln!(page, "<p>{}</p>", esc(&p));
    }
    page.push_str(
        "</section>\n<section id=\"cbc\">\n<h2>Blood count against the healthy ranges</h2>\n",
    );
    page.push_str(&cbc_table(run));
    page.push_str("\n<p class=\"meta\">L: below the range, H: above it. Iron studies appear when the run has the body's iron economy.</p>\n</section>\n<section id=\"plots\">\n<h2>Pictures</h2>\n");
    for f in figures {
        let svg = f.svg.replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(&f.title)),
            1,
        );
        let _ = write!(
            page,
            "<figure data-plot=\"{name}\" id=\"fig-{name}\">\n{svg}\n<figcaption>{title}. Files: <code>plots/{name}.svg</code>, <code>plots/{name}.png</code>.</figcaption>\n</figure>\n",
            name = esc(&f.name),
            title = esc(&f.title),
        );
    }
    if run.lineage.is_none() {
        page.push_str("<p class=\"meta\">No lineage tree: the run was too short for a lineage followed near its end to leave the marrow (about a week); <code>erythro lineage CONFIG</code> draws one.</p>\n");
    }
    let _ = write!(
        page,
        "</section>\n<footer>Made by <code>erythro report</code> from the files of <code>{}</code> (summary.json, timeseries.csv, histograms/, config.ron, onset.csv{}). \
The healthy reference curve and values are the curated healthy runs in <code>results/</code>.</footer>\n</main>\n</body>\n</html>\n",
        esc(&run.dir.display().to_string()),
        if run.lineage.is_some() { ", lineage.json" } else { "" }
    );
    page
}

/// Adds `report.html` and `plots/` to a run of config `name` being written
/// (`erythro run --report`); the page names `target`, where the run will be.
pub fn write_into(staged: &Staged, target: &Path, name: &str) -> Result<()> {
    let mut run = RunDir::load_named(staged.path(), name)?;
    run.dir = target.to_path_buf();
    let figures = figures(&run)?;
    let page = html(&run, &figures);
    for f in &figures {
        staged.write(&format!("plots/{}.svg", f.name), &f.svg)?;
        staged.write_bytes(&format!("plots/{}.png", f.name), &f.png)?;
    }
    staged.write("report.html", &page)?;
    Ok(())
}

/// What [`regenerate`] wrote.
pub struct Regenerated {
    /// The page.
    pub report: PathBuf,
    /// The plots' directory.
    pub plots: PathBuf,
    /// How many plots.
    pub figures: usize,
}

/// (Re)writes `dir/report.html` and `dir/plots/` from the files of the
/// results directory `dir` (`erythro report DIR`).
pub fn regenerate(dir: &Path) -> Result<Regenerated> {
    let run = RunDir::load(dir)?;
    let figures = figures(&run)?;
    let page = html(&run, &figures);
    // Plots as a whole directory, replaced atomically; then the page.
    let plots = Staged::new(&dir.join("plots"))?;
    for f in &figures {
        plots.write(&format!("{}.svg", f.name), &f.svg)?;
        plots.write_bytes(&format!("{}.png", f.name), &f.png)?;
    }
    let plots = plots.commit()?;
    let report = dir.join("report.html");
    write_file_atomic(&report, page.as_bytes())?;
    Ok(Regenerated {
        report,
        plots,
        figures: figures.len(),
    })
}
