//! Reading a RON config: the embedded default, or a file, with errors that
//! name the file, line and column and what was expected.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use erythro_core::Config;

/// The embedded default: the healthy adult man.
pub const DEFAULT_RON: &str = include_str!("../configs/healthy_man.ron");

/// Parses RON text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Config> {
    let config: Config = ron::Options::default().from_str(text).map_err(|e| {
        anyhow!(
            "{origin}:{}:{}: {}",
            e.position.line,
            e.position.col,
            e.code
        )
    })?;
    config.validate().map_err(|e| anyhow!("{origin}: {e}"))?;
    Ok(config)
}

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// The resolved config as RON, so `erythro run DIR/config.ron` repeats the run.
pub fn to_ron(config: &Config) -> Result<String> {
    let pretty = ron::ser::PrettyConfig::new().struct_names(false);
    ron::ser::to_string_pretty(config, pretty).context("cannot write the config as RON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_parses() {
        parse(DEFAULT_RON, "default").unwrap();
    }

    #[test]
    fn resolved_config_round_trips_exactly() {
        let mut c = parse(DEFAULT_RON, "default").unwrap();
        c.marrow.critical_hb_g_dl = 0.1 + 0.2;
        let again = parse(&to_ron(&c).unwrap(), "resolved").unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn unknown_field_names_line_column_and_expected() {
        let e = parse("(\n  marrow: (critcal_hb_g_dl: 10.0),\n)", "x.ron")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.ron:2:"), "{e}");
        assert!(
            e.contains("critcal_hb_g_dl") && e.contains("critical_hb_g_dl"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_names_field_value_and_range() {
        let e = parse("(marrow: (critical_hb_g_dl: 120.0))", "x.ron")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "x.ron: marrow.critical_hb_g_dl = 120 is out of range: expected (0, 100]"
        );
    }
}
