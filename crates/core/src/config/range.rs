//! Range checks of configuration values: every violation names the field,
//! the value and the valid range in interval notation.

use crate::error::Error;

/// Which ends of a range are included.
#[derive(Clone, Copy)]
pub(crate) enum Ends {
    /// `[lo, hi]`
    Closed,
    /// `(lo, hi]`
    OpenLow,
    /// `[lo, hi)`
    OpenHigh,
}

/// Checks each `(field, value, low, high, ends)` in order; the first
/// violation is the error.
pub(crate) fn check_all<const N: usize>(
    checks: [(&'static str, f64, f64, f64, Ends); N],
) -> Result<(), Error> {
    checks
        .into_iter()
        .try_for_each(|(field, value, lo, hi, ends)| within(field, value, lo, hi, ends))
}

/// Checks `value` against the range, refusing non-finite values too.
fn within(
    field: &'static str,
    value: impl Into<f64>,
    lo: f64,
    hi: f64,
    ends: Ends,
) -> Result<(), Error> {
    let v: f64 = value.into();
    let (ok, range) = match ends {
        Ends::Closed => (v >= lo && v <= hi, format!("[{lo}, {hi}]")),
        Ends::OpenLow => (v > lo && v <= hi, format!("({lo}, {hi}]")),
        Ends::OpenHigh => (v >= lo && v < hi, format!("[{lo}, {hi})")),
    };
    if ok && v.is_finite() {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            field,
            value: v,
            range,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_include_what_they_say() {
        assert!(check_all([("f", 1.0, 0.0, 1.0, Ends::Closed)]).is_ok());
        assert!(check_all([("f", 0.0, 0.0, 1.0, Ends::OpenLow)]).is_err());
        assert!(check_all([("f", 1.0, 0.0, 1.0, Ends::OpenHigh)]).is_err());
        assert!(check_all([("f", f64::INFINITY, 0.0, f64::INFINITY, Ends::Closed)]).is_err());
    }

    #[test]
    fn the_first_violation_is_the_error() {
        let e = check_all([
            ("a", 0.5, 0.0, 1.0, Ends::Closed),
            ("b", 2.0, 0.0, 1.0, Ends::OpenLow),
            ("c", 3.0, 0.0, 1.0, Ends::Closed),
        ])
        .unwrap_err();
        assert_eq!(e.to_string(), "b = 2 is out of range: expected (0, 1]");
    }
}
