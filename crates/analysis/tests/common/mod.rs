//! Deterministic test populations shared by the behaviour tests.

#![allow(dead_code)] // each test binary uses a different subset

/// A 64-bit linear congruential generator (Knuth's MMIX constants): enough
/// randomness for test populations, and the same numbers on every platform.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    pub fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Roughly normal (Irwin-Hall sum of 12 uniforms), mean 0, SD 1.
    pub fn normalish(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

/// Owned struct-of-arrays population.
pub struct Population {
    pub volume_fl: Vec<f32>,
    pub hb_pg: Vec<f32>,
    pub age_h: Vec<f32>,
}

/// `n` cells: mostly normocytic/normochromic with a micro-hypo and a macro
/// tail, a few cells outside the histogram ranges, ages 0..120 days.
pub fn mixed_population(n: usize, seed: u64) -> Population {
    let mut rng = Lcg::new(seed);
    let mut p = Population {
        volume_fl: Vec::with_capacity(n),
        hb_pg: Vec::with_capacity(n),
        age_h: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let kind = rng.uniform();
        let (mean_v, sd_v, mean_c) = if kind < 0.1 {
            (62.0, 8.0, 27.0) // iron-deficient-looking cells
        } else if kind < 0.15 {
            (125.0, 12.0, 33.0) // macrocytes
        } else {
            (90.0, 6.0, 33.5)
        };
        let volume_fl = (mean_v + sd_v * rng.normalish()).max(20.0);
        let chc_g_dl = mean_c + 3.0 * rng.normalish();
        let volume_fl = if rng.uniform() < 0.001 {
            260.0
        } else {
            volume_fl
        };
        p.volume_fl.push(volume_fl as f32);
        p.hb_pg.push((volume_fl * chc_g_dl / 100.0) as f32);
        p.age_h.push((rng.uniform() * 2880.0) as f32);
    }
    p
}
