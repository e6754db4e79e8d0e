//! Finished runs kept on disk, so a validation that takes longer than one
//! sitting (the full scale takes hours) can stop and go on later: each run's
//! samples are written, atomically, as a CSV the moment it finishes, under a
//! key of everything that decides them (this build's simulation sources, the
//! condition's config, the rule and the scale). A later validation with the
//! same key reads the file back instead of running it again; a file with
//! another key (another build, an edited config) is run again and replaced.
//! Floats are written in Rust's shortest exact form, so a run read back
//! scores exactly as the run that wrote it.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::conditions::Condition;
use crate::measure::Series;
use crate::Rule;

#[path = "fnv.rs"]
mod fnv;
use fnv::{fnv, FNV_START};

/// Fingerprint of the sources, locked dependencies and compiler of this
/// build (`build.rs`).
pub const SOURCES: &str = env!("ERYTHRO_RUN_SOURCES");

/// The column of the iron absorbed so far (the one column that is not a
/// sample field).
const ABSORBED: &str = "absorbed_total_mg";

/// A directory of kept runs.
pub struct Kept {
    dir: PathBuf,
}

/// The key of a run: the build, the config text, the rule and the scale.
pub fn key(c: &Condition, rule: Rule, quick: bool) -> String {
    let mut hash = FNV_START;
    for part in [
        SOURCES,
        c.ron,
        rule.name(),
        if quick { "quick" } else { "full" },
    ] {
        hash = fnv(hash, part.as_bytes());
        hash = fnv(hash, &[0]);
    }
    format!("{hash:016x}")
}

impl Kept {
    /// Runs kept in `dir` (created when the first run is written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Kept { dir: dir.into() }
    }

    /// The file of a condition's run.
    pub fn path(&self, c: &Condition, rule: Rule, quick: bool) -> PathBuf {
        let scale = if quick { "quick" } else { "full" };
        self.dir.join(format!(
            "{}_{scale}/{}.csv",
            rule.name().replace('-', "_"),
            c.name
        ))
    }

    /// The kept run of `c`, if there is one with this build's key.
    pub fn load(&self, c: &Condition, rule: Rule, quick: bool) -> Result<Option<Series>> {
        let path = self.path(c, rule, quick);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        parse(&text, &key(c, rule, quick)).with_context(|| {
            format!(
                "{} is not a kept run this erythro can read: remove it to run it again",
                path.display()
            )
        })
    }

    /// Keeps the run of `c`, replacing any file there.
    pub fn store(&self, c: &Condition, rule: Rule, quick: bool, series: &Series) -> Result<()> {
        let path = self.path(c, rule, quick);
        let text = to_csv(c, rule, quick, series);
        erythro_io::write_file_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot keep the run of {}", c.name))
    }
}

/// A run as its kept file.
fn to_csv(c: &Condition, rule: Rule, quick: bool, s: &Series) -> String {
    let scale = if quick { "1/20 scale" } else { "full scale" };
    let mut out = format!(
        "# erythro validate: {} under the {} rule at {scale}, {} samples\n\
         # key {} event_day {} hb_lower_g_dl {}\nday",
        c.name,
        rule.name(),
        s.days.len(),
        key(c, rule, quick),
        s.event_day,
        s.hb_lower_g_dl
    );
    if s.absorbed_total_mg.is_some() {
        let _ = write!(out, ",{ABSORBED}");
    }
    for (name, _) in &s.columns {
        let _ = write!(out, ",{name}");
    }
    out.push('\n');
    for (i, day) in s.days.iter().enumerate() {
        let _ = write!(out, "{day}");
        if let Some(a) = &s.absorbed_total_mg {
            let _ = write!(out, ",{}", a[i]);
        }
        for (_, col) in &s.columns {
            let _ = write!(out, ",{}", col[i]);
        }
        out.push('\n');
    }
    out
}

/// The value after `label` in a space-separated header line.
fn header_value<'a>(words: &[&'a str], label: &str) -> Result<&'a str> {
    words
        .iter()
        .position(|w| *w == label)
        .and_then(|i| words.get(i + 1))
        .copied()
        .with_context(|| format!("line 2 has no {label}"))
}

/// A float of the file, with its line for the message.
fn number(text: &str, line: usize) -> Result<f64> {
    text.parse()
        .with_context(|| format!("line {line}: {text:?} is not a number"))
}

/// The series of a kept file, or `None` when its key is not `want`.
fn parse(text: &str, want: &str) -> Result<Option<Series>> {
    let mut lines = text.lines();
    let (Some(_title), Some(meta), Some(header)) = (lines.next(), lines.next(), lines.next())
    else {
        bail!("it has fewer than three lines");
    };
    let words: Vec<&str> = meta.trim_start_matches('#').split_whitespace().collect();
    if header_value(&words, "key")? != want {
        return Ok(None);
    }
    let mut names = header.split(',');
    if names.next() != Some("day") {
        bail!("line 3 does not start with day");
    }
    let names: Vec<&str> = names.collect();
    let mut days = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for (i, line) in lines.enumerate() {
        let n = i + 4;
        let mut cells = line.split(',');
        days.push(number(cells.next().unwrap_or(""), n)?);
        for col in values.iter_mut() {
            let cell = cells
                .next()
                .with_context(|| format!("line {n} has fewer cells than the header"))?;
            col.push(number(cell, n)?);
        }
        if cells.next().is_some() {
            bail!("line {n} has more cells than the header");
        }
    }
    let mut series = Series {
        days,
        event_day: number(header_value(&words, "event_day")?, 2)?,
        hb_lower_g_dl: number(header_value(&words, "hb_lower_g_dl")?, 2)?,
        ..Series::default()
    };
    for (name, col) in names.into_iter().zip(values) {
        if name == ABSORBED {
            series.absorbed_total_mg = Some(col);
        } else {
            series.columns.push((name.to_string(), col));
        }
    }
    Ok(Some(series))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions;

    fn awkward() -> Series {
        Series {
            days: vec![0.0, 1.0 / 24.0, 7.0],
            columns: vec![
                ("hb_g_dl".into(), vec![0.1 + 0.2, 1e-300, -0.0]),
                (
                    "tsat_pct".into(),
                    vec![f64::NAN, f64::INFINITY, 12.345678901234567],
                ),
            ],
            absorbed_total_mg: Some(vec![0.0, 1.5e300, f64::MIN_POSITIVE]),
            event_day: 7.0,
            hb_lower_g_dl: f64::NAN,
        }
    }

    /// Equal bit for bit (NaN included).
    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    #[test]
    fn a_kept_run_reads_back_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept::new(dir.path());
        let c = conditions::find("healthy_man").unwrap();
        assert!(kept.load(c, Rule::Critical, true).unwrap().is_none());
        let s = awkward();
        kept.store(c, Rule::Critical, true, &s).unwrap();
        let back = kept.load(c, Rule::Critical, true).unwrap().unwrap();
        assert!(same(&back.days, &s.days));
        assert_eq!(back.columns.len(), 2);
        for ((n, a), (m, b)) in back.columns.iter().zip(&s.columns) {
            assert_eq!(n, m);
            assert!(same(a, b), "{n}: {a:?} vs {b:?}");
        }
        assert!(same(
            back.absorbed_total_mg.as_deref().unwrap(),
            s.absorbed_total_mg.as_deref().unwrap()
        ));
        assert_eq!(back.event_day, 7.0);
        assert!(back.hb_lower_g_dl.is_nan());
    }

    #[test]
    fn another_rule_scale_or_config_is_not_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept::new(dir.path());
        let c = conditions::find("healthy_man").unwrap();
        kept.store(c, Rule::Critical, true, &awkward()).unwrap();
        assert!(kept.load(c, Rule::Critical, false).unwrap().is_none());
        assert!(kept.load(c, Rule::FixedBudget, true).unwrap().is_none());
        // The same file under an edited config: another key.
        let edited = Condition {
            ron: "(run: (days: 1.0))",
            ..*c
        };
        assert_eq!(
            kept.path(&edited, Rule::Critical, true),
            kept.path(c, Rule::Critical, true)
        );
        assert!(kept.load(&edited, Rule::Critical, true).unwrap().is_none());
    }

    #[test]
    fn a_damaged_file_is_refused_with_its_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept::new(dir.path());
        let c = conditions::find("healthy_man").unwrap();
        kept.store(c, Rule::Critical, true, &awkward()).unwrap();
        let path = kept.path(c, Rule::Critical, true);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("0.30000000000000004", "O.3", 1)).unwrap();
        let e = format!("{:#}", kept.load(c, Rule::Critical, true).unwrap_err());
        assert!(e.contains("healthy_man.csv"), "{e}");
        assert!(e.contains("line 4") && e.contains("\"O.3\""), "{e}");
        std::fs::write(&path, "# a title\n").unwrap();
        assert!(kept.load(c, Rule::Critical, true).is_err());
    }
}
