//! The checkpoint reader on any bytes: a snapshot that restores into a
//! run, or a clear refusal; never a panic. The first byte picks what the
//! rest is: 0, a whole checkpoint file (the header checks); anything else,
//! a payload framed here with a valid header and checksum, so the
//! decoding and the restore's own checks are fuzzed too.
#![no_main]

use erythro_io::checkpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let framed;
    let bytes = if mode == 0 {
        rest
    } else {
        framed = checkpoint::frame(rest, erythro_runner::snapshot::layout_fingerprint());
        &framed
    };
    if let Ok(snapshot) = checkpoint::decode(bytes) {
        let _ = snapshot.restore();
    }
});
