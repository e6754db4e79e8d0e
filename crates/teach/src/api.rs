//! The HTTP API and the page's routes (axum). Every error is a JSON body
//! `{"error": ..., "field"?: ..., "value"?: ..., "valid"?: ...}` with a 4xx
//! status (5xx only when a session's thread is gone).
//!
//! | route | what |
//! |---|---|
//! | `GET /` and `GET /assets/{name}` | the page and its files |
//! | `GET /api/presets` | presets, slider ranges, the info panel's text |
//! | `POST /api/sessions` `{preset, seed?}` | a new session (201, its state) |
//! | `GET /api/sessions/{id}` | its whole state |
//! | `GET /api/sessions/{id}/stream` | its frames, as server-sent events |
//! | `POST /api/sessions/{id}/command` `{action, days?, speed?}` | play, pause, step, reset, speed |
//! | `POST /api/sessions/{id}/controls` `{slider: value, ...}` | move sliders |
//! | `POST /api/sessions/{id}/preset` `{preset, seed?}` | a new run |
//! | `DELETE /api/sessions/{id}` | end it |

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State as Extract};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{broadcast, oneshot};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};

use crate::controls::{ControlsPatch, LIMITS};
use crate::presets::{self, PRESETS, TEACHING_SCALE};
use crate::session::{self, Command, Envelope, Healthy, State, MAX_SPEED, MAX_STEP_DAYS};

/// Most sessions at once (a class in pairs, each maybe comparing two runs).
pub const MAX_SESSIONS: usize = 24;
/// A session with no request and no open stream for this long is dropped.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// Longest a command may take (a new steady state takes about a second).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// A request's error, as JSON with its status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({ "error": message.into() }),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn no_session(id: u64) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("no session {id} (it may have been idle too long): reload the page"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::new(
            r.status()
                .min(StatusCode::UNPROCESSABLE_ENTITY)
                .max(StatusCode::BAD_REQUEST),
            format!("bad request body: {}", r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::bad(format!("bad session id in the path: {}", r.body_text()))
    }
}

/// A JSON body whose rejection is an [`ApiError`].
struct Json<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(value))
    }
}

/// A session id from the path whose rejection is an [`ApiError`].
struct SessionId(u64);

impl<S: Send + Sync> FromRequestParts<S> for SessionId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<u64>::from_request_parts(parts, state).await?;
        Ok(SessionId(id))
    }
}

/// The server's side of one session.
struct Handle {
    commands: Mutex<session::Commands>,
    frames: broadcast::Sender<Arc<str>>,
    state: Arc<Mutex<State>>,
    last_seen: Mutex<Instant>,
}

impl Handle {
    fn touch(&self) {
        *self.last_seen.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    fn idle(&self, now: Instant) -> bool {
        let seen = *self.last_seen.lock().unwrap_or_else(|p| p.into_inner());
        self.frames.receiver_count() == 0 && now.duration_since(seen) > IDLE
    }

    fn snapshot(&self) -> State {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The server's shared state: the sessions and the healthy histograms.
#[derive(Clone, Default)]
pub struct AppState {
    sessions: Arc<Mutex<HashMap<u64, Arc<Handle>>>>,
    next_id: Arc<AtomicU64>,
    healthy: Arc<Healthy>,
}

impl AppState {
    /// No sessions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sessions open now.
    pub fn session_count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Handle>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, id: u64) -> Result<Arc<Handle>, ApiError> {
        let h = self
            .lock()
            .get(&id)
            .cloned()
            .ok_or(ApiError::no_session(id))?;
        h.touch();
        Ok(h)
    }

    /// Drops idle sessions (their threads end as their channels close).
    fn reap(&self) {
        let now = Instant::now();
        self.lock().retain(|_, h| !h.idle(now));
    }

    /// Reaps idle sessions every minute, on the runtime this is called in.
    pub fn spawn_reaper(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                state.reap();
            }
        });
    }
}

/// The page and the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Html(crate::assets::INDEX) }))
        .route("/assets/{name}", get(asset))
        .route("/api/presets", get(presets_list))
        .route("/api/sessions", post(create))
        .route("/api/sessions/{id}", get(state_of).delete(remove))
        .route("/api/sessions/{id}/stream", get(stream))
        .route("/api/sessions/{id}/command", post(command))
        .route("/api/sessions/{id}/controls", post(controls))
        .route("/api/sessions/{id}/preset", post(load))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such page or API route") })
        .with_state(state)
}

async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    let a = crate::assets::find(&name)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no asset {name:?}")))?;
    Ok(([(header::CONTENT_TYPE, a.mime)], a.body).into_response())
}

#[derive(Serialize)]
struct PresetInfo {
    id: &'static str,
    title: &'static str,
    file: &'static str,
    comment: String,
    settings: String,
    notice: &'static [&'static str],
    try_this: &'static [&'static str],
}

async fn presets_list() -> impl IntoResponse {
    let presets: Vec<PresetInfo> = PRESETS
        .iter()
        .map(|p| PresetInfo {
            id: p.id,
            title: p.title,
            file: p.file,
            comment: p.comment(),
            settings: p.settings(),
            notice: p.notice,
            try_this: p.try_this,
        })
        .collect();
    axum::Json(json!({
        "presets": presets,
        "limits": LIMITS,
        "rules": ["CriticalConcentration", "FixedBudget"],
        "teaching_scale": TEACHING_SCALE,
        "max_speed": MAX_SPEED,
        "max_step_days": MAX_STEP_DAYS,
        "max_days": session::MAX_DAYS,
        "how_it_works": crate::assets::HOW_IT_WORKS,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadBody {
    preset: String,
    seed: Option<u64>,
}

fn preset_of(body: &LoadBody) -> Result<&'static presets::Preset, ApiError> {
    presets::find(&body.preset).ok_or_else(|| {
        let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "error": format!("unknown preset {:?}", body.preset),
                "field": "preset",
                "value": body.preset,
                "valid": ids,
            }),
        }
    })
}

async fn create(
    Extract(app): Extract<AppState>,
    Json(body): Json<LoadBody>,
) -> Result<Response, ApiError> {
    let preset = preset_of(&body)?;
    app.reap();
    if app.session_count() >= MAX_SESSIONS {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("the server already runs {MAX_SESSIONS} sessions: close a tab or wait for idle ones to end"),
        ));
    }
    let id = app.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let (frames, _) = broadcast::channel(256);
    let (tx, rx) = std::sync::mpsc::channel();
    let healthy = app.healthy.clone();
    let sender = frames.clone();
    let seed = body.seed.unwrap_or(1);
    // Building the steady state takes a while: off the runtime.
    let state =
        tokio::task::spawn_blocking(move || session::start(id, preset, seed, healthy, sender, rx))
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
            .map_err(ApiError::bad)?;
    let handle = Arc::new(Handle {
        commands: Mutex::new(tx),
        frames,
        state,
        last_seen: Mutex::new(Instant::now()),
    });
    let snapshot = handle.snapshot();
    app.lock().insert(id, handle);
    Ok((StatusCode::CREATED, axum::Json(snapshot)).into_response())
}

async fn state_of(
    Extract(app): Extract<AppState>,
    SessionId(id): SessionId,
) -> Result<axum::Json<State>, ApiError> {
    Ok(axum::Json(app.get(id)?.snapshot()))
}

async fn remove(
    Extract(app): Extract<AppState>,
    SessionId(id): SessionId,
) -> Result<StatusCode, ApiError> {
    app.lock().remove(&id).ok_or(ApiError::no_session(id))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn stream(
    Extract(app): Extract<AppState>,
    SessionId(id): SessionId,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let handle = app.get(id)?;
    let frames = BroadcastStream::new(handle.frames.subscribe()).map(|m| {
        Ok(match m {
            Ok(json) => Event::default().event("frame").data(&*json),
            // A page too slow for the stream refetches the whole state.
            Err(BroadcastStreamRecvError::Lagged(n)) => {
                Event::default().event("lagged").data(n.to_string())
            }
        })
    });
    Ok(Sse::new(frames).keep_alive(KeepAlive::default()))
}

/// Sends `command` to session `id` and waits for it to be done; answers
/// the session's state after it, without its time courses.
async fn send(app: &AppState, id: u64, command: Command) -> Result<axum::Json<State>, ApiError> {
    let handle = app.get(id)?;
    let (reply, done) = oneshot::channel();
    let gone = || {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("session {id} has stopped: reload the page"),
        )
    };
    handle
        .commands
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send(Envelope { command, reply })
        .map_err(|_| gone())?;
    match tokio::time::timeout(COMMAND_TIMEOUT, done).await {
        // The page draws from the frames; the reply says what happened
        // without the time courses.
        Ok(Ok(Ok(()))) => Ok(axum::Json(State {
            full: false,
            history: Vec::new(),
            healthy_histogram: None,
            ..handle.snapshot()
        })),
        Ok(Ok(Err(message))) => Err(ApiError::bad(message)),
        Ok(Err(_)) => Err(gone()),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the session is busy: try again",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandBody {
    action: String,
    days: Option<u32>,
    speed: Option<f64>,
}

async fn command(
    Extract(app): Extract<AppState>,
    SessionId(id): SessionId,
    Json(body): Json<CommandBody>,
) -> Result<axum::Json<State>, ApiError> {
    let range = |field: &str, value: f64, low: f64, high: f64| ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "error": format!("{field} = {value} is out of range: expected [{low}, {high}]"),
            "field": field, "value": value, "valid": [low, high],
        }),
    };
    let command = match body.action.as_str() {
        "play" => Command::Play,
        "pause" => Command::Pause,
        "reset" => Command::Reset,
        "step" => {
            let days = body.days.unwrap_or(1);
            if !(1..=MAX_STEP_DAYS).contains(&days) {
                return Err(range("days", days as f64, 1.0, MAX_STEP_DAYS as f64));
            }
            Command::Step(days)
        }
        "speed" => {
            let speed = body.speed.ok_or_else(|| {
                ApiError::bad("action \"speed\" needs \"speed\" (simulated days per second)")
            })?;
            if !(0.1..=MAX_SPEED).contains(&speed) {
                return Err(range("speed", speed, 0.1, MAX_SPEED));
            }
            Command::Speed(speed)
        }
        other => {
            return Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                body: json!({
                    "error": format!("unknown action {other:?}"),
                    "field": "action", "value": other,
                    "valid": ["play", "pause", "step", "reset", "speed"],
                }),
            })
        }
    };
    send(&app, id, command).await
}

async fn controls(
    Extract(app): Extract<AppState>,
    SessionId(id): SessionId,
    Json(patch): Json<ControlsPatch>,
) -> Result<axum::Json<State>, ApiError> {
    patch.check().map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "error": e.to_string(), "field": e.field, "value": e.value,
            "valid": [e.low, e.high], "unit": e.unit,
        }),
    })?;
    send(&app, id, Command::Controls(patch)).await
}

async fn load(
    Extract(app): Extract<AppState>,
    SessionId(id): SessionId,
    Json(body): Json<LoadBody>,
) -> Result<axum::Json<State>, ApiError> {
    let preset = preset_of(&body)?;
    let seed = body.seed.unwrap_or(1);
    send(&app, id, Command::Load(preset, seed)).await
}
