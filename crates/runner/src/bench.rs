//! Measuring the hot loop against the machine: the marrow kernel's
//! throughput and the memory bandwidth a STREAM-style triad reaches on the
//! same rayon pool, so their ratio (the roofline fraction) is measured in
//! one run on one machine state.

use std::time::Instant;

use erythro_core::marrow::{ERYTHROBLAST_BYTES, ERYTHROBLAST_TRAFFIC_BYTES};
use rayon::prelude::*;

use crate::Simulation;

/// Elements per triad chunk handed to a thread.
const TRIAD_CHUNK: usize = 1 << 16;

/// The bandwidth a triad `a[i] = b[i] + s * c[i]` reaches.
#[derive(Clone, Copy, Debug)]
pub struct Triad {
    /// Size of each of the three f64 arrays, MiB.
    pub array_mib: f64,
    /// Best bandwidth over the repeats, bytes/s, counting 24 bytes per
    /// element as STREAM does (write-allocate traffic not counted).
    pub bytes_per_s: f64,
}

/// Runs the triad on three arrays of `elements` f64 on the current rayon
/// pool, `repeats` times, and keeps the best.
pub fn triad(elements: usize, repeats: usize) -> Triad {
    let mut a = vec![0.0f64; elements];
    let mut b = vec![0.0f64; elements];
    let mut c = vec![0.0f64; elements];
    // First touch in parallel, so pages are spread like the kernel's.
    b.par_chunks_mut(TRIAD_CHUNK).for_each(|x| x.fill(1.0));
    c.par_chunks_mut(TRIAD_CHUNK).for_each(|x| x.fill(2.0));
    a.par_chunks_mut(TRIAD_CHUNK).for_each(|x| x.fill(0.0));
    let scalar = 3.0;
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let start = Instant::now();
        a.par_chunks_mut(TRIAD_CHUNK)
            .zip(b.par_chunks(TRIAD_CHUNK))
            .zip(c.par_chunks(TRIAD_CHUNK))
            .for_each(|((a, b), c)| {
                for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
                    *a = b + scalar * c;
                }
            });
        best = best.min(start.elapsed().as_secs_f64());
    }
    // Keep the result observable so the loop cannot be optimised away.
    assert!(a[elements / 2] == 7.0, "triad computed a wrong value");
    Triad {
        array_mib: (elements * 8) as f64 / (1 << 20) as f64,
        bytes_per_s: 24.0 * elements as f64 / best,
    }
}

/// The marrow kernel's measured speed.
#[derive(Clone, Copy, Debug)]
pub struct KernelSpeed {
    /// Mean erythroblast agents over the measured steps.
    pub agents: f64,
    /// Steps (hours) measured.
    pub steps: u64,
    /// Wall time, s.
    pub seconds: f64,
    /// Erythroblast-hours simulated per second (one step is one hour).
    pub agent_steps_per_s: f64,
    /// Bytes of state per erythroblast agent.
    pub bytes_per_agent: usize,
    /// Bytes a step moves per agent (every field read, every mutable field written).
    pub traffic_bytes_per_agent_step: usize,
    /// The kernel's effective traffic, bytes/s.
    pub bytes_per_s: f64,
}

/// Steps the marrow alone `steps` times at its current plasma state.
pub fn marrow_kernel(sim: &mut Simulation, steps: u64) -> KernelSpeed {
    let mut agent_steps = 0.0;
    let start = Instant::now();
    for _ in 0..steps {
        agent_steps += sim.marrow().len() as f64;
        sim.step_marrow_only();
    }
    let seconds = start.elapsed().as_secs_f64();
    let rate = agent_steps / seconds;
    KernelSpeed {
        agents: agent_steps / steps as f64,
        steps,
        seconds,
        agent_steps_per_s: rate,
        bytes_per_agent: ERYTHROBLAST_BYTES,
        traffic_bytes_per_agent_step: ERYTHROBLAST_TRAFFIC_BYTES,
        bytes_per_s: rate * ERYTHROBLAST_TRAFFIC_BYTES as f64,
    }
}
