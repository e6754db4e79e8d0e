//! 64-bit FNV-1a, shared by `build.rs` (the build's fingerprint) and
//! `kept.rs` (each kept run's key), so the two hash the same way.

/// The FNV-1a offset basis: the hash of nothing.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a, continued from `hash`.
pub fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
