//! The smaller commands: `lineage`, `report`, `plot-sweep` and `teach`,
//! each its flags and what it prints over one library call.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Args;
use erythro_core::Config;
use erythro_io::config;
use erythro_report::lineage::{self, DEFAULT_COHORT};

use crate::{say, sayln};

/// Arguments of `erythro lineage`.
#[derive(Args)]
pub struct LineageArgs {
    /// RON config file; the embedded default (healthy adult man) when absent.
    config: Option<PathBuf>,
    /// A second config whose lineage is drawn beside the first, on the same scale.
    #[arg(long)]
    vs: Option<PathBuf>,
    /// Output directory [default: results/runs/lineage/NAME or NAME_vs_NAME2].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Day (since the steady state) from which founders are followed
    /// [default: 10 days before each config's last day, or day 0].
    #[arg(long)]
    day: Option<f64>,
    /// Seed of every random stream (overrides the configs' run.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Lineages followed; the most typical one is drawn.
    #[arg(long, default_value_t = DEFAULT_COHORT)]
    cohort: usize,
    /// Run the marrow around the lineage at the config's own scale (default 1/20).
    #[arg(long)]
    full_scale: bool,
}

fn load(path: Option<&Path>) -> Result<(Config, String)> {
    Ok(match path {
        Some(p) => (config::load(p)?, crate::stem(p)),
        None => (config::default_config(), "healthy_man".to_string()),
    })
}

/// `erythro lineage`: trace, draw and print one lineage (or two, `--vs`).
pub fn lineage(args: LineageArgs) -> Result<()> {
    if args.cohort == 0 {
        bail!("--cohort must be at least 1");
    }
    let mut runs = vec![load(args.config.as_deref())?];
    if let Some(vs) = &args.vs {
        runs.push(load(Some(vs))?);
    }
    if runs.len() == 2 && runs[0].1 == runs[1].1 {
        runs[1].1.push_str(" (2)");
    }
    for (config, _) in &mut runs {
        if let Some(seed) = args.seed {
            config.run.seed = seed;
        }
    }
    let name = runs
        .iter()
        .map(|(_, n)| n.replace(' ', "_"))
        .collect::<Vec<_>>()
        .join("_vs_");
    let out = args.out.clone().unwrap_or_else(|| {
        Path::new("results")
            .join("runs")
            .join("lineage")
            .join(&name)
    });
    let pool = crate::thread_pool(args.threads)?;
    let started = Instant::now();
    let records = pool.install(|| -> Result<Vec<_>> {
        runs.iter()
            .map(|(config, label)| {
                lineage::trace(
                    label,
                    config.clone(),
                    args.day,
                    args.cohort,
                    args.full_scale,
                )
            })
            .collect()
    })?;
    let wall = started.elapsed().as_secs_f64();
    let (written, text) = lineage::write(&out, &records)?;
    say!("{text}");
    sayln!(
        "\nfollowed {} x {} lineages in {wall:.1} s",
        records.len(),
        args.cohort
    );
    sayln!("results: {}", written.display());
    Ok(())
}

/// Arguments of `erythro report`.
#[derive(Args)]
pub struct ReportArgs {
    /// A results directory written by `erythro run`.
    dir: PathBuf,
}

/// `erythro report DIR`: (re)writes the report and plots of a run.
pub fn report(args: ReportArgs) -> Result<()> {
    let r = erythro_report::regenerate(&args.dir)?;
    sayln!(
        "report: {} ({} plots in {})",
        r.report.display(),
        r.figures,
        r.plots.display()
    );
    Ok(())
}

/// Arguments of `erythro plot-sweep`.
#[derive(Args)]
pub struct PlotSweepArgs {
    /// A sweep CSV: one row per point and replicate (swept parameters, seed, indices).
    csv: PathBuf,
    /// Output directory [default: sweep_plots beside the CSV].
    #[arg(long)]
    out: Option<PathBuf>,
    /// A swept parameter's column (repeat for several) [default: the columns before `seed`].
    #[arg(long = "param")]
    params: Vec<String>,
    /// An index column to plot (repeat for several) [default: the blood count's main indices].
    #[arg(long = "index")]
    indices: Vec<String>,
}

/// `erythro plot-sweep`: every index against each swept parameter.
pub fn plot_sweep(args: PlotSweepArgs) -> Result<()> {
    let p =
        erythro_report::plot::sweep::plot_sweep(&args.csv, args.out, &args.params, &args.indices)?;
    sayln!(
        "{} indices against {} ({} rows): {} in {}",
        p.indices.len(),
        p.params.join(", "),
        p.rows,
        p.names
            .iter()
            .map(|n| format!("{n}.svg/.png"))
            .collect::<Vec<_>>()
            .join(", "),
        p.out.display()
    );
    Ok(())
}

/// `erythro teach`.
#[derive(Args)]
pub struct TeachArgs {
    /// Port on 127.0.0.1 (default 0: a free port the system picks; the address is printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

/// Serves the classroom page until the process is stopped (Ctrl-C).
pub fn teach(args: TeachArgs) -> Result<()> {
    erythro_teach::serve(args.port, |addr| {
        // Printed whole and flushed at once: scripts (the browser test) read it.
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "erythro teach: serving http://{addr}/ (Ctrl-C to stop)"
        )?;
        out.flush()
    })?;
    Ok(())
}
