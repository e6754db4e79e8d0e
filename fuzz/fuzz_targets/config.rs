//! The config loader on any text: a config, or an error naming the file,
//! line and column or the field and its range; never a panic. A config it
//! accepts also passes the resource check without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = erythro_io::config::parse(text, "fuzz.ron") {
        let _ = erythro_runner::resources::check(&config, Some(1e9), 1);
        let _ = erythro_core::Params::try_from(&config).expect("a parsed config is valid");
    }
});
