//! The messages of a sweep over MPI ranks, as bytes: rank 0 hands out a
//! run ([`Job`]), a worker sends back the files of its directory and, when
//! it failed, why ([`Done`]). Plain little-endian fields, so the format
//! needs no MPI datatype and is tested without an MPI library.

use anyhow::{bail, ensure, Context, Result};
use erythro_sweep::{RunFiles, RunId};

/// What rank 0 answers a request with: a run to do, or that there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Run this one and send its [`Done`].
    Run(RunId),
    /// No more runs (or the sweep stopped): the worker ends.
    Stop,
}

impl Job {
    /// As two integers (`[-1, -1]` for [`Job::Stop`]).
    pub fn to_words(self) -> [i64; 2] {
        match self {
            Job::Run(r) => [r.point as i64, r.replicate as i64],
            Job::Stop => [-1, -1],
        }
    }

    /// From [`Job::to_words`].
    pub fn from_words(w: [i64; 2]) -> Self {
        match w {
            [p, r] if p >= 0 && r >= 0 => Job::Run(RunId {
                point: p as usize,
                replicate: r as u32,
            }),
            _ => Job::Stop,
        }
    }
}

/// A run a worker has done: its directory's files, why it failed if it
/// did, and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Done {
    /// The run.
    pub run: RunId,
    /// Its directory's files (`erythro_sweep::run_files`).
    pub files: RunFiles,
    /// Why it failed, if it did.
    pub failed: Option<String>,
    /// Seconds it took on the worker.
    pub seconds: f64,
}

fn put(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

impl Done {
    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(self.run.point as u64).to_le_bytes());
        out.extend_from_slice(&self.run.replicate.to_le_bytes());
        out.extend_from_slice(&self.seconds.to_le_bytes());
        out.push(self.failed.is_some() as u8);
        put(&mut out, self.failed.as_deref().unwrap_or_default());
        out.extend_from_slice(&(self.files.len() as u64).to_le_bytes());
        for (name, contents) in &self.files {
            put(&mut out, name);
            put(&mut out, contents);
        }
        out
    }

    /// The message of `bytes`, checked: a truncated or garbled message is
    /// an error, not a half-written run.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader { bytes, at: 0 };
        let point = r.u64()? as usize;
        let replicate = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"));
        let seconds = f64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
        let failed = r.take(1)?[0] == 1;
        let reason = r.text()?;
        let count = r.u64()? as usize;
        let mut files = Vec::new();
        for _ in 0..count {
            let name = r.text()?;
            let contents = r.text()?;
            files.push((name, contents));
        }
        if r.at != bytes.len() {
            bail!(
                "a worker's message has {} bytes too many",
                bytes.len() - r.at
            );
        }
        Ok(Self {
            run: RunId { point, replicate },
            files,
            failed: failed.then_some(reason),
            seconds,
        })
    }
}

/// Reads a message's fields in order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        ensure!(
            self.bytes.len() - self.at >= n,
            "a worker's message is cut short"
        );
        self.at += n;
        Ok(&self.bytes[self.at - n..self.at])
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn text(&mut self) -> Result<String> {
        let n = self.u64()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).context("a worker's message is not text")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_and_results_survive_their_bytes() {
        let run = RunId {
            point: 12,
            replicate: 3,
        };
        assert_eq!(Job::from_words(Job::Run(run).to_words()), Job::Run(run));
        assert_eq!(Job::from_words(Job::Stop.to_words()), Job::Stop);
        for failed in [None, Some("plasma.tsat = 1.5 is out of range".to_string())] {
            let done = Done {
                run,
                files: vec![
                    ("config.ron".into(), "(run: ())\n".into()),
                    ("summary.json".into(), "{\"é\": 1}\n".into()),
                ],
                failed,
                seconds: 1.25,
            };
            let bytes = done.encode();
            assert_eq!(Done::decode(&bytes).unwrap(), done);
            assert!(Done::decode(&bytes[..bytes.len() - 1]).is_err());
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(Done::decode(&longer).is_err());
        }
    }
}
