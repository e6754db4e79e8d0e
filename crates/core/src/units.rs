//! Physical constants the layers share, each stated once with its source.

/// Iron in hemoglobin, a mass ratio: 3.47 fg Fe per pg Hb, the same number
/// as mg Fe per g Hb (MODEL.md; 4 Fe of 55.845 g/mol per 64.5 kDa tetramer).
/// The marrow and circulating agents count iron with it in fg, the body's
/// books in mg.
pub const FE_FG_PER_PG_HB: f64 = 3.47;

/// Mass of one iron atom, fg (55.845 g/mol / Avogadro).
pub const FE_FG_PER_ATOM: f64 = 9.2733e-8;

/// mg per fg.
pub const MG_PER_FG: f64 = 1e-12;
