//! The one atomic writer of every erythro output. A results directory is
//! written into a temporary sibling ([`Staged`]) and swapped into place
//! only when complete; a single file ([`write_file_atomic`]) goes through a
//! temporary file in the same directory, persisted by rename. Either way a
//! reader sees the old output or the whole new one, never a half-written
//! file that looks whole, and an interrupted or failed run leaves the
//! previous results as they were.
//!
//! Replacing a directory: on Linux the staged directory and the old results
//! are exchanged in one `renameat2(RENAME_EXCHANGE)`, so there is no moment
//! without a results directory, and the old results, now in the temporary
//! name, are removed afterwards (a crash before that leaves only a hidden
//! `.NAME.partial-*` directory, which the next sweep resume cleans up).
//! Where the exchange is not available (other systems, or a file system
//! that refuses it) the old directory is moved aside first, the only way
//! plain rename can replace a directory.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A results directory being written.
pub struct Staged {
    partial: tempfile::TempDir,
    target: PathBuf,
}

/// The parent directory of `target` (`.` for a bare name) and its file name.
fn split(target: &Path, what: &'static str) -> Result<(PathBuf, String)> {
    let name = target
        .file_name()
        .ok_or_else(|| Error::Serialize {
            what,
            message: format!("{} needs a name", target.display()),
        })?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

fn create_dir_all(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|source| Error::Write {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes `contents` to a new file at `path` and flushes it to the disk.
fn write_synced(path: &Path, contents: &[u8]) -> Result<()> {
    let error = |source| Error::Write {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::create(path).map_err(error)?;
    file.write_all(contents).map_err(error)?;
    file.sync_all().map_err(error)
}

impl Staged {
    /// Starts writing results destined for `target` (created with its
    /// parents when it is first committed).
    pub fn new(target: &Path) -> Result<Self> {
        let (parent, name) = split(target, "the output directory")?;
        create_dir_all(&parent)?;
        let partial = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(|source| Error::Write {
                action: "create a staging directory in",
                path: parent.clone(),
                source,
            })?;
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
        crate::paths::check_relative(relative)?;
        let path = self.partial.path().join(relative);
        if let Some(dir) = path.parent() {
            create_dir_all(dir)?;
        }
        write_synced(&path, contents)
    }

    /// The staged directory as written so far (to read files back before committing).
    pub fn path(&self) -> &Path {
        self.partial.path()
    }

    /// Moves the finished directory into place, replacing an older one
    /// without a moment in which neither exists (see the module docs).
    pub fn commit(self) -> Result<PathBuf> {
        let partial = self.partial.keep();
        let target = self.target;
        let moved = |source| Error::Write {
            action: "move results into",
            path: target.clone(),
            source,
        };
        if !target.exists() {
            fs::rename(&partial, &target).map_err(moved)?;
        } else if exchange(&partial, &target).is_ok() {
            // `partial` now holds the old results.
            fs::remove_dir_all(&partial).ok();
        } else {
            let (parent, name) = split(&target, "the output directory")?;
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            fs::rename(&target, &old).map_err(|source| Error::Write {
                action: "move aside",
                path: target.clone(),
                source,
            })?;
            fs::rename(&partial, &target).map_err(moved)?;
            fs::remove_dir_all(&old).ok();
        }
        Ok(target)
    }
}

/// Swaps two directory entries in one atomic step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Writes `contents` to `path` through a temporary file in the same
/// directory renamed into place, so the file is either the old one or the
/// whole new one.
pub fn write_file_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let (parent, name) = split(path, "the output file")?;
    create_dir_all(&parent)?;
    let error = |source| Error::Write {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempfile_in(&parent)
        .map_err(error)?;
    file.write_all(contents).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_old_results_and_leaves_no_staging_behind() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        let first = Staged::new(&target).unwrap();
        first.write("a.txt", "old").unwrap();
        first.write("sub/b.txt", "old b").unwrap();
        first.commit().unwrap();
        let second = Staged::new(&target).unwrap();
        second.write("a.txt", "new").unwrap();
        second.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "new");
        assert!(!target.join("sub").exists(), "old files must not survive");
        let names: Vec<String> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["run"]);
    }

    #[test]
    fn an_abandoned_staging_leaves_the_old_results_untouched() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        let first = Staged::new(&target).unwrap();
        first.write("a.txt", "old").unwrap();
        first.commit().unwrap();
        let second = Staged::new(&target).unwrap();
        second.write("a.txt", "half").unwrap();
        drop(second);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "old");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    /// The exchange is what makes replacing a directory atomic: check that
    /// this machine's file system does it (tmp is where tests and CI write).
    #[cfg(target_os = "linux")]
    #[test]
    fn directories_are_exchanged_in_one_step() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("x"), "from a").unwrap();
        exchange(&a, &b).unwrap();
        assert_eq!(fs::read_to_string(b.join("x")).unwrap(), "from a");
        assert!(!a.join("x").exists());
    }

    #[test]
    fn single_files_are_replaced_whole() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("deep/sweep.csv");
        write_file_atomic(&path, b"one").unwrap();
        write_file_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }
}
