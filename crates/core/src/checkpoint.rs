//! The checkpoint file: everything a run needs to go on after a reload or a crash, as one
//! binary blob (kept in IndexedDB by the worker, or on disk by the CLI).
//!
//! Layout, all integers little-endian:
//!
//! ```text
//! "ICLCKPT1" | u64 header length | header JSON | u64 run length | run JSON (RunResult)
//!            | weights: f32 × Σ prod(shape) | optimizer state (burn's burnpack bytes)
//! ```
//!
//! The header lists the parameters in the model's visiting order, each with its burn
//! `ParamId` (the optimizer's state is keyed by it) and shape. The run JSON is the record
//! so far (losses, evaluations), so the checkpoint alone restores what the charts show.
//! Only the burn side (`icl_train::checkpoint`) turns this into a model; decoding here is
//! pure and never panics on a corrupt blob (fuzzed in `tests/fuzz_decoders.rs`).

use crate::schema::RunResult;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"ICLCKPT1";
const FORMAT: u32 = 1;

/// One parameter tensor: burn's id for it and its shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamMeta {
    pub id: u64,
    pub shape: Vec<usize>,
}

impl ParamMeta {
    /// Number of values, or None if the shape overflows.
    pub fn len(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: u32,
    step: usize,
    params: Vec<ParamMeta>,
    optimizer_bytes: usize,
}

/// A run's saved state after `step` steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub step: usize,
    /// The record so far; its config is the run's.
    pub run: RunResult,
    pub params: Vec<ParamMeta>,
    /// Every parameter's values, concatenated in `params` order.
    pub weights: Vec<f32>,
    /// Adam's state as burn serialises it; empty if it could not be read (on WebGPU a
    /// synchronous read is impossible), and the moments then start again from zero.
    pub optimizer: Vec<u8>,
}

impl Checkpoint {
    /// Whether Adam's state is included (a resume then repeats the uninterrupted run exactly).
    pub fn has_optimizer(&self) -> bool {
        !self.optimizer.is_empty()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header { format: FORMAT, step: self.step, params: self.params.clone(), optimizer_bytes: self.optimizer.len() };
        let header = serde_json::to_vec(&header).expect("the header serialises");
        let run = self.run.to_json().into_bytes();
        let mut out = Vec::with_capacity(24 + header.len() + run.len() + 4 * self.weights.len() + self.optimizer.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(run.len() as u64).to_le_bytes());
        out.extend_from_slice(&run);
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(&self.optimizer);
        out
    }

    /// Decodes a blob; a message names what is wrong (never panics).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut rest = bytes;
        let magic = take(&mut rest, MAGIC.len(), "the file marker")?;
        if magic != MAGIC {
            return Err("not an ICL Scaling Lab checkpoint (wrong file marker)".into());
        }
        let header = section(&mut rest, "header")?;
        let header: Header = serde_json::from_slice(header).map_err(|e| format!("checkpoint header: {e}"))?;
        if header.format != FORMAT {
            return Err(format!("checkpoint format {} is not supported (this version reads {FORMAT})", header.format));
        }
        let run = section(&mut rest, "run record")?;
        let run = std::str::from_utf8(run).map_err(|_| "checkpoint run record: not UTF-8".to_string())?;
        let run = RunResult::from_json(run).map_err(|e| format!("checkpoint run record: {e}"))?;
        if run.steps != header.step {
            return Err(format!("checkpoint step: the header says {} but the run record has {} steps", header.step, run.steps));
        }
        let mut values = 0usize;
        for (i, p) in header.params.iter().enumerate() {
            let n = p.len().ok_or_else(|| format!("checkpoint params[{i}].shape: too large"))?;
            values = values.checked_add(n).ok_or_else(|| "checkpoint params: too many values".to_string())?;
        }
        let weight_bytes = values.checked_mul(4).ok_or_else(|| "checkpoint params: too many values".to_string())?;
        let weights = take(&mut rest, weight_bytes, "weights")?;
        let weights = weights.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        let optimizer = take(&mut rest, header.optimizer_bytes, "optimizer state")?.to_vec();
        if !rest.is_empty() {
            return Err(format!("checkpoint: {} unexpected bytes after the optimizer state", rest.len()));
        }
        Ok(Checkpoint { step: header.step, run, params: header.params, weights, optimizer })
    }
}

/// The next `n` bytes, or a message naming the truncated `what`.
fn take<'a>(rest: &mut &'a [u8], n: usize, what: &str) -> Result<&'a [u8], String> {
    if rest.len() < n {
        return Err(format!("checkpoint truncated in its {what} (needs {n} bytes, {} left)", rest.len()));
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

/// A u64 length, then that many bytes.
fn section<'a>(rest: &mut &'a [u8], what: &str) -> Result<&'a [u8], String> {
    let len = take(rest, 8, what)?;
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    let len = usize::try_from(len).map_err(|_| format!("checkpoint {what}: length {len} too large"))?;
    take(rest, len, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::schema::BackendInfo;

    fn sample() -> Checkpoint {
        let mut run = RunResult::new(RunConfig::default(), BackendInfo::cpu(), "test");
        run.steps = 3;
        for s in 1..=3 {
            run.loss.push(s, 1.0 / s as f64);
        }
        let params = vec![ParamMeta { id: 7, shape: vec![2, 3] }, ParamMeta { id: 9, shape: vec![2] }];
        Checkpoint { step: 3, run, params, weights: (0..8).map(|i| i as f32 * 0.5 - 1.0).collect(), optimizer: vec![1, 2, 3] }
    }

    #[test]
    fn round_trips_bit_for_bit() {
        let c = sample();
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()), Ok(c));
    }

    #[test]
    fn every_truncation_is_refused_with_a_message() {
        let bytes = sample().to_bytes();
        for n in 0..bytes.len() {
            let e = Checkpoint::from_bytes(&bytes[..n]).expect_err("a truncated checkpoint must be refused");
            assert!(e.contains("checkpoint") || e.contains("marker"), "{e}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Checkpoint::from_bytes(&longer).unwrap_err().contains("unexpected bytes"));
    }

    #[test]
    fn a_wrong_step_or_marker_is_named() {
        let mut c = sample();
        c.run.steps = 2;
        assert!(Checkpoint::from_bytes(&c.to_bytes()).unwrap_err().contains("step"));
        let mut bytes = sample().to_bytes();
        bytes[0] = b'X';
        assert!(Checkpoint::from_bytes(&bytes).unwrap_err().contains("marker"));
    }
}
