//! One class member's run: a [`Simulation`] of the real model on its own
//! thread (never on the async runtime), driven by commands from the page
//! and publishing a frame after every simulated day.
//!
//! The thread owns the simulation; the server only sends it commands
//! (with a reply channel) and reads the latest [`State`], which the thread
//! keeps in a mutex, and the frames it broadcasts. Pacing: while playing,
//! one day is simulated every `1 / speed` seconds (or as fast as the
//! cores allow).

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use erythro_analysis::reference::{self, flag};
use erythro_core::Config;
use erythro_io::lineage::LineageRecord;
use erythro_runner::{Sample, Simulation};
use serde::Serialize;
use tokio::sync::{broadcast, oneshot};

use crate::controls::{self, Controls, ControlsPatch};
use crate::presets::{self, Preset, TEACHING_SCALE};

/// Most simulated days a session keeps (then it pauses): bounds its memory.
pub const MAX_DAYS: f64 = 1500.0;
/// Fastest play, simulated days per second.
pub const MAX_SPEED: f64 = 60.0;
/// Most days one step command may ask for.
pub const MAX_STEP_DAYS: u32 = 60;
/// Lineages followed at once; the most typical is drawn.
const COHORT: usize = 16;
/// Volume histogram range shown, fL.
const HIST_FL: (usize, usize) = (30, 160);

/// What the page asks a session to do.
#[derive(Clone, Debug)]
pub enum Command {
    /// Run, one day every `1 / speed` seconds.
    Play,
    /// Stop running.
    Pause,
    /// Simulate this many days now (paused).
    Step(u32),
    /// Back to the preset's steady state (same seed).
    Reset,
    /// Simulated days per second.
    Speed(f64),
    /// Move sliders.
    Controls(ControlsPatch),
    /// A new run of a preset with a seed.
    Load(&'static Preset, u64),
}

/// A command with the channel its outcome goes back on.
pub struct Envelope {
    /// The command.
    pub command: Command,
    /// `Err` carries a message for the page (a 4xx).
    pub reply: oneshot::Sender<Result<(), String>>,
}

/// One point of the time courses.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Point {
    /// Days since the steady state.
    pub day: f64,
    /// Hemoglobin, g/dL.
    pub hb_g_dl: f64,
    /// Mean cell volume, fL.
    pub mcv_fl: f64,
    /// Mean cell hemoglobin concentration, g/dL.
    pub mchc_g_dl: f64,
    /// Red-cell distribution width, %.
    pub rdw_cv_pct: f64,
    /// Serum ferritin, ug/L.
    pub ferritin_ug_l: f64,
    /// Transferrin saturation, %.
    pub tsat_pct: f64,
    /// Mean divisions of the reticulocytes released that day.
    pub mean_divisions: f64,
}

/// A monitor: one measure against its reference range.
#[derive(Clone, Debug, Serialize)]
pub struct Monitor {
    /// Output field name.
    pub field: &'static str,
    /// Label.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Value now.
    pub value: f64,
    /// Reference range.
    pub low: f64,
    /// Reference range.
    pub high: f64,
    /// `L`, `H` or empty.
    pub flag: &'static str,
}

/// The scale the session runs at, and how fast it goes.
#[derive(Clone, Debug, Serialize)]
pub struct ScaleInfo {
    /// Agent-count reduction against the config.
    pub reduction: f64,
    /// Real erythroblasts per marrow agent.
    pub cells_per_agent: f64,
    /// Marrow agents now.
    pub marrow_agents: usize,
    /// Circulating red-cell agents now.
    pub blood_agents: usize,
    /// Compute time of a simulated week, ms (mean over the last days run).
    pub ms_per_week: f64,
}

/// Everything the page shows of a session. `GET` returns it whole; each
/// frame is the same with only the new points in `history` (and the
/// lineage only when a new one finished).
#[derive(Clone, Debug, Serialize)]
pub struct State {
    /// Session id.
    pub session: u64,
    /// Changes on every new run (reset, preset, restart): the page then
    /// starts its time courses afresh.
    pub epoch: u64,
    /// Frame number.
    pub seq: u64,
    /// True for a whole state, false for a frame.
    pub full: bool,
    /// Preset id.
    pub preset: &'static str,
    /// Preset title.
    pub title: &'static str,
    /// Seed of the run.
    pub seed: u64,
    /// Days since the steady state.
    pub day: f64,
    /// Playing or paused.
    pub playing: bool,
    /// Simulated days per second.
    pub speed: f64,
    /// The sliders in force.
    pub controls: Controls,
    /// Agent counts and speed.
    pub scale: ScaleInfo,
    /// Time-course points (all, or the new ones).
    pub history: Vec<Point>,
    /// The blood count against its reference ranges.
    pub monitors: Vec<Monitor>,
    /// Volume histogram: lower edge of the first bin, fL (1 fL bins).
    pub histogram_lower_fl: f64,
    /// Volume histogram, fraction of cells per 1 fL bin.
    pub histogram: Vec<f64>,
    /// The healthy run's histogram (same sex, same scale), same bins.
    pub healthy_histogram: Option<Arc<Vec<f64>>>,
    /// The last lineage followed to its end, if any.
    pub lineage: Option<Arc<LineageRecord>>,
    /// Counts finished lineages, so the page redraws only a new tree.
    pub lineage_seq: u64,
    /// A note for the page (a restart, the day limit).
    pub message: String,
}

/// The healthy histograms, computed once per server.
#[derive(Default)]
pub struct Healthy {
    man: std::sync::OnceLock<Arc<Vec<f64>>>,
    woman: std::sync::OnceLock<Arc<Vec<f64>>>,
}

impl Healthy {
    /// The healthy volume histogram for `reference`, at the teaching scale.
    fn get(&self, reference: erythro_core::config::Reference) -> Option<Arc<Vec<f64>>> {
        use erythro_core::config::Reference::*;
        let (cell, id) = match reference {
            AdultMan => (&self.man, "healthy_man"),
            AdultWoman => (&self.woman, "healthy_woman"),
        };
        if let Some(h) = cell.get() {
            return Some(h.clone());
        }
        let config = presets::find(id)?.config(1).ok()?;
        let sim = Simulation::new(config).ok()?;
        Some(cell.get_or_init(|| Arc::new(histogram(&sim))).clone())
    }
}

fn histogram(sim: &Simulation) -> Vec<f64> {
    let h = erythro_analysis::histograms(&sim.red_cell_view()).volume;
    let first = ((HIST_FL.0 as f64 - h.lower) / h.bin_width) as usize;
    let last = ((HIST_FL.1 as f64 - h.lower) / h.bin_width) as usize;
    h.fraction[first.min(h.fraction.len())..last.min(h.fraction.len())].to_vec()
}

/// The thread side of a session.
struct Runner {
    sim: Simulation,
    preset: &'static Preset,
    seed: u64,
    state: State,
    shared: Arc<Mutex<State>>,
    frames: broadcast::Sender<Arc<str>>,
    healthy: Arc<Healthy>,
    /// Compute seconds of the recent days (exponential mean).
    seconds_per_day: f64,
    /// Points not yet published (the state's own `history` stays empty:
    /// the shared copy holds them all).
    pending: Vec<Point>,
}

/// Builds a session's first run and starts its thread; returns the state
/// it published. Blocking: call it off the async runtime.
pub fn start(
    id: u64,
    preset: &'static Preset,
    seed: u64,
    healthy: Arc<Healthy>,
    frames: broadcast::Sender<Arc<str>>,
    commands: Receiver<Envelope>,
) -> Result<Arc<Mutex<State>>, String> {
    let config = preset.config(seed).map_err(|e| e.to_string())?;
    let sim = Simulation::new(config).map_err(|e| e.to_string())?;
    let state = blank_state(id, preset, seed, &sim, &healthy);
    let shared = Arc::new(Mutex::new(state.clone()));
    let mut runner = Runner {
        sim,
        preset,
        seed,
        state,
        shared: shared.clone(),
        frames,
        healthy,
        seconds_per_day: 0.0,
        pending: Vec::new(),
    };
    runner.begin(String::new());
    std::thread::Builder::new()
        .name(format!("teach-session-{id}"))
        .spawn(move || runner.serve(commands))
        .map_err(|e| format!("cannot start the session's thread: {e}"))?;
    Ok(shared)
}

fn blank_state(
    id: u64,
    preset: &'static Preset,
    seed: u64,
    sim: &Simulation,
    healthy: &Healthy,
) -> State {
    State {
        session: id,
        epoch: 0,
        seq: 0,
        full: true,
        preset: preset.id,
        title: preset.title,
        seed,
        day: 0.0,
        playing: false,
        speed: 10.0,
        controls: controls::in_force_at(sim.config(), 0.0),
        scale: ScaleInfo {
            reduction: TEACHING_SCALE,
            cells_per_agent: sim.config().scale.cells_per_agent,
            marrow_agents: 0,
            blood_agents: 0,
            ms_per_week: 0.0,
        },
        history: Vec::new(),
        monitors: Vec::new(),
        histogram_lower_fl: HIST_FL.0 as f64,
        histogram: Vec::new(),
        healthy_histogram: healthy.get(sim.config().run.reference),
        lineage: None,
        lineage_seq: 0,
        message: String::new(),
    }
}

impl Runner {
    fn serve(mut self, commands: Receiver<Envelope>) {
        let mut next_day = Instant::now();
        loop {
            let wait = if self.state.playing {
                next_day.saturating_duration_since(Instant::now())
            } else {
                Duration::from_secs(3600)
            };
            match commands.recv_timeout(wait) {
                Ok(env) => {
                    let was_playing = self.state.playing;
                    let outcome = self.handle(env.command);
                    if self.state.playing && !was_playing {
                        next_day = Instant::now();
                    }
                    let _ = env.reply.send(outcome);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.state.playing {
                        self.advance_day();
                        self.publish();
                        let period = Duration::from_secs_f64(1.0 / self.state.speed);
                        next_day = (next_day + period).max(Instant::now());
                    }
                }
                // The server dropped the session.
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn handle(&mut self, command: Command) -> Result<(), String> {
        match command {
            Command::Play => {
                self.state.playing = self.sim.day() < MAX_DAYS;
                self.publish();
            }
            Command::Pause => {
                self.state.playing = false;
                self.publish();
            }
            Command::Step(days) => {
                self.state.playing = false;
                for _ in 0..days {
                    self.advance_day();
                }
                self.publish();
            }
            Command::Speed(speed) => {
                self.state.speed = speed;
                self.publish();
            }
            Command::Reset => {
                let config = self.preset.config(self.seed).map_err(|e| e.to_string())?;
                self.restart(config, String::new())?;
            }
            Command::Load(preset, seed) => {
                let config = preset.config(seed).map_err(|e| e.to_string())?;
                self.preset = preset;
                self.seed = seed;
                self.restart(config, String::new())?;
            }
            Command::Controls(patch) => self.controls(patch)?,
        }
        Ok(())
    }

    /// Body sliders act from the next step; marrow sliders need a new
    /// steady state, into which the body sliders are carried.
    fn controls(&mut self, patch: ControlsPatch) -> Result<(), String> {
        let now = controls::in_force_at(self.sim.config(), self.sim.day());
        if patch.restarts(&now) {
            let mut config = self.sim.config().clone();
            config.events = self
                .preset
                .config(self.seed)
                .map_err(|e| e.to_string())?
                .events;
            controls::apply_marrow(&mut config, &patch);
            let mut live = controls::live_patch(&now);
            for (slot, given) in [
                (&mut live.diet_fe_mg_per_day, patch.diet_fe_mg_per_day),
                (&mut live.bleeding_ml_per_day, patch.bleeding_ml_per_day),
                (&mut live.il6_pg_ml, patch.il6_pg_ml),
                (&mut live.lead_ug_dl, patch.lead_ug_dl),
            ] {
                if given.is_some() {
                    *slot = given;
                }
            }
            controls::apply_live(&mut config.events, &live, 0.0);
            config.validate().map_err(|e| e.to_string())?;
            let playing = self.state.playing;
            self.restart(
                config,
                "A marrow change (globin output, division rule): the run restarted from the new steady state, with the body sliders as they were.".into(),
            )?;
            self.state.playing = playing;
        } else {
            let mut events = self.sim.config().events.clone();
            controls::apply_live(&mut events, &patch, self.sim.day());
            self.sim.set_events(events).map_err(|e| e.to_string())?;
            self.state.controls = controls::in_force_at(self.sim.config(), self.sim.day());
        }
        self.publish();
        Ok(())
    }

    /// A new run of `config` from its steady state.
    fn restart(&mut self, config: Config, message: String) -> Result<(), String> {
        let sim = Simulation::new(config).map_err(|e| e.to_string())?;
        self.sim = sim;
        self.pending.clear();
        self.seconds_per_day = 0.0;
        let epoch = self.state.epoch + 1;
        let speed = self.state.speed;
        let seq = self.state.seq;
        self.state = blank_state(
            self.state.session,
            self.preset,
            self.seed,
            &self.sim,
            &self.healthy,
        );
        self.state.epoch = epoch;
        self.state.speed = speed;
        self.state.seq = seq;
        self.begin(message);
        Ok(())
    }

    /// Samples day 0, starts following lineages and publishes a whole state.
    fn begin(&mut self, message: String) {
        self.state.message = message;
        self.sim.watch_lineages(0.0, COHORT);
        if let Ok(sample) = self.sim.sample() {
            self.record(&sample);
        }
        self.publish();
    }

    fn advance_day(&mut self) {
        if self.sim.day() >= MAX_DAYS {
            self.state.playing = false;
            self.state.message =
                format!("The run has reached day {MAX_DAYS}: reset or load a preset to go on.");
            return;
        }
        let started = Instant::now();
        let steps = (24.0 / self.sim.config().run.dt_hours).round() as u64;
        for _ in 0..steps {
            self.sim.step();
        }
        match self.sim.sample() {
            Ok(sample) => self.record(&sample),
            Err(e) => {
                self.state.playing = false;
                self.state.message = format!("The blood cannot be measured: {e}");
            }
        }
        let secs = started.elapsed().as_secs_f64();
        self.seconds_per_day = if self.seconds_per_day == 0.0 {
            secs
        } else {
            0.8 * self.seconds_per_day + 0.2 * secs
        };
        self.follow_lineages();
    }

    /// When the followed lineages have all left the marrow, keeps the
    /// most typical one and follows a new cohort from today.
    fn follow_lineages(&mut self) {
        let Some(watch) = self.sim.lineage_watch() else {
            return;
        };
        if !watch.is_complete() {
            return;
        }
        if let Some(record) = LineageRecord::from_watch(self.preset.title, self.sim.config(), watch)
        {
            self.state.lineage = Some(Arc::new(record));
            self.state.lineage_seq += 1;
        }
        let day = self.sim.day();
        self.sim.watch_lineages(day, COHORT);
    }

    fn record(&mut self, s: &Sample) {
        let body = s.plasma.body.unwrap_or_default();
        self.pending.push(Point {
            day: s.day,
            hb_g_dl: s.cbc.hb_g_dl,
            mcv_fl: s.cbc.mcv_fl,
            mchc_g_dl: s.cbc.mchc_g_dl,
            rdw_cv_pct: s.cbc.rdw_cv_pct,
            ferritin_ug_l: body.ferritin_ug_l,
            tsat_pct: s.plasma.tsat_pct,
            mean_divisions: s.marrow.mean_divisions,
        });
        let fields: Vec<(&str, f64)> = s.fields();
        let wanted = [
            "hb_g_dl",
            "mcv_fl",
            "mchc_g_dl",
            "rdw_cv_pct",
            "rbc_1e12_per_l",
            "mch_pg",
            "retic_pct",
            "ferritin_ug_l",
            "tsat_pct",
            "zpp_umol_per_mol_heme",
        ];
        let ranges = reference::ranges(self.sim.config().run.reference);
        self.state.monitors = wanted
            .iter()
            .filter_map(|w| {
                let r = ranges.iter().find(|r| r.field == *w)?;
                let value = fields.iter().find(|(n, _)| n == w)?.1;
                Some(Monitor {
                    field: r.field,
                    label: r.label,
                    unit: r.unit,
                    value,
                    low: r.low,
                    high: r.high,
                    flag: flag(r, value),
                })
            })
            .collect();
        self.state.histogram = histogram(&self.sim);
        self.state.day = s.day;
        self.state.controls = controls::in_force_at(self.sim.config(), s.day);
    }

    /// Updates the shared state and broadcasts a frame of what changed.
    fn publish(&mut self) {
        self.state.seq += 1;
        self.state.scale.marrow_agents = self.sim.marrow().len();
        self.state.scale.blood_agents = self.sim.blood().len();
        self.state.scale.ms_per_week = self.seconds_per_day * 7.0 * 1e3;
        let points = std::mem::take(&mut self.pending);
        let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        let new_epoch = shared.epoch != self.state.epoch;
        let new_lineage = new_epoch || shared.lineage_seq != self.state.lineage_seq;
        let mut history = if new_epoch {
            Vec::new()
        } else {
            std::mem::take(&mut shared.history)
        };
        history.extend_from_slice(&points);
        *shared = State {
            history,
            ..self.state.clone()
        };
        drop(shared);
        let frame = State {
            full: false,
            history: points,
            healthy_histogram: None,
            lineage: self.state.lineage.clone().filter(|_| new_lineage),
            ..self.state.clone()
        };
        if let Ok(json) = serde_json::to_string(&frame) {
            // No receiver (no page listening) is not an error.
            let _ = self.frames.send(json.into());
        }
    }
}

/// A session's command channel.
pub type Commands = Sender<Envelope>;
