//! Instruction counts of the hot loops under Callgrind (gungraun), for the
//! CI regression gate (`.ci/instructions.sh`, baseline in
//! `benches/instructions-baseline.csv`).
//!
//! Wall time on the shared 2-core VMs varies 10-25% from run to run; the
//! number of instructions executed does not, so a 2% rise is a real change
//! of the code, not noise. `benches/marrow.rs` (criterion) stays for wall
//! time.
//!
//! - `marrow_step`: one marrow step alone (`Simulation::step_marrow_only`);
//! - `blood_step`: one circulation step alone (`Simulation::step_blood_only`);
//! - `day`: one whole simulated day, 24 steps (`Simulation::step`),
//!
//! each from the steady state of the default config at 8e6 cells per agent
//! (about 1.1e5 erythroblast and 1.5e5 red-cell agents), built in the setup.
//!
//! What is counted, and why it is repeatable:
//!
//! - The setup runs with Callgrind's instrumentation off
//!   (`--instr-atstart=no`, so it costs little under Valgrind); the
//!   benchmark switches it on just around the counted call
//!   ([`callgrind::start_instrumentation`]) and off after it.
//! - On the calling thread everything inside the `counted::*` functions is
//!   counted (the whole step: entries, the reduction, births and departures
//!   applied, the plasma).
//! - On the rayon worker threads only the kernels are counted
//!   (`--toggle-collect` on `erythro_core::marrow::kernel::advance` and
//!   `erythro_core::circulation::advance`), so how the pool schedules,
//!   steals and spins does not leak into the count; each chunk's work is the
//!   same whichever thread runs it. Callgrind counts each thread apart
//!   (`--separate-threads=yes`, gungraun's default) and gungraun's total is
//!   their sum. The calling thread never runs a kernel itself (`rayon::join`
//!   from outside the pool hands the whole join to the workers), which
//!   matters because a toggle on a function nested in another toggled one
//!   switches collection off. That is used on purpose for the calling
//!   thread's hand-off to the pool (`rayon_core::registry::Registry::inject`,
//!   which wakes however many workers are asleep) and its wait for the
//!   result (`rayon_core::latch::LockLatch::wait_and_reset`, whose mutex
//!   spins a varying number of times): with both off, two runs give the
//!   same count to the instruction.
//! - The pool has two threads, whatever the machine.
//!
//! Run with `bash .ci/instructions.sh` (needs `valgrind` and
//! `gungraun-runner` at the version of the `gungraun` dev-dependency).

use std::hint::black_box;

use erythro_core::Config;
use erythro_runner::{parallel, Simulation};
use gungraun::{
    library_benchmark, library_benchmark_group, main, Callgrind, EntryPoint, LibraryBenchmarkConfig,
};

/// Cells per agent of the benchmark populations: about 1.1e5 erythroblast
/// and 1.5e5 red-cell agents, large enough for several chunks of each,
/// small enough for Callgrind to count a whole day in seconds.
const CELLS_PER_AGENT: f64 = 8.0e6;

/// The rayon pool's size: fixed, so the count does not depend on the
/// machine's core count.
const THREADS: usize = 2;

/// The steady state of the default config at [`CELLS_PER_AGENT`], on a pool
/// of [`THREADS`] threads (built once per process: gungraun runs each
/// benchmark in its own).
fn steady_state() -> Simulation {
    // Each benchmark runs in a fresh process, so the global pool is not yet
    // built; if it were (another setup first), it would be this one.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build_global();
    let mut config = Config::default();
    config.scale.cells_per_agent = CELLS_PER_AGENT;
    let sim = Simulation::tiled(config, 1).expect("valid config");
    // One chunk would run on the calling thread, inside a counted
    // function, where the kernel's toggle would switch collection off.
    assert!(
        sim.marrow().len() > parallel::CHUNK && sim.blood().len() > parallel::CHUNK,
        "benchmark populations must span several chunks"
    );
    sim
}

/// The functions whose every instruction on the calling thread is counted
/// (`--toggle-collect=instructions::counted::*`); never inlined, so
/// Callgrind sees them entered and left.
mod counted {
    use erythro_runner::Simulation;

    /// One marrow step at the current plasma state.
    #[inline(never)]
    pub fn marrow_step(sim: &mut Simulation) {
        sim.step_marrow_only();
    }

    /// One circulation step.
    #[inline(never)]
    pub fn blood_step(sim: &mut Simulation) {
        sim.step_blood_only();
    }

    /// One simulated day: 24 whole steps.
    #[inline(never)]
    pub fn day(sim: &mut Simulation) {
        for _ in 0..24 {
            sim.step();
        }
    }
}

/// Callgrind's client requests (`valgrind/callgrind.h`), issued with
/// Valgrind's special instruction sequence for x86_64
/// (`valgrind/valgrind.h`, `VALGRIND_DO_CLIENT_REQUEST_EXPR`). Written out
/// here because gungraun's own client requests (its `client_requests`
/// feature, the valgrind-requests crate) run bindgen at build time, which
/// needs libclang, and `cargo clippy --all-targets` builds this file on a
/// fresh CI machine before anything installs it. Outside Valgrind the
/// sequence does nothing.
mod callgrind {
    /// `VG_USERREQ_TOOL_BASE('C', 'T')`.
    const BASE: u64 = ((b'C' as u64) << 24) | ((b'T' as u64) << 16);
    /// `VG_USERREQ__START_INSTRUMENTATION`.
    const START_INSTRUMENTATION: u64 = BASE + 4;
    /// `VG_USERREQ__STOP_INSTRUMENTATION`.
    const STOP_INSTRUMENTATION: u64 = BASE + 5;

    /// Switches instrumentation on for every thread (`--instr-atstart=no`
    /// left it off through the setup).
    pub fn start_instrumentation() {
        request(START_INSTRUMENTATION);
    }

    /// Switches instrumentation off for every thread.
    pub fn stop_instrumentation() {
        request(STOP_INSTRUMENTATION);
    }

    #[cfg(target_arch = "x86_64")]
    fn request(code: u64) {
        let args: [u64; 6] = [code, 0, 0, 0, 0, 0];
        let result: u64;
        // SAFETY: the four rotations of rdi add up to 128 bits, so rdi is
        // unchanged, and `xchg rbx, rbx` changes nothing; natively the
        // sequence only sets the flags. Under Valgrind it reads `args`
        // (alive across the asm) and writes its answer to rdx.
        unsafe {
            std::arch::asm!(
                "rol rdi, 3",
                "rol rdi, 13",
                "rol rdi, 61",
                "rol rdi, 51",
                "xchg rbx, rbx",
                in("rax") args.as_ptr(),
                inout("rdx") 0u64 => result,
            );
        }
        std::hint::black_box(result);
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn request(_code: u64) {
        // No client request here: the setup would be counted too, so the
        // gate script refuses to run off x86_64.
    }
}

#[library_benchmark]
#[bench::steady(setup = steady_state)]
fn marrow_step(mut sim: Simulation) -> Simulation {
    callgrind::start_instrumentation();
    counted::marrow_step(black_box(&mut sim));
    callgrind::stop_instrumentation();
    sim
}

#[library_benchmark]
#[bench::steady(setup = steady_state)]
fn blood_step(mut sim: Simulation) -> Simulation {
    callgrind::start_instrumentation();
    counted::blood_step(black_box(&mut sim));
    callgrind::stop_instrumentation();
    sim
}

#[library_benchmark]
#[bench::steady(setup = steady_state)]
fn day(mut sim: Simulation) -> Simulation {
    callgrind::start_instrumentation();
    counted::day(black_box(&mut sim));
    callgrind::stop_instrumentation();
    sim
}

library_benchmark_group!(name = steps, benchmarks = [marrow_step, blood_step, day]);

main!(
    config = LibraryBenchmarkConfig::default().tool(
        Callgrind::with_args([
            // Only instructions are compared: no cache simulation (faster).
            "--cache-sim=no",
            "--instr-atstart=no",
            "--collect-atstart=no",
            "--toggle-collect=instructions::counted::*",
            "--toggle-collect=erythro_core::marrow::kernel::advance",
            "--toggle-collect=erythro_core::circulation::advance",
            // Nested in `counted::*`, so collection is off while the calling
            // thread hands a join to the pool and waits for it: how many
            // sleeping workers it wakes and how long the latch's mutex
            // spins vary from run to run (up to some 800 instructions a
            // step).
            "--toggle-collect=rayon_core::registry::Registry::inject",
            "--toggle-collect=rayon_core::latch::LockLatch::wait_and_reset",
        ])
        .entry_point(EntryPoint::None)
    );
    library_benchmark_groups = steps
);
