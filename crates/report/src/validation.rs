//! The validation page (`validate.html`): the summary of `erythro
//! validate`, then each condition's plot of model against published
//! targets, inline, with links to the tables. Self-contained like the run
//! report: no scripts, fonts or images from anywhere.

use std::fmt::Write as _;

use crate::plot::Figure;
use crate::{esc, STYLE};

/// The page: `summary` (preformatted text), the `links` (file names in
/// the same directory, with what each holds) and one figure per condition.
pub fn page(summary: &str, links: &[(&str, &str)], figures: &[Figure]) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>erythro validate</title>\n<style>{STYLE}\npre{{font-size:13px;overflow-x:auto;background:#f6f6f6;padding:10px}}</style>\n</head>\n<body>\n<main>\n\
<h1>erythro validate: the model against published cohorts</h1>\n<p class=\"meta\">erythro {version}.</p>\n<ul>\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    for (file, what) in links {
        let _ = writeln!(
            page,
            "<li><a href=\"{f}\"><code>{f}</code></a>: {}</li>",
            esc(what),
            f = esc(file)
        );
    }
    let _ = write!(
        page,
        "</ul>\n<section id=\"summary\">\n<h2>Summary</h2>\n<pre>{}</pre>\n</section>\n<section id=\"plots\">\n<h2>Each condition: model against the published targets</h2>\n",
        esc(summary)
    );
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
    page.push_str("</section>\n</main>\n</body>\n</html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_holds_its_figures_and_loads_nothing() {
        let f = Figure {
            name: "blood_donation".into(),
            title: "blood <donation>".into(),
            svg: "<svg width=\"10\"></svg>".into(),
            png: Vec::new(),
        };
        let p = page("a & b", &[("validate.txt", "the table")], &[f]);
        assert!(p.contains("aria-label=\"blood &lt;donation&gt;\""));
        assert!(p.contains("a &amp; b"));
        assert!(p.contains("href=\"validate.txt\""));
        assert!(!p.contains("<script"));
    }
}
