//! The one error type of erythro's files: what went wrong, with the path or
//! the file, line and column it went wrong in.

use std::path::PathBuf;

/// Errors reading or writing erythro's files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {what} {}", path.display())]
    Read {
        /// What it is ("config", "results directory", ...).
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A file or directory could not be written, moved or removed.
    #[error("cannot {action} {}", path.display())]
    Write {
        /// What was being done ("write", "create", "move into place", ...).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Malformed RON: where, and what was expected.
    #[error("{origin}:{line}:{col}: {message}")]
    Syntax {
        /// The file (or "embedded default").
        origin: String,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        col: usize,
        /// What the parser expected or found.
        message: String,
    },
    /// A well-formed config with a value out of its range.
    #[error("{origin}: {source}")]
    Invalid {
        /// The file (or "embedded default").
        origin: String,
        /// The field, the value and the valid range.
        #[source]
        source: erythro_core::Error,
    },
    /// A results file that is not what erythro writes.
    #[error("{origin}: {message}")]
    Malformed {
        /// The file.
        origin: String,
        /// What is wrong with it.
        message: String,
    },
    /// A directory that is not an erythro results directory.
    #[error("{} is not an erythro results directory: it has no {} (`erythro run` writes {})", dir.display(), missing.join(", "), expected.join(", "))]
    NotResults {
        /// The directory.
        dir: PathBuf,
        /// The required files it lacks.
        missing: Vec<&'static str>,
        /// Every required file.
        expected: &'static [&'static str],
    },
    /// An output path that would escape the results directory, replace an
    /// input or delete other files.
    #[error("refusing to write results to {}: {why}", path.display())]
    Output {
        /// The path.
        path: PathBuf,
        /// Why not.
        why: String,
    },
    /// A checkpoint that cannot be resumed: truncated, corrupted, foreign,
    /// or written by another version.
    #[error("cannot resume from {}: {reason}", path.display())]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// Why not.
        reason: crate::checkpoint::Refused,
    },
    /// A value that cannot be written in the file's format.
    #[error("cannot write {what}: {message}")]
    Serialize {
        /// What was being written.
        what: &'static str,
        /// Why not.
        message: String,
    },
}

impl Error {
    /// A malformed-file error.
    pub(crate) fn malformed(origin: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::Malformed {
            origin: origin.into(),
            message: message.to_string(),
        }
    }
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
