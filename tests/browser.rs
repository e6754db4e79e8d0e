//! The HTML report in a real browser: headless Chromium opens a report that
//! `erythro run --report` wrote, and the test fails on any console message
//! (the page has no scripts, so any message is an error: a refused load, a
//! parse problem) or on a missing or empty plot, and saves a screenshot to
//! `target/tmp/browser/report.png`. A control page with a deliberate
//! console error proves the detection works, so the test cannot pass by
//! seeing nothing. It needs a browser, so it is `#[ignore]`d in the plain
//! `cargo test` and `.ci/run` runs it explicitly after checking that
//! Debian's `chromium` is installed (`cargo test --test browser --
//! --ignored`); without a browser it fails rather than pass unseen. Set
//! `ERYTHRO_CHROMIUM` to use another binary.

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Ten days of a small healthy run: long enough for a lineage to leave the marrow.
const CONFIG: &str = "(
  run: (days: 10.0, burn_in_days: 12.0, seed: 3),
  scale: (cells_per_agent: 3.2e7),
)
";

/// Every plot a full report holds.
const PLOTS: [&str; 5] = [
    "timecourse",
    "volume_histogram",
    "hb_content_histogram",
    "cytogram",
    "lineage_tree",
];

/// The Chromium to use, if any.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ERYTHRO_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs Chromium headless on `page` with `extra` arguments, killing it after
/// a minute; returns its output.
fn headless(browser: &Path, profile: &Path, page: &Path, extra: &[&OsStr]) -> Output {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    // Drain both pipes while waiting: a report's DOM fills a pipe buffer.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).ok();
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("{} did not finish within 60 s on {url}", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The browser console's messages in Chromium's log.
fn console_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// The text of the element that starts at `start` up to its closing tag.
fn element<'a>(dom: &'a str, start: usize, tag: &str) -> &'a str {
    let end = dom[start..]
        .find(&format!("</{tag}>"))
        .map(|e| start + e)
        .unwrap_or(dom.len());
    &dom[start..end]
}

#[test]
#[ignore = "needs Chromium: .ci/run runs it with `cargo test --test browser -- --ignored`"]
fn report_opens_in_a_browser_without_errors_and_shows_every_plot() {
    let browser = chromium().expect(
        "no Chromium found (install Debian's `chromium`, or set ERYTHRO_CHROMIUM): the report cannot be opened in a browser",
    );
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let config = dir.join("browser.ron");
    fs::write(&config, CONFIG).unwrap();
    let out = dir.join("run");
    let run = Command::new(env!("CARGO_BIN_EXE_erythro"))
        .args([OsStr::new("run"), config.as_os_str(), OsStr::new("--out")])
        .arg(&out)
        .args(["--report", "--threads", "2"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "erythro run --report failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report = out.join("report.html");
    assert!(report.is_file());

    // The control: a console error and a refused load are seen.
    let control = dir.join("control.html");
    fs::write(
        &control,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'\"></head>\
<body><script>console.error('erythro-control-error')</script><img src=\"https://example.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let profile = dir.join("profile");
    let seen =
        console_lines(&headless(&browser, &profile, &control, &[OsStr::new("--dump-dom")]).stderr);
    assert!(
        seen.iter().any(|l| l.contains("erythro-control-error")),
        "the console is not read from Chromium's log (control error not seen): {seen:?}"
    );
    assert!(
        seen.iter().any(|l| l.contains("Content Security Policy")),
        "a refused load is not seen: {seen:?}"
    );

    // The report: its DOM as the browser built it, and the console.
    let opened = headless(&browser, &profile, &report, &[OsStr::new("--dump-dom")]);
    let messages = console_lines(&opened.stderr);
    assert!(
        messages.is_empty(),
        "the report made console messages:\n{}",
        messages.join("\n")
    );
    let dom = String::from_utf8_lossy(&opened.stdout).into_owned();
    assert!(dom.contains("<h1>"), "no page in the DOM:\n{dom:.2000}");
    for plot in PLOTS {
        let marker = format!("data-plot=\"{plot}\"");
        let at = dom
            .find(&marker)
            .unwrap_or_else(|| panic!("plot {plot} is missing from the report"));
        let figure = element(&dom, at, "figure");
        assert!(figure.contains("<svg"), "plot {plot} has no svg");
        let texts = figure.matches("<text").count();
        let shapes = [
            "<rect",
            "<polyline",
            "<circle",
            "<path",
            "<line",
            "<polygon",
        ]
        .iter()
        .map(|s| figure.matches(s).count())
        .sum::<usize>();
        assert!(
            texts >= 5 && shapes >= 10,
            "plot {plot} is nearly empty: {texts} texts, {shapes} shapes"
        );
    }
    assert_eq!(
        dom.matches("<svg").count(),
        PLOTS.len(),
        "unexpected svg count"
    );
    assert!(
        !dom.contains("<script"),
        "the report must not carry scripts"
    );

    // A screenshot, kept for people to look at.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("report.png");
    fs::remove_file(&shot).ok();
    let taken = headless(
        &browser,
        &profile,
        &report,
        &[
            OsStr::new("--window-size=1200,6400"),
            OsStr::new(&format!("--screenshot={}", shot.display())),
        ],
    );
    assert!(
        shot.is_file(),
        "no screenshot:\n{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    let (w, h, inked, viridis, reds) = screenshot_stats(&fs::read(&shot).unwrap());
    assert_eq!((w, h), (1200, 6400));
    assert!(inked > 0.05, "the page is nearly blank: {inked}");
    // Colours only the plots use: the cytogram's viridis and the tree's reds.
    assert!(
        viridis > 200 && reds > 200,
        "plots not drawn: {viridis} viridis, {reds} red pixels"
    );
    eprintln!("screenshot: {}", shot.display());
}

/// (width, height, share of non-white pixels, viridis-green pixels, deep-red pixels).
fn screenshot_stats(png_bytes: &[u8]) -> (u32, u32, f64, usize, usize) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let (mut inked, mut viridis, mut reds) = (0usize, 0usize, 0usize);
    let near = |p: &[u8], c: (u8, u8, u8)| {
        (p[0] as i32 - c.0 as i32).abs()
            + (p[1] as i32 - c.1 as i32).abs()
            + (p[2] as i32 - c.2 as i32).abs()
            < 40
    };
    for p in buf[..info.buffer_size()].chunks(px) {
        if p[..3].iter().any(|&c| c < 245) {
            inked += 1;
        }
        if near(p, (33, 144, 141)) || near(p, (92, 200, 99)) || near(p, (68, 1, 84)) {
            viridis += 1;
        }
        if near(p, (203, 24, 29)) || near(p, (165, 15, 21)) || near(p, (239, 59, 44)) {
            reds += 1;
        }
    }
    let n = (info.width * info.height) as f64;
    (info.width, info.height, inked as f64 / n, viridis, reds)
}
