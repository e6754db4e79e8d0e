//! Pictures of a run, drawn once and rendered twice: as SVG (for the HTML
//! report and for print) and as PNG (for slides).
//!
//! Plotters draws both from the same code through its SVG and bitmap
//! backends. Text in the PNGs is drawn with DejaVu Sans compiled into the
//! binary (`assets/fonts`, through plotters' `ab_glyph` feature), so a PNG
//! looks the same on any machine and needs no system fonts; the SVGs name
//! the generic `sans-serif` family and carry no font files, so they stay
//! self-contained. Colours are the Okabe-Ito palette (distinguishable with
//! the common colour-vision deficiencies) and ColorBrewer's sequential Reds
//! and a viridis-like ramp for quantities, which read by lightness alone.

pub mod cytogram;
pub mod histogram;
pub mod sweep;
pub mod targets;
pub mod timecourse;
pub mod tree;

use std::sync::Once;

use anyhow::{anyhow, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

/// Font family every plot names (registered with the embedded font).
pub const FONT: &str = "sans-serif";

/// Text sizes, pixels, chosen to stay readable on a slide.
pub mod size {
    /// Figure titles.
    pub const TITLE: u32 = 40;
    /// Axis labels.
    pub const LABEL: u32 = 32;
    /// Tick labels and legends.
    pub const TICK: u32 = 27;
    /// Notes inside the plot.
    pub const NOTE: u32 = 25;
}

/// The Okabe-Ito palette (Okabe & Ito 2008): safe for the common
/// colour-vision deficiencies.
pub mod palette {
    use plotters::style::RGBColor;
    /// Black.
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Sky blue.
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Yellow.
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    /// Grey for reference material drawn behind the data.
    pub const GREY: RGBColor = RGBColor(150, 150, 150);
    /// The series colours in order (yellow last: weak on white).
    pub const SERIES: [RGBColor; 8] = [
        BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW,
    ];
}

/// A colour on a sequential ramp, `t` in [0, 1] (clamped) from the first
/// stop to the last, interpolated in RGB.
pub fn ramp(stops: &[(u8, u8, u8)], t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (stops.len() - 1) as f64;
    let i = (x.floor() as usize).min(stops.len() - 2);
    let f = x - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// ColorBrewer "Reds", 9 classes (pale to dark): shade of hemoglobin
/// concentration, pale cells pale.
pub const REDS: [(u8, u8, u8); 9] = [
    (255, 245, 240),
    (254, 224, 210),
    (252, 187, 161),
    (252, 146, 114),
    (251, 106, 74),
    (239, 59, 44),
    (203, 24, 29),
    (165, 15, 21),
    (103, 0, 13),
];

/// Viridis at nine stops (van der Walt & Smith, matplotlib): density.
pub const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// A text style in the plots' font.
pub fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&palette::BLACK)
}

/// A bold text style in the plots' font.
pub fn bold(size: u32) -> TextStyle<'static> {
    // Built with the style rather than `.style()`, which keeps the regular
    // face's glyphs (plotters 0.3.7).
    (FONT, size, FontStyle::Bold)
        .into_font()
        .color(&palette::BLACK)
}

/// Something that can be drawn on any plotters backend.
pub trait Plot {
    /// Width and height, pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the plot on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// A plot rendered both ways.
pub struct Figure {
    /// File stem, e.g. `volume_histogram`.
    pub name: String,
    /// What it shows, for the report.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
}

/// Registers the embedded fonts once per process (the bitmap backend looks
/// fonts up by family name).
fn init_fonts() -> Result<()> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        let regular: &'static [u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
        let bold: &'static [u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");
        if register_font(FONT, FontStyle::Normal, regular).is_err()
            || register_font(FONT, FontStyle::Bold, bold).is_err()
        {
            result = Err(anyhow!("the embedded font cannot be read"));
        }
    });
    result
}

/// Renders `plot` as SVG and PNG.
pub fn render(name: &str, title: &str, plot: &impl Plot) -> Result<Figure> {
    init_fonts()?;
    let (w, h) = plot.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        plot.draw(&root)
            .with_context(|| format!("cannot draw {name} as SVG"))?;
        root.present()?;
    }
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        plot.draw(&root)
            .with_context(|| format!("cannot draw {name} as PNG"))?;
        root.present()?;
    }
    Ok(Figure {
        name: name.to_string(),
        title: title.to_string(),
        svg,
        png: encode_png(&rgb, w, h)?,
    })
}

/// RGB pixels as a PNG file.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder
            .write_header()
            .context("cannot write a PNG header")?;
        writer
            .write_image_data(rgb)
            .context("cannot write PNG pixels")?;
    }
    Ok(out)
}

/// A tick label: at most three significant digits, no trailing zeros
/// (15, 7.5, 0.25).
pub fn tick(value: f64) -> String {
    if !value.is_finite() {
        return "-".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let digits = (2 - value.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{value:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `value` with a sensible number of decimals for its size.
pub fn fmt_value(value: f64) -> String {
    let a = value.abs();
    if !value.is_finite() {
        "-".into()
    } else if a >= 100.0 {
        format!("{value:.0}")
    } else if a >= 10.0 {
        format!("{value:.1}")
    } else if a >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Decodes a PNG and returns (width, height, share of pixels that are
    /// not white, number of distinct colours).
    pub fn png_stats(bytes: &[u8]) -> (u32, u32, f64, usize) {
        let decoder = png::Decoder::new(bytes);
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG pixels");
        let px = info.color_type.samples();
        let pixels = &buf[..info.buffer_size()];
        let mut inked = 0usize;
        let mut colours = std::collections::HashSet::new();
        for p in pixels.chunks(px) {
            if p.iter().take(3).any(|&c| c < 250) {
                inked += 1;
            }
            if colours.len() < 10_000 {
                colours.insert(p.to_vec());
            }
        }
        let n = (info.width * info.height) as f64;
        (info.width, info.height, inked as f64 / n, colours.len())
    }

    struct Words(bool);
    impl Plot for Words {
        fn size(&self) -> (u32, u32) {
            (400, 80)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
        where
            DB::ErrorType: 'static,
        {
            let style = if self.0 { bold(40) } else { text(40) };
            root.draw_text("Hemoglobin", &style, (10, 10))?;
            Ok(())
        }
    }

    #[test]
    fn the_embedded_fonts_draw_text_and_bold_is_heavier() {
        let regular = render("r", "r", &Words(false)).unwrap();
        let heavy = render("b", "b", &Words(true)).unwrap();
        let (_, _, ink_regular, _) = png_stats(&regular.png);
        let (_, _, ink_bold, _) = png_stats(&heavy.png);
        assert!(ink_regular > 0.02, "no text drawn: {ink_regular}");
        assert!(ink_bold > ink_regular * 1.15, "{ink_bold} vs {ink_regular}");
        assert!(heavy.svg.contains("font-weight=\"bold\""));
    }

    #[test]
    fn ticks_drop_trailing_zeros() {
        assert_eq!(tick(15.0), "15");
        assert_eq!(tick(7.5), "7.5");
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(120.0), "120");
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(2500.0), "2500");
    }

    #[test]
    fn ramps_run_from_first_to_last_stop() {
        assert_eq!(ramp(&REDS, 0.0), RGBColor(255, 245, 240));
        assert_eq!(ramp(&REDS, 1.0), RGBColor(103, 0, 13));
        assert_eq!(ramp(&REDS, 7.0), RGBColor(103, 0, 13));
        assert_eq!(ramp(&REDS, f64::NAN), RGBColor(255, 245, 240));
        let mid = ramp(&VIRIDIS, 0.5);
        assert_eq!(mid, RGBColor(33, 144, 141));
    }
}
