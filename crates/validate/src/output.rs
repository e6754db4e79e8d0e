//! The validation as people read it: the targets table, its CSV, the
//! summary with every failure named, and both rules side by side.

use std::fmt::Write as _;

use crate::measure::Measured;
use crate::score::Verdict;
use crate::targets::{IntervalKind, Published};
use crate::{RuleRun, TargetResult};

/// A number with as many decimals as its size needs.
pub fn num(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        format!("{x}")
    } else if a >= 100.0 || a == 0.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// The published statistic as text.
pub fn published_text(p: &Published) -> String {
    match *p {
        Published::MeanSd { mean, sd } => format!("{} ± {}", num(mean), num(sd)),
        Published::Interval {
            kind,
            center,
            lo,
            hi,
        } => {
            let what = match kind {
                IntervalKind::MedianIqr => "IQR ",
                IntervalKind::MedianRange => "range ",
                IntervalKind::Range => "",
            };
            match center {
                Some(c) => format!("{} ({what}{} to {})", num(c), num(lo), num(hi)),
                None => format!("{} to {}", num(lo), num(hi)),
            }
        }
        Published::Min(lo) => format!(">= {}", num(lo)),
        Published::Max(hi) => format!("<= {}", num(hi)),
    }
}

/// The model's value as text.
pub fn model_text(m: &Measured) -> String {
    match m {
        Measured::Value(x) => num(*x),
        Measured::AtLeast(x) => format!("> {}", num(*x)),
        Measured::NotMeasured(_) => "-".into(),
    }
}

/// The distance with its unit.
pub fn distance_text(r: &TargetResult) -> String {
    let Some(d) = r.score.distance else {
        return "-".into();
    };
    match r.target.published {
        Published::MeanSd { .. } => format!("{d:+.2} SD"),
        Published::Interval { .. } if d == 0.0 => "inside".into(),
        Published::Interval { .. } if d.abs() < 0.1 => format!("{d:+.3} x width"),
        Published::Interval { .. } => format!("{d:+.2} x width"),
        Published::Min(_) | Published::Max(_) if d == 0.0 => "inside".into(),
        Published::Min(_) | Published::Max(_) => format!("{:+.0}%", 100.0 * d),
    }
}

/// pass, FAIL, NOT MEASURED, or for context rows what they would give.
pub fn result_text(r: &TargetResult) -> String {
    let v = match r.score.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::NotMeasured => "NOT MEASURED",
    };
    if r.target.scored {
        v.to_string()
    } else {
        format!("context ({})", v.to_lowercase())
    }
}

/// One line per target: condition, marker, time, model, published,
/// distance, result, citation; columns as wide as their content.
pub fn targets_table(run: &RuleRun) -> String {
    let header = [
        "condition",
        "marker",
        "when",
        "model",
        "published",
        "distance",
        "result",
        "citation",
    ];
    let mut rows: Vec<[String; 8]> = Vec::new();
    let mut last = "";
    for r in &run.results {
        let c = r.target.condition.as_str();
        rows.push([
            if c == last {
                String::new()
            } else {
                c.to_string()
            },
            r.target.marker_text.clone(),
            r.target.when_text.clone(),
            model_text(&r.measured),
            published_text(&r.target.published),
            distance_text(r),
            result_text(r),
            r.target.citation.clone(),
        ]);
        last = c;
    }
    let mut width = header.map(str::len);
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut t = String::new();
    let line = |t: &mut String, cells: [&str; 8]| {
        for (k, (cell, w)) in cells.iter().zip(width).enumerate() {
            // Numbers right-aligned, words left-aligned; no padding at the end.
            let _ = match k {
                3..=5 => write!(t, "{cell:>w$}  "),
                7 => write!(t, "{cell}"),
                _ => write!(t, "{cell:<w$}  "),
            };
        }
        t.push('\n');
    };
    line(&mut t, header);
    for row in &rows {
        line(&mut t, std::array::from_fn(|k| row[k].as_str()));
    }
    t
}

/// The targets' results as CSV.
pub fn targets_csv(run: &RuleRun) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "condition",
        "marker",
        "when",
        "model",
        "published",
        "distance",
        "result",
        "use",
        "citation",
        "line",
        "why_not_measured",
    ]);
    for r in &run.results {
        let why = match &r.measured {
            Measured::NotMeasured(w) => w.as_str(),
            _ => "",
        };
        let _ = w.write_record([
            r.target.condition.as_str(),
            &r.target.marker_text,
            &r.target.when_text,
            &model_text(&r.measured),
            &published_text(&r.target.published),
            &distance_text(r),
            &result_text(r),
            if r.target.scored { "score" } else { "context" },
            &r.target.citation,
            &r.target.line.to_string(),
            why,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The headline, every scored miss, every marker not measured and every
/// broken limit.
pub fn summary(run: &RuleRun, min_pass: f64) -> String {
    let mut t = String::new();
    let (pass, all, rate) = run.pass_rate();
    let context = run.results.iter().filter(|r| !r.target.scored).count();
    let _ = writeln!(
        t,
        "{} rule: {pass} of {all} scored targets pass ({rate:.1}%, needed {min_pass}%); {context} context rows; {} broken limits; {} of {} directions fail",
        run.rule.name(),
        run.broken.len(),
        run.directions.failed.len(),
        run.directions.checks,
    );
    let misses: Vec<&TargetResult> = run
        .results
        .iter()
        .filter(|r| r.target.scored && r.score.verdict == Verdict::Fail)
        .collect();
    if !misses.is_empty() {
        let _ = writeln!(t, "\nscored targets failing ({}):", misses.len());
        for r in misses {
            let _ = writeln!(
                t,
                "  {} {} {}: model {}, published {} ({}; {})",
                r.target.condition,
                r.target.marker_text,
                r.target.when_text,
                model_text(&r.measured),
                published_text(&r.target.published),
                distance_text(r),
                r.target.citation
            );
        }
    }
    let absent: Vec<&TargetResult> = run
        .results
        .iter()
        .filter(|r| r.score.verdict == Verdict::NotMeasured)
        .collect();
    if !absent.is_empty() {
        let _ = writeln!(
            t,
            "\nnot measured ({}; a failure when scored):",
            absent.len()
        );
        for r in absent {
            let why = match &r.measured {
                Measured::NotMeasured(w) => w.as_str(),
                _ => "",
            };
            let _ = writeln!(
                t,
                "  {} {} {} ({}): {why}",
                r.target.condition,
                r.target.marker_text,
                r.target.when_text,
                if r.target.scored { "score" } else { "context" }
            );
        }
    }
    if !run.broken.is_empty() {
        let _ = writeln!(t, "\nhard limits broken ({}):", run.broken.len());
        for b in &run.broken {
            let v = &b.violation;
            let _ = writeln!(
                t,
                "  {}: {} {} first on day {:.2} ({}), in {} samples: {}",
                b.condition,
                v.field,
                v.limit,
                v.first_day,
                num(v.first_value),
                v.samples,
                v.why
            );
        }
    } else {
        let _ = writeln!(
            t,
            "\nno hard limit broken in any sample of the {} runs",
            run.series.len()
        );
    }
    t
}

/// Everything for one rule: summary, targets, directions.
pub fn report_text(run: &RuleRun, min_pass: f64) -> String {
    format!(
        "{}\n{}\ndirections (second layer), against the healthy run of the same sex or the run's start:\n{}",
        summary(run, min_pass),
        targets_table(run),
        run.directions.table
    )
}

/// Both rules side by side: the pass rates, then every target under each.
pub fn side_by_side(runs: &[RuleRun]) -> String {
    let mut t = String::new();
    for r in runs {
        let (pass, all, rate) = r.pass_rate();
        let _ = writeln!(
            t,
            "{:<13} {pass} of {all} scored targets pass ({rate:.1}%); {} broken limits; {} of {} directions fail",
            r.rule.name(),
            r.broken.len(),
            r.directions.failed.len(),
            r.directions.checks
        );
    }
    let _ = write!(
        t,
        "\n{:<24} {:<30} {:<12} {:>24}",
        "condition", "marker", "when", "published"
    );
    for r in runs {
        let _ = write!(t, " {:>12} {:<14}", r.rule.name(), "");
    }
    t.push('\n');
    let Some(first) = runs.first() else {
        return t;
    };
    for (i, r0) in first.results.iter().enumerate() {
        let _ = write!(
            t,
            "{:<24} {:<30} {:<12} {:>24}",
            r0.target.condition,
            r0.target.marker_text,
            r0.target.when_text,
            published_text(&r0.target.published)
        );
        for r in runs {
            let x = &r.results[i];
            let _ = write!(t, " {:>12} {:<14}", model_text(&x.measured), result_text(x));
        }
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_read_as_written() {
        assert_eq!(
            published_text(&Published::MeanSd {
                mean: 14.2,
                sd: 1.1
            }),
            "14.2 ± 1.10"
        );
        assert_eq!(
            published_text(&Published::Interval {
                kind: IntervalKind::MedianIqr,
                center: Some(32.0),
                lo: 30.0,
                hi: 34.0
            }),
            "32.0 (IQR 30.0 to 34.0)"
        );
        assert_eq!(published_text(&Published::Min(168.0)), ">= 168");
        assert_eq!(model_text(&Measured::AtLeast(168.0)), "> 168");
        assert_eq!(num(0.25), "0.250");
    }
}
