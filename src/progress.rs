//! Progress on the terminal: an indicatif bar when stderr is a terminal,
//! nothing (or a line per finished run) when it is not.

use std::io::IsTerminal;

/// A progress bar with `template`, or none when stderr is not a terminal.
pub fn bar(template: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .expect("static template")
            .progress_chars("=> "),
    );
    Some(bar)
}
