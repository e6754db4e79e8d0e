//! A condition's published targets against the model, one row per target,
//! as a forest plot on one shared axis: each target's pass band (2 SD either
//! side of a mean, an interval end to end, or the side of a bound) is
//! [-1, 1], shaded, and the model's value is a dot, filled when it passes
//! and hollow when it fails, one colour per division rule. Values and the
//! published statistic are written beside each row, so the plot reads
//! without the table.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{bold, palette, size, text, Plot};

/// Where the model lands for one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetPoint {
    /// Position on the shared axis (pass band [-1, 1]).
    pub axis: f64,
    /// Inside the published band.
    pub pass: bool,
    /// The model's value as text.
    pub model: String,
}

/// One target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRow {
    /// Marker and time, e.g. `hb_g_dl at end`.
    pub label: String,
    /// The published statistic, e.g. `14.2 ± 1.1 (Kiss2015)`.
    pub published: String,
    /// The pass band on the shared axis: (-1, 1), or open on one side
    /// (infinite) for a minimum or a maximum.
    pub band: (f64, f64),
    /// Counted in the pass rate (context rows are drawn lighter).
    pub scored: bool,
    /// One per rule, `None` where the model does not measure it.
    pub points: Vec<Option<TargetPoint>>,
}

/// A condition's targets under one or more rules.
pub struct TargetsPlot {
    /// Title.
    pub title: String,
    /// The rules, in the order of each row's points.
    pub rules: Vec<String>,
    /// The targets.
    pub rows: Vec<TargetRow>,
}

/// The axis shown: positions beyond are drawn at its edge.
const AXIS: f64 = 4.0;
const ROW_H: u32 = 54;
const HEADER_H: u32 = 150;
const FOOTER_H: u32 = 110;
const LABEL_W: u32 = 560;
const CHART_W: u32 = 760;
const WIDTH: u32 = 1800;

impl Plot for TargetsPlot {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            HEADER_H + FOOTER_H + ROW_H * self.rows.len().max(1) as u32,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (header, body) = root.split_vertically(HEADER_H);
        header.draw_text(&self.title, &bold(size::TITLE - 4), (30, 10))?;
        header.draw_text(
            "grey: the published pass band (2 SD of a mean, an interval, or a bound's side); filled dot: passes, hollow: fails",
            &text(size::NOTE - 3),
            (30, 64),
        )?;
        let mut x = 30;
        for (k, rule) in self.rules.iter().enumerate() {
            let colour = palette::SERIES[k % palette::SERIES.len()];
            header.draw(&Circle::new((x + 10, 118), 9, colour.filled()))?;
            header.draw_text(
                rule,
                &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Center)),
                (x + 28, 118),
            )?;
            x += 60 + 16 * rule.len() as i32;
        }
        let n = self.rows.len().max(1);
        let (_, rest) = body.split_horizontally(LABEL_W);
        let (plot_area, values) = rest.split_horizontally(CHART_W);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_right(20)
            .x_label_area_size(FOOTER_H)
            .build_cartesian_2d(-AXIS..AXIS, -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(9)
            .x_desc("distance from the published value (pass band ±1)")
            .axis_desc_style(text(size::NOTE - 4))
            .label_style(text(size::TICK - 4))
            .x_label_formatter(&|v| super::tick(*v))
            .light_line_style(RGBColor(245, 245, 245))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let y_of = |i: usize| (n - 1 - i) as f64;
        let clamp = |v: f64| v.clamp(-AXIS * 0.97, AXIS * 0.97);
        for (i, row) in self.rows.iter().enumerate() {
            let y = y_of(i);
            let (lo, hi) = (clamp(row.band.0), clamp(row.band.1));
            let shade = if row.scored {
                palette::GREY.mix(0.35)
            } else {
                palette::GREY.mix(0.15)
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(lo, y - 0.3), (hi, y + 0.3)],
                shade.filled(),
            )))?;
            let (_, py) = chart.backend_coord(&(0.0, y));
            let (vx, _) = values.get_base_pixel();
            let style = if row.scored {
                text(size::NOTE - 4)
            } else {
                text(size::NOTE - 4).color(&palette::GREY)
            };
            let left = style.pos(Pos::new(HPos::Left, VPos::Center));
            root.draw_text(&row.label, &left, (20, py))?;
            let shown: Vec<String> = row
                .points
                .iter()
                .map(|p| {
                    p.as_ref()
                        .map_or("not measured".into(), |p| p.model.clone())
                })
                .collect();
            root.draw_text(
                &format!("{} | {}", shown.join(" / "), row.published),
                &left,
                (vx + 10, py),
            )?;
            let k_all = row.points.len().max(1) as f64;
            for (k, p) in row.points.iter().enumerate() {
                let Some(p) = p else { continue };
                let colour = palette::SERIES[k % palette::SERIES.len()];
                // Rules side by side within the row.
                let dy = 0.18 * (k as f64 - (k_all - 1.0) / 2.0);
                let at = (clamp(p.axis), y + dy);
                let style = if p.pass {
                    colour.filled()
                } else {
                    colour.stroke_width(3)
                };
                chart.draw_series(std::iter::once(Circle::new(at, 9, style)))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            palette::GREY.stroke_width(1),
        )))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{render, tests::png_stats};

    #[test]
    fn a_forest_of_targets_draws() {
        let point = |axis: f64, pass| {
            Some(TargetPoint {
                axis,
                pass,
                model: format!("{axis:.1}"),
            })
        };
        let plot = TargetsPlot {
            title: "blood_donation: model vs published".into(),
            rules: vec!["critical".into(), "fixed-budget".into()],
            rows: vec![
                TargetRow {
                    label: "recovery_day:hb_g_dl:0.8 at end".into(),
                    published: "78 (IQR 66-95) Kiss2015".into(),
                    band: (-1.0, 1.0),
                    scored: true,
                    points: vec![point(0.3, true), point(7.0, false)],
                },
                TargetRow {
                    label: "ferritin_ug_l at end".into(),
                    published: ">= 168".into(),
                    band: (-1.0, f64::INFINITY),
                    scored: false,
                    points: vec![None, point(-2.0, false)],
                },
            ],
        };
        let f = render("targets", "t", &plot).unwrap();
        let (w, h, ink, _) = png_stats(&f.png);
        assert_eq!((w, h), plot.size());
        assert!(ink > 0.02, "{ink}");
        assert!(f.svg.contains("not measured"));
        assert!(f.svg.contains("Kiss2015"));
    }
}
