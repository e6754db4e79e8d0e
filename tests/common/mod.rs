//! Helpers shared by the command-line integration tests: run the `erythro`
//! binary and check how it ended.
#![allow(dead_code)] // each test crate uses its own subset

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary with `args`, in `cwd` (so a default output directory
/// could never land in the repository).
pub fn erythro<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("cannot start the erythro binary")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Panics with both streams unless the run succeeded; returns stdout.
pub fn expect_success(o: &Output) -> String {
    assert!(
        o.status.success(),
        "erythro failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// Panics unless the run failed with exit code 2 and an `error: ` line;
/// returns stderr.
pub fn expect_error(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "expected exit code 2\nstdout:\n{}\nstderr:\n{err}",
        stdout(o)
    );
    assert!(err.starts_with("error: "), "stderr: {err}");
    err
}
