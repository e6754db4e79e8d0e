//! The model's one error type: a configuration value that cannot be run.

/// Errors of the model: invalid configuration values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A value outside its valid range.
    #[error("{field} = {value} is out of range: expected {range}")]
    OutOfRange {
        /// Dotted path of the field.
        field: &'static str,
        /// The value given.
        value: f64,
        /// The valid range, in interval notation.
        range: String,
    },
    /// A malformed schedule.
    #[error("{field}: {reason}")]
    InvalidSchedule {
        /// Dotted path of the field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}
