//! Nothing is allocated in the per-step hot path once the population is at
//! its steady state: a counting global allocator proves it.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use erythro_core::Config;
use erythro_runner::Simulation;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: defers every call to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn steps_allocate_nothing_at_steady_state() {
    // Two threads, so rayon's work splitting is in the path too.
    common::pool(2).install(|| {
        let mut sim = Simulation::new(common::small(Config::default())).unwrap();
        // Warm up: scratch buffers grow to their working size.
        for _ in 0..48 {
            sim.step();
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..72 {
            sim.step();
        }
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(during, 0, "{during} allocations in 72 steady-state steps");
    });
}
