//! The analyser's histograms: red-cell volume (with MCV and RDW-SD marked
//! and the healthy reference run's curve behind it) and hemoglobin content
//! (with MCH and CHr marked).

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{bold, palette, size, text, Plot};
use erythro_io::results_dir::Histogram;

/// The healthy reference: the volume histogram of the curated healthy-man
/// run (`results/healthy_man`), compiled in so every plot can show it
/// without running anything. When the curated run is refreshed, so is this.
pub const HEALTHY_VOLUME_CSV: &str =
    include_str!("../../../../results/healthy_man/volume_histogram.csv");

/// A marked value on a histogram: a vertical line and its label.
pub struct Marker {
    /// Label, e.g. "MCV 88.1 fL".
    pub label: String,
    /// Position on the x axis.
    pub at: f64,
    /// Colour.
    pub colour: RGBColor,
}

/// A one-dimensional histogram as an analyser prints it.
pub struct HistogramPlot<'a> {
    /// Figure title.
    pub title: String,
    /// x-axis label with unit.
    pub x_label: String,
    /// Shown range of the x axis.
    pub x_range: (f64, f64),
    /// The run's histogram.
    pub data: &'a Histogram,
    /// Faint reference curve (the healthy run), if any.
    pub reference: Option<&'a Histogram>,
    /// Legend name of the data.
    pub data_name: String,
    /// Vertical markers.
    pub markers: Vec<Marker>,
    /// The RDW-SD span to draw: (left, right, level as a fraction per bin).
    pub rdw_sd: Option<(f64, f64, f64, String)>,
}

/// Percent of cells per unit of x (so histograms of different bin widths compare).
fn density_pct(h: &Histogram) -> Vec<(f64, f64)> {
    h.low
        .iter()
        .zip(&h.high)
        .zip(&h.fraction)
        .map(|((lo, hi), f)| (0.5 * (lo + hi), 100.0 * f / (hi - lo).max(1e-12)))
        .collect()
}

impl Plot for HistogramPlot<'_> {
    fn size(&self) -> (u32, u32) {
        (1500, 950)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (x0, x1) = self.x_range;
        let data = density_pct(self.data);
        let reference = self.reference.map(density_pct);
        let in_range = |p: &&(f64, f64)| p.0 >= x0 && p.0 <= x1;
        let y_max = data
            .iter()
            .filter(in_range)
            .chain(reference.iter().flatten().filter(in_range))
            .map(|p| p.1)
            .fold(0.0, f64::max)
            .max(1e-6)
            * 1.18;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, bold(size::TITLE))
            .margin(25)
            .x_label_area_size(90)
            .y_label_area_size(120)
            .build_cartesian_2d(x0..x1, 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(format!("% of cells per {}", unit_of(&self.x_label)))
            .axis_desc_style(text(size::LABEL))
            .label_style(text(size::TICK))
            .x_label_formatter(&|v| super::tick(*v))
            .y_label_formatter(&|v| super::tick(*v))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .draw()?;

        let clip = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
            pts.iter()
                .copied()
                .filter(|p| p.0 >= x0 && p.0 <= x1)
                .collect()
        };
        if let Some(r) = &reference {
            chart
                .draw_series(LineSeries::new(clip(r), palette::GREY.stroke_width(4)))?
                .label("healthy adult (reference run)")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 36, y)], palette::GREY.stroke_width(4))
                });
        }
        let pts = clip(&data);
        chart.draw_series(AreaSeries::new(
            pts.iter().copied(),
            0.0,
            palette::BLUE.mix(0.25).filled(),
        ))?;
        chart
            .draw_series(LineSeries::new(pts, palette::BLUE.stroke_width(3)))?
            .label(self.data_name.as_str())
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 36, y)], palette::BLUE.stroke_width(5))
            });

        for (i, m) in self.markers.iter().enumerate() {
            if !(m.at.is_finite() && m.at >= x0 && m.at <= x1) {
                continue;
            }
            // Lines stop below the labels, which stack above them all.
            let colour = m.colour;
            let top = y_max * (0.96 - 0.06 * self.markers.len() as f64);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(m.at, 0.0), (m.at, top)],
                colour.stroke_width(4),
            )))?;
            let label_y = y_max * (0.965 - 0.06 * i as f64);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(m.at, top), (m.at, label_y)],
                colour.mix(0.5).stroke_width(1),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(" {}", m.label),
                (m.at, label_y),
                bold(size::NOTE)
                    .color(&colour)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        if let Some((left, right, level, label)) = &self.rdw_sd {
            // Bins are per unit of x already when the bin is 1 wide.
            let y = 100.0 * level;
            let colour = palette::GREEN;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*left, y), (*right, y)],
                    colour.stroke_width(5),
                )))?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 36, y)], colour.stroke_width(5))
                });
            for x in [*left, *right] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y - y_max * 0.02), (x, y + y_max * 0.02)],
                    colour.stroke_width(4),
                )))?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(20)
            .legend_area_size(50)
            .label_font(text(size::TICK))
            .background_style(WHITE.mix(0.9))
            .border_style(palette::GREY)
            .draw()?;
        Ok(())
    }
}

/// The unit in an axis label such as "cell volume, fL".
fn unit_of(label: &str) -> &str {
    label.rsplit(", ").next().unwrap_or("unit")
}

/// The healthy reference volume histogram.
pub fn healthy_volume() -> Result<Histogram> {
    Ok(Histogram::parse(
        HEALTHY_VOLUME_CSV,
        "results/healthy_man/volume_histogram.csv",
    )?)
}

/// The volume histogram of a run, as an analyser prints it.
pub fn volume_plot<'a>(
    label: &str,
    day: f64,
    data: &'a Histogram,
    reference: Option<&'a Histogram>,
    mcv_fl: f64,
    rdw_sd_fl: f64,
) -> HistogramPlot<'a> {
    let span = erythro_analysis::rdw_sd_span(&data.fraction).map(|s| {
        (
            s.left_fl,
            s.right_fl,
            s.level,
            format!(
                "RDW-SD {} fL (width at 20% of peak)",
                super::fmt_value(rdw_sd_fl)
            ),
        )
    });
    HistogramPlot {
        title: format!("Red-cell volume: {label}, day {day:.0}"),
        x_label: "cell volume, fL".into(),
        x_range: (20.0, 180.0),
        data,
        reference,
        data_name: label.to_string(),
        markers: vec![Marker {
            label: format!("MCV {} fL", super::fmt_value(mcv_fl)),
            at: mcv_fl,
            colour: palette::VERMILLION,
        }],
        rdw_sd: span,
    }
}

/// The hemoglobin-content histogram of a run, MCH and CHr marked.
pub fn hb_content_plot<'a>(
    label: &str,
    day: f64,
    data: &'a Histogram,
    mch_pg: f64,
    chr_pg: f64,
) -> HistogramPlot<'a> {
    let mut markers = vec![Marker {
        label: format!("MCH {} pg", super::fmt_value(mch_pg)),
        at: mch_pg,
        colour: palette::VERMILLION,
    }];
    if chr_pg > 0.0 {
        markers.push(Marker {
            label: format!("CHr {} pg (reticulocytes)", super::fmt_value(chr_pg)),
            at: chr_pg,
            colour: palette::PURPLE,
        });
    }
    HistogramPlot {
        title: format!("Hemoglobin per cell: {label}, day {day:.0}"),
        x_label: "hemoglobin content, pg".into(),
        x_range: (0.0, 50.0),
        data,
        reference: None,
        data_name: label.to_string(),
        markers,
        rdw_sd: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::render;
    use crate::plot::tests::png_stats;

    #[test]
    fn healthy_reference_is_a_whole_histogram() {
        let h = healthy_volume().unwrap();
        let total: f64 = h.fraction.iter().sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        let mean: f64 = h
            .low
            .iter()
            .zip(&h.high)
            .zip(&h.fraction)
            .map(|((a, b), f)| 0.5 * (a + b) * f)
            .sum();
        assert!(mean > 70.0 && mean < 110.0, "healthy MCV {mean}");
    }

    #[test]
    fn volume_plot_renders_both_ways() {
        let h = healthy_volume().unwrap();
        let plot = volume_plot("test", 30.0, &h, Some(&h), 88.0, 42.0);
        assert!(plot.rdw_sd.is_some());
        let fig = render("volume", "Volume", &plot).unwrap();
        assert!(fig.svg.starts_with("<svg") && fig.svg.contains("MCV"));
        assert!(fig.svg.contains("RDW-SD"));
        let (w, h, inked, colours) = png_stats(&fig.png);
        assert_eq!((w, h), (1500, 950));
        assert!(inked > 0.03 && inked < 0.6, "inked share {inked}");
        assert!(colours > 20, "{colours} colours");
    }
}
