//! Job arrays: a sweep cut into shards that run as separate processes
//! (a SLURM job array's tasks), each writing its own part directory, and
//! the merge of the parts into the sweep's results.
//!
//! Every shard computes the same assignment of runs to shards from the
//! sweep alone ([`assign`]): longest expected run first, each to the shard
//! with the least expected work so far (the LPT rule, within 4/3 of the
//! best split), so no coordination is needed and a shard can be resumed or
//! rerun on its own. The expected cost of a run is the bytes its steps move
//! ([`expected_cost`]): the step is memory-bound (README "Speed"), so bytes
//! are what take time.
//!
//! A part directory is a sweep directory (`sweep.ron`, `base.ron`,
//! `plan.csv`, `points/`) holding only its shard's runs, plus `shard.txt`
//! (`I/N` and the sweep's name on two lines). [`merge`] checks that the parts are all the shards of one
//! sweep and that each is complete, copies their runs into one directory
//! and writes `sweep.csv` (and `sensitivity.csv`) there with
//! [`crate::finish`]: the same bytes as the sweep run in one process,
//! since those tables are assembled from the run directories in plan order.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use erythro_core::circulation::RED_CELL_BYTES;
use erythro_core::marrow::ERYTHROBLAST_TRAFFIC_BYTES;
use erythro_core::Config;
use erythro_io::{write_file_atomic, Staged};

use crate::spec::{self, RunId, Sweep};
use crate::{done, run_dir};

/// The file naming a part directory's shard.
pub const SHARD_FILE: &str = "shard.txt";

/// One shard of a sweep: the `index`-th of `count` (1-based, as `--shard 2/4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1 to `count`.
    pub index: usize,
    /// How many shards the sweep is cut into, at least 1.
    pub count: usize,
}

/// Erythroid cells (proerythroblasts to marrow reticulocytes) of a healthy
/// adult marrow: about 8e11 (MODEL.md "Scale"; the default scale's million
/// agents of 8e5 cells). Sets the expected marrow agents of a run.
const MARROW_CELLS: f64 = 8.0e11;
/// Red cells per litre of healthy blood, about 5e12 (the reference RBC of
/// an adult man, 4.5-5.9e12/L). Sets the expected circulating agents.
const RED_CELLS_PER_L: f64 = 5.0e12;

impl Shard {
    /// Parses `I/N` (`2/4`: the second of four shards).
    pub fn parse(text: &str) -> Result<Self> {
        let (i, n) = text.split_once('/').with_context(|| {
            format!("--shard {text:?}: expected I/N (for example 2/4, the second of four shards) or auto")
        })?;
        let number = |s: &str, what: &str| -> Result<usize> {
            s.trim().parse::<usize>().with_context(|| {
                format!("--shard {text:?}: the {what} {s:?} is not a whole number")
            })
        };
        Self::new(number(i, "shard index")?, number(n, "shard count")?)
            .with_context(|| format!("--shard {text:?}"))
    }

    /// Shard `index` of `count`, checked: `1 <= index <= count`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        ensure!(
            count >= 1,
            "the shard count must be at least 1, got {count}"
        );
        ensure!(
            (1..=count).contains(&index),
            "the shard index must be between 1 and the count {count}, got {index}"
        );
        Ok(Self { index, count })
    }

    /// The shard of this task of a SLURM job array, from
    /// `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT` (and
    /// `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_STEP` when set: an array
    /// `--array=1-8` or `--array=0-14:2` has task ids that do not start at
    /// 0 or step by more than 1); `env` reads a variable (`std::env::var`).
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let read =
            |name: &str| -> Result<Option<u64>> {
                match env(name) {
                    None => Ok(None),
                    Some(v) => v.trim().parse::<u64>().map(Some).with_context(|| {
                        format!("--shard auto: {name}={v:?} is not a whole number")
                    }),
                }
            };
        let (Some(id), Some(count)) = (
            read("SLURM_ARRAY_TASK_ID")?,
            read("SLURM_ARRAY_TASK_COUNT")?,
        ) else {
            bail!(
                "--shard auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, which are not \
                 both set: run it as a task of a SLURM job array (sbatch --array=...), or give \
                 the shard as --shard I/N"
            );
        };
        ensure!(
            count >= 1,
            "--shard auto: SLURM_ARRAY_TASK_COUNT is 0, which no job array has"
        );
        let min = read("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = read("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
        ensure!(
            step >= 1,
            "--shard auto: SLURM_ARRAY_TASK_STEP is 0, which no job array has"
        );
        ensure!(
            id >= min && (id - min) % step == 0,
            "--shard auto: SLURM_ARRAY_TASK_ID={id} is not one of the array's task ids \
             (from SLURM_ARRAY_TASK_MIN={min} in steps of {step})"
        );
        let index = (id - min) / step + 1;
        ensure!(
            index <= count,
            "--shard auto: SLURM_ARRAY_TASK_ID={id} would be shard {index} of \
             SLURM_ARRAY_TASK_COUNT={count}: give the array evenly spaced ids (--array=0-{} or \
             1-{count}) with no task ids left out (%-limits are fine, skipped ids are not)",
            count.saturating_sub(1)
        );
        Self::new(index as usize, count as usize).context("--shard auto")
    }

    /// The part directory's name inside the sweep's results, `shard-2-of-4`.
    pub fn dir_name(self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }

    /// `I/N`, as `shard.txt` holds it.
    pub fn label(self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

/// The expected cost of a run of `config`: the bytes its steps move, the
/// burn-in's marrow alone, then marrow and circulation (agents expected at
/// a healthy steady state, bytes per agent-step from the kernels).
pub fn expected_cost(config: &Config) -> f64 {
    let run = &config.run;
    let scale = &config.scale;
    let marrow_agents = MARROW_CELLS / scale.cells_per_agent;
    let blood_agents = RED_CELLS_PER_L * scale.blood_volume_l * scale.circulating_sample_fraction
        / scale.cells_per_agent;
    // The circulation reads and writes each agent's state once per step.
    let marrow_bytes = marrow_agents * ERYTHROBLAST_TRAFFIC_BYTES as f64;
    let blood_bytes = blood_agents * 2.0 * RED_CELL_BYTES as f64;
    let steps = |days: f64| days * 24.0 / run.dt_hours;
    let cost =
        steps(run.burn_in_days) * marrow_bytes + steps(run.days) * (marrow_bytes + blood_bytes);
    // A config that cannot run still writes its failed.txt: a little work.
    if cost.is_finite() && cost > 0.0 {
        cost
    } else {
        0.0
    }
}

/// The shard (0-based) of every run of `sweep`, in plan order, for a cut
/// into `count` shards: the longest expected runs first, each to the shard
/// with the least expected work so far (ties to the lower shard); a run
/// whose config cannot be built costs nothing. Deterministic: every shard
/// computes the same assignment.
pub fn assign(sweep: &Sweep, count: usize) -> Vec<usize> {
    let runs = sweep.runs();
    let costs: Vec<f64> = runs
        .iter()
        .map(|&r| sweep.config(r).map_or(0.0, |c| expected_cost(&c)))
        .collect();
    let mut order: Vec<usize> = (0..runs.len()).collect();
    // Stable, so equal costs keep plan order.
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]));
    let mut load = vec![0.0f64; count.max(1)];
    // Runs per shard break ties between equal loads (free runs, such as
    // failed points, are spread too).
    let mut held = vec![0usize; count.max(1)];
    let mut shard_of = vec![0; runs.len()];
    for i in order {
        let s = (0..load.len())
            .min_by(|&a, &b| load[a].total_cmp(&load[b]).then(held[a].cmp(&held[b])))
            .unwrap_or(0);
        load[s] += costs[i];
        held[s] += 1;
        shard_of[i] = s;
    }
    shard_of
}

/// The runs of `shard`, in plan order.
pub fn runs_of(sweep: &Sweep, shard: Shard) -> Vec<RunId> {
    let runs = sweep.runs();
    assign(sweep, shard.count)
        .into_iter()
        .zip(runs)
        .filter(|&(s, _)| s + 1 == shard.index)
        .map(|(_, r)| r)
        .collect()
}

/// The runs of `shard` whose results are not yet in its part directory `part`.
pub fn pending(sweep: &Sweep, shard: Shard, part: &Path) -> Vec<RunId> {
    runs_of(sweep, shard)
        .into_iter()
        .filter(|r| !done(part, *r))
        .collect()
}

/// Creates (or, with `resume`, checks) the part directory `part` of
/// `shard`, as [`crate::prepare`] does for a whole sweep, with its
/// `shard.txt`. Returns whether it was there before.
pub fn prepare(part: &Path, sweep: &Sweep, shard: Shard, resume: bool) -> Result<bool> {
    let existed = crate::prepare(part, sweep, resume)?;
    let file = part.join(SHARD_FILE);
    let label = format!("{}\n{}\n", shard.label(), sweep.name);
    if existed {
        let there = std::fs::read_to_string(&file).unwrap_or_default();
        ensure!(
            there.lines().next() == Some(shard.label().as_str()),
            "{} holds shard {:?} of this sweep, not shard {}: check --out and --shard",
            part.display(),
            there.lines().next().unwrap_or_default(),
            shard.label()
        );
    } else {
        write_file_atomic(&file, label.as_bytes())?;
    }
    Ok(existed)
}

/// A part directory read back: its shard and the sweep it belongs to.
struct Part {
    dir: PathBuf,
    shard: Shard,
    name: String,
    base: String,
    plan: String,
}

fn read_part(dir: &Path) -> Result<Part> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).with_context(|| {
            format!(
                "{} is not a sweep shard's directory (no readable {name}; shards are written by \
                 erythro sweep SWEEP --shard I/N)",
                dir.display()
            )
        })
    };
    let text = read(SHARD_FILE)?;
    let mut lines = text.lines();
    let label = lines.next().unwrap_or_default();
    let name = lines.next().unwrap_or("sweep").to_string();
    let (i, n) = label
        .split_once('/')
        .with_context(|| format!("{}: {SHARD_FILE} does not hold I/N", dir.display()))?;
    let number = |s: &str| s.parse::<usize>().ok();
    let shard = match (number(i), number(n)) {
        (Some(i), Some(n)) => Shard::new(i, n),
        _ => Err(anyhow::anyhow!("{label:?} is not I/N")),
    }
    .with_context(|| format!("{}/{SHARD_FILE}", dir.display()))?;
    Ok(Part {
        dir: dir.to_path_buf(),
        shard,
        name,
        base: read("base.ron")?,
        plan: read("plan.csv")?,
    })
}

/// What [`merge`] did.
pub struct Merged {
    /// The sweep the parts belong to.
    pub sweep: Sweep,
    /// The merged results directory.
    pub out: PathBuf,
    /// The tables written there.
    pub finished: crate::Finished,
}

/// Merges the part directories `parts` (every shard of one sweep, each
/// complete) into `out`, or into the parts' common parent directory when
/// `out` is `None`: their runs are copied into `out/points/` and
/// `sweep.csv` (and `sensitivity.csv`) written from them. `out` may hold
/// the parts and an earlier merge of the same sweep; it may not hold
/// another sweep.
pub fn merge(parts: &[PathBuf], out: Option<&Path>) -> Result<Merged> {
    ensure!(!parts.is_empty(), "give the part directories to merge");
    let read: Vec<Part> = parts.iter().map(|p| read_part(p)).collect::<Result<_>>()?;
    let first = &read[0];
    let count = first.shard.count;
    for p in &read[1..] {
        ensure!(
            p.base == first.base && p.plan == first.plan,
            "{} and {} hold different sweeps (their base.ron or plan.csv differ)",
            first.dir.display(),
            p.dir.display()
        );
        ensure!(
            p.shard.count == count,
            "{} is shard {} but {} is shard {}: the parts of one merge come from one cut",
            first.dir.display(),
            first.shard.label(),
            p.dir.display(),
            p.shard.label()
        );
    }
    let mut by_index: Vec<Option<&Part>> = vec![None; count];
    for p in &read {
        if let Some(other) = by_index[p.shard.index - 1].replace(p) {
            bail!(
                "{} and {} are both shard {}",
                other.dir.display(),
                p.dir.display(),
                p.shard.label()
            );
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| by_index[i - 1].is_none())
        .map(|i| format!("{i}/{count}"))
        .collect();
    ensure!(
        missing.is_empty(),
        "shard(s) {} missing: give every part of the sweep (for example {}/shard-*-of-{count})",
        missing.join(", "),
        first
            .dir
            .parent()
            .map_or_else(|| ".".into(), |p| p.display().to_string())
    );

    let sweep = spec::from_results(&first.dir, first.name.clone())?;
    ensure!(
        sweep.plan_csv() == first.plan,
        "{}: its plan.csv is not what its sweep.ron gives",
        first.dir.display()
    );
    let shard_of = assign(&sweep, count);
    let runs = sweep.runs();
    for p in by_index.iter().flatten() {
        let lacking: Vec<RunId> = runs
            .iter()
            .zip(&shard_of)
            .filter(|&(r, &s)| s + 1 == p.shard.index && !done(&p.dir, *r))
            .map(|(r, _)| *r)
            .collect();
        ensure!(
            lacking.is_empty(),
            "shard {} ({}) lacks {} of its runs ({}...): finish it with \
             erythro sweep {}.ron --shard {} --resume, with the same --out",
            p.shard.label(),
            p.dir.display(),
            lacking.len(),
            lacking[0].dir_name(),
            sweep.name,
            p.shard.label()
        );
    }

    let out = match out {
        Some(o) => o.to_path_buf(),
        None => common_parent(parts)?,
    };
    write_sweep_files(&out, first)?;
    for (run, &s) in runs.iter().zip(&shard_of) {
        let from = run_dir(&by_index[s].expect("every shard is present").dir, *run);
        copy_run(&from, &run_dir(&out, *run))?;
    }
    let finished = crate::finish(&sweep, &out)?;
    Ok(Merged {
        sweep,
        out,
        finished,
    })
}

/// The one parent directory of every part.
fn common_parent(parts: &[PathBuf]) -> Result<PathBuf> {
    let parent = |p: &PathBuf| -> Result<PathBuf> {
        let abs =
            std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()))?;
        Ok(abs.parent().map(Path::to_path_buf).unwrap_or(abs))
    };
    let first = parent(&parts[0])?;
    for p in &parts[1..] {
        ensure!(
            parent(p)? == first,
            "the parts are in different directories ({} and {}): say where to merge them with --out",
            parts[0].display(),
            p.display()
        );
    }
    Ok(first)
}

/// `sweep.ron`, `base.ron` and `plan.csv` of the merged directory: written
/// when absent, else they must be this sweep's.
fn write_sweep_files(out: &Path, part: &Part) -> Result<()> {
    for name in ["sweep.ron", "base.ron", "plan.csv"] {
        let ours = std::fs::read(part.dir.join(name))
            .with_context(|| format!("cannot read {}", part.dir.join(name).display()))?;
        let target = out.join(name);
        match std::fs::read(&target) {
            Ok(there) => ensure!(
                there == ours,
                "{} holds another sweep (its {name} differs from the parts'): merge with another --out",
                out.display()
            ),
            Err(_) => write_file_atomic(&target, &ours)?,
        }
    }
    Ok(())
}

/// Copies one run's directory (its files, one level) atomically.
fn copy_run(from: &Path, to: &Path) -> Result<()> {
    let staged = Staged::new(to)?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            staged.write_bytes(&name, &bytes)?;
        }
    }
    staged.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shard_flags_parse_and_refuse_what_is_not_a_shard() {
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
        assert_eq!(Shard::parse("1/1").unwrap().dir_name(), "shard-1-of-1");
        for (bad, says) in [
            ("2", "expected I/N"),
            ("0/4", "between 1 and the count 4"),
            ("5/4", "between 1 and the count 4"),
            ("1/0", "at least 1"),
            ("a/4", "not a whole number"),
            ("-1/4", "not a whole number"),
        ] {
            let e = format!("{:#}", Shard::parse(bad).unwrap_err());
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn slurm_task_ids_become_shards() {
        let from = |vars: &[(&str, &str)]| Shard::from_slurm(env(vars));
        let s = from(&[
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(s.unwrap(), Shard { index: 1, count: 4 });
        // --array=1-4: ids from 1.
        let s = from(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ]);
        assert_eq!(s.unwrap(), Shard { index: 4, count: 4 });
        // --array=0-6:2: ids 0, 2, 4, 6.
        let s = from(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ]);
        assert_eq!(s.unwrap(), Shard { index: 3, count: 4 });
        for (vars, says) in [
            (vec![], "not both set"),
            (vec![("SLURM_ARRAY_TASK_ID", "3")], "not both set"),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "x"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "not a whole number",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "7"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "would be shard 8",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "3"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                ],
                "not one of the array's task ids",
            ),
            (
                vec![
                    ("SLURM_ARRAY_TASK_ID", "0"),
                    ("SLURM_ARRAY_TASK_COUNT", "0"),
                ],
                "COUNT is 0",
            ),
        ] {
            let e = format!("{:#}", from(&vars).unwrap_err());
            assert!(e.contains(says), "{vars:?}: {e}");
        }
    }

    #[test]
    fn costlier_runs_cost_more() {
        let base = Config::default();
        let mut longer = base.clone();
        longer.run.days *= 2.0;
        let mut finer = base.clone();
        finer.scale.cells_per_agent /= 2.0;
        let c = expected_cost(&base);
        assert!(expected_cost(&longer) > c);
        assert!((expected_cost(&finer) - 2.0 * c).abs() < 1e-9 * c);
    }
}
