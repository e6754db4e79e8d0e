//! The runs of a validation: every config of `configs/conditions/` and the
//! onset of iron deficiency (`configs/iron_deficiency_onset.ron`),
//! embedded in the crate so `erythro validate` runs anywhere.

/// A config the validator runs, by its file stem.
pub struct Condition {
    /// File stem: the name targets and tables use.
    pub name: &'static str,
    /// Path in the workspace, for messages.
    pub path: &'static str,
    /// The RON text.
    pub ron: &'static str,
}

/// A config of `configs/conditions/NAME.ron`, embedded.
macro_rules! condition {
    ($name:literal) => {
        Condition {
            name: $name,
            path: concat!("configs/conditions/", $name, ".ron"),
            ron: include_str!(concat!("../../../configs/conditions/", $name, ".ron")),
        }
    };
}

/// Every run, healthy baselines first (the directional checks compare with
/// them).
pub const CONDITIONS: &[Condition] = &[
    condition!("healthy_man"),
    condition!("healthy_woman"),
    condition!("ida_diet"),
    condition!("ida_hookworm"),
    condition!("ida_menorrhagia"),
    condition!("gastrectomy"),
    condition!("recovery_oral_iron"),
    condition!("recovery_iv_iron"),
    condition!("beta_thal_trait"),
    condition!("alpha_thal_trait"),
    condition!("chronic_disease"),
    condition!("ferroportin_disease"),
    condition!("irida"),
    condition!("irida_oral_iron"),
    condition!("irida_iv_iron"),
    condition!("lead_poisoning"),
    condition!("ida_with_inflammation"),
    condition!("blood_donation"),
    condition!("blood_donation_oral_iron"),
    condition!("inflammation_acute"),
    condition!("oral_iron_absorption"),
    condition!("iv_iron_response"),
    Condition {
        name: "iron_deficiency_onset",
        path: "configs/iron_deficiency_onset.ron",
        ron: include_str!("../../../configs/iron_deficiency_onset.ron"),
    },
];

/// The condition called `name`.
pub fn find(name: &str) -> Option<&'static Condition> {
    CONDITIONS.iter().find(|c| c.name == name)
}

/// Every condition's name, in run order.
pub fn names() -> Vec<&'static str> {
    CONDITIONS.iter().map(|c| c.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_of_the_conditions_folder_is_run() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/conditions");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                (p.extension()? == "ron").then(|| p.file_stem().unwrap().to_string_lossy().into())
            })
            .collect();
        on_disk.sort();
        for name in &on_disk {
            assert!(find(name).is_some(), "{name}.ron is not in CONDITIONS");
        }
        assert_eq!(
            CONDITIONS.len(),
            on_disk.len() + 1,
            "iron_deficiency_onset and the folder"
        );
        for c in CONDITIONS {
            erythro_io::config::parse(c.ron, c.path)
                .unwrap_or_else(|e| panic!("{}: {e:#}", c.name));
        }
    }
}
