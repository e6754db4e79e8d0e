//! Time courses of a run: hemoglobin, MCV, RDW, reticulocytes, CHr,
//! transferrin saturation, ferritin and hepcidin (those the run reports),
//! one panel each, with the healthy reference range shaded and the config's
//! events (bleeding, therapy, inflammation, a prescribed fall in saturation)
//! marked on every panel.

use anyhow::Result;
use erythro_core::events::Event;
use erythro_core::schedule::Schedule;
use erythro_core::Config;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{bold, palette, size, text, Plot};
use erythro_analysis::reference::ranges;
use erythro_io::results_dir::Table;

/// Something that happens in a run: over a span of days, or on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// First day.
    pub from_day: f64,
    /// Last day; `None` for a one-day event.
    pub to_day: Option<f64>,
    /// What happens, in words.
    pub label: String,
}

/// The panels drawn when the run reports them: (field, title, unit).
pub const PANELS: [(&str, &str, &str); 8] = [
    ("hb_g_dl", "Hemoglobin", "g/dL"),
    ("mcv_fl", "MCV", "fL"),
    ("rdw_cv_pct", "RDW-CV", "%"),
    ("retic_pct", "Reticulocytes", "%"),
    ("chr_pg", "Reticulocyte Hb (CHr)", "pg"),
    ("tsat_pct", "Transferrin saturation", "%"),
    ("ferritin_ug_l", "Ferritin", "ug/L"),
    ("hepcidin_nm", "Hepcidin", "nM"),
];

/// `a -> b` with the values as the schedule gives them.
fn schedule_mark(s: &Schedule, what: &str, scale: f64, unit: &str) -> Option<Mark> {
    let Schedule::Piecewise(points) = s else {
        return None;
    };
    let first_change = points.windows(2).position(|w| w[0].1 != w[1].1)?;
    let last_change = points.windows(2).rposition(|w| w[0].1 != w[1].1)? + 1;
    let (a, b) = (points[0].1 * scale, points[points.len() - 1].1 * scale);
    Some(Mark {
        from_day: points[first_change].0,
        to_day: Some(points[last_change].0),
        label: if unit == "%" {
            format!("{what} {}% → {}%", super::tick(a), super::tick(b))
        } else {
            format!("{what} {} → {} {unit}", super::tick(a), super::tick(b))
        }
        .trim_end()
        .to_string(),
    })
}

/// Everything the config makes happen, in order of day.
pub fn marks(config: &Config) -> Vec<Mark> {
    let mut out = Vec::new();
    let end = config.run.days;
    if config.body.is_none() {
        let p = &config.plasma;
        out.extend(schedule_mark(&p.tsat, "transferrin saturation", 100.0, "%"));
        out.extend(schedule_mark(&p.epo_mu_ml, "EPO", 1.0, "mU/mL"));
    }
    out.extend(schedule_mark(
        &config.plasma.lead_ug_dl,
        "blood lead",
        1.0,
        "ug/dL",
    ));
    if let Some(body) = &config.body {
        if body.bleeding_ml_per_day > 0.0 {
            out.push(Mark {
                from_day: 0.0,
                to_day: Some(end),
                label: format!("bleeding {} mL/day", body.bleeding_ml_per_day),
            });
        }
    }
    for e in &config.events {
        let (from_day, to_day, label) = match *e {
            Event::Diet {
                from_day,
                fe_mg_per_day,
            } => (
                from_day,
                None,
                format!("diet with {fe_mg_per_day} mg iron/day"),
            ),
            Event::Bleeding {
                from_day,
                to_day,
                ml_per_day,
            } => (
                from_day,
                Some(to_day),
                format!("bleeding {ml_per_day} mL/day"),
            ),
            Event::Inflammation {
                from_day,
                to_day,
                il6_pg_ml,
            } => (
                from_day,
                Some(to_day),
                format!("inflammation (IL-6 {il6_pg_ml} pg/mL)"),
            ),
            Event::Lead {
                from_day,
                to_day,
                ug_dl,
            } => (from_day, Some(to_day), format!("lead {ug_dl} ug/dL")),
            Event::OralIron {
                from_day,
                to_day,
                mg_per_day,
                every_days,
            } => (
                from_day,
                Some(to_day),
                if every_days == 1.0 {
                    format!("oral iron {mg_per_day} mg/day")
                } else {
                    format!("oral iron {mg_per_day} mg every {every_days} days")
                },
            ),
            Event::IntravenousIron { day, mg } => (day, None, format!("IV iron {mg} mg")),
            Event::Transfusion { day, units } => (day, None, format!("transfusion, {units} units")),
            Event::Donation { day, ml } => (day, None, format!("blood donation {ml} mL")),
        };
        out.push(Mark {
            from_day,
            to_day: to_day.map(|t| t.min(end)),
            label,
        });
    }
    out.retain(|m| m.from_day <= end);
    out.sort_by(|a, b| a.from_day.total_cmp(&b.from_day));
    out
}

/// Colours of the marks, in order (Okabe-Ito, without the data's blue and
/// the band's green).
const MARK_COLOURS: [RGBColor; 4] = [
    palette::VERMILLION,
    palette::PURPLE,
    palette::ORANGE,
    palette::SKY_BLUE,
];

/// A letter naming mark `i` on the panels.
fn tag(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

/// The time courses of a run.
pub struct TimeCoursePlot<'a> {
    /// Figure title.
    pub title: String,
    /// The time series.
    pub series: &'a Table,
    /// The run's config (reference ranges, events).
    pub config: &'a Config,
}

impl TimeCoursePlot<'_> {
    /// The panels this run has data for.
    fn panels(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        PANELS
            .iter()
            .copied()
            .filter(|(f, _, _)| self.series.index(f).is_some())
            .collect()
    }
}

const PANEL_H: u32 = 380;
const HEADER_H: u32 = 130;

impl Plot for TimeCoursePlot<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels().len().div_ceil(2).max(1) as u32;
        (1800, HEADER_H + rows * PANEL_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let panels = self.panels();
        let marks = marks(self.config);
        let (header, body) = root.split_vertically(HEADER_H);
        header.draw_text(&self.title, &bold(size::TITLE), (30, 10))?;
        let legend = if marks.is_empty() {
            "Shaded: healthy reference range. No events: the run stays at its steady state."
                .to_string()
        } else {
            let events: Vec<String> = marks
                .iter()
                .enumerate()
                .map(|(i, m)| match m.to_day {
                    Some(t) => format!("{}: {} (days {:.0}-{:.0})", tag(i), m.label, m.from_day, t),
                    None => format!("{}: {} (day {:.0})", tag(i), m.label, m.from_day),
                })
                .collect();
            format!("Green band: healthy range.  {}", events.join(";  "))
        };
        // Wrap the legend at about 120 characters.
        let mut lines = vec![String::new()];
        for word in legend.split(' ') {
            if lines.last().map_or(0, |l| l.chars().count()) + word.len() > 120 {
                lines.push(String::new());
            }
            let l = lines.last_mut().unwrap();
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
        for (i, line) in lines.iter().take(2).enumerate() {
            header.draw_text(line, &text(size::NOTE), (30, 62 + 32 * i as i32))?;
        }

        let day = self.series.column("day").unwrap_or_default();
        let (d0, d1) = (
            day.first().copied().unwrap_or(0.0),
            day.last()
                .copied()
                .unwrap_or(1.0)
                .max(day.first().copied().unwrap_or(0.0) + 1.0),
        );
        let rows = panels.len().div_ceil(2).max(1);
        let areas = body.split_evenly((rows, 2));
        let reference = ranges(self.config.run.reference);
        for (area, (field, title, unit)) in areas.iter().zip(&panels) {
            let values = self.series.column(field).unwrap_or_default();
            let pts: Vec<(f64, f64)> = day
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.is_finite())
                .map(|(d, v)| (*d, *v))
                .collect();
            let range = reference.iter().find(|r| r.field == *field);
            let (mut lo, mut hi) = pts
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p.1), b.max(p.1))
                });
            if let Some(r) = range {
                // The whole band when the values reach it; only its near edge
                // when they stay outside, so the values are not squashed.
                if hi >= r.low && lo <= r.high {
                    lo = lo.min(r.low);
                    hi = hi.max(r.high);
                } else if hi < r.low {
                    hi = r.low;
                } else {
                    lo = r.high;
                }
            }
            if !(lo.is_finite() && hi.is_finite()) {
                (lo, hi) = (0.0, 1.0);
            }
            let pad = ((hi - lo) * 0.12).max(hi.abs() * 0.02).max(1e-3);
            let (y0, y1) = (
                (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }),
                hi + pad,
            );
            let mut chart = ChartBuilder::on(area)
                .caption(format!("{title}, {unit}"), bold(size::LABEL))
                .margin(18)
                .x_label_area_size(55)
                .y_label_area_size(95)
                .build_cartesian_2d(d0..d1, y0..y1)?;
            chart
                .configure_mesh()
                .x_labels(8)
                .y_labels(6)
                .label_style(text(size::TICK - 2))
                .x_label_formatter(&|v| super::tick(*v))
                .y_label_formatter(&|v| super::tick(*v))
                .light_line_style(RGBColor(240, 240, 240))
                .bold_line_style(RGBColor(222, 222, 222))
                .draw()?;
            if let Some(r) = range {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(d0, r.low.max(y0)), (d1, r.high.min(y1))],
                    palette::GREEN.mix(0.14).filled(),
                )))?;
            }
            for (i, m) in marks.iter().enumerate() {
                let colour = MARK_COLOURS[i % MARK_COLOURS.len()];
                match m.to_day {
                    Some(t) => {
                        chart.draw_series(std::iter::once(Rectangle::new(
                            [(m.from_day.max(d0), y0), (t.min(d1), y1)],
                            colour.mix(0.13).filled(),
                        )))?;
                    }
                    None => {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(m.from_day, y0), (m.from_day, y1)],
                            colour.stroke_width(3),
                        )))?;
                    }
                }
                // Tags of marks starting together stack downwards.
                let row = marks[..i]
                    .iter()
                    .filter(|o| (o.from_day - m.from_day).abs() < 0.04 * (d1 - d0))
                    .count();
                chart.draw_series(std::iter::once(Text::new(
                    tag(i),
                    (m.from_day.max(d0), y1 - (y1 - y0) * 0.11 * row as f64),
                    bold(size::NOTE - 2)
                        .color(&colour)
                        .pos(Pos::new(HPos::Left, VPos::Top)),
                )))?;
            }
            chart.draw_series(LineSeries::new(pts.clone(), palette::BLUE.stroke_width(4)))?;
            if pts.len() <= 40 {
                chart.draw_series(
                    pts.iter()
                        .map(|p| Circle::new(*p, 4, palette::BLUE.filled())),
                )?;
            }
        }
        // One shared x label.
        let (w, h) = root.dim_in_pixel();
        root.draw_text(
            "day",
            &text(size::NOTE).pos(Pos::new(HPos::Center, VPos::Bottom)),
            (w as i32 / 2, h as i32 - 2),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::render;
    use crate::plot::tests::png_stats;

    #[test]
    fn prescribed_fall_and_events_become_marks() {
        let text = include_str!("../../../../configs/iron_restricted.ron");
        let config = erythro_io::config::parse(text, "iron_restricted.ron").unwrap();
        let m = marks(&config);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].from_day, 14.0);
        assert_eq!(m[0].to_day, Some(56.0));
        assert_eq!(m[0].label, "transferrin saturation 30% → 7%");
        let text = include_str!("../../../../configs/conditions/recovery_oral_iron.ron");
        let config = erythro_io::config::parse(text, "recovery_oral_iron.ron").unwrap();
        assert!(marks(&config)
            .iter()
            .any(|m| m.label.starts_with("oral iron")));
        assert!(marks(&Config::default()).is_empty());
    }

    #[test]
    fn time_course_renders_a_panel_per_reported_field() {
        let mut csv = String::from("day,hb_g_dl,mcv_fl,rdw_cv_pct,retic_pct,tsat_pct\n");
        for d in 0..20 {
            let d = d as f64;
            csv.push_str(&format!(
                "{d},{},{},13,1.2,{}\n",
                14.0 - d * 0.1,
                88.0 - d * 0.5,
                30.0 - d
            ));
        }
        let series = Table::parse(&csv, "t.csv").unwrap();
        let config = Config::default();
        let plot = TimeCoursePlot {
            title: "test".into(),
            series: &series,
            config: &config,
        };
        assert_eq!(plot.panels().len(), 5);
        let fig = render("timecourse", "Time course", &plot).unwrap();
        for title in ["Hemoglobin, g/dL", "MCV, fL", "Transferrin saturation, %"] {
            assert!(fig.svg.contains(title), "{title}");
        }
        let (w, h, inked, _) = png_stats(&fig.png);
        assert_eq!((w, h), (1800, HEADER_H + 3 * PANEL_H));
        assert!(inked > 0.03, "{inked}");
    }
}
