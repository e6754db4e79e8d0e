//! The MPI world the binary was started in, if any: with the `mpi`
//! feature, MPI is initialised when a launcher started this process (and
//! its world checked against the launcher's); without it, a launcher that
//! started several processes is refused, since each would run the whole
//! work. Without a launcher erythro is one process either way.

use anyhow::Result;

/// The MPI world, when a launcher started this process.
#[cfg(feature = "mpi")]
pub type World = Option<erythro_mpi::Mpi>;

/// No MPI in this build.
#[cfg(not(feature = "mpi"))]
pub type World = ();

/// Starts MPI if a launcher started this process (see the module docs).
#[cfg(feature = "mpi")]
pub fn init() -> Result<World> {
    erythro_mpi::Mpi::init()
}

/// Refuses a launcher that started several copies of this MPI-less build.
#[cfg(not(feature = "mpi"))]
pub fn init() -> Result<World> {
    erythro_mpi::launcher::refuse_without_mpi(erythro_mpi::launcher::launched(|name| {
        std::env::var(name).ok()
    }))
}

/// The world when it has more than one rank: the work is to be shared.
#[cfg(feature = "mpi")]
pub fn ranks(world: &World) -> Option<&erythro_mpi::Mpi> {
    world.as_ref().filter(|m| m.size() > 1)
}

/// Refuses to run `command` on several ranks: only `run` and `sweep` share
/// their work; the others would run once per rank.
pub fn single(world: &World, command: &str) -> Result<()> {
    #[cfg(feature = "mpi")]
    if let Some(m) = ranks(world) {
        anyhow::bail!(
            "`erythro {command}` does not share its work across MPI ranks and would run {} \
             times: run it without mpirun (only `run` and `sweep` are split across ranks)",
            m.size()
        );
    }
    let _ = (world, command);
    Ok(())
}
