//! Where outputs may go. A results directory is replaced whole when a run
//! commits ([`crate::Staged`]), so an output path must not hold the run's
//! inputs and must not be a directory of something else; and files staged
//! inside it must stay inside it.

use std::path::{Component, Path, PathBuf};

use crate::{Error, Result};

/// Files whose presence marks a directory as erythro's results (a run, a
/// sweep, or an interrupted run).
const RESULT_MARKERS: &[&str] = &[
    "summary.json",
    "timeseries.csv",
    "config.ron",
    "INCOMPLETE",
    "checkpoint",
    "sweep.ron",
    "validate.csv",
];

fn refused(out: &Path, why: String) -> Error {
    Error::Output {
        path: out.to_path_buf(),
        why,
    }
}

/// `p` made absolute with its existing part resolved (symbolic links,
/// `..`), so two spellings of one place compare equal.
pub fn resolved(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// Refuses `out` as a results directory when it is or holds one of
/// `inputs`, or when it is an existing directory that is neither empty nor
/// erythro's results (committing would delete what it holds).
pub fn check_output(out: &Path, inputs: &[&Path]) -> Result<()> {
    let target = resolved(out);
    for input in inputs {
        if resolved(input).starts_with(&target) {
            return Err(refused(
                out,
                format!(
                    "it holds the input {}, which writing the results would replace: choose another --out",
                    input.display()
                ),
            ));
        }
    }
    if target.is_file() {
        return Err(refused(out, "it is a file, not a directory".into()));
    }
    if let Ok(entries) = std::fs::read_dir(&target) {
        let names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let ours = names.iter().any(|n| RESULT_MARKERS.contains(&n.as_str()));
        if !names.is_empty() && !ours {
            return Err(refused(
                out,
                format!(
                    "it is a directory of {} entries that are not erythro results, and writing \
                     the results replaces it whole: choose another --out",
                    names.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that `relative` names a place inside a results directory: not
/// absolute, no `..`, not empty.
pub fn check_relative(relative: &str) -> Result<()> {
    let path = Path::new(relative);
    let inside = !relative.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if inside {
        Ok(())
    } else {
        Err(refused(
            path,
            "it leaves the results directory (absolute, or with `..`)".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_that_would_destroy_inputs_or_other_files_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let configs = root.path().join("configs");
        std::fs::create_dir(&configs).unwrap();
        let input = configs.join("x.ron");
        std::fs::write(&input, "()").unwrap();
        // The input's own directory, or one above it, spelled any way.
        for out in [
            configs.clone(),
            root.path().to_path_buf(),
            configs.join("../configs"),
        ] {
            let e = check_output(&out, &[&input]).unwrap_err().to_string();
            assert!(e.contains("holds the input"), "{e}");
        }
        // A directory of other things.
        let other = root.path().join("notes");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("a.txt"), "keep me").unwrap();
        let e = check_output(&other, &[]).unwrap_err().to_string();
        assert!(e.contains("not erythro results"), "{e}");
        // New, empty, or earlier results are fine.
        check_output(&root.path().join("runs/new"), &[&input]).unwrap();
        let earlier = root.path().join("earlier");
        std::fs::create_dir(&earlier).unwrap();
        check_output(&earlier, &[&input]).unwrap();
        std::fs::write(earlier.join("summary.json"), "{}").unwrap();
        check_output(&earlier, &[&input]).unwrap();
    }

    #[test]
    fn staged_names_stay_inside() {
        for ok in ["a.csv", "plots/x.svg", "./b"] {
            check_relative(ok).unwrap();
        }
        for bad in ["", "/etc/passwd", "../x", "plots/../../x"] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
    }
}
