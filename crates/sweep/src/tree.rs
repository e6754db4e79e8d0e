//! Addressing any config field by a path such as `body.diet_fe_mg_per_day`
//! or `events[2].ml_per_day`.
//!
//! The config is serialised through the serde data model into a value tree
//! (`serde_json::Value`, which keeps integers and floats apart and holds
//! every `f64` exactly), the addressed leaf is replaced, and the tree is
//! deserialised back into a [`Config`] and validated like any config file.
//! So every field is addressable without a hand-kept list, unknown or
//! misspelled paths are caught before anything runs (with the nearest valid
//! paths suggested), and every point gets the normal range checks.
//!
//! Enum variants are transparent in paths: `events[2]` is a
//! `Bleeding(..)` whose fields are addressed as `events[2].ml_per_day`, and
//! `plasma.tsat` set to `Constant(0.3)` is addressed as `plasma.tsat`.

use std::fmt;

use anyhow::{anyhow, bail, Context, Result};
use erythro_core::Config;
use serde_json::{Number, Value};

/// One step of a path: a struct field or a list element.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

/// A parsed field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// Parses `a.b[2].c`.
    pub fn parse(text: &str) -> Result<Self> {
        let malformed = |why: &str| anyhow!("field path `{text}` is malformed: {why}");
        let mut segments = Vec::new();
        let mut rest = text;
        let mut expect_field = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let close = after
                    .find(']')
                    .ok_or_else(|| malformed("`[` without `]`"))?;
                let index = after[..close].parse::<usize>().map_err(|_| {
                    malformed("a list index must be a whole number, as in `events[0]`")
                })?;
                if segments.is_empty() {
                    return Err(malformed("it must start with a field name"));
                }
                segments.push(Segment::Index(index));
                rest = &after[close + 1..];
                expect_field = false;
                continue;
            }
            if !expect_field {
                rest = rest
                    .strip_prefix('.')
                    .ok_or_else(|| malformed("expected `.` or `[` after a field or index"))?;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let name = &rest[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(malformed("field names are letters, digits and `_`"));
            }
            segments.push(Segment::Field(name.to_string()));
            rest = &rest[end..];
            expect_field = false;
        }
        if segments.is_empty() {
            return Err(malformed("it is empty"));
        }
        Ok(Self { segments })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            match s {
                Segment::Field(name) if i == 0 => write!(f, "{name}")?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A value a path can be set to.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A number (integer fields take whole numbers).
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// An enum variant without data (`FixedBudget`) or a string.
    Text(String),
}

impl fmt::Display for Scalar {
    /// The shortest text that reads back as the same value: exact, and the
    /// same on every machine.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Number(v) => write!(f, "{v}"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Text(s) => write!(f, "{s}"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, true/false, or a variant name in quotes")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// What kind of value sits at a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeafKind {
    /// A floating-point number.
    Float,
    /// A whole number (counts, seeds).
    Integer,
    /// `true` / `false`.
    Bool,
    /// An enum variant without data (or a string).
    Text,
}

impl LeafKind {
    /// Whether ranges (linear, log, Latin hypercube) can be laid over it.
    pub fn is_numeric(self) -> bool {
        matches!(self, LeafKind::Float | LeafKind::Integer)
    }
}

/// The base config as a value tree whose leaves can be set by path.
#[derive(Clone, Debug)]
pub struct ConfigTree {
    root: Value,
}

/// An externally tagged enum variant with data serialises as a one-key
/// object whose key is the variant name (capitalised, unlike field names):
/// paths step through it.
fn through_variants(mut v: &Value) -> &Value {
    while let Value::Object(map) = v {
        match map.iter().next() {
            Some((key, inner)) if map.len() == 1 && key.starts_with(char::is_uppercase) => {
                v = inner
            }
            _ => break,
        }
    }
    v
}

fn through_variants_mut(v: &mut Value) -> &mut Value {
    let is_variant = |v: &Value| match v {
        Value::Object(map) => {
            map.len() == 1 && map.keys().all(|k| k.starts_with(char::is_uppercase))
        }
        _ => false,
    };
    if is_variant(v) {
        let inner = v
            .as_object_mut()
            .and_then(|m| m.values_mut().next())
            .expect("a one-key object");
        through_variants_mut(inner)
    } else {
        v
    }
}

fn leaf_kind(v: &Value) -> Option<LeafKind> {
    match v {
        Value::Number(n) if n.is_f64() => Some(LeafKind::Float),
        Value::Number(_) => Some(LeafKind::Integer),
        Value::Bool(_) => Some(LeafKind::Bool),
        Value::String(_) => Some(LeafKind::Text),
        _ => None,
    }
}

fn leaf_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl ConfigTree {
    /// The tree of `config`.
    pub fn new(config: &Config) -> Result<Self> {
        let root = serde_json::to_value(config).context("cannot map the config to a value tree")?;
        Ok(Self { root })
    }

    /// Every settable path, with its kind and current value, sorted by path.
    pub fn leaves(&self) -> Vec<(String, LeafKind, String)> {
        fn walk(v: &Value, path: String, out: &mut Vec<(String, LeafKind, String)>) {
            let v = through_variants(v);
            if let Some(kind) = leaf_kind(v) {
                out.push((path, kind, leaf_value(v)));
                return;
            }
            match v {
                Value::Object(map) => {
                    for (key, child) in map {
                        let p = if path.is_empty() {
                            key.clone()
                        } else {
                            format!("{path}.{key}")
                        };
                        walk(child, p, out);
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        walk(child, format!("{path}[{i}]"), out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.root, String::new(), &mut out);
        out
    }

    /// The kind of the leaf at `path`, or an error that says what is there
    /// instead and suggests the nearest valid paths.
    pub fn kind(&self, path: &FieldPath) -> Result<LeafKind> {
        let mut v = &self.root;
        for (depth, segment) in path.segments.iter().enumerate() {
            let here = FieldPath {
                segments: path.segments[..depth].to_vec(),
            };
            v = through_variants(v);
            let next = match (segment, v) {
                (Segment::Field(name), Value::Object(map)) => map.get(name),
                (Segment::Index(i), Value::Array(items)) => {
                    if *i >= items.len() {
                        bail!(
                            "field path `{path}` does not exist: `{here}` has {} element(s), indices 0 to {}",
                            items.len(),
                            items.len().saturating_sub(1)
                        );
                    }
                    items.get(*i)
                }
                (_, Value::Null) => bail!(
                    "field path `{path}` does not exist: `{here}` is None in the base config; \
                     give the base a `{here}: Some((...))` section to sweep inside it"
                ),
                (Segment::Index(_), _) => {
                    bail!("field path `{path}` does not exist: `{here}` is not a list")
                }
                (Segment::Field(_), _) if depth > 0 && leaf_kind(v).is_some() => bail!(
                    "field path `{path}` does not exist: `{here}` is a value, not a section{}",
                    self.suggest(path)
                ),
                _ => None,
            };
            v = next.ok_or_else(|| anyhow!("unknown field path `{path}`{}", self.suggest(path)))?;
        }
        let v = through_variants(v);
        leaf_kind(v).ok_or_else(|| {
            let what = if v.is_array() { "a list" } else { "a section" };
            anyhow!(
                "field path `{path}` is {what}, not a single value; its values are{}",
                self.under(path)
            )
        })
    }

    /// Sets the leaf at `path` (which [`kind`](Self::kind) accepted) to
    /// `value`, converted to the leaf's kind.
    pub fn set(&mut self, path: &FieldPath, value: &Scalar) -> Result<()> {
        let kind = self.kind(path)?;
        let new = match (kind, value) {
            (LeafKind::Float, Scalar::Number(x)) => Value::Number(
                Number::from_f64(*x)
                    .ok_or_else(|| anyhow!("`{path}` cannot be set to {x}: not a finite number"))?,
            ),
            (LeafKind::Integer, Scalar::Number(x)) => {
                if x.fract() != 0.0 || !x.is_finite() {
                    bail!("`{path}` is a whole number; {x} is not");
                }
                if *x >= 0.0 {
                    Value::Number(Number::from(*x as u64))
                } else {
                    Value::Number(Number::from(*x as i64))
                }
            }
            (LeafKind::Bool, Scalar::Bool(b)) => Value::Bool(*b),
            (LeafKind::Text, Scalar::Text(s)) => Value::String(s.clone()),
            (kind, value) => bail!(
                "`{path}` takes {}, not `{value}`",
                match kind {
                    LeafKind::Float | LeafKind::Integer => "a number",
                    LeafKind::Bool => "true or false",
                    LeafKind::Text => "a variant name in quotes",
                }
            ),
        };
        let mut v = &mut self.root;
        for segment in &path.segments {
            v = through_variants_mut(v);
            v = match segment {
                Segment::Field(name) => v.get_mut(name.as_str()),
                Segment::Index(i) => v.get_mut(*i),
            }
            .expect("kind() checked the path");
        }
        *through_variants_mut(v) = new;
        Ok(())
    }

    /// The config this tree describes: deserialised (so a variant name that
    /// does not exist is refused) but not validated.
    pub fn to_config(&self) -> Result<Config> {
        serde_json::from_value(self.root.clone()).map_err(|e| anyhow!("{e}"))
    }

    /// " (did you mean ...?)" with the nearest valid paths.
    fn suggest(&self, path: &FieldPath) -> String {
        let wanted = path.to_string();
        let last = |p: &str| p.rsplit(['.', ']']).next().unwrap_or(p).to_string();
        let wanted_last = last(&wanted);
        let mut scored: Vec<(usize, String)> = self
            .leaves()
            .into_iter()
            .map(|(p, _, _)| {
                let whole = strsim::levenshtein(&wanted, &p);
                // A misplaced section still finds its field by name.
                let by_name = strsim::levenshtein(&wanted_last, &last(&p)) + 2;
                (whole.min(by_name), p)
            })
            .collect();
        scored.sort();
        let near: Vec<String> = scored
            .iter()
            .take(3)
            .map(|(_, p)| format!("`{p}`"))
            .collect();
        format!(
            "; did you mean {}? (`erythro sweep --list-paths SWEEP.ron` lists all {} paths)",
            near.join(", "),
            scored.len()
        )
    }

    /// ": `a`, `b`, ..." with the leaves under `path`.
    fn under(&self, path: &FieldPath) -> String {
        let prefix = path.to_string();
        let inside: Vec<String> = self
            .leaves()
            .into_iter()
            .filter(|(p, _, _)| {
                p.strip_prefix(&prefix)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
            .map(|(p, _, _)| format!("`{p}`"))
            .collect();
        const SHOWN: usize = 12;
        let more = match inside.len().saturating_sub(SHOWN) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        format!(" {}{more}", inside[..inside.len().min(SHOWN)].join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use erythro_io::config as config_file;

    fn tree(ron: &str) -> ConfigTree {
        ConfigTree::new(&config_file::parse(ron, "test").unwrap()).unwrap()
    }

    fn path(p: &str) -> FieldPath {
        FieldPath::parse(p).unwrap()
    }

    #[test]
    fn paths_parse_and_print_back() {
        for p in [
            "run.days",
            "events[2].ml_per_day",
            "plasma.tsat[1][0]",
            "a_b.c9",
        ] {
            assert_eq!(path(p).to_string(), p);
        }
        for bad in ["", ".x", "x.", "x..y", "[0]", "x[a]", "x[1", "x y", "x[0]y"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    /// Every shipped config survives the trip through the tree unchanged,
    /// so a sweep point differs from its base only where an axis set it.
    #[test]
    fn every_config_round_trips_exactly() {
        let mut checked = 0;
        for dir in ["configs", "configs/conditions"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(dir);
            for entry in std::fs::read_dir(dir).unwrap() {
                let file = entry.unwrap().path();
                if file.extension().is_some_and(|e| e == "ron") {
                    let config = config_file::load(&file).unwrap();
                    let back = ConfigTree::new(&config).unwrap().to_config().unwrap();
                    assert_eq!(back, config, "{}", file.display());
                    checked += 1;
                }
            }
        }
        assert!(checked > 10, "only {checked} configs found");
    }

    #[test]
    fn sets_fields_events_schedules_and_variants() {
        let mut t = tree(
            "(body: Some(()), plasma: (epo_mu_ml: Piecewise([(0.0, 10.0), (5.0, 20.0)])),
              events: [Diet(from_day: 1.0, fe_mg_per_day: 3.0), Bleeding(from_day: 0.0, to_day: 9.0, ml_per_day: 4.0)])",
        );
        let cases = [
            ("body.diet_fe_mg_per_day", Scalar::Number(2.5)),
            ("events[1].ml_per_day", Scalar::Number(12.0)),
            ("plasma.tsat", Scalar::Number(0.2)),
            ("plasma.epo_mu_ml[1][1]", Scalar::Number(30.0)),
            ("marrow.division_cap", Scalar::Number(5.0)),
            ("marrow.division_rule", Scalar::Text("FixedBudget".into())),
            ("marrow.hri_enabled", Scalar::Bool(false)),
        ];
        for (p, v) in &cases {
            t.set(&path(p), v).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
        let c = t.to_config().unwrap();
        c.validate().unwrap();
        assert_eq!(c.body.as_ref().unwrap().diet_fe_mg_per_day, 2.5);
        match &c.events[1] {
            erythro_core::events::Event::Bleeding { ml_per_day, .. } => {
                assert_eq!(*ml_per_day, 12.0)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            c.plasma.tsat,
            erythro_core::schedule::Schedule::Constant(0.2)
        );
        assert_eq!(
            c.plasma.epo_mu_ml,
            erythro_core::schedule::Schedule::Piecewise(vec![(0.0, 10.0), (5.0, 30.0)])
        );
        assert_eq!(c.marrow.division_cap, 5);
        assert_eq!(
            c.marrow.division_rule,
            erythro_core::config::DivisionRule::FixedBudget
        );
        assert!(!c.marrow.hri_enabled);
    }

    #[test]
    fn kinds_are_checked() {
        let mut t = tree("()");
        let e = t
            .set(&path("marrow.division_cap"), &Scalar::Number(4.5))
            .unwrap_err();
        assert!(e.to_string().contains("whole number"), "{e}");
        let e = t
            .set(&path("marrow.hri_enabled"), &Scalar::Number(1.0))
            .unwrap_err();
        assert!(e.to_string().contains("true or false"), "{e}");
        t.set(&path("marrow.division_rule"), &Scalar::Text("Fixed".into()))
            .unwrap();
        let e = t.to_config().unwrap_err();
        assert!(e.to_string().contains("FixedBudget"), "{e}");
    }

    #[test]
    fn misspelled_paths_suggest_the_nearest() {
        let t = tree("(body: Some(()))");
        let e = t
            .kind(&path("body.diet_fe_mg_per_dy"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `body.diet_fe_mg_per_day`"), "{e}");
        // The wrong section: found by the field's name.
        let e = t
            .kind(&path("diet.diet_fe_mg_per_day"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`body.diet_fe_mg_per_day`"), "{e}");
        let e = t
            .kind(&path("marow.critical_hb_g_dl"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `marrow.critical_hb_g_dl`"), "{e}");
        // A section is not a value.
        let e = t.kind(&path("body")).unwrap_err().to_string();
        assert!(
            e.contains("is a section") && e.contains("`body.absorbable_fraction`"),
            "{e}"
        );
        // Sections that are None, and lists too short.
        let t = tree("()");
        let e = t
            .kind(&path("body.diet_fe_mg_per_day"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`body` is None"), "{e}");
        let e = t
            .kind(&path("events[0].ml_per_day"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`events` has 0 element(s)"), "{e}");
    }

    #[test]
    fn leaves_list_every_model_parameter() {
        let leaves = tree("(body: Some(()))").leaves();
        let names: Vec<&str> = leaves.iter().map(|(p, _, _)| p.as_str()).collect();
        for p in [
            "run.days",
            "scale.cells_per_agent",
            "plasma.tsat",
            "marrow.critical_hb_g_dl",
            "circulation.lifespan_days",
            "body.absorbable_fraction",
        ] {
            assert!(names.contains(&p), "{p} missing from {names:?}");
        }
        let kind = |p: &str| leaves.iter().find(|l| l.0 == p).unwrap().1;
        assert_eq!(kind("run.seed"), LeafKind::Integer);
        assert_eq!(kind("run.days"), LeafKind::Float);
        assert_eq!(kind("marrow.division_rule"), LeafKind::Text);
    }
}
