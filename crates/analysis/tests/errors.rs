//! Unmeasurable populations are rejected with errors naming the offending values.

use erythro_analysis::{red_cell_indices, volume_percentiles, Error, RedCellView};

fn view<'a>(v: &'a [f32], hb: &'a [f32], age: &'a [f32]) -> RedCellView<'a> {
    RedCellView {
        volume_fl: v,
        hb_pg: hb,
        age_h: age,
        reticulocyte_age_h: 24.0,
        cells_per_agent: 1e9,
        blood_volume_l: 5.0,
    }
}

#[test]
fn empty_population() {
    let v = view(&[], &[], &[]);
    assert_eq!(red_cell_indices(&v), Err(Error::EmptyPopulation));
    assert_eq!(volume_percentiles(&v), Err(Error::EmptyPopulation));
}

#[test]
fn mismatched_lengths() {
    let v = view(&[90.0, 91.0], &[30.0], &[1.0, 2.0]);
    let want = Error::LengthMismatch {
        volume_fl: 2,
        hb_pg: 1,
        age_h: 2,
    };
    assert_eq!(red_cell_indices(&v), Err(want.clone()));
    assert_eq!(volume_percentiles(&v), Err(want));
}

#[test]
fn non_positive_parameters() {
    let cells = ([90.0_f32], [30.0_f32], [1.0_f32]);
    let mut v = view(&cells.0, &cells.1, &cells.2);
    v.blood_volume_l = 0.0;
    assert_eq!(
        red_cell_indices(&v),
        Err(Error::NonPositive {
            field: "blood_volume_l",
            value: 0.0
        })
    );
    v.blood_volume_l = 5.0;
    v.cells_per_agent = -2.0;
    assert_eq!(
        volume_percentiles(&v),
        Err(Error::NonPositive {
            field: "cells_per_agent",
            value: -2.0
        })
    );
}

#[test]
fn impossible_cell() {
    let v = view(&[90.0, f32::NAN], &[30.0, 30.0], &[1.0, 2.0]);
    match red_cell_indices(&v) {
        Err(Error::InvalidCell {
            field,
            index,
            value,
        }) => {
            assert_eq!((field, index), ("volume_fl", 1));
            assert!(value.is_nan());
        }
        other => panic!("expected InvalidCell, got {other:?}"),
    }
}
