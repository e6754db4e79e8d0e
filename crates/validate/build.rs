//! Fingerprints the sources that decide a validation run's samples (the
//! model, the analysis, the runner, config reading, the validator's own run
//! loop), the locked dependency versions and the compiler, so a kept run
//! (`src/kept.rs`) is read back only by a build that would compute it again
//! bit for bit.

use std::path::{Path, PathBuf};

/// Source trees and files, relative to this crate.
const INPUTS: &[&str] = &[
    "../core/src",
    "../analysis/src",
    "../runner/src",
    "../io/src",
    "src/lib.rs",
    "src/conditions.rs",
    "../../Cargo.lock",
];

#[path = "src/fnv.rs"]
mod fnv;

use fnv::{fnv, FNV_START};

/// Every file under `path` (or `path` itself), sorted.
fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut hash = FNV_START;
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
        let mut found = Vec::new();
        files(Path::new(input), &mut found);
        for f in found {
            let bytes =
                std::fs::read(&f).unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display()));
            hash = fnv(hash, f.to_string_lossy().as_bytes());
            hash = fnv(hash, &bytes);
        }
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    hash = fnv(hash, &version);
    println!("cargo:rustc-env=ERYTHRO_RUN_SOURCES={hash:016x}");
}
