//! Checkpoint files: a run's snapshot ([`erythro_runner::snapshot`]) as
//! bytes, written atomically beside its results and refused with a clear
//! reason when it is not one this build wrote whole.
//!
//! Layout (integers little-endian):
//!
//! | bytes | what |
//! |---|---|
//! | 8 | [`MAGIC`] |
//! | 4 | [`FORMAT_VERSION`] of this container |
//! | 8 | the snapshot's layout fingerprint (its mirrors' fields and types) |
//! | 8 | payload length |
//! | 4 | CRC-32 of the payload |
//! | n | payload: the snapshot in postcard (serde, compact, no field names) |
//!
//! A truncated, corrupted, foreign or older file is refused before any of
//! its payload is trusted: the magic says what it is, the version and the
//! fingerprint who wrote it, the length and the checksum that it is whole.
//! The snapshot's own restore then checks every column it holds.

use std::path::{Path, PathBuf};

use erythro_runner::snapshot::{layout_fingerprint, Snapshot};

use crate::{write_file_atomic, Error, Result};

/// The first bytes of every checkpoint.
pub const MAGIC: &[u8; 8] = b"ERYTHCKP";
/// The container's version: bump it when the header or the payload's
/// encoding changes (field changes of the state are caught by the layout
/// fingerprint without a bump).
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the payload.
pub const HEADER_BYTES: usize = 8 + 4 + 8 + 8 + 4;
/// Where a run's checkpoint lives in its results directory.
pub const RUN_CHECKPOINT: &str = "checkpoint/run.ckpt";

/// Why bytes are not a checkpoint this build can resume.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Shorter than a header, or than the payload the header announces.
    #[error("truncated: {have} bytes where {need} are needed")]
    Truncated {
        /// Bytes there.
        have: u64,
        /// Bytes needed.
        need: u64,
    },
    /// No magic: some other file.
    #[error(
        "not an erythro checkpoint (it does not start with {:?})",
        String::from_utf8_lossy(MAGIC)
    )]
    Foreign,
    /// Another container version.
    #[error(
        "written in checkpoint format {found}, and this erythro reads format {FORMAT_VERSION} \
         only: finish the run with the erythro that wrote it, or start it again"
    )]
    Version {
        /// The file's version.
        found: u32,
    },
    /// Another state layout: a build with other model fields wrote it.
    #[error(
        "written by an erythro whose simulation state has another layout (fingerprint \
         {found:016x}, this build {ours:016x}): finish the run with the erythro that wrote it, \
         or start it again"
    )]
    Layout {
        /// The file's fingerprint.
        found: u64,
        /// This build's.
        ours: u64,
    },
    /// Bytes after the announced payload.
    #[error("corrupted: {extra} bytes after the payload its header announces")]
    Trailing {
        /// How many.
        extra: u64,
    },
    /// The payload's checksum differs from the header's.
    #[error("corrupted: the payload's checksum is {found:08x}, its header says {expected:08x}")]
    Checksum {
        /// Computed.
        found: u32,
        /// Recorded.
        expected: u32,
    },
    /// A whole, checksummed payload that does not decode.
    #[error("corrupted: its payload does not decode ({0})")]
    Payload(String),
}

/// The checkpoint bytes of `snapshot`.
pub fn encode(snapshot: &Snapshot) -> Result<Vec<u8>> {
    let payload = postcard::to_allocvec(snapshot).map_err(|e| Error::Serialize {
        what: "the checkpoint",
        message: e.to_string(),
    })?;
    Ok(frame(&payload, layout_fingerprint()))
}

/// A header for `payload` with `layout`, then the payload.
pub fn frame(payload: &[u8], layout: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&layout.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The snapshot in checkpoint `bytes`, or why they are refused.
pub fn decode(bytes: &[u8]) -> std::result::Result<Snapshot, Refused> {
    let payload = unframe(bytes)?;
    match postcard::take_from_bytes::<Snapshot>(payload) {
        Ok((snapshot, [])) => Ok(snapshot),
        Ok((_, rest)) => Err(Refused::Payload(format!(
            "{} bytes left over after the snapshot",
            rest.len()
        ))),
        Err(e) => Err(Refused::Payload(e.to_string())),
    }
}

/// The payload of checkpoint `bytes` once its header checks out.
pub fn unframe(bytes: &[u8]) -> std::result::Result<&[u8], Refused> {
    let truncated = |need: u64| Refused::Truncated {
        have: bytes.len() as u64,
        need,
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
            truncated(HEADER_BYTES as u64)
        } else {
            Refused::Foreign
        });
    }
    if bytes.len() < HEADER_BYTES {
        return Err(truncated(HEADER_BYTES as u64));
    }
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    let version = u32_at(8);
    if version != FORMAT_VERSION {
        return Err(Refused::Version { found: version });
    }
    let layout = u64_at(12);
    if layout != layout_fingerprint() {
        return Err(Refused::Layout {
            found: layout,
            ours: layout_fingerprint(),
        });
    }
    let len = u64_at(20);
    let have = (bytes.len() - HEADER_BYTES) as u64;
    if have < len {
        return Err(truncated((HEADER_BYTES as u64).saturating_add(len)));
    }
    if have > len {
        return Err(Refused::Trailing { extra: have - len });
    }
    let payload = &bytes[HEADER_BYTES..];
    let (found, expected) = (crc32fast::hash(payload), u32_at(28));
    if found != expected {
        return Err(Refused::Checksum { found, expected });
    }
    Ok(payload)
}

/// Writes `snapshot` to `path` atomically (the old checkpoint stays whole
/// until the new one is).
pub fn write(path: &Path, snapshot: &Snapshot) -> Result<()> {
    write_file_atomic(path, &encode(snapshot)?)
}

/// Reads the checkpoint at `path`.
pub fn read(path: &Path) -> Result<Snapshot> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        what: "checkpoint",
        path: path.to_path_buf(),
        source,
    })?;
    decode(&bytes).map_err(|reason| Error::Checkpoint {
        path: path.to_path_buf(),
        reason,
    })
}

/// The checkpoint of the run whose results directory is `dir`.
pub fn run_checkpoint(dir: &Path) -> PathBuf {
    dir.join(RUN_CHECKPOINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small framed payload (the header checks come before decoding).
    fn framed() -> Vec<u8> {
        frame(b"payload bytes", layout_fingerprint())
    }

    #[test]
    fn every_kind_of_damage_is_refused_with_its_reason() {
        let good = framed();
        assert_eq!(unframe(&good).unwrap(), b"payload bytes");
        // Truncated anywhere.
        for cut in [1, 7, 8, 20, HEADER_BYTES, good.len() - 1] {
            let e = unframe(&good[..cut]).unwrap_err();
            assert!(matches!(e, Refused::Truncated { .. }), "cut {cut}: {e}");
        }
        // Foreign.
        assert_eq!(unframe(b"").unwrap_err(), Refused::Foreign);
        assert_eq!(unframe(b"(run: (days: 3))").unwrap_err(), Refused::Foreign);
        // Another version.
        let mut old = good.clone();
        old[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(unframe(&old).unwrap_err(), Refused::Version { found: 0 });
        assert!(unframe(&old).unwrap_err().to_string().contains("format 0"));
        // Another layout.
        let other = frame(b"payload bytes", layout_fingerprint() ^ 1);
        assert!(matches!(
            unframe(&other).unwrap_err(),
            Refused::Layout { .. }
        ));
        // A flipped bit in the payload, or in the recorded checksum.
        for at in [HEADER_BYTES, good.len() - 1, 28] {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            assert!(
                matches!(unframe(&bad).unwrap_err(), Refused::Checksum { .. }),
                "byte {at}"
            );
        }
        // Bytes appended.
        let mut long = good.clone();
        long.push(0);
        assert_eq!(unframe(&long).unwrap_err(), Refused::Trailing { extra: 1 });
        // A whole frame whose payload is not a snapshot.
        let e = decode(&good).unwrap_err();
        assert!(matches!(e, Refused::Payload(_)), "{e}");
    }
}
