//! SIGINT and SIGTERM: the first asks the running work to stop at its next
//! step boundary (it checkpoints and writes what it has); a second one
//! exits at once with code 130, in case the first is not answered soon.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use signal_hook::consts::{SIGINT, SIGTERM};

/// The exit code of an interrupted command (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// The flag the first SIGINT or SIGTERM sets (handlers installed once).
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    if let Some(flag) = FLAG.get() {
        return Ok(Arc::clone(flag));
    }
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // The shutdown first: it exits only when the flag is already set,
        // that is on the second signal (signal-hook's documented order).
        signal_hook::flag::register_conditional_shutdown(
            signal,
            EXIT_INTERRUPTED,
            Arc::clone(&flag),
        )
        .context("cannot install the signal handlers")?;
        signal_hook::flag::register(signal, Arc::clone(&flag))
            .context("cannot install the signal handlers")?;
    }
    Ok(Arc::clone(FLAG.get_or_init(|| flag)))
}

/// A command stopped by a signal after saving its work: `main` prints the
/// message and exits with [`EXIT_INTERRUPTED`].
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Interrupted {
    /// What was saved, and how to go on.
    pub message: String,
}
