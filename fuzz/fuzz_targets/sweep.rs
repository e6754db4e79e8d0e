//! The sweep loader on any text: a sweep, or an error; never a panic, an
//! abort or a hang. An accepted sweep gives each of its first runs' configs
//! (or an error for an invalid point) and its plan.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A base `File(...)` resolves in a directory that does not exist.
    let dir = Path::new("/nonexistent/erythro-fuzz");
    if let Ok(sweep) = erythro_sweep::spec::parse(text, "fuzz.ron", dir, "fuzz".into()) {
        for run in sweep.runs().into_iter().take(8) {
            let _ = sweep.config(run);
        }
        let _ = sweep.plan_csv();
    }
});
