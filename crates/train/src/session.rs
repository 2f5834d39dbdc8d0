//! A training run as both the browser worker and the CLI drive it: a [`Trainer`], its
//! held-out prompts, and the [`RunResult`] being recorded. Callers own the clock and the
//! scheduling (the worker yields to its message loop; the CLI just loops).

use crate::train::{TrainError, Trainer};
use burn::prelude::Device;
use icl_core::config::RunConfig;
use icl_core::eval::ErrorCurve;
use icl_core::probes;
use icl_core::schema::ProbeSummary;
use icl_core::tasks::TaskFamily;
use icl_core::schema::{BackendInfo, EvalPoint, RunResult, RunStatus};
use icl_core::tasks::PromptBatch;

pub struct RunSession {
    pub trainer: Trainer,
    pub held_out: PromptBatch,
    /// Prompts from the shifted task, if the run also evaluates out of distribution.
    pub held_out_shifted: Option<PromptBatch>,
    pub result: RunResult,
}

impl RunSession {
    pub fn new(config: &RunConfig, device: &Device, backend: BackendInfo, producer: &str) -> Result<Self, String> {
        let trainer = Trainer::new(config, device)?;
        Ok(RunSession {
            held_out: config.held_out_prompts(),
            held_out_shifted: config.shifted_prompts(),
            result: RunResult::new(config.clone(), backend, producer),
            trainer,
        })
    }

    pub fn steps(&self) -> usize {
        self.trainer.steps()
    }

    pub fn budget_spent(&self) -> bool {
        self.trainer.steps() >= self.result.config.train.steps
    }

    /// Whether the held-out set is due: at step 0, every `eval.every` steps, and at the end.
    pub fn eval_due(&self) -> bool {
        let step = self.trainer.steps();
        let last = self.result.evals.last().map(|e| e.step);
        last != Some(step) && (step % self.result.config.eval.every == 0 || self.budget_spent())
    }

    /// Steps until the next scheduled evaluation (the next multiple of `eval.every`): a
    /// caller training in chunks ends one there, so the schedule never depends on chunk
    /// sizes (the browser sizes its chunks by time, and skipped every evaluation whose step
    /// fell inside a chunk: two runs of one seed then differed in their evaluations).
    pub fn steps_to_next_eval(&self) -> usize {
        let every = self.result.config.eval.every.max(1);
        every - self.trainer.steps() % every
    }

    /// Trains up to `n` steps (never past the budget), reading losses in groups of
    /// `read_every`, and records them. Returns the new losses.
    pub async fn train(&mut self, n: usize, read_every: usize) -> Result<Vec<(usize, f64)>, TrainError> {
        let n = n.min(self.result.config.train.steps.saturating_sub(self.trainer.steps()));
        let losses = self.trainer.train_steps(n, read_every).await;
        self.record(losses)
    }

    /// Records losses read by the caller (or the error that stopped them).
    pub fn record(&mut self, losses: Result<Vec<(usize, f64)>, TrainError>) -> Result<Vec<(usize, f64)>, TrainError> {
        self.result.steps = self.trainer.steps();
        match losses {
            Ok(losses) => {
                for &(step, loss) in &losses {
                    self.result.loss.push(step, loss);
                }
                if self.budget_spent() {
                    self.result.status = RunStatus::Done;
                }
                Ok(losses)
            }
            Err(e) => {
                if matches!(e, TrainError::Diverged { .. }) {
                    self.result.status = RunStatus::Diverged;
                }
                Err(e)
            }
        }
    }

    /// Goes back to `snapshot` (taken from this session's trainer) and goes on at `lr`:
    /// the losses and evaluations after it are dropped, the run is paused.
    pub fn rollback(&mut self, snapshot: &crate::TrainerSnapshot, lr: f64) {
        self.trainer.restore(snapshot);
        self.trainer.set_lr(lr);
        self.result.truncate_after(snapshot.step());
        self.result.config.train.lr = lr;
    }

    /// Goes on from `checkpoint` (saved by a run with the same settings): the trainer's state
    /// and the record up to it; the run is paused (or done, if its budget was spent).
    pub fn resume(&mut self, checkpoint: &icl_core::checkpoint::Checkpoint) -> Result<(), String> {
        self.trainer.resume(checkpoint)?;
        let backend = self.result.backend.clone();
        self.result = checkpoint.run.clone();
        self.result.backend = backend;
        self.result.status = if self.budget_spent() { RunStatus::Done } else { RunStatus::Paused };
        Ok(())
    }

    /// A checkpoint of the run as it stands (see [`Trainer::checkpoint`]).
    pub async fn checkpoint(&self, with_optimizer: bool) -> Result<icl_core::checkpoint::Checkpoint, TrainError> {
        self.trainer.checkpoint(&self.result, with_optimizer).await
    }

    /// Compares the model with gradient descent (1 and L = depth steps) on the held-out
    /// prompts and records the summary. Linear tasks only (None otherwise): GD on the
    /// in-context least-squares loss is the learner the theory compares with there.
    pub async fn probe(&mut self) -> Result<Option<ProbeSummary>, TrainError> {
        if matches!(self.result.config.task.family, TaskFamily::Tree { .. }) {
            return Ok(None);
        }
        let predictions = self.trainer.predict_chunked(&self.held_out).await?;
        let steps = self.result.config.model.depth.max(1);
        let summary = probes::gd_alignment(&self.held_out, &predictions, steps).summary();
        self.result.probe = Some(summary.clone());
        Ok(Some(summary))
    }

    /// Scores the model on the held-out prompts (and the shifted ones) and records the curves.
    pub async fn evaluate(&mut self, elapsed_s: f64) -> Result<EvalPoint, TrainError> {
        let curves = self.score().await;
        let (curve, query_exact, shifted) = match curves {
            Ok(c) => c,
            Err(e) => {
                if matches!(e, TrainError::Diverged { .. }) {
                    self.result.status = RunStatus::Diverged;
                }
                return Err(e);
            }
        };
        let point = EvalPoint { step: self.trainer.steps(), elapsed_s, curve, shifted, query_exact };
        self.result.evals.push(point.clone());
        self.result.elapsed_s = elapsed_s;
        Ok(point)
    }

    /// The held-out curve, its query-exact twin (linear attention), and the shifted curve.
    async fn score(&self) -> Result<(ErrorCurve, Option<ErrorCurve>, Option<ErrorCurve>), TrainError> {
        let (curve, query_exact) = self.trainer.evaluate_with_query_exact(&self.held_out).await?;
        let shifted = match &self.held_out_shifted {
            Some(prompts) => Some(self.trainer.evaluate(prompts).await?),
            None => None,
        };
        Ok((curve, query_exact, shifted))
    }
}
