//! `erythro`: the command line over the erythro library crates.
//!
//! This binary only parses flags, shows progress and prints tables; the
//! work is in the libraries: `erythro-runner` (the time loop),
//! `erythro-io` (configs and results), `erythro-sweep`, `erythro-report`
//! and `erythro-validate`. Errors are printed with their cause chain and the
//! exit code is 2 (130 for a run stopped by SIGINT or SIGTERM after saving
//! its work); a closed pipe (`erythro ... | head`) is not an error.

mod bench;
mod cluster;
mod commands;
mod progress;
mod run;
mod signals;
mod sweep;
mod table;
mod validate;

use std::io::Write as _;

use clap::{Parser, Subcommand};

/// Writes formatted text to stdout; an error (a closed pipe) goes up as an
/// `io::Error`, which `main` treats as a quiet end.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

/// As [`say!`], with a newline.
macro_rules! sayln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}
pub(crate) use {say, sayln};

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
    Run(run::RunArgs),
    /// Measure the marrow kernel against this machine's memory bandwidth.
    Bench(bench::BenchArgs),
    /// Run every condition config against published targets, hard limits and textbook directions.
    Validate(validate::ValidateArgs),
    /// Run a parameter sweep (grid, Latin hypercube, replicates) from a RON file.
    Sweep(sweep::SweepArgs),
    /// Follow one proerythroblast's whole lineage and draw it as a tree.
    Lineage(commands::LineageArgs),
    /// Write an HTML report and plots for a results directory.
    Report(commands::ReportArgs),
    /// Plot every index of a sweep CSV against each swept parameter.
    PlotSweep(commands::PlotSweepArgs),
    /// Serve the live classroom page on 127.0.0.1 (the real model, interactive).
    Teach(commands::TeachArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = cluster::init().and_then(|world| {
        let single = |name| cluster::single(&world, name);
        match cli.command {
            Some(Command::Run(args)) => run::run(args, &world),
            Some(Command::Bench(args)) => single("bench").and_then(|()| bench::run(args)),
            Some(Command::Validate(args)) => single("validate").and_then(|()| validate::run(args)),
            Some(Command::Sweep(args)) => sweep::run(args, &world),
            Some(Command::Lineage(args)) => {
                single("lineage").and_then(|()| commands::lineage(args))
            }
            Some(Command::Report(args)) => single("report").and_then(|()| commands::report(args)),
            Some(Command::PlotSweep(args)) => {
                single("plot-sweep").and_then(|()| commands::plot_sweep(args))
            }
            Some(Command::Teach(args)) => single("teach").and_then(|()| commands::teach(args)),
            None => run::run(run::RunArgs::default(), &world),
        }
    });
    let code = match result {
        Ok(()) => std::io::stdout()
            .flush()
            .map_or_else(|e| exit_code_of_io(&e), |()| 0),
        Err(e) if closed_pipe(&e) => 0,
        Err(e) if e.is::<signals::Interrupted>() => {
            eprintln!("stopped: {e}");
            signals::EXIT_INTERRUPTED
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

/// Whether the error is stdout's reader having gone away.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn exit_code_of_io(e: &std::io::Error) -> i32 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        0
    } else {
        eprintln!("error: cannot write to standard output: {e}");
        2
    }
}

/// A rayon pool of `--threads` threads (all cores when `None`).
fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    use anyhow::Context as _;
    if let Some(n) = threads {
        anyhow::ensure!(n >= 1, "--threads must be at least 1");
    }
    erythro_runner::batch::thread_pool(threads).context("cannot start the thread pool")
}

/// A config file's name without its extension: the run's name.
fn stem(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into())
}
