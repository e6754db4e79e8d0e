//! `erythro validate`: its flags, what it prints and the files it writes
//! (tables, CSVs, a plot per condition and the page that shows them).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use erythro_io::Staged;
use erythro_report::plot::targets::{TargetPoint, TargetRow, TargetsPlot};
use erythro_report::plot::{self, Figure};
use erythro_validate::measure::Measured;
use erythro_validate::score::Verdict;
use erythro_validate::targets::Published;
use erythro_validate::{conditions, output, Rule, RuleRun};

use crate::{say, sayln};

/// The division rules to validate under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleChoice {
    /// Divide until the critical hemoglobin concentration (the default rule).
    Critical,
    /// A fixed number of divisions.
    FixedBudget,
    /// Both, side by side.
    Both,
}

/// Options of `erythro validate`.
#[derive(Args)]
pub struct ValidateArgs {
    /// Run every condition at 1/20 of its config's agents: minutes instead
    /// of an hour.
    #[arg(long)]
    quick: bool,
    /// Where to write the tables and plots [default: results/runs/validate].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]; conditions run side by side.
    #[arg(long)]
    threads: Option<usize>,
    /// A targets CSV instead of the embedded validation/targets.csv.
    #[arg(long)]
    targets: Option<PathBuf>,
    /// Least scored pass rate, %, for success.
    #[arg(long, default_value_t = 90.0)]
    min_pass: f64,
    /// Division rule(s) every condition runs under.
    #[arg(long, value_enum, default_value_t = RuleChoice::Critical)]
    rule: RuleChoice,
    /// Keep each finished run in DIR, and read back the runs this same
    /// build kept there from the same configs instead of running them
    /// again: a validation stopped part way goes on where it stopped.
    #[arg(long, value_name = "DIR")]
    keep_runs: Option<PathBuf>,
}

/// The pass band of a target on the plots' shared axis.
fn band(p: &Published) -> (f64, f64) {
    match p {
        Published::MeanSd { .. } | Published::Interval { .. } => (-1.0, 1.0),
        Published::Min(_) => (-1.0, f64::INFINITY),
        Published::Max(_) => (f64::NEG_INFINITY, 1.0),
    }
}

/// One plot per condition with targets, every rule's model values on it.
fn figures(runs: &[RuleRun]) -> Result<Vec<Figure>> {
    let mut out = Vec::new();
    let Some(first) = runs.first() else {
        return Ok(out);
    };
    for c in conditions::CONDITIONS {
        let rows: Vec<TargetRow> = first
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.target.condition == c.name)
            .map(|(i, r)| TargetRow {
                label: format!("{} at {}", r.target.marker_text, r.target.when_text),
                published: format!(
                    "{} {}",
                    output::published_text(&r.target.published),
                    r.target.citation
                ),
                band: band(&r.target.published),
                scored: r.target.scored,
                points: runs
                    .iter()
                    .map(|run| {
                        let x = &run.results[i];
                        let axis = x.score.axis?;
                        Some(TargetPoint {
                            axis,
                            pass: x.score.verdict == Verdict::Pass,
                            model: output::model_text(&x.measured),
                        })
                    })
                    .collect(),
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let plot = TargetsPlot {
            title: format!("{}: model against published targets", c.name),
            rules: runs.iter().map(|r| r.rule.name().to_string()).collect(),
            rows,
        };
        out.push(plot::render(
            c.name,
            &format!("{}: each target's published band and the model", c.name),
            &plot,
        )?);
    }
    Ok(out)
}

/// Markers the model does not produce, once each.
fn not_measured(run: &RuleRun) -> Vec<String> {
    let mut out: Vec<String> = run
        .results
        .iter()
        .filter_map(|r| match &r.measured {
            Measured::NotMeasured(why) => Some(format!(
                "{} {} {}: {why}",
                r.target.condition, r.target.marker_text, r.target.when_text
            )),
            _ => None,
        })
        .collect();
    out.dedup();
    out
}

/// `erythro validate`: every condition against the published targets,
/// the hard limits and the textbook directions; fails below `--min-pass`,
/// on any broken limit or any failed direction.
pub fn run(args: ValidateArgs) -> Result<()> {
    let targets = match &args.targets {
        Some(path) => {
            let text = erythro_io::config::read_text(path, "targets file")?;
            erythro_validate::load_targets(Some((&text, &path.display().to_string())))?
        }
        None => erythro_validate::load_targets(None)?,
    };
    anyhow::ensure!(
        (0.0..=100.0).contains(&args.min_pass),
        "--min-pass must be a percentage in [0, 100]"
    );
    let rules = match args.rule {
        RuleChoice::Critical => vec![Rule::Critical],
        RuleChoice::FixedBudget => vec![Rule::FixedBudget],
        RuleChoice::Both => vec![Rule::Critical, Rule::FixedBudget],
    };
    let threads = crate::thread_pool(args.threads)?.current_num_threads();
    let kept = args
        .keep_runs
        .as_ref()
        .map(erythro_validate::kept::Kept::new);
    let jobs = conditions::CONDITIONS.len() * rules.len();
    let (workers, inner) = erythro_runner::batch::share_threads(threads, None, jobs);
    eprintln!(
        "validate: {} targets, {jobs} runs, {workers} side by side",
        targets.len()
    );
    let runs = erythro_validate::validate(
        &targets,
        &rules,
        args.quick,
        workers,
        inner,
        kept.as_ref(),
        &|name, rule, read_back| {
            let how = if read_back {
                "read back from --keep-runs"
            } else {
                "done"
            };
            eprintln!("validate: {name} ({}) {how}", rule.name());
        },
    )?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("results/runs/validate"));
    let staged = Staged::new(&out)?;
    let figures = figures(&runs)?;
    let mut summaries = String::new();
    for (k, run) in runs.iter().enumerate() {
        let text = output::report_text(run, args.min_pass);
        // The first rule at the top; a second in its own folder.
        let dir = if k == 0 {
            String::new()
        } else {
            format!("{}/", run.rule.name().replace('-', "_"))
        };
        staged.write(&format!("{dir}validate.txt"), &text)?;
        staged.write(
            &format!("{dir}targets_results.csv"),
            &output::targets_csv(run),
        )?;
        staged.write(&format!("{dir}validate.csv"), &run.directions.csv)?;
        say!("{text}");
        summaries.push_str(&output::summary(run, args.min_pass));
        summaries.push('\n');
    }
    let mut links = vec![
        ("validate.txt", "summary, every target and the directions"),
        (
            "targets_results.csv",
            "every target: model, published, distance, result",
        ),
        ("validate.csv", "the directional checks"),
    ];
    if runs.len() > 1 {
        let side = output::side_by_side(&runs);
        staged.write("rules_side_by_side.txt", &side)?;
        sayln!("\n{side}");
        links.push((
            "rules_side_by_side.txt",
            "both division rules against the same targets",
        ));
        links.push((
            "fixed_budget/validate.txt",
            "the fixed-budget rule's tables",
        ));
    }
    for f in &figures {
        staged.write(&format!("plots/{}.svg", f.name), &f.svg)?;
        staged.write_bytes(&format!("plots/{}.png", f.name), &f.png)?;
    }
    staged.write(
        "validate.html",
        &erythro_report::validation::page(&summaries, &links, &figures),
    )?;
    let written = staged
        .commit()
        .with_context(|| format!("cannot write {}", out.display()))?;
    for run in &runs {
        let absent = not_measured(run);
        if !absent.is_empty() {
            eprintln!(
                "validate ({}): {} targets not measured (see validate.txt)",
                run.rule.name(),
                absent.len()
            );
        }
    }
    sayln!(
        "results: {} (validate.html, validate.txt, targets_results.csv, plots/)",
        written.display()
    );
    let failures: Vec<String> = runs
        .iter()
        .flat_map(|r| r.failures(args.min_pass))
        .collect();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("validate: {f}");
        }
        anyhow::bail!("validation failed ({} reasons above)", failures.len());
    }
    sayln!("every run passes: pass rate, hard limits and directions");
    Ok(())
}
