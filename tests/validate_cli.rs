//! `erythro validate` refuses a bad targets file or flag before any run,
//! naming the file, line and column at fault, and writes nothing.

use std::fs;

use tempfile::TempDir;

mod common;
use common::{erythro, expect_error};

const HEADER: &str =
    "condition,marker,when,stat,center,spread,lo,hi,n,population,sex,citation,use,note";

#[test]
fn a_bad_targets_file_is_refused_with_its_line() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path();
    let cases = [
        (
            "healthy_man,hb_g_dl,end,mean_sd,15,0,,,,,M,A,score,",
            "t.csv:3: spread",
        ),
        (
            "no_such_config,hb_g_dl,end,mean_sd,15,1,,,,,M,A,score,",
            "t.csv:3: condition",
        ),
        (
            "healthy_man,hb,end,mean_sd,15,1,,,,,M,A,score,",
            "t.csv:3: marker",
        ),
    ];
    for (row, message) in cases {
        let path = dir.join("t.csv");
        fs::write(
            &path,
            format!("{HEADER}\nhealthy_man,hb_g_dl,end,mean_sd,15,1,,,,,M,A,score,\n{row}\n"),
        )
        .unwrap();
        let out = dir.join("out");
        let o = erythro(
            dir,
            &["validate", "--quick", "--targets", "t.csv", "--out", "out"],
        );
        let err = expect_error(&o);
        assert!(err.contains(message), "{row}: {err}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn bad_flags_are_refused() {
    let tmp = TempDir::new().unwrap();
    let o = erythro(tmp.path(), &["validate", "--min-pass", "120"]);
    assert!(expect_error(&o).contains("--min-pass"));
    let o = erythro(tmp.path(), &["validate", "--rule", "sideways"]);
    assert_eq!(o.status.code(), Some(2));
    let o = erythro(tmp.path(), &["validate", "--targets", "missing.csv"]);
    assert!(expect_error(&o).contains("missing.csv"));
}
