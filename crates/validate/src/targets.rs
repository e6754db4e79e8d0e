//! Published quantitative targets (`validation/targets.csv`): one row per
//! condition, marker and time, with the cohort's statistic and its source.
//!
//! The schema is
//! `condition,marker,when,stat,center,spread,lo,hi,n,population,sex,citation,use,note`.
//! Every row is checked as it is read, and an error names the file, the
//! line and the column at fault: an unknown condition or marker, a `when`
//! that cannot be read, a statistic whose fields are missing or
//! inconsistent (an SD that is not positive, `lo` above `hi`, a median
//! outside its interval). Nothing is dropped silently.

use std::fmt;

/// The targets file of the workspace, embedded.
pub const EMBEDDED: &str = include_str!("../../../validation/targets.csv");

/// The header the file must start with.
pub const HEADER: [&str; 14] = [
    "condition",
    "marker",
    "when",
    "stat",
    "center",
    "spread",
    "lo",
    "hi",
    "n",
    "population",
    "sex",
    "citation",
    "use",
    "note",
];

/// A quantity measured on one sample (or one time point) of a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Simple {
    /// A field of the runner's sample (`Sample::fields`), by output name.
    Field(String),
    /// Iron absorbed from the gut over the 24 hours from the time (a dose
    /// given then; at the end of a run, its last 24 hours), mg/day.
    AbsorbedFe,
    /// Hepcidin (nM) over transferrin saturation (%).
    HepcidinTsatRatio,
}

/// What a target measures.
#[derive(Clone, Debug, PartialEq)]
pub enum Marker {
    /// A quantity at the target's time.
    Simple(Simple),
    /// The quantity minus its value when the intervention starts.
    Change(Simple),
    /// The quantity over its value when the intervention starts.
    Ratio(Simple),
    /// Days from the intervention to the quantity's maximum.
    PeakDay(Simple),
    /// Days from the intervention until the quantity has come back by this
    /// fraction (0, 1] of its largest excursion from its starting value.
    RecoveryDay(Simple, f64),
}

/// A stage of developing iron deficiency, as clinicians define it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Storage iron depletion: ferritin below 15 ug/L, hemoglobin normal.
    Depletion,
    /// Iron-deficient erythropoiesis: saturation below 16%, hemoglobin normal.
    DeficientErythropoiesis,
    /// Iron deficiency anemia: hemoglobin below the sex's lower limit.
    Ida,
}

/// When a target is measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    /// The last sample (conditions run until near their steady state).
    End,
    /// Days after the intervention starts (the config's first event; day 0
    /// of the run when it has none).
    Day(f64),
    /// Hours after the intervention starts.
    Hour(f64),
    /// The week from the first sample at which the stage holds.
    Stage(Stage),
}

/// A cohort's statistic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Published {
    /// Mean and standard deviation: the model passes within 2 SD.
    MeanSd {
        /// Mean.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// An interval the model must fall in (median with IQR or range, or a
    /// range): `center` is the median where there is one.
    Interval {
        /// Which interval it is.
        kind: IntervalKind,
        /// The median, when given.
        center: Option<f64>,
        /// Lower end.
        lo: f64,
        /// Upper end, >= `lo`.
        hi: f64,
    },
    /// At least this.
    Min(f64),
    /// At most this.
    Max(f64),
}

/// The kinds of interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntervalKind {
    /// Median with interquartile range.
    MedianIqr,
    /// Median with range.
    MedianRange,
    /// A range without a median (a cohort's or a guideline's).
    Range,
}

/// One row of the targets file.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Line of the file (1-based), for messages.
    pub line: u64,
    /// Config name (file stem).
    pub condition: String,
    /// The marker as written.
    pub marker_text: String,
    /// The marker, read.
    pub marker: Marker,
    /// The `when` as written.
    pub when_text: String,
    /// The time, read.
    pub when: When,
    /// The statistic.
    pub published: Published,
    /// Cohort size as written (may be empty).
    pub n: String,
    /// Cohort.
    pub population: String,
    /// M, F or both.
    pub sex: String,
    /// Short citation.
    pub citation: String,
    /// Counted in the pass rate (`use` = score), or shown only (context).
    pub scored: bool,
    /// Free text.
    pub note: String,
}

/// An error in a targets file, naming where.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The file's name as given.
    pub origin: String,
    /// Line, 1-based.
    pub line: u64,
    /// The column's name, when one is at fault.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "{}:{}: {c}: {}", self.origin, self.line, self.message),
            None => write!(f, "{}:{}: {}", self.origin, self.line, self.message),
        }
    }
}

impl std::error::Error for Error {}

/// What a targets file is checked against: the runs that exist and the
/// fields a sample has.
pub struct Known<'a> {
    /// Condition names (config stems) the validator runs.
    pub conditions: &'a [&'a str],
    /// Output field names of a sample.
    pub fields: &'a [&'a str],
}

/// Reads a marker: a sample field, a derived quantity, or a time-course
/// form (`change:`, `ratio:`, `peak_day:`, `recovery_day:<m>:<f>`).
pub fn parse_marker(text: &str, fields: &[&str]) -> Result<Marker, String> {
    let simple = |m: &str| -> Result<Simple, String> {
        match m {
            "absorbed_fe_mg" => Ok(Simple::AbsorbedFe),
            "hepcidin_tsat_ratio" => Ok(Simple::HepcidinTsatRatio),
            f if fields.contains(&f) => Ok(Simple::Field(f.to_string())),
            "" => Err("empty marker".into()),
            f => Err(format!(
                "unknown marker `{f}` (a sample field, absorbed_fe_mg or hepcidin_tsat_ratio)"
            )),
        }
    };
    let text = text.trim();
    if let Some(m) = text.strip_prefix("change:") {
        return Ok(Marker::Change(simple(m)?));
    }
    if let Some(m) = text.strip_prefix("ratio:") {
        return Ok(Marker::Ratio(simple(m)?));
    }
    if let Some(m) = text.strip_prefix("peak_day:") {
        return Ok(Marker::PeakDay(simple(m)?));
    }
    if let Some(rest) = text.strip_prefix("recovery_day:") {
        let (m, f) = rest
            .rsplit_once(':')
            .ok_or("recovery_day needs a fraction: recovery_day:<marker>:<fraction>")?;
        let f: f64 = f
            .parse()
            .map_err(|_| format!("recovery fraction `{f}` is not a number"))?;
        if !(f > 0.0 && f <= 1.0) {
            return Err(format!("recovery fraction {f} is not in (0, 1]"));
        }
        return Ok(Marker::RecoveryDay(simple(m)?, f));
    }
    Ok(Marker::Simple(simple(text)?))
}

/// Reads a `when`: `end`, `day=D`, `hour=H` or `stage=S`.
pub fn parse_when(text: &str) -> Result<When, String> {
    let text = text.trim();
    if text == "end" {
        return Ok(When::End);
    }
    let number = |v: &str, what: &str| -> Result<f64, String> {
        let x: f64 = v
            .trim()
            .parse()
            .map_err(|_| format!("{what} `{v}` is not a number"))?;
        if x.is_finite() && x >= 0.0 {
            Ok(x)
        } else {
            Err(format!("{what} {x} must be finite and not negative"))
        }
    };
    match text.split_once('=') {
        Some(("day", v)) => Ok(When::Day(number(v, "day")?)),
        Some(("hour", v)) => Ok(When::Hour(number(v, "hour")?)),
        Some(("stage", v)) => match v.trim() {
            "depletion" => Ok(When::Stage(Stage::Depletion)),
            "deficient_erythropoiesis" => Ok(When::Stage(Stage::DeficientErythropoiesis)),
            "ida" => Ok(When::Stage(Stage::Ida)),
            s => Err(format!(
                "unknown stage `{s}` (depletion, deficient_erythropoiesis, ida)"
            )),
        },
        _ => Err(format!(
            "`{text}` is not a time (end, day=D, hour=H, stage=S)"
        )),
    }
}

/// Reads the statistic from its columns (empty strings for empty cells).
pub fn parse_published(
    stat: &str,
    center: &str,
    spread: &str,
    lo: &str,
    hi: &str,
) -> Result<Published, (&'static str, String)> {
    let num = |column: &'static str, v: &str| -> Result<Option<f64>, (&'static str, String)> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err((column, format!("`{v}` is not a finite number"))),
        }
    };
    let need = |column: &'static str, v: Option<f64>| {
        v.ok_or((column, format!("is empty, but `{stat}` needs it")))
    };
    let (center, spread, lo, hi) = (
        num("center", center)?,
        num("spread", spread)?,
        num("lo", lo)?,
        num("hi", hi)?,
    );
    let interval = |kind: IntervalKind, c: Option<f64>| -> Result<Published, _> {
        let (lo, hi) = (need("lo", lo)?, need("hi", hi)?);
        if lo > hi {
            return Err(("lo", format!("lo {lo} is above hi {hi}")));
        }
        if let Some(c) = c {
            if !(lo..=hi).contains(&c) {
                return Err(("center", format!("median {c} is outside [{lo}, {hi}]")));
            }
        }
        Ok(Published::Interval {
            kind,
            center: c,
            lo,
            hi,
        })
    };
    match stat.trim() {
        "mean_sd" => {
            let (mean, sd) = (need("center", center)?, need("spread", spread)?);
            if sd <= 0.0 {
                return Err(("spread", format!("SD {sd} must be positive")));
            }
            Ok(Published::MeanSd { mean, sd })
        }
        "median_iqr" => interval(IntervalKind::MedianIqr, Some(need("center", center)?)),
        "median_range" => interval(IntervalKind::MedianRange, Some(need("center", center)?)),
        "range" => interval(IntervalKind::Range, center),
        "min" => Ok(Published::Min(need("lo", lo)?)),
        "max" => Ok(Published::Max(need("hi", hi)?)),
        s => Err((
            "stat",
            format!("unknown statistic `{s}` (mean_sd, median_iqr, median_range, range, min, max)"),
        )),
    }
}

/// Reads and checks a whole targets file; `origin` names it in errors.
pub fn parse(text: &str, origin: &str, known: &Known) -> Result<Vec<Target>, Error> {
    let err = |line: u64, column: Option<&'static str>, message: String| Error {
        origin: origin.to_string(),
        line,
        column,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(None)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(err(1, None, e.to_string())),
        None => return Err(err(1, None, "the file is empty".into())),
    };
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    if names != HEADER {
        return Err(err(
            1,
            None,
            format!("the header must be `{}`", HEADER.join(",")),
        ));
    }
    let mut out = Vec::new();
    for record in records {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(line, None, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != HEADER.len() {
            return Err(err(
                line,
                None,
                format!("{} fields, the header has {}", record.len(), HEADER.len()),
            ));
        }
        let f = |i: usize| record.get(i).unwrap_or("").trim();
        let condition = f(0);
        if !known.conditions.contains(&condition) {
            return Err(err(
                line,
                Some("condition"),
                format!("no config is named `{condition}`"),
            ));
        }
        let marker = parse_marker(f(1), known.fields).map_err(|m| err(line, Some("marker"), m))?;
        let when = parse_when(f(2)).map_err(|m| err(line, Some("when"), m))?;
        if matches!(marker, Marker::PeakDay(_) | Marker::RecoveryDay(..)) && when != When::End {
            return Err(err(
                line,
                Some("when"),
                "peak_day and recovery_day read the whole run: their time must be `end`".into(),
            ));
        }
        let published = parse_published(f(3), f(4), f(5), f(6), f(7))
            .map_err(|(column, m)| err(line, Some(column), m))?;
        let scored = match f(12) {
            "score" => true,
            "context" => false,
            u => {
                return Err(err(
                    line,
                    Some("use"),
                    format!("`{u}` is neither score nor context"),
                ))
            }
        };
        out.push(Target {
            line,
            condition: condition.to_string(),
            marker_text: f(1).to_string(),
            marker,
            when_text: f(2).to_string(),
            when,
            published,
            n: f(8).to_string(),
            population: f(9).to_string(),
            sex: f(10).to_string(),
            citation: f(11).to_string(),
            scored,
            note: f(13).to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["hb_g_dl", "ferritin_ug_l", "tsat_pct"];
    const CONDITIONS: &[&str] = &["healthy_man", "blood_donation"];

    fn known() -> Known<'static> {
        Known {
            conditions: CONDITIONS,
            fields: FIELDS,
        }
    }

    fn file(rows: &[&str]) -> String {
        let mut s = HEADER.join(",");
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s
    }

    #[test]
    fn every_kind_of_row_reads() {
        let text = file(&[
            "healthy_man,hb_g_dl,end,mean_sd,15.0,1.0,,,100,adults,M,A 2020,score,",
            "healthy_man,ferritin_ug_l,end,median_iqr,100,,60,150,50,\"adults, US\",M,B 2021,context,a note",
            "blood_donation,change:hb_g_dl,day=3,range,,,-2,-1,,,both,C,score,",
            "blood_donation,recovery_day:hb_g_dl:0.8,end,median_range,32,,30,34,,,both,Kiss 2015,score,",
            "blood_donation,peak_day:tsat_pct,end,min,,,3,,,,both,D,score,",
            "blood_donation,ratio:absorbed_fe_mg,hour=6,max,,,,2.5,,,both,E,score,",
            "healthy_man,hepcidin_tsat_ratio,stage=ida,median_range,1,,0.5,2,,,M,F,score,",
        ]);
        let t = parse(&text, "t.csv", &known()).unwrap();
        assert_eq!(t.len(), 7);
        assert_eq!(
            t[0].published,
            Published::MeanSd {
                mean: 15.0,
                sd: 1.0
            }
        );
        assert_eq!(t[0].line, 2);
        assert!(t[0].scored && !t[1].scored);
        assert_eq!(t[1].population, "adults, US");
        assert_eq!(t[2].marker, Marker::Change(Simple::Field("hb_g_dl".into())));
        assert_eq!(t[2].when, When::Day(3.0));
        assert_eq!(
            t[3].marker,
            Marker::RecoveryDay(Simple::Field("hb_g_dl".into()), 0.8)
        );
        assert_eq!(t[4].published, Published::Min(3.0));
        assert_eq!(t[5].marker, Marker::Ratio(Simple::AbsorbedFe));
        assert_eq!(t[5].when, When::Hour(6.0));
        assert_eq!(t[6].when, When::Stage(Stage::Ida));
    }

    #[test]
    fn errors_name_the_line_and_the_column() {
        let bad = [
            (
                "nobody,hb_g_dl,end,mean_sd,1,1,,,,,M,A,score,",
                "condition",
                "nobody",
            ),
            (
                "healthy_man,mcv,end,mean_sd,1,1,,,,,M,A,score,",
                "marker",
                "unknown marker",
            ),
            (
                "healthy_man,hb_g_dl,week=3,mean_sd,1,1,,,,,M,A,score,",
                "when",
                "not a time",
            ),
            (
                "healthy_man,hb_g_dl,stage=late,mean_sd,1,1,,,,,M,A,score,",
                "when",
                "stage",
            ),
            (
                "healthy_man,hb_g_dl,end,mean_sd,1,0,,,,,M,A,score,",
                "spread",
                "positive",
            ),
            (
                "healthy_man,hb_g_dl,end,mean_sd,1,,,,,,M,A,score,",
                "spread",
                "empty",
            ),
            (
                "healthy_man,hb_g_dl,end,range,,,5,4,,,M,A,score,",
                "lo",
                "above",
            ),
            (
                "healthy_man,hb_g_dl,end,median_iqr,9,,1,2,,,M,A,score,",
                "center",
                "outside",
            ),
            (
                "healthy_man,hb_g_dl,end,min,,,,,,,M,A,score,",
                "lo",
                "empty",
            ),
            (
                "healthy_man,hb_g_dl,end,mode,1,1,,,,,M,A,score,",
                "stat",
                "unknown",
            ),
            (
                "healthy_man,hb_g_dl,end,mean_sd,x,1,,,,,M,A,score,",
                "center",
                "number",
            ),
            (
                "healthy_man,hb_g_dl,end,mean_sd,1,1,,,,,M,A,maybe,",
                "use",
                "neither",
            ),
            (
                "healthy_man,peak_day:hb_g_dl,day=4,max,,,,3,,,M,A,score,",
                "when",
                "end",
            ),
            (
                "healthy_man,recovery_day:hb_g_dl:1.5,end,max,,,,3,,,M,A,score,",
                "marker",
                "(0, 1]",
            ),
        ];
        for (row, column, words) in bad {
            let text = file(&["healthy_man,hb_g_dl,end,mean_sd,15,1,,,,,M,A,score,", row]);
            let e = parse(&text, "t.csv", &known()).unwrap_err();
            assert_eq!(e.line, 3, "{row}: {e}");
            assert_eq!(e.column, Some(column), "{row}: {e}");
            assert!(e.to_string().contains(words), "{row}: {e}");
            assert!(e.to_string().starts_with("t.csv:3: "), "{e}");
        }
        let short = file(&["healthy_man,hb_g_dl,end"]);
        let e = parse(&short, "t.csv", &known()).unwrap_err();
        assert!(e.to_string().contains("3 fields"), "{e}");
        let e = parse("a,b\n", "t.csv", &known()).unwrap_err();
        assert!(e.to_string().contains("header"), "{e}");
        assert!(parse("", "t.csv", &known()).is_err());
    }
}
