//! The one error type of the crate: why a population could not be measured.

/// Why a [`RedCellView`](crate::RedCellView) could not be measured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The population has no agents, so every mean is undefined.
    #[error("empty population: there are no red-cell agents to measure")]
    EmptyPopulation,
    /// The struct-of-arrays slices do not describe the same number of cells.
    #[error(
        "slice lengths differ: volume_fl has {volume_fl}, hb_pg has {hb_pg}, age_h has {age_h}"
    )]
    LengthMismatch {
        /// Length of `volume_fl`.
        volume_fl: usize,
        /// Length of `hb_pg`.
        hb_pg: usize,
        /// Length of `age_h`.
        age_h: usize,
    },
    /// A population-wide quantity that must be strictly positive (and finite) is not.
    #[error("{field} must be positive and finite, got {value}")]
    NonPositive {
        /// Name of the offending quantity, with its unit.
        field: &'static str,
        /// The value it had.
        value: f64,
    },
    /// A population-wide parameter that must be finite is NaN or infinite.
    #[error("{field} must be finite, got {value}")]
    NotFinite {
        /// Name of the offending parameter, with its unit.
        field: &'static str,
        /// The value it had.
        value: f64,
    },
    /// One cell carries a value no real cell can have (non-finite, or a volume
    /// that is not positive, or a negative hemoglobin content).
    #[error("cell {index}: {field} = {value} is not a possible value")]
    InvalidCell {
        /// Name of the offending per-cell field, with its unit.
        field: &'static str,
        /// Index of the cell in the view's slices.
        index: usize,
        /// The value it had.
        value: f64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_the_offending_values() {
        let e = Error::LengthMismatch {
            volume_fl: 3,
            hb_pg: 2,
            age_h: 3,
        };
        assert!(e.to_string().contains("hb_pg has 2"));
        let e = Error::NonPositive {
            field: "blood_volume_l",
            value: -1.5,
        };
        assert!(e.to_string().contains("blood_volume_l") && e.to_string().contains("-1.5"));
    }
}
