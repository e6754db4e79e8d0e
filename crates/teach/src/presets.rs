//! The page's presets: the condition configs of `configs/conditions/`,
//! embedded in the binary, each with what to notice and what to try, and
//! the teaching scale they run at.

use erythro_core::events::Event;
use erythro_core::Config;

/// Agent-count reduction of every preset: each agent stands for this many
/// times more cells than in the config, so a simulated week takes well
/// under a second on two cores (as `erythro validate --quick` and the
/// lineage pictures run). Indices move by a few tenths against the full
/// scale; the histogram is a little noisier.
pub const TEACHING_SCALE: f64 = 20.0;

/// One preset of the page.
#[derive(Debug)]
pub struct Preset {
    /// Identifier in the API (the config's file name without `.ron`).
    pub id: &'static str,
    /// Title on the page.
    pub title: &'static str,
    /// The config file it comes from, relative to the repository.
    pub file: &'static str,
    /// The config's text (RON, with its comments).
    pub text: &'static str,
    /// What to notice while it runs.
    pub notice: &'static [&'static str],
    /// What-ifs for the class.
    pub try_this: &'static [&'static str],
}

macro_rules! condition {
    ($id:literal) => {
        (
            $id,
            concat!("configs/conditions/", $id, ".ron"),
            include_str!(concat!("../../../configs/conditions/", $id, ".ron")),
        )
    };
}

const fn preset(
    (id, file, text): (&'static str, &'static str, &'static str),
    title: &'static str,
    notice: &'static [&'static str],
    try_this: &'static [&'static str],
) -> Preset {
    Preset {
        id,
        title,
        file,
        text,
        notice,
        try_this,
    }
}

/// Every preset, in the order the page lists them.
pub const PRESETS: &[Preset] = &[
    preset(
        condition!("healthy_man"),
        "Healthy man",
        &[
            "The volume histogram sits on the healthy curve: one narrow peak near 88 fL.",
            "Each lineage divides four times: the tree has 16 reticulocytes.",
            "Nothing changes from day to day: production balances removal after about 117 days of life.",
        ],
        &[
            "Drop dietary iron to 1 mg/day and add 20 mL/day of blood loss; play at high speed and watch ferritin fall first, then TSAT, then MCV.",
            "Raise IL-6 to 50 pg/mL: saturation falls within a day although the stores are full.",
        ],
    ),
    preset(
        condition!("healthy_woman"),
        "Healthy woman",
        &[
            "Smaller stores (300 mg) and a lower hemoglobin range than the man's.",
            "The red cells are the same size as a man's: MCV near 88 fL.",
        ],
        &[
            "Add 15 mL/day of blood loss (heavy periods) and see how fast her smaller stores run out.",
        ],
    ),
    preset(
        condition!("ida_diet"),
        "Iron-deficient diet",
        &[
            "The stores are already empty: ferritin is low from the start.",
            "Saturation falls, hemoglobin falls, then MCV: new small cells replace the old normal ones.",
            "The histogram shifts left of the healthy curve and widens (RDW rises) while old and new cells mix.",
            "In the lineage tree, a fifth division appears once the cells make hemoglobin too slowly.",
        ],
        &[
            "Raise dietary iron back to 14 mg/day at day 100: which measure recovers first?",
            "Switch the division rule to a fixed budget: every lineage divides four times, yet the cells still come out small. What else in the lineage tree tells the two rules apart?",
        ],
    ),
    preset(
        condition!("ida_menorrhagia"),
        "Menorrhagia (heavy periods)",
        &[
            "16 mL of blood a day takes about 8 mg of iron: far more than the gut absorbs.",
            "Hemoglobin falls before the cells get small.",
        ],
        &[
            "Set blood loss to 0: the bleeding stops; how long until MCV is normal again?",
        ],
    ),
    preset(
        condition!("beta_thal_trait"),
        "Beta-thalassemia trait",
        &[
            "Iron is normal (ferritin, TSAT) but the cells are small: globin, not iron, is short.",
            "Every lineage divides once more, so the red-cell count is high and RDW stays normal.",
        ],
        &[
            "Compare with the iron-deficient diet: both are microcytic; which monitors tell them apart?",
            "Move beta-globin output back to 100%: the marrow restarts at the healthy steady state.",
        ],
    ),
    preset(
        condition!("alpha_thal_trait"),
        "Alpha-thalassemia trait",
        &[
            "As in beta-thalassemia trait: small cells with normal iron studies and a high count.",
        ],
        &["Lower alpha-globin output further (40%) and see the cells shrink."],
    ),
    preset(
        condition!("chronic_disease"),
        "Anemia of chronic disease",
        &[
            "IL-6 raises hepcidin, which traps iron in the stores: ferritin is high but TSAT low.",
            "The cells stay nearly normal in size; the anemia is mild.",
        ],
        &["Set IL-6 to 0 at day 60: the trapped iron comes back within days."],
    ),
    preset(
        condition!("lead_poisoning"),
        "Lead poisoning",
        &[
            "Lead blocks heme synthesis: iron piles up in mitochondria (ring sideroblasts) and ZPP rises.",
            "Iron studies stay normal.",
        ],
        &["Lower blood lead to 10 ug/dL and see ZPP fall."],
    ),
    preset(
        condition!("recovery_oral_iron"),
        "Iron deficiency on oral iron",
        &[
            "It starts in established iron deficiency (Hb about 10.5, MCV 69); tablets start on day 7.",
            "Reticulocytes rise within two weeks; new normal cells widen the histogram (a second peak).",
        ],
        &["Raise IL-6 to 40 pg/mL: hepcidin closes the gut and the tablets stop working."],
    ),
    preset(
        condition!("recovery_iv_iron"),
        "Iron deficiency on intravenous iron",
        &[
            "1000 mg of iron on day 7 fills the stores at once: ferritin jumps.",
            "Hemoglobin and MCV recover over weeks, as new cells replace old ones.",
        ],
        &["Compare with oral iron: which one is faster, and which is slowed by inflammation?"],
    ),
];

/// The preset called `id`.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

impl Preset {
    /// The config's opening comment, as plain text.
    pub fn comment(&self) -> String {
        self.text
            .lines()
            .take_while(|l| l.trim_start().starts_with("//"))
            .map(|l| l.trim_start().trim_start_matches("//").trim())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The config's settings without the comments (what the preset changes).
    pub fn settings(&self) -> String {
        self.text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The config run at the teaching scale, with the body's chronic
    /// bleeding moved into an event from day 0 (the same loss, so the
    /// blood-loss slider can later end it).
    pub fn config(&self, seed: u64) -> Result<Config, erythro_io::Error> {
        let mut c = erythro_io::config::parse(self.text, self.file)?;
        c.scale.cells_per_agent *= TEACHING_SCALE;
        c.run.seed = seed;
        if let Some(body) = c.body.as_mut() {
            if body.bleeding_ml_per_day > 0.0 {
                c.events.push(Event::Bleeding {
                    from_day: 0.0,
                    to_day: crate::controls::FOREVER_DAY,
                    ml_per_day: body.bleeding_ml_per_day,
                });
                body.bleeding_ml_per_day = 0.0;
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_at_the_teaching_scale_with_a_body() {
        for p in PRESETS {
            let c = p.config(3).unwrap();
            assert!(c.body.is_some(), "{}: the sliders act on the body", p.id);
            assert_eq!(c.run.seed, 3);
            assert!(!p.comment().is_empty(), "{} has no opening comment", p.id);
            assert!(c.validate().is_ok());
        }
        assert!(find("ida_diet").is_some());
        assert!(find("nonsense").is_none());
    }
}
