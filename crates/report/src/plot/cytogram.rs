//! The volume x hemoglobin-concentration cytogram of ADVIA-style analysers:
//! every cell's volume against its own concentration as a density map,
//! divided into the nine regions (micro/normo/macro x hypo/normo/hyper)
//! with the share of cells in each.

use anyhow::Result;
use erythro_analysis::thresholds::{
    HYPER_ABOVE_G_DL, HYPO_BELOW_G_DL, MACRO_ABOVE_FL, MICRO_BELOW_FL,
};
use erythro_analysis::{REGION_CHC_NAMES, REGION_VOLUME_NAMES};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{bold, palette, ramp, size, text, Plot, VIRIDIS};
use erythro_io::results_dir::Cytogram;

/// The cytogram of a run.
pub struct CytogramPlot<'a> {
    /// Figure title.
    pub title: String,
    /// The data.
    pub data: &'a Cytogram,
}

impl Plot for CytogramPlot<'_> {
    fn size(&self) -> (u32, u32) {
        (1500, 1050)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let c = self.data;
        let (v0, v1) = (c.volume_edges[0], *c.volume_edges.last().unwrap_or(&200.0));
        let (h0, h1) = (c.chc_edges[0], *c.chc_edges.last().unwrap_or(&50.0));
        let (main, bar) = root.split_horizontally(1120);
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, bold(size::TITLE))
            .margin(25)
            .x_label_area_size(90)
            .y_label_area_size(120)
            .build_cartesian_2d(v0..v1, h0..h1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("cell volume, fL")
            .y_desc("cell hemoglobin concentration, g/dL")
            .axis_desc_style(text(size::LABEL))
            .label_style(text(size::TICK))
            .x_label_formatter(&|v| super::tick(*v))
            .y_label_formatter(&|v| super::tick(*v))
            .draw()?;

        // Density on a square-root scale, so the sparse tails that the
        // regions count (micro, hypo) stay visible next to the dense core.
        let peak = c.fraction.iter().flatten().copied().fold(0.0, f64::max);
        let shade = |f: f64| {
            if f <= 0.0 || peak <= 0.0 {
                None
            } else {
                Some(ramp(&VIRIDIS, (f / peak).sqrt()))
            }
        };
        let mut cells = Vec::new();
        for (v, row) in c.fraction.iter().enumerate() {
            for (h, &f) in row.iter().enumerate() {
                if let Some(colour) = shade(f) {
                    cells.push(Rectangle::new(
                        [
                            (c.volume_edges[v], c.chc_edges[h]),
                            (c.volume_edges[v + 1], c.chc_edges[h + 1]),
                        ],
                        colour.filled(),
                    ));
                }
            }
        }
        chart.draw_series(cells)?;

        // The region boundaries.
        let boundary = palette::VERMILLION.stroke_width(3);
        for x in [MICRO_BELOW_FL, MACRO_ABOVE_FL] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, h0), (x, h1)],
                boundary,
            )))?;
        }
        for y in [HYPO_BELOW_G_DL, HYPER_ABOVE_G_DL] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(v0, y), (v1, y)],
                boundary,
            )))?;
        }
        // Each region's share in its outer corner, short so it stays clear of
        // the cells; the full table is beside the plot.
        let xs = [
            (v0, MICRO_BELOW_FL),
            (MICRO_BELOW_FL, MACRO_ABOVE_FL),
            (MACRO_ABOVE_FL, v1),
        ];
        let ys = [
            (h0, HYPO_BELOW_G_DL),
            (HYPO_BELOW_G_DL, HYPER_ABOVE_G_DL),
            (HYPER_ABOVE_G_DL, h1),
        ];
        for (vi, &(xa, xb)) in xs.iter().enumerate() {
            for (ci, &(ya, yb)) in ys.iter().enumerate() {
                let (x, hpos) = match vi {
                    0 => (xa + 1.5, HPos::Left),
                    1 => (0.5 * (xa + xb), HPos::Center),
                    _ => (xb - 1.5, HPos::Right),
                };
                let (y, vpos) = match ci {
                    0 => (ya + 0.4, VPos::Bottom),
                    _ => (yb - 0.4, VPos::Top),
                };
                chart.draw_series(std::iter::once(Text::new(
                    format!("{}%", pct_text(c.regions[vi][ci])),
                    (x, y),
                    bold(size::NOTE)
                        .color(&palette::VERMILLION)
                        .pos(Pos::new(hpos, vpos)),
                )))?;
            }
        }

        // The nine regions as a table, as the analyser prints them.
        let (tx, ty) = (16, 120);
        bar.draw_text("% of cells", &bold(size::NOTE), (tx, ty - 50))?;
        let col_w = 95;
        let row_h = 44;
        for (vi, name) in REGION_VOLUME_NAMES.iter().enumerate() {
            bar.draw_text(
                name,
                &text(size::NOTE - 4).pos(Pos::new(HPos::Center, VPos::Center)),
                (tx + 95 + col_w * vi as i32 + col_w / 2 - 40, ty),
            )?;
        }
        for (row, ci) in [2usize, 1, 0].iter().enumerate() {
            let y = ty + row_h * (row as i32 + 1);
            bar.draw_text(
                REGION_CHC_NAMES[*ci],
                &text(size::NOTE - 4).pos(Pos::new(HPos::Left, VPos::Center)),
                (tx, y),
            )?;
            for vi in 0..3 {
                bar.draw_text(
                    &pct_text(c.regions[vi][*ci]),
                    &text(size::NOTE - 2).pos(Pos::new(HPos::Right, VPos::Center)),
                    (tx + 95 + col_w * (vi as i32 + 1) - 40, y),
                )?;
            }
        }

        // Colour bar.
        let (_, bh) = bar.dim_in_pixel();
        let (top, bottom) = (420i32, bh as i32 - 120);
        let x = 40;
        for i in top..bottom {
            let t = (bottom - i) as f64 / (bottom - top) as f64;
            bar.draw(&Rectangle::new(
                [(x, i), (x + 40, i + 1)],
                ramp(&VIRIDIS, t).filled(),
            ))?;
        }
        bar.draw(&Rectangle::new(
            [(x, top), (x + 40, bottom)],
            palette::BLACK.stroke_width(1),
        ))?;
        for (t, label) in [(1.0, "peak"), (0.5, "1/4"), (0.25, "1/16")] {
            let y = bottom - (t * (bottom - top) as f64) as i32;
            bar.draw_text(
                label,
                &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Center)),
                (x + 50, y),
            )?;
        }
        bar.draw_text(
            "density",
            &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Bottom)),
            (x - 10, top - 20),
        )?;
        Ok(())
    }
}

/// A percentage with as many decimals as a small share needs.
fn pct_text(pct: f64) -> String {
    if pct >= 10.0 {
        format!("{pct:.0}")
    } else if pct >= 0.1 || pct == 0.0 {
        format!("{pct:.1}")
    } else {
        format!("{pct:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::render;
    use crate::plot::tests::png_stats;

    #[test]
    fn cytogram_renders_with_its_nine_regions() {
        let volume_edges: Vec<f64> = (0..=50).map(|i| i as f64 * 4.0).collect();
        let chc_edges: Vec<f64> = (0..=35).map(|i| 15.0 + i as f64).collect();
        let mut fraction = vec![vec![0.0; 35]; 50];
        fraction[22][18] = 0.6; // 88 fL, 33 g/dL
        fraction[13][10] = 0.4; // 52 fL, 25 g/dL
        let data = Cytogram {
            volume_edges,
            chc_edges,
            fraction,
            regions: [[40.0, 0.0, 0.0], [0.0, 60.0, 0.0], [0.0, 0.0, 0.0]],
        };
        let fig = render(
            "cytogram",
            "Cytogram",
            &CytogramPlot {
                title: "test".into(),
                data: &data,
            },
        )
        .unwrap();
        assert!(
            fig.svg.contains(">\n40%") || fig.svg.contains("40%"),
            "regions labelled"
        );
        for name in ["micro", "normo", "macro", "hypo", "hyper"] {
            assert!(fig.svg.contains(name), "{name}");
        }
        let (w, h, inked, _) = png_stats(&fig.png);
        assert_eq!((w, h), (1500, 1050));
        assert!(inked > 0.02, "{inked}");
    }

    #[test]
    fn small_shares_keep_their_digits() {
        assert_eq!(pct_text(45.2), "45");
        assert_eq!(pct_text(2.34), "2.3");
        assert_eq!(pct_text(0.042), "0.04");
        assert_eq!(pct_text(0.0), "0.0");
    }
}
