//! A lineage as a family tree: time runs down from the proerythroblast's
//! entry; each cell is a circle whose area is proportional to its volume and
//! whose shade is its hemoglobin concentration (pale cells pale), drawn when
//! it divides, when it stops dividing and when it leaves the marrow as a
//! reticulocyte. Two lineages are drawn side by side on the same scales
//! (time, circle area and shade), so the extra division and the smaller,
//! paler cells of iron deficiency are seen, not read.

use std::collections::HashMap;

use anyhow::Result;
use erythro_core::marrow::lineage::CellFate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{bold, palette, ramp, size, text, Plot, REDS};
use erythro_io::lineage::{CellRow, LineageRecord};

/// Hemoglobin concentration at the dark end of the shade, g/dL.
const CHC_MAX: f64 = 40.0;
/// Pixels above the tree for the titles.
const HEADER_PX: u32 = 180;
/// Pixels below the tree for the legend.
const LEGEND_PX: u32 = 190;
/// Pixels right of the tree for the event labels.
const NOTES_PX: u32 = 230;
/// Pixels left of the tree for the time axis.
const AXIS_PX: u32 = 110;

/// One or two lineage trees.
pub struct TreePlot<'a> {
    records: &'a [LineageRecord],
}

impl<'a> TreePlot<'a> {
    /// Trees of `records` (one or two), side by side.
    pub fn new(records: &'a [LineageRecord]) -> Self {
        Self { records }
    }
}

/// The shade of a concentration.
fn shade(chc_g_dl: f64) -> RGBColor {
    ramp(&REDS, chc_g_dl / CHC_MAX)
}

/// Horizontal positions (in leaf slots) of every node: leaves in tree
/// order, each mother centred over her daughters.
fn layout(cells: &[CellRow]) -> (HashMap<u64, f64>, usize) {
    let by_node: HashMap<u64, &CellRow> = cells.iter().map(|c| (c.node, c)).collect();
    let mut x = HashMap::new();
    let mut next = 0usize;
    fn place(
        node: u64,
        by_node: &HashMap<u64, &CellRow>,
        x: &mut HashMap<u64, f64>,
        next: &mut usize,
    ) -> f64 {
        let has_children =
            by_node.contains_key(&(2 * node)) && by_node.contains_key(&(2 * node + 1));
        let pos = if has_children {
            let a = place(2 * node, by_node, x, next);
            let b = place(2 * node + 1, by_node, x, next);
            0.5 * (a + b)
        } else {
            *next += 1;
            (*next - 1) as f64
        };
        x.insert(node, pos);
        pos
    }
    if by_node.contains_key(&1) {
        place(1, &by_node, &mut x, &mut next);
    }
    (x, next.max(1))
}

/// Mean of an iterator, NaN when empty.
fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}

impl Plot for TreePlot<'_> {
    fn size(&self) -> (u32, u32) {
        if self.records.len() > 1 {
            (2400, 1250)
        } else {
            (1500, 1250)
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let panels = root.split_evenly((1, self.records.len().max(1)));
        let max_h = self
            .records
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.end_h))
            .fold(24.0, f64::max);
        // Geometry of each panel's tree, to pick one circle scale for all.
        let (w, h) = panels[0].dim_in_pixel();
        let tree_w = (w - AXIS_PX - NOTES_PX - 20) as f64;
        let tree_h = (h - HEADER_PX - LEGEND_PX - 20) as f64;
        let px_per_hour = tree_h / (max_h * 1.08);
        let mut k = f64::INFINITY; // pixels of radius per sqrt(fL)
        for r in self.records {
            let (_, leaves) = layout(&r.cells);
            let slot = tree_w / leaves as f64;
            let leaf_volume = r
                .cells
                .iter()
                .filter(|c| c.fate() != CellFate::Divided)
                .map(|c| c.end_volume_fl.max(c.matured_volume_fl.unwrap_or(0.0)))
                .fold(1.0, f64::max);
            k = k.min(0.46 * slot / leaf_volume.sqrt());
            // Circles of successive divisions must not overlap vertically.
            let shortest_cycle = r
                .cells
                .iter()
                .filter(|c| c.fate() == CellFate::Divided && c.divisions > 0)
                .map(|c| c.end_h - c.born_h)
                .fold(f64::INFINITY, f64::min);
            let biggest = r.cells.iter().map(|c| c.end_volume_fl).fold(1.0, f64::max);
            if shortest_cycle.is_finite() {
                k = k.min(0.5 * shortest_cycle * px_per_hour / biggest.sqrt());
            }
        }
        let k = if k.is_finite() { k } else { 1.0 };
        for (panel, r) in panels.iter().zip(self.records) {
            draw_panel(panel, r, max_h, k)?;
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    r: &LineageRecord,
    max_h: f64,
    k: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (w, h) = panel.dim_in_pixel();
    let (header, rest) = panel.split_vertically(HEADER_PX);
    let (body, legend) = rest.split_vertically(h - HEADER_PX - LEGEND_PX);
    let (tree_area, notes) = body.split_horizontally(w - NOTES_PX);

    // Titles.
    // Long config names get a smaller title rather than a clipped one.
    let title_size = if r.label.len() > 24 {
        size::TITLE - 8
    } else {
        size::TITLE - 2
    };
    header.draw_text(&r.label, &bold(title_size), (20, 10))?;
    header.draw_text(&r.headline(), &text(size::TICK), (20, 60))?;
    header.draw_text(
        &format!(
            "entered on day {:.0} at transferrin saturation {:.0}%, EPO {:.0} mU/mL; reticulocytes {:.0} fL, {:.1} g/dL",
            r.entry_day,
            r.tsat_pct,
            r.epo_mu_ml,
            r.mean_volume_fl(),
            r.mean_chc_g_dl(),
        ),
        &text(size::NOTE - 3),
        (20, 102),
    )?;
    header.draw_text(
        &format!("rule: {}", r.rule),
        &text(size::NOTE - 3),
        (20, 136),
    )?;

    let (x_pos, leaves) = layout(&r.cells);
    let mut chart = ChartBuilder::on(&tree_area)
        .margin(10)
        .y_label_area_size(AXIS_PX - 10)
        .build_cartesian_2d(-0.6..(leaves as f64 - 0.4), -(max_h * 1.04)..(max_h * 0.04))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_x_axis()
        .y_desc("hours since the proerythroblast entered")
        .y_label_formatter(&|v| format!("{:.0}", -v + 0.0))
        .y_labels(8)
        .axis_desc_style(text(size::TICK))
        .label_style(text(size::TICK))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;

    let radius = |v: f64| ((k * v.max(0.0).sqrt()).round() as i32).max(2);
    let line = palette::BLACK.mix(0.55).stroke_width(2);
    let outline = palette::BLACK.mix(0.8).stroke_width(1);
    let forced_ring = palette::BLUE.stroke_width(4);
    let circle = |x: f64, y_h: f64, v: f64, chc: f64, ring: ShapeStyle| {
        let at = (x, -y_h);
        vec![
            Circle::new(at, radius(v), shade(chc).filled()),
            Circle::new(at, radius(v), ring),
        ]
    };

    // Lines first, circles over them.
    for c in &r.cells {
        let x = x_pos[&c.node];
        let top = if c.node == 1 { 0.0 } else { c.born_h };
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, -top), (x, -c.end_h)],
            line,
        )))?;
        if c.fate() == CellFate::Divided {
            let (a, b) = (x_pos.get(&(2 * c.node)), x_pos.get(&(2 * c.node + 1)));
            if let (Some(&a), Some(&b)) = (a, b) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(a, -c.end_h), (b, -c.end_h)],
                    line,
                )))?;
            }
        }
        if let Some(e) = c.enucleated_h {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x - 0.18, -e), (x + 0.18, -e)],
                palette::BLACK.stroke_width(3),
            )))?;
        }
    }
    // The founder as it entered.
    let founder = &r.cells[0];
    for e in circle(x_pos[&1], 0.0, founder.born_volume_fl, 0.0, outline) {
        chart.draw_series(std::iter::once(e))?;
    }
    for c in &r.cells {
        let x = x_pos[&c.node];
        match c.fate() {
            CellFate::Divided => {
                for e in circle(x, c.end_h, c.end_volume_fl, c.end_chc_g_dl(), outline) {
                    chart.draw_series(std::iter::once(e))?;
                }
            }
            CellFate::Released | CellFate::InMarrow => {
                if let (Some(t), Some(v), Some(chc)) =
                    (c.matured_h, c.matured_volume_fl, c.matured_chc_g_dl())
                {
                    let ring = if c.forced { forced_ring } else { outline };
                    for e in circle(x, t, v, chc, ring) {
                        chart.draw_series(std::iter::once(e))?;
                    }
                }
                if c.fate() == CellFate::Released {
                    for e in circle(x, c.end_h, c.end_volume_fl, c.end_chc_g_dl(), outline) {
                        chart.draw_series(std::iter::once(e))?;
                    }
                }
            }
            CellFate::Died => {
                let s = radius(c.end_volume_fl).max(8);
                chart.draw_series(std::iter::once(Cross::new(
                    (x, -c.end_h),
                    s,
                    palette::BLACK.stroke_width(4),
                )))?;
            }
        }
    }

    // Event labels beside the tree, at the mean time of each event.
    let base = notes.get_base_pixel();
    let label_at = |hours: f64, label: String| -> Result<()> {
        if !hours.is_finite() {
            return Ok(());
        }
        let (_, y) = chart.backend_coord(&(0.0, -hours));
        notes.draw_text(
            &label,
            &text(size::NOTE).pos(Pos::new(HPos::Left, VPos::Center)),
            (8, y - base.1),
        )?;
        Ok(())
    };
    let depth = r.depth();
    for g in 0..=depth {
        let t = mean(
            r.cells
                .iter()
                .filter(|c| c.divisions == g && c.fate() == CellFate::Divided)
                .map(|c| c.end_h),
        );
        label_at(t, format!("division {}", g + 1))?;
    }
    let stop = mean(r.cells.iter().filter_map(|c| c.matured_h));
    label_at(
        stop,
        if r.fixed_budget {
            "budget spent".into()
        } else {
            format!("Hb ≥ {} g/dL", r.critical_hb_g_dl)
        },
    )?;
    label_at(
        mean(r.cells.iter().filter_map(|c| c.enucleated_h)),
        "nucleus out".into(),
    )?;
    label_at(
        mean(r.reticulocytes().map(|c| c.end_h)),
        "reticulocytes".into(),
    )?;

    draw_legend(&legend, r, k)?;
    Ok(())
}

/// Shade bar, circle sizes and markers.
fn draw_legend<DB: DrawingBackend>(
    legend: &DrawingArea<DB, Shift>,
    r: &LineageRecord,
    k: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (x0, y0) = (AXIS_PX as i32, 30);
    let bar_w = 420;
    let bar_h = 30;
    legend.draw_text(
        "hemoglobin concentration, g/dL",
        &text(size::NOTE),
        (x0, y0 - 28),
    )?;
    for i in 0..bar_w {
        let c = shade(CHC_MAX * i as f64 / bar_w as f64);
        legend.draw(&Rectangle::new(
            [(x0 + i, y0 + 4), (x0 + i + 1, y0 + 4 + bar_h)],
            c.filled(),
        ))?;
    }
    legend.draw(&Rectangle::new(
        [(x0, y0 + 4), (x0 + bar_w, y0 + 4 + bar_h)],
        palette::BLACK.stroke_width(1),
    ))?;
    for v in [0.0, 10.0, 20.0, 30.0, 40.0] {
        let x = x0 + (v / CHC_MAX * bar_w as f64) as i32;
        legend.draw_text(
            &format!("{v:.0}"),
            &text(size::NOTE - 2).pos(Pos::new(HPos::Center, VPos::Top)),
            (x, y0 + bar_h + 10),
        )?;
    }
    if !r.fixed_budget {
        let x = x0 + (r.critical_hb_g_dl / CHC_MAX * bar_w as f64) as i32;
        legend.draw(&PathElement::new(
            vec![(x, y0), (x, y0 + bar_h + 8)],
            palette::BLUE.stroke_width(3),
        ))?;
        legend.draw_text(
            "critical",
            &text(size::NOTE - 4).pos(Pos::new(HPos::Center, VPos::Top)),
            (x, y0 + bar_h + 40),
        )?;
    }
    // Circle areas.
    let mut x = x0 + bar_w + 70;
    legend.draw_text("volume", &text(size::NOTE), (x, y0 - 28))?;
    for v in [100.0, 300.0, 1000.0] {
        let rad = ((k * f64::sqrt(v)).round() as i32).max(2);
        x += rad;
        let cy = y0 + 50;
        legend.draw(&Circle::new((x, cy), rad, palette::BLACK.stroke_width(2)))?;
        legend.draw_text(
            &format!("{v:.0} fL"),
            &text(size::NOTE - 2).pos(Pos::new(HPos::Center, VPos::Top)),
            (x, cy + rad + 6),
        )?;
        x += rad + 50;
    }
    // Markers.
    let mx = x + 10;
    legend.draw(&Cross::new(
        (mx, y0 + 10),
        9,
        palette::BLACK.stroke_width(4),
    ))?;
    legend.draw_text(
        "died in the marrow",
        &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Center)),
        (mx + 20, y0 + 10),
    )?;
    legend.draw(&Circle::new(
        (mx, y0 + 55),
        10,
        palette::BLUE.stroke_width(4),
    ))?;
    legend.draw_text(
        "stopped by the cap or clock",
        &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Center)),
        (mx + 20, y0 + 55),
    )?;
    legend.draw(&PathElement::new(
        vec![(mx - 10, y0 + 100), (mx + 10, y0 + 100)],
        palette::BLACK.stroke_width(3),
    ))?;
    legend.draw_text(
        "nucleus extruded",
        &text(size::NOTE - 2).pos(Pos::new(HPos::Left, VPos::Center)),
        (mx + 20, y0 + 100),
    )?;
    legend.draw_text(
        &format!(
            "lineage {} (seed {}), {}",
            r.lineage, r.seed, "chosen as the most typical of its cohort"
        ),
        &text(size::NOTE - 6).color(&palette::GREY.mix(1.0)),
        (x0, y0 + 125),
    )?;
    Ok(())
}
