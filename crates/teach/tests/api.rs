//! The API through the router itself (no socket): bad parameters get a
//! 4xx with a JSON message naming the field, the value and the valid
//! range, never a panic; good ones drive a real session.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use erythro_teach::{router, AppState};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn call(app: &AppState, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let res = router(app.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, value)
}

/// A bad request: 4xx and a JSON error message containing `needle`.
async fn refused(
    app: &AppState,
    method: &str,
    uri: &str,
    body: Option<&str>,
    needle: &str,
) -> Value {
    let (status, value) = call(app, method, uri, body).await;
    assert!(
        status.is_client_error(),
        "{method} {uri} {body:?}: {status} {value}"
    );
    let message = value["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no JSON error: {value}"));
    assert!(
        message.contains(needle),
        "{message:?} does not say {needle:?}"
    );
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_are_served_from_the_binary() {
    let app = AppState::new();
    let (status, _) = call(&app, "GET", "/", None).await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "app.js",
        "app.css",
        "uPlot.iife.min.js",
        "uPlot.min.css",
        "uPlot.LICENSE",
    ] {
        let (status, _) = call(&app, "GET", &format!("/assets/{name}"), None).await;
        assert_eq!(status, StatusCode::OK, "{name}");
    }
    refused(&app, "GET", "/assets/../../etc/passwd", None, "no").await;
    refused(&app, "GET", "/nowhere", None, "no such page").await;
    let (status, presets) = call(&app, "GET", "/api/presets", None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = presets["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for id in [
        "healthy_man",
        "healthy_woman",
        "ida_diet",
        "ida_menorrhagia",
        "beta_thal_trait",
        "alpha_thal_trait",
        "chronic_disease",
        "lead_poisoning",
        "recovery_oral_iron",
        "recovery_iv_iron",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(presets["teaching_scale"], json!(20.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_get_a_clear_4xx() {
    let app = AppState::new();
    refused(
        &app,
        "POST",
        "/api/sessions",
        Some(r#"{"preset":"scurvy"}"#),
        "unknown preset \"scurvy\"",
    )
    .await;
    refused(
        &app,
        "POST",
        "/api/sessions",
        Some("{not json"),
        "bad request body",
    )
    .await;
    refused(
        &app,
        "POST",
        "/api/sessions",
        Some(r#"{"preset":"ida_diet","seed":-1}"#),
        "bad request body",
    )
    .await;
    refused(
        &app,
        "POST",
        "/api/sessions",
        Some(r#"{"preset":"ida_diet","colour":1}"#),
        "unknown field",
    )
    .await;
    refused(&app, "GET", "/api/sessions/99", None, "no session 99").await;
    refused(&app, "GET", "/api/sessions/abc", None, "bad session id").await;
    refused(
        &app,
        "POST",
        "/api/sessions/99/command",
        Some(r#"{"action":"play"}"#),
        "no session 99",
    )
    .await;
    assert_eq!(app.session_count(), 0);

    let (status, state) = call(
        &app,
        "POST",
        "/api/sessions",
        Some(r#"{"preset":"healthy_man","seed":4}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{state}");
    let id = state["session"].as_u64().unwrap();
    let cmd = format!("/api/sessions/{id}/command");
    let ctl = format!("/api/sessions/{id}/controls");
    refused(
        &app,
        "POST",
        &cmd,
        Some(r#"{"action":"fly"}"#),
        "unknown action \"fly\"",
    )
    .await;
    refused(
        &app,
        "POST",
        &cmd,
        Some(r#"{"action":"step","days":0}"#),
        "days = 0 is out of range: expected [1, 60]",
    )
    .await;
    refused(
        &app,
        "POST",
        &cmd,
        Some(r#"{"action":"step","days":100000}"#),
        "days = 100000 is out of range",
    )
    .await;
    refused(
        &app,
        "POST",
        &cmd,
        Some(r#"{"action":"speed","speed":1000}"#),
        "speed = 1000 is out of range",
    )
    .await;
    refused(
        &app,
        "POST",
        &cmd,
        Some(r#"{"action":"speed"}"#),
        "needs \"speed\"",
    )
    .await;
    let v = refused(
        &app,
        "POST",
        &ctl,
        Some(r#"{"diet_fe_mg_per_day":-3}"#),
        "diet_fe_mg_per_day = -3 is out of range: expected [0, 40] mg/day",
    )
    .await;
    assert_eq!(v["field"], "diet_fe_mg_per_day");
    assert_eq!(v["valid"], json!([0.0, 40.0]));
    refused(
        &app,
        "POST",
        &ctl,
        Some(r#"{"beta_globin_pct":5}"#),
        "beta_globin_pct = 5 is out of range",
    )
    .await;
    refused(
        &app,
        "POST",
        &ctl,
        Some(r#"{"lead_ug_dl":"lots"}"#),
        "bad request body",
    )
    .await;
    refused(
        &app,
        "POST",
        &ctl,
        Some(r#"{"division_rule":"Whenever"}"#),
        "bad request body",
    )
    .await;
    refused(&app, "POST", &ctl, Some(r#"{"iron":3}"#), "unknown field").await;
    refused(
        &app,
        "POST",
        &format!("/api/sessions/{id}/preset"),
        Some(r#"{"preset":""}"#),
        "unknown preset",
    )
    .await;
    // Nothing changed, and the session still answers.
    let (status, state) = call(&app, "GET", &format!("/api/sessions/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["day"], json!(0.0));
    assert_eq!(state["controls"]["diet_fe_mg_per_day"], json!(14.0));
    let (status, _) = call(&app, "DELETE", &format!("/api/sessions/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    refused(
        &app,
        "GET",
        &format!("/api/sessions/{id}"),
        None,
        "no session",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_steps_takes_sliders_and_restarts_for_a_marrow_change() {
    let app = AppState::new();
    let (_, state) = call(
        &app,
        "POST",
        "/api/sessions",
        Some(r#"{"preset":"healthy_man","seed":2}"#),
    )
    .await;
    let id = state["session"].as_u64().unwrap();
    assert_eq!(state["history"].as_array().unwrap().len(), 1);
    assert!(state["healthy_histogram"]
        .as_array()
        .is_some_and(|h| !h.is_empty()));
    let base = format!("/api/sessions/{id}");
    let (status, _) = call(
        &app,
        "POST",
        &format!("{base}/controls"),
        Some(r#"{"bleeding_ml_per_day":50,"il6_pg_ml":20}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, reply) = call(
        &app,
        "POST",
        &format!("{base}/command"),
        Some(r#"{"action":"step","days":3}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["day"], json!(3.0));
    let (_, state) = call(&app, "GET", &base, None).await;
    let history = state["history"].as_array().unwrap();
    assert_eq!(history.len(), 4, "day 0 and three days");
    assert_eq!(state["controls"]["bleeding_ml_per_day"], json!(50.0));
    assert_eq!(state["controls"]["il6_pg_ml"], json!(20.0));
    // The sliders take effect: inflammation lowers saturation within days
    // (how far is the validator's question, not the page's).
    let tsat = |i: usize| history[i]["tsat_pct"].as_f64().unwrap();
    assert!(tsat(3) < tsat(0) - 1.0, "TSAT {} -> {}", tsat(0), tsat(3));
    let monitors = state["monitors"].as_array().unwrap();
    assert!(monitors
        .iter()
        .any(|m| m["field"] == "mcv_fl" && m["low"] == json!(80.0)));

    // A marrow slider: a new steady state (new epoch, day 0), body sliders kept.
    let epoch = state["epoch"].as_u64().unwrap();
    let (status, reply) = call(
        &app,
        "POST",
        &format!("{base}/controls"),
        Some(r#"{"beta_globin_pct":60}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["epoch"].as_u64().unwrap(), epoch + 1);
    assert_eq!(reply["day"], json!(0.0));
    assert!(reply["message"].as_str().unwrap().contains("restarted"));
    assert_eq!(reply["controls"]["beta_globin_pct"], json!(60.0));
    assert_eq!(reply["controls"]["bleeding_ml_per_day"], json!(50.0));
    let mcv = reply["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["field"] == "mcv_fl")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(
        mcv < 75.0,
        "beta-thalassemia trait is microcytic at its steady state: MCV {mcv}"
    );

    // Reset: the preset again, same seed, day 0.
    let (_, reply) = call(
        &app,
        "POST",
        &format!("{base}/command"),
        Some(r#"{"action":"reset"}"#),
    )
    .await;
    assert_eq!(reply["controls"]["beta_globin_pct"], json!(100.0));
    assert_eq!(reply["controls"]["bleeding_ml_per_day"], json!(0.0));
    assert_eq!(reply["seed"], json!(2));
}
