//! Reading a RON config: the embedded default, or a file, with errors that
//! name the file, line and column and what was expected.

use std::path::Path;

use erythro_core::Config;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// The embedded default: the healthy adult man.
pub const DEFAULT_RON: &str = include_str!("../../../configs/healthy_man.ron");

/// The embedded default, parsed.
pub fn default_config() -> Config {
    parse(DEFAULT_RON, "embedded default").expect("the embedded default is valid (tested)")
}

/// Parses RON text into any serde type (a config, a sweep file), with
/// errors that give `origin`, line and column.
pub fn parse_ron<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    ron::Options::default()
        .from_str(text)
        .map_err(|e| Error::Syntax {
            origin: origin.to_string(),
            line: e.position.line,
            col: e.position.col,
            message: e.code.to_string(),
        })
}

/// Parses and validates config RON text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Config> {
    let config: Config = parse_ron(text, origin)?;
    config.validate().map_err(|source| Error::Invalid {
        origin: origin.to_string(),
        source,
    })?;
    Ok(config)
}

/// Reads a text file, naming `what` it is in the error.
pub fn read_text(path: &Path, what: &'static str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Config> {
    parse(&read_text(path, "config")?, &path.display().to_string())
}

/// The resolved config as RON, so `erythro run DIR/config.ron` repeats the run.
pub fn to_ron(config: &Config) -> Result<String> {
    let pretty = ron::ser::PrettyConfig::new().struct_names(false);
    ron::ser::to_string_pretty(config, pretty).map_err(|e| Error::Serialize {
        what: "the config as RON",
        message: e.to_string(),
    })
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
