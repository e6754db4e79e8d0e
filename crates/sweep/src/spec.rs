//! What a sweep file means: the plan it expands to, one config per point
//! and replicate (a base config, changes to it, grid axes and a Latin
//! hypercube), every one checked before anything runs. The file as written
//! is in `spec/file.rs`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use erythro_analysis::prcc::latin_hypercube;
use erythro_core::rng::mix64;
use erythro_core::Config;

mod file;

use file::{parse_text, read};
pub use file::{Axis, Base, LatinHypercube, Range, Setting, SweepFile, Values};

pub use crate::tree::Scalar;
use crate::tree::{ConfigTree, FieldPath, LeafKind};
use erythro_io::config as config_file;

/// A swept field: a column of `sweep.csv`.
#[derive(Clone, Debug)]
pub struct Column {
    /// The parsed path.
    pub path: FieldPath,
    /// The path as text (the column name).
    pub name: String,
    /// Whether it comes from the Latin hypercube (else from the grid).
    pub hypercube: bool,
}

/// One run: a point and a replicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunId {
    /// Point index, from 0.
    pub point: usize,
    /// Replicate index, from 0.
    pub replicate: u32,
}

impl RunId {
    /// Directory name of the run's results, `p0007-r0`.
    pub fn dir_name(self) -> String {
        format!("p{:04}-r{}", self.point, self.replicate)
    }
}

/// A sweep, expanded and checked.
#[derive(Debug)]
pub struct Sweep {
    /// The sweep file's name without extension.
    pub name: String,
    /// The sweep file's text, kept with the results.
    pub text: String,
    /// The base config after `set`, as a value tree.
    pub base: ConfigTree,
    /// The base config after `set`.
    pub base_config: Config,
    /// The sweep seed.
    pub seed: u64,
    /// Runs per point.
    pub replicates: u32,
    /// The swept fields: grid axes first, then hypercube ranges.
    pub columns: Vec<Column>,
    /// Each point's value of each column.
    pub points: Vec<Vec<Scalar>>,
}

/// The seed of one run: SplitMix64 mixing of the sweep seed, the point
/// index and the replicate index, nested so that no two runs of a sweep
/// (and no run and its neighbour sweep seed) share a stream:
/// `mix64(seed ^ mix64(point ^ mix64(replicate)))`.
pub fn run_seed(sweep_seed: u64, run: RunId) -> u64 {
    mix64(sweep_seed ^ mix64(run.point as u64 ^ mix64(run.replicate as u64)))
}

fn linear(from: f64, to: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| match i {
            0 => from,
            i if i + 1 == count => to,
            i => from + (to - from) * i as f64 / (count - 1) as f64,
        })
        .collect()
}

/// Sets `value` at `path` in `tree`, naming the sweep file's entry on error.
fn set(tree: &mut ConfigTree, path: &FieldPath, value: &Scalar, what: &str) -> Result<()> {
    tree.set(path, value).with_context(|| what.to_string())
}

/// Rounds numbers for whole-number fields; refuses ranges over fields that
/// are not numbers.
fn numeric(kind: LeafKind, path: &FieldPath, values: Vec<f64>) -> Result<Vec<Scalar>> {
    ensure!(
        kind.is_numeric(),
        "`{path}` is not a number: give its values as a List"
    );
    Ok(values
        .into_iter()
        .map(|v| {
            Scalar::Number(if kind == LeafKind::Integer {
                v.round()
            } else {
                v
            })
        })
        .collect())
}

fn check_range(path: &FieldPath, from: f64, to: f64, log: bool) -> Result<()> {
    ensure!(
        from.is_finite() && to.is_finite(),
        "`{path}`: the range ends must be finite numbers"
    );
    ensure!(
        !log || (from > 0.0 && to > 0.0),
        "`{path}`: a log range needs positive ends, got {from} to {to}"
    );
    Ok(())
}

/// Reads and expands the sweep file at `path`.
pub fn load(path: &Path) -> Result<Sweep> {
    let (file, text, name) = read(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    expand(file, &text, dir, name).with_context(|| format!("sweep {}", path.display()))
}

/// The base config (after `set`) of the sweep file at `path` as a tree,
/// whatever its axes say: what `--list-paths` shows.
pub fn base_tree(path: &Path) -> Result<ConfigTree> {
    let (file, _, _) = read(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    resolve_base(&file, dir).with_context(|| format!("sweep {}", path.display()))
}

/// Parses sweep text named `name`; `origin` names it in errors, `dir`
/// resolves a base file.
pub fn parse(text: &str, origin: &str, dir: &Path, name: String) -> Result<Sweep> {
    let file = parse_text(text, origin)?;
    expand(file, text, dir, name).with_context(|| format!("sweep {origin}"))
}

/// The sweep of a results directory `dir`, from the `sweep.ron` and
/// `base.ron` kept there (the base resolved, `set` applied), so a sweep
/// whose base is a file elsewhere reads back where that file is not;
/// named `name`.
pub fn from_results(dir: &Path, name: String) -> Result<Sweep> {
    let path = dir.join("sweep.ron");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let origin = path.display().to_string();
    let mut file = parse_text(&text, &origin)?;
    file.base = Base::Inline(Box::new(config_file::load(&dir.join("base.ron"))?));
    // base.ron is the base after `set`.
    file.set.clear();
    expand(file, &text, dir, name).with_context(|| format!("sweep {origin}"))
}

const SEED_PATH: &str = "run.seed";

/// Runs a sweep may have (points times replicates).
const MAX_RUNS: u64 = 1_000_000;
/// Values one grid axis may have (its repeats are checked pairwise).
const MAX_AXIS_VALUES: usize = 10_000;

fn refuse_seed(p: &FieldPath) -> Result<()> {
    ensure!(
        p.to_string() != SEED_PATH,
        "`run.seed` cannot be set or swept: every run's seed is derived from the sweep's \
         `seed`, the point and the replicate; ask for `replicates` instead"
    );
    Ok(())
}

/// The base config with `set` applied.
fn resolve_base(file: &SweepFile, dir: &Path) -> Result<ConfigTree> {
    let base = match &file.base {
        Base::File(p) => config_file::load(&dir.join(p))?,
        Base::Inline(c) => (**c).clone(),
    };
    let mut tree = ConfigTree::new(&base)?;
    for s in &file.set {
        let p = FieldPath::parse(&s.path)?;
        refuse_seed(&p)?;
        set(&mut tree, &p, &s.value, &format!("in `set`, `{}`", s.path))?;
    }
    Ok(tree)
}

fn expand(file: SweepFile, text: &str, dir: &Path, name: String) -> Result<Sweep> {
    ensure!(file.replicates >= 1, "replicates must be at least 1");
    let tree = resolve_base(&file, dir)?;
    let base_config = tree.to_config().context("the base config after `set`")?;

    // Each column's values: the grid axes' own lists, the hypercube's rows.
    let mut columns = Vec::new();
    let mut axes: Vec<Vec<Scalar>> = Vec::new();
    for axis in &file.grid {
        let p = FieldPath::parse(&axis.path)?;
        refuse_seed(&p)?;
        let kind = tree.kind(&p).with_context(|| "in `grid`")?;
        let count = match &axis.values {
            Values::List(v) => v.len(),
            &Values::Linear { count, .. } | &Values::Log { count, .. } => count,
        };
        ensure!(
            count <= MAX_AXIS_VALUES,
            "grid axis `{p}` has {count} values; at most {MAX_AXIS_VALUES}"
        );
        let values = match &axis.values {
            Values::List(v) => v.clone(),
            &Values::Linear { from, to, count } => {
                check_range(&p, from, to, false)?;
                numeric(kind, &p, linear(from, to, count))?
            }
            &Values::Log { from, to, count } => {
                check_range(&p, from, to, true)?;
                let logs = linear(from.ln(), to.ln(), count);
                let mut v: Vec<f64> = logs.into_iter().map(f64::exp).collect();
                // Exact ends, not exp(ln(x)).
                if let Some(first) = v.first_mut() {
                    *first = from;
                }
                if count > 1 {
                    v[count - 1] = to;
                }
                numeric(kind, &p, v)?
            }
        };
        ensure!(!values.is_empty(), "grid axis `{p}` has no values");
        for (i, v) in values.iter().enumerate() {
            ensure!(
                !values[..i].contains(v),
                "grid axis `{p}` repeats the value {v}{}",
                if kind == LeafKind::Integer {
                    " (after rounding to whole numbers)"
                } else {
                    ""
                }
            );
        }
        columns.push(Column {
            name: p.to_string(),
            path: p,
            hypercube: false,
        });
        axes.push(values);
    }
    // The run count, known before any point is made (so a sweep of
    // billions of runs is refused at once instead of filling memory).
    let hypercube_rows = file.latin_hypercube.as_ref().map_or(1, |l| l.samples);
    let planned = axes
        .iter()
        .map(|a| a.len() as u128)
        .product::<u128>()
        .saturating_mul(hypercube_rows as u128)
        .saturating_mul(file.replicates as u128);
    ensure!(
        planned <= MAX_RUNS as u128,
        "the sweep has {planned} runs; at most {MAX_RUNS}"
    );
    let mut design: Vec<Vec<Scalar>> = vec![Vec::new()];
    if let Some(lhs) = &file.latin_hypercube {
        ensure!(
            lhs.samples >= 2,
            "latin_hypercube needs at least 2 samples (and for sensitivity more samples than ranges + 2)"
        );
        ensure!(!lhs.ranges.is_empty(), "latin_hypercube has no ranges");
        let mut kinds = Vec::new();
        for r in &lhs.ranges {
            let p = FieldPath::parse(&r.path)?;
            refuse_seed(&p)?;
            let kind = tree.kind(&p).with_context(|| "in `latin_hypercube`")?;
            check_range(&p, r.from, r.to, r.log)?;
            numeric(kind, &p, vec![])?;
            kinds.push(kind);
            columns.push(Column {
                name: p.to_string(),
                path: p,
                hypercube: true,
            });
        }
        design = latin_hypercube(file.seed, lhs.samples, lhs.ranges.len())
            .into_iter()
            .map(|u| {
                u.iter()
                    .zip(&lhs.ranges)
                    .zip(&kinds)
                    .map(|((&u, r), &kind)| {
                        let v = if r.log {
                            (r.from.ln() + u * (r.to.ln() - r.from.ln())).exp()
                        } else {
                            r.from + u * (r.to - r.from)
                        };
                        Scalar::Number(if kind == LeafKind::Integer {
                            v.round()
                        } else {
                            v
                        })
                    })
                    .collect()
            })
            .collect();
    }
    for (i, c) in columns.iter().enumerate() {
        ensure!(
            !columns[..i].iter().any(|o| o.path == c.path),
            "`{}` is swept twice",
            c.name
        );
    }

    // The grid's combinations (first axis slowest), each with every
    // hypercube row.
    let mut points: Vec<Vec<Scalar>> = vec![Vec::new()];
    for values in &axes {
        points = points
            .iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect();
    }
    let points: Vec<Vec<Scalar>> = points
        .iter()
        .flat_map(|p| {
            design.iter().map(move |row| {
                let mut q = p.clone();
                q.extend(row.iter().cloned());
                q
            })
        })
        .collect();

    let sweep = Sweep {
        name,
        text: text.to_string(),
        base: tree,
        base_config,
        seed: file.seed,
        replicates: file.replicates,
        columns,
        points,
    };
    // Every point must at least be a config (a variant name that does not
    // exist is a mistake in the sweep file, not a failed point).
    for point in 0..sweep.points.len() {
        sweep
            .point_tree(point)?
            .to_config()
            .with_context(|| format!("point {point} ({})", sweep.describe(point)))?;
    }
    Ok(sweep)
}

impl Sweep {
    /// Every run, point by point.
    pub fn runs(&self) -> Vec<RunId> {
        (0..self.points.len())
            .flat_map(|point| (0..self.replicates).map(move |replicate| RunId { point, replicate }))
            .collect()
    }

    /// `path=value, ...` of a point.
    pub fn describe(&self, point: usize) -> String {
        self.columns
            .iter()
            .zip(&self.points[point])
            .map(|(c, v)| format!("{}={v}", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// [`describe`](Self::describe) with long numbers cut to 4 significant
    /// digits, for progress lines.
    pub fn describe_short(&self, point: usize) -> String {
        self.columns
            .iter()
            .zip(&self.points[point])
            .map(|(c, v)| match v {
                Scalar::Number(x) if x.to_string().len() > 7 && x.is_finite() && *x != 0.0 => {
                    let decimals = (3 - x.abs().log10().floor() as i64).max(0) as usize;
                    format!("{}={x:.decimals$}", c.name)
                }
                other => format!("{}={other}", c.name),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn point_tree(&self, point: usize) -> Result<ConfigTree> {
        let mut tree = self.base.clone();
        for (c, v) in self.columns.iter().zip(&self.points[point]) {
            tree.set(&c.path, v)?;
        }
        Ok(tree)
    }

    /// The config of a run: the base with the point's values and the run's
    /// seed, not yet validated (an invalid one is a failed point).
    pub fn config(&self, run: RunId) -> Result<Config> {
        let mut config = self.point_tree(run.point)?.to_config()?;
        config.run.seed = run_seed(self.seed, run);
        Ok(config)
    }

    /// The plan: every run with its seed and swept values, as CSV. Kept with
    /// the results, so `--resume` can tell it is finishing the same sweep.
    pub fn plan_csv(&self) -> String {
        let mut out = String::from("point,replicate,seed");
        for c in &self.columns {
            let _ = write!(out, ",{}", c.name);
        }
        out.push('\n');
        for run in self.runs() {
            let _ = write!(
                out,
                "{},{},{}",
                run.point,
                run.replicate,
                run_seed(self.seed, run)
            );
            for v in &self.points[run.point] {
                let _ = write!(out, ",{v}");
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> Result<Sweep> {
        parse(text, "test.ron", Path::new("."), "test".into())
    }

    const BASE: &str = "base: Inline((body: Some(()), events: [Bleeding(from_day: 0.0, to_day: 100.0, ml_per_day: 5.0)]))";

    #[test]
    fn grid_is_the_product_with_the_first_axis_slowest() {
        let s = sweep(&format!(
            "({BASE}, replicates: 2, grid: [
                (path: \"body.diet_fe_mg_per_day\", values: List([2, 20.5])),
                (path: \"events[0].ml_per_day\", values: Linear(from: 0.0, to: 10.0, count: 3)),
            ])"
        ))
        .unwrap();
        let text: Vec<String> = (0..s.points.len()).map(|p| s.describe(p)).collect();
        assert_eq!(
            text,
            [
                "body.diet_fe_mg_per_day=2, events[0].ml_per_day=0",
                "body.diet_fe_mg_per_day=2, events[0].ml_per_day=5",
                "body.diet_fe_mg_per_day=2, events[0].ml_per_day=10",
                "body.diet_fe_mg_per_day=20.5, events[0].ml_per_day=0",
                "body.diet_fe_mg_per_day=20.5, events[0].ml_per_day=5",
                "body.diet_fe_mg_per_day=20.5, events[0].ml_per_day=10",
            ]
        );
        assert_eq!(s.runs().len(), 12);
        let c = s
            .config(RunId {
                point: 4,
                replicate: 1,
            })
            .unwrap();
        assert_eq!(c.body.unwrap().diet_fe_mg_per_day, 20.5);
        assert_eq!(
            c.run.seed,
            run_seed(
                1,
                RunId {
                    point: 4,
                    replicate: 1
                }
            )
        );
    }

    #[test]
    fn progress_lines_shorten_numbers_to_4_significant_digits() {
        let s = sweep(&format!(
            "({BASE}, grid: [(path: \"body.storage_fe_mg\", values: List([749008.4477, 0.081890024, 8.747098, 0, 20]))])"
        ))
        .unwrap();
        let short: Vec<String> = (0..5).map(|p| s.describe_short(p)).collect();
        assert_eq!(
            short,
            [
                "body.storage_fe_mg=749008",
                "body.storage_fe_mg=0.08189",
                "body.storage_fe_mg=8.747",
                "body.storage_fe_mg=0",
                "body.storage_fe_mg=20",
            ]
        );
        assert_eq!(s.describe(1), "body.storage_fe_mg=0.081890024");
    }

    #[test]
    fn log_ranges_have_exact_ends_and_even_ratios() {
        let s = sweep(&format!(
            "({BASE}, grid: [(path: \"body.diet_fe_mg_per_day\", values: Log(from: 2.0, to: 200.0, count: 3))])"
        ))
        .unwrap();
        let v: Vec<f64> = s
            .points
            .iter()
            .map(|p| match p[0] {
                Scalar::Number(x) => x,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(v[0], 2.0);
        assert!((v[1] - 20.0).abs() < 1e-12, "{v:?}");
        assert_eq!(v[2], 200.0);
    }

    #[test]
    fn seeds_differ_between_points_and_replicates() {
        let mut seen = std::collections::HashSet::new();
        for point in 0..100 {
            for replicate in 0..10 {
                assert!(seen.insert(run_seed(1, RunId { point, replicate })));
            }
        }
        assert_ne!(
            run_seed(
                1,
                RunId {
                    point: 0,
                    replicate: 0
                }
            ),
            run_seed(
                2,
                RunId {
                    point: 0,
                    replicate: 0
                }
            )
        );
    }

    #[test]
    fn latin_hypercube_hits_every_stratum_once() {
        let n = 37;
        let design = latin_hypercube(5, n, 4);
        assert_eq!(design.len(), n);
        for d in 0..4 {
            let mut strata: Vec<usize> = design
                .iter()
                .map(|row| (row[d] * n as f64) as usize)
                .collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {d}");
        }
        // Keyed by the seed alone.
        assert_eq!(design, latin_hypercube(5, n, 4));
        assert_ne!(design, latin_hypercube(6, n, 4));
    }

    /// The design is part of what a sweep file means: pin its first draws
    /// so no refactoring silently changes published sweeps.
    #[test]
    fn latin_hypercube_value_stability() {
        let d = latin_hypercube(1, 4, 2);
        let pinned: Vec<Vec<u64>> = d
            .iter()
            .map(|row| row.iter().map(|u| (u * 1e6) as u64).collect())
            .collect();
        assert_eq!(pinned, PINNED_LHS, "the Latin hypercube design changed");
    }

    const PINNED_LHS: [[u64; 2]; 4] = [
        [646714, 322093],
        [372074, 592891],
        [247017, 892784],
        [841456, 246488],
    ];

    #[test]
    fn hypercube_rounds_whole_number_fields_and_combines_with_the_grid() {
        let s = sweep(&format!(
            "({BASE}, grid: [(path: \"marrow.division_rule\", values: List([\"CriticalConcentration\", \"FixedBudget\"]))],
              latin_hypercube: Some((samples: 5, ranges: [
                (path: \"marrow.division_cap\", from: 4.0, to: 8.0),
                (path: \"body.absorbable_fraction\", from: 0.01, to: 0.2, log: true),
              ])))"
        ))
        .unwrap();
        assert_eq!(s.points.len(), 10);
        for p in &s.points {
            match p[1] {
                Scalar::Number(x) => assert!(x.fract() == 0.0 && (4.0..=8.0).contains(&x)),
                _ => unreachable!(),
            }
        }
        assert_eq!(s.points[0][1..], s.points[5][1..]);
        assert!(s.columns[1].hypercube && !s.columns[0].hypercube);
    }

    #[test]
    fn mistakes_are_refused_before_anything_runs() {
        let cases = [
            (
                "grid: [(path: \"body.diet_fe_mg_per_dy\", values: List([1]))]",
                "did you mean `body.diet_fe_mg_per_day`",
            ),
            (
                "grid: [(path: \"run.seed\", values: List([1, 2]))]",
                "replicates",
            ),
            (
                "grid: [(path: \"marrow.division_rule\", values: List([\"FixedBudjet\"]))]",
                "FixedBudget",
            ),
            (
                "grid: [(path: \"marrow.hri_enabled\", values: Linear(from: 0.0, to: 1.0, count: 2))]",
                "not a number",
            ),
            (
                "grid: [(path: \"body.diet_fe_mg_per_day\", values: Log(from: 0.0, to: 1.0, count: 2))]",
                "positive",
            ),
            (
                "grid: [(path: \"marrow.division_cap\", values: Linear(from: 4.0, to: 5.0, count: 3))]",
                "repeats",
            ),
            (
                "grid: [(path: \"run.days\", values: List([1]))], latin_hypercube: Some((samples: 4, ranges: [(path: \"run.days\", from: 1.0, to: 2.0)]))",
                "swept twice",
            ),
            (
                "set: [(path: \"run.dayz\", value: 3.0)]",
                "`run.days`",
            ),
        ];
        for (extra, expected) in cases {
            let e = format!("{:#}", sweep(&format!("({BASE}, {extra})")).unwrap_err());
            assert!(e.contains(expected), "{extra}: {e}");
        }
        let e = format!("{:#}", sweep("(base: Inline(()), grdi: [])").unwrap_err());
        assert!(e.starts_with("test.ron:1:") && e.contains("grid"), "{e}");
    }

    /// The shipped sweeps expand to the documented designs, every run valid.
    #[test]
    fn shipped_sweeps_load_and_every_run_is_valid() {
        for (file, points, hypercube) in [
            ("configs/sweeps/iron_supply.ron", 24, false),
            ("configs/sweeps/sensitivity.ron", 60, true),
        ] {
            let s = load(
                &Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../..")
                    .join(file),
            )
            .unwrap();
            assert_eq!(s.points.len(), points, "{file}");
            assert_eq!(s.columns.iter().any(|c| c.hypercube), hypercube, "{file}");
            for run in s.runs() {
                let c = s.config(run).unwrap();
                c.validate()
                    .unwrap_or_else(|e| panic!("{file} {run:?}: {e}"));
                assert!(c.body.is_some(), "{file}");
            }
        }
    }

    #[test]
    fn invalid_combinations_fail_only_their_point() {
        let s = sweep(&format!(
            "({BASE}, grid: [(path: \"events[0].to_day\", values: List([50.0, -1.0]))])"
        ))
        .unwrap();
        let valid = |point| {
            s.config(RunId {
                point,
                replicate: 0,
            })
            .unwrap()
            .validate()
        };
        assert!(valid(0).is_ok());
        let e = valid(1).unwrap_err().to_string();
        assert!(e.contains("to_day"), "{e}");
    }
}
