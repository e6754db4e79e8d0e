//! Writing a run's results atomically: everything goes into a temporary
//! sibling directory that is renamed into place only when complete, so an
//! interrupted or failed run never leaves a directory that looks whole.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use erythro_analysis::Histograms;
use erythro_runner::Sample;

/// A results directory being written.
pub struct Staged {
    partial: PathBuf,
    target: PathBuf,
}

impl Staged {
    /// Starts writing results destined for `target`.
    pub fn new(target: &Path) -> Result<Self> {
        let name = target
            .file_name()
            .context("the output directory needs a name")?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if partial.exists() {
            fs::remove_dir_all(&partial).ok();
        }
        fs::create_dir_all(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        Ok(Self {
            partial,
            target: target.to_path_buf(),
        })
    }

    /// Writes `contents` to `relative` inside the staged directory.
    pub fn write(&self, relative: &str, contents: &str) -> Result<()> {
        self.write_bytes(relative, contents.as_bytes())
    }

    /// Writes binary `contents` (an image) to `relative` inside the staged directory.
    pub fn write_bytes(&self, relative: &str, contents: &[u8]) -> Result<()> {
        let path = self.partial.join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The staged directory as written so far (to read files back before committing).
    pub fn path(&self) -> &Path {
        &self.partial
    }

    /// Moves the finished directory into place, replacing an older one.
    pub fn commit(self) -> Result<PathBuf> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move aside {}", self.target.display()))?;
        }
        fs::rename(&self.partial, &self.target)
            .with_context(|| format!("cannot move results into {}", self.target.display()))?;
        if had_old {
            fs::remove_dir_all(&old).ok();
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Only a staged directory that was never committed is still here.
        if self.partial.exists() {
            fs::remove_dir_all(&self.partial).ok();
        }
    }
}

/// Writes `contents` to `path` through a temporary sibling renamed into
/// place, so the file is either the old one or the whole new one.
pub fn write_file_atomic(path: &Path, contents: &str) -> Result<()> {
    let name = path
        .file_name()
        .context("the output file needs a name")?
        .to_string_lossy()
        .into_owned();
    let partial = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    fs::write(&partial, contents).with_context(|| format!("cannot write {}", partial.display()))?;
    fs::rename(&partial, path).with_context(|| format!("cannot move {} into place", path.display()))
}

/// The final sample as a JSON object, field names carrying units.
pub fn summary_json(sample: &Sample) -> Result<String> {
    let mut map = serde_json::Map::new();
    for (name, value) in sample.fields() {
        map.insert(name.to_string(), serde_json::json!(value));
    }
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map))?;
    text.push('\n');
    Ok(text)
}

/// All samples as CSV, one row per sampling time.
pub fn timeseries_csv(samples: &[Sample]) -> String {
    let mut out = String::new();
    if let Some(first) = samples.first() {
        let names: Vec<&str> = first.fields().iter().map(|(n, _)| *n).collect();
        out.push_str(&names.join(","));
        out.push('\n');
    }
    for s in samples {
        let row: Vec<String> = s.fields().iter().map(|(_, v)| format!("{v}")).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The histograms as CSV files: `(relative path, contents)`.
pub fn histogram_csvs(h: &Histograms) -> Vec<(&'static str, String)> {
    let mut volume = String::from("volume_low_fl,volume_high_fl,fraction\n");
    for (lo, hi, f) in h.volume.csv_rows() {
        let _ = writeln!(volume, "{lo},{hi},{f}");
    }
    let mut content = String::from("hb_low_pg,hb_high_pg,fraction\n");
    for (lo, hi, f) in h.hb_content.csv_rows() {
        let _ = writeln!(content, "{lo},{hi},{f}");
    }
    let mut cyto =
        String::from("volume_low_fl,volume_high_fl,chc_low_g_dl,chc_high_g_dl,fraction\n");
    for (v0, v1, c0, c1, f) in h.cytogram.csv_rows() {
        let _ = writeln!(cyto, "{v0},{v1},{c0},{c1},{f}");
    }
    let mut regions = String::from("volume_class,concentration_class,pct\n");
    for (v, c, p) in h.cytogram.region_rows() {
        let _ = writeln!(regions, "{v},{c},{p}");
    }
    vec![
        ("histograms/volume.csv", volume),
        ("histograms/hb_content.csv", content),
        ("histograms/cytogram.csv", cyto),
        ("histograms/cytogram_regions.csv", regions),
    ]
}
