//! The page's files, compiled into the binary so it needs no network:
//! the HTML, its script and style, and uPlot (MIT, vendored from npm with
//! its licence in `assets/vendor/`).

/// One embedded file.
pub struct Asset {
    /// Path under `/assets/` (or `/` for the page).
    pub name: &'static str,
    /// Content type.
    pub mime: &'static str,
    /// Bytes.
    pub body: &'static str,
}

/// The page itself, served at `/`.
pub const INDEX: &str = include_str!("../assets/index.html");

/// Every file under `/assets/`.
pub const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_str!("../assets/app.js"),
    },
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_str!("../assets/app.css"),
    },
    Asset {
        name: "uPlot.iife.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_str!("../assets/vendor/uPlot.iife.min.js"),
    },
    Asset {
        name: "uPlot.min.css",
        mime: "text/css; charset=utf-8",
        body: include_str!("../assets/vendor/uPlot.min.css"),
    },
    Asset {
        name: "uPlot.LICENSE",
        mime: "text/plain; charset=utf-8",
        body: include_str!("../assets/vendor/uPlot.LICENSE"),
    },
];

/// The plain-language account of the model on the info panel (from
/// MODEL.md and `docs/teaching.md`), paragraphs separated by blank lines,
/// `## ` starting a heading.
pub const HOW_IT_WORKS: &str = include_str!("../assets/how_it_works.md");

/// The asset called `name`.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}
