//! `erythro`: run the red-cell production simulator from the command line.
//!
//! `erythro run [CONFIG]` validates the config, builds its steady state,
//! runs the time loop on a rayon pool of `--threads` threads, prints the
//! blood count against the reference ranges and writes the results
//! atomically. `erythro sweep SWEEP.ron` runs many configs (see
//! `sweep`). Errors are printed with their cause chain; the exit code is 2.

mod bench;
mod config_file;
mod lineage;
mod narrative;
mod output;
mod plot;
mod reference;
mod report;
mod results_dir;
mod sweep;
mod table;
mod validate;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use erythro_runner::Simulation;

/// Agent-based simulator of red blood cell production.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run one config (default: the embedded healthy adult man) and write its results.
    Run(RunArgs),
    /// Measure the marrow kernel against this machine's memory bandwidth.
    Bench(bench::BenchArgs),
    /// Run every condition config and check its textbook pattern.
    Validate(validate::ValidateArgs),
    /// Run a parameter sweep (grid, Latin hypercube, replicates) from a RON file.
    Sweep(sweep::SweepArgs),
    /// Follow one proerythroblast's whole lineage and draw it as a tree.
    Lineage(lineage::LineageArgs),
    /// Write an HTML report and plots for a results directory.
    Report(report::ReportArgs),
    /// Plot every index of a sweep CSV against each swept parameter.
    PlotSweep(plot::sweep::PlotSweepArgs),
}

#[derive(Args, Default)]
struct RunArgs {
    /// RON config file; the embedded default (healthy adult man) when absent.
    config: Option<PathBuf>,
    /// Results directory [default: results/runs/CONFIG-NAME].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of every random stream (overrides the config's run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Simulated days after the steady state (overrides run.days).
    #[arg(long, allow_negative_numbers = true)]
    days: Option<f64>,
    /// Also write report.html and plots/ (SVG and PNG) into the results.
    #[arg(long)]
    report: bool,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Run(args)) => run(args),
        Some(Command::Bench(args)) => bench::run(args),
        Some(Command::Validate(args)) => validate::run(args),
        Some(Command::Sweep(args)) => sweep::run(args),
        Some(Command::Lineage(args)) => lineage::run(args),
        Some(Command::Report(args)) => report::run(args),
        Some(Command::PlotSweep(args)) => plot::sweep::run(args),
        None => run(RunArgs::default()),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

fn run(args: RunArgs) -> Result<()> {
    let (mut config, name) = match &args.config {
        Some(path) => (config_file::load(path)?, stem(path)),
        None => (
            config_file::parse(config_file::DEFAULT_RON, "embedded default")?,
            "default".to_string(),
        ),
    };
    if let Some(seed) = args.seed {
        config.run.seed = seed;
    }
    if let Some(days) = args.days {
        config.run.days = days;
    }
    config
        .validate()
        .context("after applying the command-line overrides")?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join("runs").join(&name));
    let pool = thread_pool(args.threads)?;
    let threads = pool.current_num_threads();

    let started = Instant::now();
    let days = config.run.days;
    let (samples, histograms, agents, traced) = pool.install(|| -> Result<_> {
        let mut sim = Simulation::new(config.clone())?;
        // Follow lineages entering near the end, to draw one (lineage.json).
        sim.watch_lineages(
            (days - LINEAGE_DAYS_BEFORE_END).max(0.0),
            lineage::DEFAULT_COHORT,
        );
        let bar = progress_bar();
        let samples = sim.run(
            days,
            |_| {},
            |done, total| {
                if let Some(bar) = &bar {
                    bar.set_length(total);
                    bar.set_position(done);
                }
            },
        )?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let histograms = erythro_analysis::histograms(&sim.red_cell_view());
        let traced = sim
            .lineage_watch()
            .and_then(|w| lineage::LineageRecord::from_watch(&name, &config, w));
        Ok((
            samples,
            histograms,
            (sim.marrow().len(), sim.blood().len()),
            traced,
        ))
    })?;
    let wall = started.elapsed().as_secs_f64();
    let last = samples.last().context("the run produced no sample")?;

    let staged = output::Staged::new(&out)?;
    staged.write("summary.json", &output::summary_json(last)?)?;
    staged.write("timeseries.csv", &output::timeseries_csv(&samples))?;
    for (path, text) in output::histogram_csvs(&histograms) {
        staged.write(path, &text)?;
    }
    staged.write("config.ron", &config_file::to_ron(&config)?)?;
    staged.write("onset.csv", &table::onset_csv(&config, &samples))?;
    if let Some(record) = &traced {
        staged.write(
            "lineage.json",
            &(serde_json::to_string_pretty(std::slice::from_ref(record))? + "\n"),
        )?;
    }
    if args.report {
        report::write_into(&staged, &out, &name)?;
    }
    let written = staged.commit()?;

    print!("{}", table::report(&config, last));
    print!("{}", table::onset_report(&config, &samples));
    println!(
        "\n{name}: {days} days after steady state, {} marrow + {} circulating agents, {threads} threads, {wall:.1} s",
        agents.0, agents.1
    );
    println!("results: {}", written.display());
    if args.report {
        println!("report: {}", written.join("report.html").display());
    }
    Ok(())
}

/// Days before the end of a run at which the lineages it records enter:
/// a lineage takes about a week to leave the marrow, longer when iron is short.
const LINEAGE_DAYS_BEFORE_END: f64 = 12.0;

/// A rayon pool of `threads` threads (all cores when `None`).
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        anyhow::ensure!(n >= 1, "--threads must be at least 1");
        pool = pool.num_threads(n);
    }
    pool.build().context("cannot start the thread pool")
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into())
}

/// A progress bar on a terminal; none when stderr is not one.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} hours, eta {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    Some(bar)
}
