//! The per-step reduction: what all agents took from and gave to the body.
//!
//! Each fixed-size chunk of agents fills its own `StepSums`; the runner folds
//! them together, and when a run is split across processes the processes'
//! sums are added too. Every quantity is a count or an [`ExactSum`], whose
//! addition is exact integer addition, so the totals are bitwise identical
//! whatever the chunks, threads or processes and whatever order they are
//! added in. Quantities are per agent (multiply by the agent's weight for
//! the body); iron is in fg.

use std::ops::AddAssign;

/// Fractional bits of an [`ExactSum`]: terms are kept to 2^-40 of their
/// unit (about 1e-12 fg of iron, 1e-12 fL of volume), far below the f32
/// rounding of the agents' own state (1e-7 relative).
const FRACTION_BITS: u32 = 40;
/// 2^FRACTION_BITS.
const SCALE: f64 = (1u64 << FRACTION_BITS) as f64;
/// Terms below this many scaled units (2^63, about 8.4e6 units before
/// scaling) convert through `i64`, one instruction; larger ones, which no
/// single cell reaches, through `i128`.
const FAST_LIMIT: f64 = 9.2e18;
/// Scaled terms below this magnitude (2^51) are integers an `f64` holds
/// exactly after [`MAGIC`] is added, so [`ExactSum::add_each`] converts them
/// without the scalar `f64 -> i64` instruction.
const MANTISSA_LIMIT: f64 = (1u64 << 51) as f64;
/// 1.5 x 2^52: an integer-valued `t` with `|t| < 2^51` plus this lies in
/// [2^52, 2^53), where the mantissa's low bits are `t` (offset by MAGIC's).
const MAGIC: f64 = 6_755_399_441_055_744.0;
/// Most terms [`ExactSum::add_each`] takes at once: 2^11 terms below 2^51
/// add up below 2^62, inside an `i64`.
pub const SLICE_MAX: usize = 1 << 11;
/// Bits of each limb of [`ExactSum::limbs`].
const LIMB_BITS: u32 = 42;

/// A sum of `f64` terms that does not depend on the order of the terms:
/// each term is rounded once (toward zero) to a multiple of 2^-40 and the
/// multiples are added as integers (`i128`: up to 1.5e26 units). So two
/// partial sums can be added in any grouping, chunk by chunk or process by
/// process, and give the same bits, which plain `f64` addition does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExactSum(i128);

impl ExactSum {
    /// The empty sum.
    pub const ZERO: ExactSum = ExactSum(0);

    /// Adds one term (a NaN adds nothing: no state is ever NaN).
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let scaled = x * SCALE;
        self.0 += if scaled.abs() < FAST_LIMIT {
            scaled as i64 as i128
        } else {
            scaled as i128
        };
    }

    /// Adds the terms `term(0)`, ..., `term(n - 1)` (at most [`SLICE_MAX`])
    /// exactly as [`ExactSum::add`] would, so the sum has the same bits, in
    /// a form that vectorises (no branch or scalar conversion per term):
    /// each term is truncated and converted through the mantissa. If any
    /// term is too large for that (or NaN), all are added one by one instead.
    #[inline(always)]
    pub fn add_each(&mut self, n: usize, term: impl Fn(usize) -> f64) {
        assert!(n <= SLICE_MAX, "at most SLICE_MAX terms at once");
        let mut total = 0i64;
        // Terms that fit (a NaN does not: its comparison is false).
        let mut fitting = 0usize;
        for j in 0..n {
            let t = (term(j) * SCALE).trunc();
            fitting += (t.abs() < MANTISSA_LIMIT) as usize;
            let units = ((t + MAGIC).to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
            total = total.wrapping_add(units);
        }
        if fitting == n {
            self.0 += total as i128;
        } else {
            for j in 0..n {
                self.add(term(j));
            }
        }
    }

    /// The sum of `terms`.
    pub fn of(terms: impl IntoIterator<Item = f64>) -> Self {
        let mut s = Self::ZERO;
        for x in terms {
            s.add(x);
        }
        s
    }

    /// Adds another sum.
    #[inline]
    pub fn merge(&mut self, other: ExactSum) {
        self.0 += other.0;
    }

    /// The sum, rounded once to the nearest `f64`.
    #[inline]
    pub fn value(self) -> f64 {
        self.0 as f64 / SCALE
    }

    /// Three `i64` limbs of 42 bits (the low two non-negative), whose
    /// element-wise sums over up to 2^21 sums do not overflow and
    /// [`ExactSum::from_limbs`] turns back into the sum of the sums: how an
    /// `ExactSum` travels through an integer all-reduce.
    pub fn limbs(self) -> [i64; 3] {
        let mask = (1i128 << LIMB_BITS) - 1;
        [
            (self.0 & mask) as i64,
            ((self.0 >> LIMB_BITS) & mask) as i64,
            (self.0 >> (2 * LIMB_BITS)) as i64,
        ]
    }

    /// The sum whose [`ExactSum::limbs`] (or element-wise sums of limbs) are `l`.
    pub fn from_limbs(l: [i64; 3]) -> Self {
        Self(l[0] as i128 + ((l[1] as i128) << LIMB_BITS) + ((l[2] as i128) << (2 * LIMB_BITS)))
    }
}

impl AddAssign<f64> for ExactSum {
    #[inline(always)]
    fn add_assign(&mut self, x: f64) {
        self.add(x);
    }
}

impl AddAssign<ExactSum> for ExactSum {
    #[inline]
    fn add_assign(&mut self, other: ExactSum) {
        self.merge(other);
    }
}

/// Totals over one step, in agent units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepSums {
    /// Proerythroblast agents that entered.
    pub entered: u64,
    /// Iron taken from plasma transferrin by erythroblasts, fg.
    pub marrow_uptake_fe_fg: ExactSum,
    /// Reticulocytes released to blood (agents, sampled or not).
    pub released: u64,
    /// Hemoglobin iron carried into blood by released reticulocytes, fg.
    pub released_fe_fg: ExactSum,
    /// Hemoglobin iron of the released reticulocytes that joined the
    /// circulating sample, fg (what the circulating agents gained).
    pub sampled_released_fe_fg: ExactSum,
    /// Sum over released reticulocytes of their divisions.
    pub released_divisions: u64,
    /// Sum over released reticulocytes of their hemoglobin, pg.
    pub released_hb_pg: ExactSum,
    /// Mitochondrial iron left behind at enucleation (to macrophages), fg.
    pub extruded_fe_fg: ExactSum,
    /// Erythroblasts dead in the marrow (starvation, unpaired globin, or
    /// stopped by the cap or clock): ineffective erythropoiesis.
    pub died: u64,
    /// Iron of the cells that died in the marrow (to macrophages), fg.
    pub died_fe_fg: ExactSum,
    /// Cells that matured because the cap or the clock stopped them.
    pub forced_maturations: u64,
    /// Iron taken from plasma by circulating reticulocytes, fg (circulating
    /// agent units).
    pub blood_uptake_fe_fg: ExactSum,
    /// Circulating agents removed at senescence.
    pub senescent: u64,
    /// Hemoglobin iron of senescent cells (to macrophages), fg.
    pub senescent_fe_fg: ExactSum,
    /// Circulating agents lost by bleeding.
    pub bled: u64,
    /// Hemoglobin iron of the cells lost by bleeding (leaves the body), fg.
    pub bled_fe_fg: ExactSum,
    /// Hemoglobin iron of transfused red cells (circulating agent units), fg.
    pub transfused_fe_fg: ExactSum,
    /// Hemoglobin iron shed by ageing cells (vesicles, to macrophages), fg.
    pub shed_fe_fg: ExactSum,
}

impl StepSums {
    /// Words of [`StepSums::to_words`]: a word per count, three per sum.
    pub const WORDS: usize = 7 + 3 * 11;

    /// Every count and every sum, mutably. Destructured without `..`, so a
    /// new field does not compile until it is counted here, and so merged
    /// and reduced with the others.
    fn parts(&mut self) -> ([&mut u64; 7], [&mut ExactSum; 11]) {
        let StepSums {
            entered,
            marrow_uptake_fe_fg,
            released,
            released_fe_fg,
            sampled_released_fe_fg,
            released_divisions,
            released_hb_pg,
            extruded_fe_fg,
            died,
            died_fe_fg,
            forced_maturations,
            blood_uptake_fe_fg,
            senescent,
            senescent_fe_fg,
            bled,
            bled_fe_fg,
            transfused_fe_fg,
            shed_fe_fg,
        } = self;
        (
            [
                entered,
                released,
                released_divisions,
                died,
                forced_maturations,
                senescent,
                bled,
            ],
            [
                marrow_uptake_fe_fg,
                released_fe_fg,
                sampled_released_fe_fg,
                released_hb_pg,
                extruded_fe_fg,
                died_fe_fg,
                blood_uptake_fe_fg,
                senescent_fe_fg,
                bled_fe_fg,
                transfused_fe_fg,
                shed_fe_fg,
            ],
        )
    }

    /// Adds another chunk's (or process's) totals: exact, so in any order.
    pub fn merge(&mut self, o: &StepSums) {
        let mut o = *o;
        let (counts, sums) = self.parts();
        let (o_counts, o_sums) = o.parts();
        for (a, b) in counts.into_iter().zip(o_counts) {
            *a += *b;
        }
        for (a, b) in sums.into_iter().zip(o_sums) {
            *a += *b;
        }
    }

    /// Writes the totals as [`StepSums::WORDS`] integers into `words`,
    /// which an element-wise integer sum over processes turns into the
    /// words of the processes' merged totals ([`StepSums::from_words`]).
    pub fn to_words(&self, words: &mut [i64]) {
        let mut copy = *self;
        let (counts, sums) = copy.parts();
        let mut w = words.iter_mut();
        for c in counts {
            *w.next().expect("StepSums::WORDS words") = *c as i64;
        }
        for s in sums {
            for limb in s.limbs() {
                *w.next().expect("StepSums::WORDS words") = limb;
            }
        }
    }

    /// The totals written by [`StepSums::to_words`] (or the element-wise
    /// sum of several such writes).
    pub fn from_words(words: &[i64]) -> Self {
        let mut out = StepSums::default();
        let (counts, sums) = out.parts();
        let mut w = words.iter().copied();
        let mut next = || w.next().expect("StepSums::WORDS words");
        for c in counts {
            *c = next() as u64;
        }
        for s in sums {
            *s = ExactSum::from_limbs([next(), next(), next()]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_a_block_at_once_gives_the_bits_of_adding_term_by_term() {
        let mut t = terms();
        t.truncate(SLICE_MAX);
        let one_by_one = |t: &[f64]| ExactSum::of(t.iter().copied());
        let at_once = |t: &[f64]| {
            let mut s = ExactSum::ZERO;
            s.add_each(t.len(), |j| t[j]);
            s
        };
        assert_eq!(at_once(&t), one_by_one(&t));
        // Negative and fractional units truncate toward zero in both.
        let small = [-1.5 / SCALE, 2.5 / SCALE, -0.75 / SCALE, 1e-3];
        assert_eq!(at_once(&small), one_by_one(&small));
        // A term too large for the mantissa route, or a NaN, sends the
        // whole block the long way, with the same result.
        for odd in [3e6, -1e9, f64::NAN] {
            let mut t = t.clone();
            t[17] = odd;
            assert_eq!(at_once(&t), one_by_one(&t), "{odd}");
        }
    }

    /// Terms of very different sizes, as a step's cells give.
    fn terms() -> Vec<f64> {
        (0..5000u64)
            .map(|i| {
                let u = crate::rng::uniform(3, i, crate::rng::Purpose::Sample, 0);
                (u - 0.3) * 10f64.powi((i % 9) as i32 - 3)
            })
            .collect()
    }

    #[test]
    fn exact_sums_do_not_depend_on_order_or_grouping() {
        let t = terms();
        let forward = ExactSum::of(t.iter().copied());
        let backward = ExactSum::of(t.iter().rev().copied());
        assert_eq!(forward, backward);
        // Any cut into parts, merged in any order.
        for parts in [2, 3, 7, 64] {
            let mut merged = ExactSum::ZERO;
            for chunk in t.chunks(t.len().div_ceil(parts)).rev() {
                merged += ExactSum::of(chunk.iter().copied());
            }
            assert_eq!(merged, forward, "{parts} parts");
        }
        // f64 summation, by contrast, depends on the order here.
        let f: f64 = t.iter().sum();
        let b: f64 = t.iter().rev().sum();
        assert_ne!(f.to_bits(), b.to_bits());
        // And it is the sum, to the rounding of the terms and of f64.
        assert!(
            (forward.value() - f).abs() < 1e-6,
            "{} vs {f}",
            forward.value()
        );
    }

    #[test]
    fn large_and_negative_terms_convert() {
        let mut s = ExactSum::ZERO;
        s += 1.0e9; // beyond the i64 fast path once scaled
        s += -2.5;
        s += 0.125;
        assert_eq!(s.value(), 1.0e9 - 2.375);
        assert_eq!(ExactSum::of([f64::NAN, 1.0]).value(), 1.0);
    }

    #[test]
    fn limbs_add_up_to_the_sum_of_sums() {
        let sums = [
            ExactSum::of([1.0e12, 0.5]),
            ExactSum::of([-3.0e11, -0.25]),
            ExactSum::of([7.0e-9]),
            ExactSum::of([-1.0e-3]),
        ];
        let mut limbs = [0i64; 3];
        let mut total = ExactSum::ZERO;
        for s in sums {
            total += s;
            for (a, b) in limbs.iter_mut().zip(s.limbs()) {
                *a += b;
            }
        }
        assert_eq!(ExactSum::from_limbs(limbs), total);
        for s in sums {
            assert_eq!(ExactSum::from_limbs(s.limbs()), s);
        }
    }

    #[test]
    fn step_sums_survive_words_and_their_sum() {
        let mut a = StepSums {
            entered: 3,
            bled: 2,
            ..StepSums::default()
        };
        a.marrow_uptake_fe_fg += 12.5;
        a.shed_fe_fg += -0.75;
        let mut b = StepSums {
            died: 9,
            ..StepSums::default()
        };
        b.marrow_uptake_fe_fg += 1.0e10;
        let mut wa = [0i64; StepSums::WORDS];
        let mut wb = [0i64; StepSums::WORDS];
        a.to_words(&mut wa);
        b.to_words(&mut wb);
        assert_eq!(StepSums::from_words(&wa), a);
        let summed: Vec<i64> = wa.iter().zip(&wb).map(|(x, y)| x + y).collect();
        let mut merged = a;
        merged.merge(&b);
        assert_eq!(StepSums::from_words(&summed), merged);
    }
}
