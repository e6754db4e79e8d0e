//! The cell-by-cell thresholds of the Technicon H*1 / Bayer (now Siemens)
//! ADVIA 120/2120 red-cell cytogram, shared by the CBC flags and the cytogram.
//!
//! Those analysers measure each cell's volume and hemoglobin concentration
//! by two-angle laser light scattering (Mohandas N. et al., "Accurate and
//! independent measurement of volume and hemoglobin concentration of
//! individual red cells by laser light scattering", Blood 1986;67:865-873)
//! and split the volume x concentration plane into nine regions with these
//! fixed cutoffs: microcytic < 60 fL, macrocytic > 120 fL, hypochromic
//! < 28 g/dL, hyperchromic > 41 g/dL.

/// Cells with volume strictly below this are microcytic, fL.
pub const MICRO_BELOW_FL: f64 = 60.0;
/// Cells with volume strictly above this are macrocytic, fL.
pub const MACRO_ABOVE_FL: f64 = 120.0;
/// Cells with hemoglobin concentration strictly below this are hypochromic, g/dL.
pub const HYPO_BELOW_G_DL: f64 = 28.0;
/// Cells with hemoglobin concentration strictly above this are hyperchromic, g/dL.
pub const HYPER_ABOVE_G_DL: f64 = 41.0;

/// A cell's own hemoglobin concentration in g/dL: `100 * hb_pg / volume_fl`
/// (1 pg/fL = 1 g/mL = 100 g/dL).
pub fn cell_hb_concentration_g_dl(hb_pg: f64, volume_fl: f64) -> f64 {
    100.0 * hb_pg / volume_fl
}

/// Volume class of a cell: 0 micro (< 60 fL), 1 normo (60-120 fL), 2 macro (> 120 fL).
pub fn volume_class(volume_fl: f64) -> usize {
    if volume_fl < MICRO_BELOW_FL {
        0
    } else if volume_fl > MACRO_ABOVE_FL {
        2
    } else {
        1
    }
}

/// Concentration class of a cell: 0 hypo (< 28 g/dL), 1 normo (28-41 g/dL), 2 hyper (> 41 g/dL).
pub fn chc_class(chc_g_dl: f64) -> usize {
    if chc_g_dl < HYPO_BELOW_G_DL {
        0
    } else if chc_g_dl > HYPER_ABOVE_G_DL {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_belong_to_the_normal_class() {
        assert_eq!(volume_class(59.999), 0);
        assert_eq!(volume_class(60.0), 1);
        assert_eq!(volume_class(120.0), 1);
        assert_eq!(volume_class(120.001), 2);
        assert_eq!(chc_class(27.9), 0);
        assert_eq!(chc_class(28.0), 1);
        assert_eq!(chc_class(41.0), 1);
        assert_eq!(chc_class(41.1), 2);
        assert_eq!(cell_hb_concentration_g_dl(30.0, 90.0), 100.0 / 3.0);
    }
}
