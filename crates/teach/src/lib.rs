//! # erythro-teach: a live classroom for the erythro model
//!
//! `erythro teach` serves one page on 127.0.0.1 where students pick a
//! condition, move sliders (dietary iron, blood loss, IL-6, blood lead,
//! globin output, the division rule) and watch the real model answer: the
//! red-cell volume histogram against the healthy one, the blood count
//! against its reference ranges, time courses and a lineage tree drawn
//! from the running simulation.
//!
//! Design:
//! - One [`session`] per browser tab (two in compare mode), each a
//!   [`erythro_runner::Simulation`] on its own OS thread, never on the
//!   async runtime: a simulated day takes tens of milliseconds of both
//!   cores, which would stall every other request. At most
//!   [`api::MAX_SESSIONS`] sessions at once, each bounded to
//!   [`session::MAX_DAYS`] days of history; idle ones are dropped.
//! - The page gets every sample as it is made through server-sent events
//!   (one-way, plain HTTP, reconnects by itself: simpler than websockets
//!   for a stream that only goes to the page); commands go back as small
//!   JSON posts, answered once the session has acted on them.
//! - Every asset (HTML, JS, CSS, uPlot) is compiled into the binary
//!   ([`assets`]): the page needs no network.
//! - The presets are the condition configs of `configs/conditions/`,
//!   embedded ([`presets`]), run at [`presets::TEACHING_SCALE`] times fewer
//!   agents so a simulated week takes well under a second on two cores.
//! - Bad input gets a 4xx with a JSON message naming the field, the value
//!   and the valid range; nothing a request sends can panic the server.
#![deny(missing_docs)]

pub mod api;
pub mod assets;
pub mod controls;
pub mod presets;
pub mod session;

use std::net::{Ipv4Addr, SocketAddr};

pub use api::{router, AppState};

/// Errors of the server itself (requests get [`api::ApiError`]s).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runtime or the socket could not be set up.
    #[error("cannot serve on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any free one).
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// Serves the page on 127.0.0.1:`port` (0: a free port the system picks)
/// until the process ends; `on_ready` is told the address once the socket
/// listens.
pub fn serve(
    port: u16,
    on_ready: impl FnOnce(SocketAddr) -> std::io::Result<()>,
) -> Result<(), Error> {
    let bind = |source| Error::Bind { port, source };
    // Two workers: the requests are small; the simulations run on their
    // own threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(bind)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let state = AppState::new();
        state.spawn_reaper();
        on_ready(addr).map_err(Error::Serve)?;
        axum::serve(listener, router(state))
            .await
            .map_err(Error::Serve)
    })
}
