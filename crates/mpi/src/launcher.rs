//! What the launcher says: the number of processes an `mpirun`, `mpiexec`
//! or `srun` started, read from the environment it gives each process, and
//! the check that the MPI library sees the same world.

use anyhow::{bail, Result};

/// The variables that give the number of processes a launcher started, by
/// launcher: OpenMPI's `mpirun`, the PMI launchers (MPICH and Intel MPI's
/// Hydra, `srun --mpi=pmi2`), MVAPICH2.
const SIZE_VARIABLES: [&str; 3] = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"];

/// The number of processes the launcher started and the variable that says
/// so, or `None` when no launcher started this process (`env` reads a
/// variable: `std::env::var`). `srun --mpi=pmix` sets no size of its own:
/// with `PMIX_RANK` set, the step's `SLURM_STEP_NUM_TASKS` is the size.
/// SLURM's other counts (`SLURM_NTASKS`) are not read: a batch script's
/// single commands run under them too.
pub fn launched(env: impl Fn(&str) -> Option<String>) -> Option<(usize, &'static str)> {
    let read = |name: &'static str| {
        env(name)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .map(|n| (n, name))
    };
    SIZE_VARIABLES
        .into_iter()
        .find_map(read)
        .or_else(|| env("PMIX_RANK").and_then(|_| read("SLURM_STEP_NUM_TASKS")))
}

/// Checks the world of `world` processes the MPI library sees against what
/// the launcher said: a launcher of another MPI starts N processes that
/// each see a world of one, and would run N copies of the same work.
pub fn check(launched: Option<(usize, &'static str)>, world: usize) -> Result<()> {
    match launched {
        Some((n, var)) if n != world => bail!(
            "the launcher started {n} processes ({var}={n}) but the MPI library erythro was \
             built with sees {world}: this mpirun or mpiexec belongs to another MPI, and \
             erythro stops rather than run {n} copies of the same work. Launch it with the \
             mpirun of the MPI erythro was built with (the one `mpirun --version` names where \
             libopenmpi-dev is installed)"
        ),
        _ => Ok(()),
    }
}

/// For a binary built without MPI: an error when a launcher started it as
/// one of several processes, which would each run the whole work.
pub fn refuse_without_mpi(launched: Option<(usize, &'static str)>) -> Result<()> {
    match launched {
        Some((n, var)) if n > 1 => bail!(
            "the launcher started {n} processes ({var}={n}) but this erythro was built without \
             MPI, so each would run the whole work: build it with `cargo build --release \
             --features mpi` (needs libopenmpi-dev and libclang-dev), or run it without mpirun"
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn launchers_are_recognised_by_their_variables() {
        assert_eq!(launched(env(&[])), None);
        assert_eq!(
            launched(env(&[("OMPI_COMM_WORLD_SIZE", "3")])),
            Some((3, "OMPI_COMM_WORLD_SIZE"))
        );
        assert_eq!(launched(env(&[("PMI_SIZE", "8")])), Some((8, "PMI_SIZE")));
        assert_eq!(
            launched(env(&[("PMIX_RANK", "0"), ("SLURM_STEP_NUM_TASKS", "4")])),
            Some((4, "SLURM_STEP_NUM_TASKS"))
        );
        // A batch script's own commands: SLURM counts alone are no launcher.
        assert_eq!(launched(env(&[("SLURM_NTASKS", "16")])), None);
        assert_eq!(launched(env(&[("SLURM_STEP_NUM_TASKS", "4")])), None);
    }

    #[test]
    fn a_mismatched_launcher_is_refused() {
        assert!(check(None, 1).is_ok());
        assert!(check(Some((2, "PMI_SIZE")), 2).is_ok());
        let e = check(Some((4, "PMI_SIZE")), 1).unwrap_err().to_string();
        assert!(e.contains("PMI_SIZE=4") && e.contains("sees 1"), "{e}");
        assert!(refuse_without_mpi(None).is_ok());
        assert!(refuse_without_mpi(Some((1, "OMPI_COMM_WORLD_SIZE"))).is_ok());
        let e = refuse_without_mpi(Some((3, "OMPI_COMM_WORLD_SIZE")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("built without MPI"), "{e}");
    }
}
