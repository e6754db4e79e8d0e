//! The red-cell part of a complete blood count, measured from the agents.

use erythro_core::sums::ExactSum;
use serde::Serialize;

use crate::discriminant::{Discriminant, Inputs, Suggestion, DISCRIMINANTS};
use crate::rdw::{volume_bin, width_at_peak_fraction_fl, VOLUME_BINS};
use crate::thresholds::{
    cell_hb_concentration_g_dl, HYPER_ABOVE_G_DL, HYPO_BELOW_G_DL, MACRO_ABOVE_FL, MICRO_BELOW_FL,
};
use crate::{Error, RedCellView};

/// Picograms to grams.
const G_PER_PG: f64 = 1e-12;
/// Femtolitres to litres.
const L_PER_FL: f64 = 1e-15;
/// Decilitres in a litre.
const DL_PER_L: f64 = 10.0;

/// Red-cell indices as a hematology analyser reports them.
///
/// The field order here is the order of [`Cbc::fields`] and of serialization.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cbc {
    /// Red cell count, 10^12 cells/L: agents * cells_per_agent / blood volume.
    pub rbc_1e12_per_l: f64,
    /// Hemoglobin, g/dL of blood.
    pub hb_g_dl: f64,
    /// Hematocrit: % of blood volume that is red cells.
    pub hct_pct: f64,
    /// Mean cell volume, fL.
    pub mcv_fl: f64,
    /// Mean cell hemoglobin, pg.
    pub mch_pg: f64,
    /// Mean cell hemoglobin concentration, g/dL: 100 * MCH / MCV.
    pub mchc_g_dl: f64,
    /// Red-cell distribution width, coefficient of variation: 100 * SD(volume) / MCV,
    /// SD with divisor n (the whole population is measured, not sampled).
    pub rdw_cv_pct: f64,
    /// Red-cell distribution width as analysers report it: width of the smoothed
    /// 1-fL volume histogram at 20 % of its peak, fL.
    pub rdw_sd_fl: f64,
    /// Reticulocytes (age below `reticulocyte_age_h`) as % of all red cells.
    pub retic_pct: f64,
    /// Absolute reticulocyte count, 10^9 cells/L.
    pub retic_abs_1e9_per_l: f64,
    /// Reticulocyte hemoglobin content (CHr), mean hb of reticulocytes, pg.
    /// 0 when there are no reticulocytes, so the record never holds NaN.
    pub chr_pg: f64,
    /// % of cells whose own hemoglobin concentration is below 28 g/dL (ADVIA "%HYPO").
    pub hypo_pct: f64,
    /// % of cells whose own hemoglobin concentration is above 41 g/dL (ADVIA "%HYPER").
    pub hyper_pct: f64,
    /// % of cells with volume below 60 fL (ADVIA "%MICRO").
    pub micro_pct: f64,
    /// % of cells with volume above 120 fL (ADVIA "%MACRO").
    pub macro_pct: f64,
    /// Mentzer index MCV / RBC; cutoff 13, below suggests thalassaemia trait
    /// (Mentzer, Lancet 1973).
    pub mentzer: f64,
    /// Shine & Lal index MCV^2 * MCH / 100; cutoff 1530, below suggests
    /// thalassaemia trait (Shine & Lal, Lancet 1977).
    pub shine_lal: f64,
    /// England & Fraser index MCV - RBC - 5 * Hb - 3.4; cutoff 0, below suggests
    /// thalassaemia trait (England & Fraser, Lancet 1973).
    pub england_fraser: f64,
    /// Srivastava index MCH / RBC; cutoff 3.8, below suggests thalassaemia trait
    /// (Srivastava & Bevington, Lancet 1973).
    pub srivastava: f64,
    /// Green & King index MCV^2 * RDW / (100 * Hb); cutoff 65, below suggests
    /// thalassaemia trait (Green & King, Blood Cells 1989).
    pub green_king: f64,
    /// RDW index MCV * RDW / RBC; cutoff 220, below suggests thalassaemia trait
    /// (Jayabose et al. 1999).
    pub rdwi: f64,
    /// Ricerca index RDW / RBC; cutoff 4.4, below suggests thalassaemia trait
    /// (Ricerca et al., Haematologica 1987).
    pub ricerca: f64,
    /// Ehsani index MCV - 10 * RBC; cutoff 15, below suggests thalassaemia trait
    /// (Ehsani et al., Pak J Biol Sci 2009).
    pub ehsani: f64,
    /// Sirdah index MCV - RBC - 3 * Hct; cutoff 27, below suggests thalassaemia
    /// trait (Sirdah et al., Int J Lab Hematol 2008).
    pub sirdah: f64,
}

impl Cbc {
    /// Every field with its serialized name, in declaration order:
    /// `rbc_1e12_per_l, hb_g_dl, hct_pct, mcv_fl, mch_pg, mchc_g_dl,
    /// rdw_cv_pct, rdw_sd_fl, retic_pct, retic_abs_1e9_per_l, chr_pg,
    /// hypo_pct, hyper_pct, micro_pct, macro_pct`, then the discriminants in
    /// [`DISCRIMINANTS`] order `mentzer, shine_lal, england_fraser,
    /// srivastava, green_king, rdwi, ricerca, ehsani, sirdah`.
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("rbc_1e12_per_l", self.rbc_1e12_per_l),
            ("hb_g_dl", self.hb_g_dl),
            ("hct_pct", self.hct_pct),
            ("mcv_fl", self.mcv_fl),
            ("mch_pg", self.mch_pg),
            ("mchc_g_dl", self.mchc_g_dl),
            ("rdw_cv_pct", self.rdw_cv_pct),
            ("rdw_sd_fl", self.rdw_sd_fl),
            ("retic_pct", self.retic_pct),
            ("retic_abs_1e9_per_l", self.retic_abs_1e9_per_l),
            ("chr_pg", self.chr_pg),
            ("hypo_pct", self.hypo_pct),
            ("hyper_pct", self.hyper_pct),
            ("micro_pct", self.micro_pct),
            ("macro_pct", self.macro_pct),
            ("mentzer", self.mentzer),
            ("shine_lal", self.shine_lal),
            ("england_fraser", self.england_fraser),
            ("srivastava", self.srivastava),
            ("green_king", self.green_king),
            ("rdwi", self.rdwi),
            ("ricerca", self.ricerca),
            ("ehsani", self.ehsani),
            ("sirdah", self.sirdah),
        ]
    }

    /// Value of the discriminant called `name` (see [`DISCRIMINANTS`]), or
    /// `None` if no discriminant has that name.
    pub fn discriminant(&self, name: &str) -> Option<f64> {
        let value = match name {
            "mentzer" => self.mentzer,
            "shine_lal" => self.shine_lal,
            "england_fraser" => self.england_fraser,
            "srivastava" => self.srivastava,
            "green_king" => self.green_king,
            "rdwi" => self.rdwi,
            "ricerca" => self.ricerca,
            "ehsani" => self.ehsani,
            "sirdah" => self.sirdah,
            _ => return None,
        };
        Some(value)
    }

    /// Every discriminant with its value and what that value suggests, in
    /// [`DISCRIMINANTS`] order.
    pub fn discriminants(
        &self,
    ) -> impl Iterator<Item = (&'static Discriminant, f64, Suggestion)> + '_ {
        DISCRIMINANTS.iter().filter_map(move |d| {
            let value = self.discriminant(d.name)?;
            Some((d, value, d.suggests(value)))
        })
    }
}

/// The first pass of a blood count over some of the cells, mergeable: the
/// counts, the volume histogram and exact sums ([`ExactSum`]) of volume and
/// hemoglobin. Stats of parts of a population, merged in any order, are
/// the stats of the whole to the bit, so a population held by several
/// processes is measured exactly as if one held it.
#[derive(Debug, Clone, PartialEq)]
pub struct RedCellStats {
    agents: u64,
    sum_volume_fl: ExactSum,
    sum_hb_pg: ExactSum,
    retic: u64,
    sum_retic_hb_pg: ExactSum,
    hypo: u64,
    hyper: u64,
    micro: u64,
    macro_: u64,
    volume_counts: [u64; VOLUME_BINS],
}

impl Default for RedCellStats {
    fn default() -> Self {
        Self {
            agents: 0,
            sum_volume_fl: ExactSum::ZERO,
            sum_hb_pg: ExactSum::ZERO,
            retic: 0,
            sum_retic_hb_pg: ExactSum::ZERO,
            hypo: 0,
            hyper: 0,
            micro: 0,
            macro_: 0,
            volume_counts: [0; VOLUME_BINS],
        }
    }
}

impl RedCellStats {
    /// Words of [`RedCellStats::to_words`].
    pub const WORDS: usize = 6 + 3 * 3 + VOLUME_BINS;

    /// Measures the cells of `view` (possibly none: a part of a population
    /// may be empty). Errors: those of [`red_cell_indices`] but the empty
    /// population and the total-hemoglobin check, which concern the whole.
    pub fn measure(view: &RedCellView) -> Result<Self, Error> {
        let n = view.check()?;
        let mut s = Self {
            agents: n as u64,
            ..Self::default()
        };
        for i in 0..n {
            let (volume_fl, hb_pg) = view.cell(i)?;
            s.sum_volume_fl += volume_fl;
            s.sum_hb_pg += hb_pg;
            if view.is_reticulocyte(i) {
                s.retic += 1;
                s.sum_retic_hb_pg += hb_pg;
            }
            let chc_g_dl = cell_hb_concentration_g_dl(hb_pg, volume_fl);
            s.hypo += u64::from(chc_g_dl < HYPO_BELOW_G_DL);
            s.hyper += u64::from(chc_g_dl > HYPER_ABOVE_G_DL);
            s.micro += u64::from(volume_fl < MICRO_BELOW_FL);
            s.macro_ += u64::from(volume_fl > MACRO_ABOVE_FL);
            s.volume_counts[volume_bin(volume_fl)] += 1;
        }
        Ok(s)
    }

    /// Adds the stats of other cells.
    pub fn merge(&mut self, o: &RedCellStats) {
        let mut words = vec![0; Self::WORDS];
        let mut other = vec![0; Self::WORDS];
        self.to_words(&mut words);
        o.to_words(&mut other);
        for (a, b) in words.iter_mut().zip(other) {
            *a += b;
        }
        *self = Self::from_words(&words);
    }

    /// Agents measured.
    pub fn agents(&self) -> u64 {
        self.agents
    }

    /// Mean cell volume, fL (NaN for no cells): what the second pass,
    /// [`volume_spread`], measures the deviations from.
    pub fn mean_volume_fl(&self) -> f64 {
        self.sum_volume_fl.value() / self.agents as f64
    }

    /// The stats as [`RedCellStats::WORDS`] integers; an element-wise sum
    /// of such words is the words of the merged stats.
    pub fn to_words(&self, words: &mut [i64]) {
        let counts = [
            self.agents,
            self.retic,
            self.hypo,
            self.hyper,
            self.micro,
            self.macro_,
        ];
        let sums = [self.sum_volume_fl, self.sum_hb_pg, self.sum_retic_hb_pg];
        let all = counts
            .into_iter()
            .map(|c| c as i64)
            .chain(sums.into_iter().flat_map(ExactSum::limbs))
            .chain(self.volume_counts.iter().map(|&c| c as i64));
        for (w, v) in words[..Self::WORDS].iter_mut().zip(all) {
            *w = v;
        }
    }

    /// The stats whose words (or sum of words) are `words`.
    pub fn from_words(words: &[i64]) -> Self {
        let c = |i: usize| words[i] as u64;
        let sum =
            |k: usize| ExactSum::from_limbs([words[6 + 3 * k], words[7 + 3 * k], words[8 + 3 * k]]);
        Self {
            agents: c(0),
            retic: c(1),
            hypo: c(2),
            hyper: c(3),
            micro: c(4),
            macro_: c(5),
            sum_volume_fl: sum(0),
            sum_hb_pg: sum(1),
            sum_retic_hb_pg: sum(2),
            volume_counts: std::array::from_fn(|i| c(15 + i)),
        }
    }
}

/// The second pass of a blood count: the exact sum of the squared
/// deviations of the cells' volumes from `mean_volume_fl` (the whole
/// population's, [`RedCellStats::mean_volume_fl`]), fL². Sums over parts
/// of a population add up to the whole's. The cells were checked by
/// [`RedCellStats::measure`].
pub fn volume_spread(view: &RedCellView, mean_volume_fl: f64) -> ExactSum {
    ExactSum::of(view.volume_fl.iter().map(|&v| {
        let d = f64::from(v) - mean_volume_fl;
        d * d
    }))
}

/// Measures the population: all red-cell indices, flags and discriminants.
///
/// Errors: [`Error::LengthMismatch`] if the slices differ in length,
/// [`Error::EmptyPopulation`] if there are no agents, [`Error::NonPositive`]
/// if `cells_per_agent` or `blood_volume_l` is not positive and finite or the
/// population holds no hemoglobin at all (Hb would divide by zero in the
/// Green & King index), [`Error::NotFinite`] for a non-finite
/// `reticulocyte_age_h`, [`Error::InvalidCell`] for the first cell with a
/// non-positive volume, a negative hemoglobin content or a non-finite value.
///
/// Two sequential passes, no allocation: [`RedCellStats`] first (sums,
/// counts and the volume histogram), then the squared deviations from the
/// mean for the SD ([`volume_spread`]). Every sum is exact and order-free,
/// so the result is bit-for-bit the same however the cells are ordered or
/// split.
pub fn red_cell_indices(view: &RedCellView) -> Result<Cbc, Error> {
    view.validate()?;
    let stats = RedCellStats::measure(view)?;
    let spread = volume_spread(view, stats.mean_volume_fl());
    Cbc::from_stats(&stats, spread, view.cells_per_agent, view.blood_volume_l)
}

impl Cbc {
    /// The blood count of a whole population from its merged
    /// [`RedCellStats`] and [`volume_spread`], with its agents' weight and
    /// the blood volume (checked by [`RedCellStats::measure`]). Errors:
    /// [`Error::EmptyPopulation`] for no cells, [`Error::NonPositive`] for
    /// no hemoglobin.
    pub fn from_stats(
        stats: &RedCellStats,
        spread: ExactSum,
        cells_per_agent: f64,
        blood_volume_l: f64,
    ) -> Result<Cbc, Error> {
        if stats.agents == 0 {
            return Err(Error::EmptyPopulation);
        }
        let sum_hb_pg = stats.sum_hb_pg.value();
        if sum_hb_pg <= 0.0 {
            return Err(Error::NonPositive {
                field: "total hb_pg",
                value: sum_hb_pg,
            });
        }
        let sum_volume_fl = stats.sum_volume_fl.value();
        let n_f = stats.agents as f64;
        let mcv_fl = stats.mean_volume_fl();
        let sd_fl = (spread.value() / n_f).sqrt();

        let cells = n_f * cells_per_agent;
        let rbc_1e12_per_l = cells / blood_volume_l / 1e12;
        let hb_g_dl = sum_hb_pg * cells_per_agent * G_PER_PG / (blood_volume_l * DL_PER_L);
        let hct_pct = sum_volume_fl * cells_per_agent * L_PER_FL / blood_volume_l * 100.0;
        let mch_pg = sum_hb_pg / n_f;
        let rdw_cv_pct = 100.0 * sd_fl / mcv_fl;
        let pct = |count: u64| 100.0 * count as f64 / n_f;

        let [mentzer, shine_lal, england_fraser, srivastava, green_king, rdwi, ricerca, ehsani, sirdah] =
            Inputs {
                mcv_fl,
                mch_pg,
                rbc_1e12_per_l,
                hb_g_dl,
                hct_pct,
                rdw_cv_pct,
            }
            .values();

        Ok(Cbc {
            rbc_1e12_per_l,
            hb_g_dl,
            hct_pct,
            mcv_fl,
            mch_pg,
            // pg/fL is g/mL; x100 gives g/dL.
            mchc_g_dl: 100.0 * mch_pg / mcv_fl,
            rdw_cv_pct,
            rdw_sd_fl: width_at_peak_fraction_fl(&stats.volume_counts),
            retic_pct: pct(stats.retic),
            retic_abs_1e9_per_l: stats.retic as f64 * cells_per_agent / blood_volume_l / 1e9,
            chr_pg: if stats.retic == 0 {
                0.0
            } else {
                stats.sum_retic_hb_pg.value() / stats.retic as f64
            },
            hypo_pct: pct(stats.hypo),
            hyper_pct: pct(stats.hyper),
            micro_pct: pct(stats.micro),
            macro_pct: pct(stats.macro_),
            mentzer,
            shine_lal,
            england_fraser,
            srivastava,
            green_king,
            rdwi,
            ricerca,
            ehsani,
            sirdah,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cbc {
        let volume_fl = [85.0_f32, 92.0, 101.0];
        let hb_pg = [28.0_f32, 31.0, 33.0];
        let age_h = [5.0_f32, 50.0, 500.0];
        red_cell_indices(&RedCellView {
            volume_fl: &volume_fl,
            hb_pg: &hb_pg,
            age_h: &age_h,
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1e9,
            blood_volume_l: 5.0,
        })
        .unwrap()
    }

    #[test]
    fn field_names_and_order_match_serde() {
        let cbc = sample();
        let json = serde_json::to_string(&cbc).unwrap();
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&json).unwrap();
        let fields = cbc.fields();
        assert_eq!(fields.len(), map.len());
        let mut last_pos = 0;
        for (name, value) in &fields {
            let serialized = map[*name].as_f64().unwrap();
            assert!((serialized - value).abs() <= 1e-15 * value.abs(), "{name}");
            // Serialization order follows declaration order; so must fields().
            let pos = json.find(&format!("\"{name}\":")).unwrap();
            assert!(pos >= last_pos, "{name} out of order");
            last_pos = pos;
        }
    }

    #[test]
    fn every_listed_discriminant_is_a_field() {
        let cbc = sample();
        let fields = cbc.fields();
        for d in DISCRIMINANTS {
            let value = cbc.discriminant(d.name).unwrap();
            assert!(fields.iter().any(|&(n, v)| n == d.name && v == value));
        }
        assert_eq!(cbc.discriminant("no_such_index"), None);
        assert_eq!(cbc.discriminants().count(), DISCRIMINANTS.len());
    }

    #[test]
    fn no_reticulocytes_gives_zero_chr() {
        let v = [90.0_f32];
        let hb = [30.0_f32];
        let age = [100.0_f32];
        let cbc = red_cell_indices(&RedCellView {
            volume_fl: &v,
            hb_pg: &hb,
            age_h: &age,
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 1.0,
        })
        .unwrap();
        assert_eq!(cbc.chr_pg, 0.0);
        assert_eq!(cbc.retic_pct, 0.0);
        assert_eq!(cbc.rdw_cv_pct, 0.0);
    }

    #[test]
    fn hemoglobin_free_population_is_rejected() {
        let v = [90.0_f32];
        let hb = [0.0_f32];
        let age = [100.0_f32];
        let r = red_cell_indices(&RedCellView {
            volume_fl: &v,
            hb_pg: &hb,
            age_h: &age,
            reticulocyte_age_h: 24.0,
            cells_per_agent: 1.0,
            blood_volume_l: 1.0,
        });
        assert!(matches!(r, Err(Error::NonPositive { value, .. }) if value == 0.0));
    }
}
