//! The training loop: fresh prompts every step, Adam, MSE over every prediction.
//!
//! Nothing here reads a tensor back synchronously (a synchronous read panics in wasm):
//! a step only enqueues work and keeps its loss on the device; [`Trainer::drain_losses`]
//! reads the pending losses in one asynchronous transfer. The caller decides how often,
//! which on a GPU keeps the queue full without letting the host run far ahead.

use crate::checkpoint;
use crate::models::{IclModel, prompt_targets};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::prelude::*;
use burn::tensor::Bytes;
use icl_core::checkpoint::Checkpoint;
use icl_core::config::{Arch, RunConfig};
use icl_core::schema::RunResult;
use icl_core::eval::ErrorCurve;
use icl_core::rng::{self, Rng};
use icl_core::tasks::PromptBatch;

/// Why training could not go on.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainError {
    /// The loss became NaN or infinite at this step.
    Diverged { step: usize },
    /// The device failed (lost WebGPU device, out of memory, readback failure).
    Device(String),
}

impl std::fmt::Display for TrainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrainError::Diverged { step } => write!(
                f,
                "training diverged at step {step}: the loss is no longer a finite number; lower the learning rate and reset"
            ),
            TrainError::Device(e) => write!(f, "the compute device failed: {e}"),
        }
    }
}

/// Reads a tensor back as f32 values, asynchronously (the only way that works in wasm).
async fn read_f32<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    let data = tensor.into_data_async().await.map_err(|e| TrainError::Device(format!("{e:?}")))?;
    data.try_into_vec::<f32>().map_err(|e| TrainError::Device(format!("{e:?}")))
}

/// Adam with burn's defaults. Linear attention also clips each gradient to norm 1: its
/// products of layer matrices make rare prompts produce huge gradients (prototyped: without
/// clipping deep models diverge).
fn optimizer(config: &RunConfig) -> ModuleOptimizer {
    let adam = AdamConfig::new();
    match config.model.arch {
        Arch::Transformer => adam.init(),
        Arch::LinearAttention => adam.with_grad_clipping(Some(GradientClippingConfig::Norm(1.0))).init(),
    }
}

/// Mean squared error of `model` on `batch` (detached, `[1]`) and its gradients.
fn mse_and_gradients(model: &IclModel, batch: &PromptBatch, device: &Device) -> (Tensor<1>, GradientsParams) {
    let predictions = model.forward(batch, device); // [B, n]
    let loss = (predictions - prompt_targets(batch, device)).powi_scalar(2).mean(); // [1]
    let detached = loss.clone().detach().without_autodiff();
    (detached, GradientsParams::from_grads(loss.backward(), model))
}

/// w_a·a + w_b·b, parameter by parameter.
#[cfg(feature = "threads")]
fn weighted_sum(model: &IclModel, a: GradientsParams, w_a: f64, b: GradientsParams, w_b: f64) -> GradientsParams {
    struct Sum {
        a: GradientsParams,
        b: GradientsParams,
        weights: (f64, f64),
        out: GradientsParams,
    }
    impl burn::module::ModuleVisitor for Sum {
        fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
            let (wa, wb) = self.weights;
            let sum = match (self.a.remove::<D>(param.id), self.b.remove::<D>(param.id)) {
                (Some(x), Some(y)) => x.mul_scalar(wa) + y.mul_scalar(wb),
                (Some(x), None) => x.mul_scalar(wa),
                (None, Some(y)) => y.mul_scalar(wb),
                (None, None) => return,
            };
            self.out.register(param.id, sum);
        }
    }
    let mut sum = Sum { a, b, weights: (w_a, w_b), out: GradientsParams::new() };
    model.visit(&mut sum);
    sum.out
}

/// The training batch of `step` (0-based), drawn from the run's stream `rng`: under a
/// curriculum it has the stage's points, and its inputs only the stage's active dimensions
/// (the rest zero, labels recomputed), as in Garg et al.
fn sample_batch(c: &RunConfig, step: usize, rng: &mut Rng) -> PromptBatch {
    let stage = c.curriculum_at(step);
    let mut batch = c.task.sample(c.train.batch, stage.points, rng);
    if stage.dims < c.task.dim {
        batch.truncate_dims(stage.dims);
    }
    batch
}

/// A model, its optimiser and its prompt stream.
pub struct Trainer {
    config: RunConfig,
    device: Device,
    model: IclModel,
    optim: ModuleOptimizer,
    rng: Rng,
    step: usize,
    /// Losses of steps whose values have not been read back yet: (step, loss `[1]`).
    pending: Vec<(usize, Tensor<1>)>,
    /// Split each batch over two threads ([`Trainer::gradients`]); off when several runs
    /// already share the cores.
    split_batches: bool,
    /// A test hook: the next batch gets a NaN label ([`Trainer::poison_next_batch`]).
    poison_next: bool,
}

/// Everything that decides the rest of a run: the weights, Adam's state and the step (the
/// prompt stream is replayed to that step on restore: rand's generators are not `Clone`).
/// burn's tensors are immutable values, so a clone is a snapshot that later steps do not
/// change. Kept in memory (about three copies of the parameters), so a diverged run can go
/// back to it.
#[derive(Clone)]
pub struct TrainerSnapshot {
    model: IclModel,
    optim: ModuleOptimizer,
    step: usize,
}

impl TrainerSnapshot {
    pub fn step(&self) -> usize {
        self.step
    }
}

impl Trainer {
    /// Builds the model on `device` (autodiff is added here) from a validated config.
    pub fn new(config: &RunConfig, device: &Device) -> Result<Self, String> {
        config.validate()?;
        let device = device.clone().autodiff();
        device.seed(config.train.seed);
        let model = IclModel::new(config, &device);
        Ok(Trainer {
            config: config.clone(),
            device,
            model,
            optim: optimizer(config),
            rng: rng::seeded(config.train.seed, rng::stream::TRAIN),
            step: 0,
            pending: Vec::new(),
            split_batches: true,
            poison_next: false,
        })
    }

    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.step
    }

    pub fn param_count(&self) -> usize {
        self.model.num_params()
    }

    pub fn model(&self) -> &IclModel {
        &self.model
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Whether a step may split its batch over two threads (native builds with threads):
    /// turn off when several runs train side by side, each on a core of its own.
    pub fn set_split_batches(&mut self, split: bool) {
        self.split_batches = split;
    }

    /// A snapshot of the run as it stands. Take it after [`drain_losses`](Self::drain_losses)
    /// said the losses so far are finite, or it may hold a diverged model.
    pub fn snapshot(&self) -> TrainerSnapshot {
        TrainerSnapshot { model: self.model.clone(), optim: self.optim.clone(), step: self.step }
    }

    /// Goes back to `snapshot`: the steps after it are forgotten (their unread losses too).
    pub fn restore(&mut self, snapshot: &TrainerSnapshot) {
        let s = snapshot.clone();
        (self.model, self.optim, self.step) = (s.model, s.optim, s.step);
        self.replay_prompts();
    }

    /// Puts the prompt stream where it stood after `self.step` steps: drawn again from the
    /// seed, step by step (sampling only, no training: well under a second for ten thousand
    /// steps of these sizes). Unread losses are forgotten.
    fn replay_prompts(&mut self) {
        self.rng = rng::seeded(self.config.train.seed, rng::stream::TRAIN);
        for step in 0..self.step {
            let _ = sample_batch(&self.config, step, &mut self.rng);
        }
        self.pending.clear();
        self.poison_next = false;
    }

    /// A checkpoint of the run so far, with `run` as its record. Adam's state is included
    /// if `with_optimizer` (burn serialises it with synchronous reads: the CPU backend
    /// only, in a browser); without it a resume restarts Adam's moments.
    pub async fn checkpoint(&self, run: &RunResult, with_optimizer: bool) -> Result<Checkpoint, TrainError> {
        let (params, weights) = checkpoint::read_params(&self.model).await.map_err(TrainError::Device)?;
        let optimizer = match with_optimizer {
            true => self.optim.into_bytes().map_err(|e| TrainError::Device(format!("saving Adam's state failed: {e:?}")))?.to_vec(),
            false => Vec::new(),
        };
        let mut run = run.clone();
        run.steps = self.step;
        Ok(Checkpoint { step: self.step, run, params, weights, optimizer })
    }

    /// Goes on from `checkpoint` (saved by a run with the same settings): its weights, Adam's
    /// state if saved, its step and its place in the prompt stream.
    pub fn resume(&mut self, checkpoint: &Checkpoint) -> Result<(), String> {
        if checkpoint.run.config != self.config {
            return Err("the checkpoint was saved for other settings".into());
        }
        let model = checkpoint::load_params(self.model.clone(), checkpoint, &self.device)?;
        let optim = match checkpoint.has_optimizer() {
            true => optimizer(&self.config)
                .from_bytes_on(Bytes::from_bytes_vec(checkpoint.optimizer.clone()), &self.device.clone().inner())
                .map_err(|e| format!("the checkpoint's optimizer state is unreadable: {e:?}"))?,
            false => optimizer(&self.config),
        };
        (self.model, self.optim, self.step) = (model, optim, checkpoint.step);
        self.replay_prompts();
        Ok(())
    }

    /// Changes the (peak) learning rate from the next step on.
    pub fn set_lr(&mut self, lr: f64) {
        self.config.train.lr = lr;
    }

    /// A test hook for divergence: the next batch gets a NaN label, as a corrupt prompt
    /// would, so its loss and the updated weights are NaN.
    pub fn poison_next_batch(&mut self) {
        self.poison_next = true;
    }

    /// One Adam step on a fresh batch. Enqueues work only; the loss stays on the device.
    /// Under a curriculum the batch has the stage's points, and its inputs only the stage's
    /// active dimensions (the rest zero, labels recomputed), as in Garg et al.
    pub fn step(&mut self) {
        let mut batch = sample_batch(&self.config, self.step, &mut self.rng);
        if std::mem::take(&mut self.poison_next) {
            batch.ys[0] = f32::NAN;
        }
        self.step_on(&batch);
    }

    /// One Adam step on the given batch (D must match the config; any number of points up
    /// to K + 1), at the scheduled learning rate.
    pub fn step_on(&mut self, batch: &PromptBatch) {
        let lr = self.config.train.lr_at(self.step + 1);
        let (loss, grads) = self.gradients(batch);
        self.pending.push((self.step + 1, loss));
        self.model = self.optim.step(lr, self.model.clone(), grads);
        self.step += 1;
    }

    /// The batch's mean squared error (detached, `[1]`) and its gradients. With several CPU
    /// threads the batch is split in two halves that run forward and backward in parallel on
    /// forks of the model, and their gradients are averaged with the halves' weights: the
    /// same gradient as the whole batch's, up to float rounding. burn's CPU backend runs only
    /// matrix products on more than one thread; this spreads every op over two cores.
    fn gradients(&self, batch: &PromptBatch) -> (Tensor<1>, GradientsParams) {
        #[cfg(feature = "threads")]
        if self.split_batches && batch.batch >= 2 && rayon::current_num_threads() >= 2 {
            let half = batch.batch / 2;
            let (left, right) = (batch.slice(0..half), batch.slice(half..batch.batch));
            let device = &self.device;
            let run = |part: &PromptBatch| {
                let model = self.model.clone().fork(device);
                mse_and_gradients(&model, part, device)
            };
            let ((loss_l, grads_l), (loss_r, grads_r)) = rayon::join(|| run(&left), || run(&right));
            let w = half as f64 / batch.batch as f64;
            let loss = loss_l.mul_scalar(w) + loss_r.mul_scalar(1.0 - w);
            return (loss, weighted_sum(&self.model, grads_l, w, grads_r, 1.0 - w));
        }
        mse_and_gradients(&self.model, batch, &self.device)
    }

    /// Reads every pending loss in one transfer: `(step, loss)` in order.
    /// Fails if any is not finite, since the run has then diverged.
    pub async fn drain_losses(&mut self) -> Result<Vec<(usize, f64)>, TrainError> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        let (steps, losses): (Vec<usize>, Vec<Tensor<1>>) = self.pending.drain(..).unzip();
        let values = read_f32(Tensor::cat(losses, 0)).await?;
        let out: Vec<(usize, f64)> = steps.into_iter().zip(values.into_iter().map(f64::from)).collect();
        if let Some(&(step, _)) = out.iter().find(|(_, l)| !l.is_finite()) {
            return Err(TrainError::Diverged { step });
        }
        Ok(out)
    }

    /// Trains `n` steps, reading losses every `read_every` steps; returns every loss.
    pub async fn train_steps(&mut self, n: usize, read_every: usize) -> Result<Vec<(usize, f64)>, TrainError> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            self.step();
            if (i + 1) % read_every.max(1) == 0 || i + 1 == n {
                out.extend(self.drain_losses().await?);
            }
        }
        Ok(out)
    }

    /// Attention weights of every block and head for one prompt: `maps[layer][head]` is a
    /// row-major `[T, T]` matrix (row = attending token, column = attended token). Empty for
    /// linear attention, which has no softmax weights.
    pub async fn attention_maps(&self, prompt: &PromptBatch) -> Result<Vec<Vec<Vec<f32>>>, TrainError> {
        let prompt = prompt.slice(0..1);
        let model = self.model.valid();
        let device = self.device.clone().inner();
        let maps = model.attention_maps(&prompt, &device);
        let mut out = Vec::with_capacity(maps.len());
        for weights in maps {
            let [_, heads, t, _] = weights.dims();
            let data = read_f32(weights).await?;
            out.push((0..heads).map(|h| data[h * t * t..(h + 1) * t * t].to_vec()).collect());
        }
        Ok(out)
    }

    /// Predictions `[batch, n_points]` for a large batch (no autodiff graph), in chunks of at
    /// most 256 prompts and about 64 MB of activations; with `query_weights`, also a
    /// linear-attention model's g `[batch, n_points, D]` from the same pass (None for the
    /// transformer, whose prediction is not linear in the query).
    async fn predict_in_chunks(&self, batch: &PromptBatch, query_weights: bool) -> Result<(Vec<f32>, Option<Vec<f32>>), TrainError> {
        let per_prompt = self.config.memory_estimate().activation_bytes / self.config.train.batch.max(1) as f64;
        let chunk = ((64e6 / per_prompt.max(1.0)) as usize).clamp(1, 256);
        let model = self.model.valid();
        let device = self.device.clone().inner();
        let mut predictions = Vec::with_capacity(batch.batch * batch.n_points);
        let mut weights = (query_weights && matches!(model, IclModel::LinearAttention(_))).then(|| Vec::with_capacity(predictions.capacity() * batch.dim));
        let mut start = 0;
        while start < batch.batch {
            let part = batch.slice(start..(start + chunk).min(batch.batch));
            let (p, g) = model.forward_with_query_weights(&part, &device); // [chunk, n], [chunk, n, D]
            predictions.extend(read_f32(p).await?);
            if let (Some(out), Some(g)) = (weights.as_mut(), g) {
                out.extend(read_f32(g).await?);
            }
            start += chunk;
        }
        Ok((predictions, weights))
    }

    /// Predictions `[batch, n_points]` for a large batch ([`predict_in_chunks`](Self::predict_in_chunks)).
    pub async fn predict_chunked(&self, batch: &PromptBatch) -> Result<Vec<f32>, TrainError> {
        Ok(self.predict_in_chunks(batch, false).await?.0)
    }

    /// ICL error per k on held-out prompts.
    pub async fn evaluate(&self, held_out: &PromptBatch) -> Result<ErrorCurve, TrainError> {
        self.curve_of(held_out, &self.predict_chunked(held_out).await?)
    }

    /// ICL error per k on held-out prompts and, for linear attention on ISO linear tasks, the
    /// same with the query's expectation taken exactly ([`ErrorCurve::query_exact`]), both
    /// from one forward pass.
    pub async fn evaluate_with_query_exact(&self, held_out: &PromptBatch) -> Result<(ErrorCurve, Option<ErrorCurve>), TrainError> {
        let (predictions, g) = self.predict_in_chunks(held_out, true).await?;
        let curve = self.curve_of(held_out, &predictions)?;
        Ok((curve, g.and_then(|g| ErrorCurve::query_exact(held_out, &g, &self.config.task))))
    }

    /// The curve of `predictions`; a non-finite one means the run diverged.
    fn curve_of(&self, held_out: &PromptBatch, predictions: &[f32]) -> Result<ErrorCurve, TrainError> {
        let curve = ErrorCurve::from_predictions(held_out, predictions);
        if curve.has_non_finite() {
            return Err(TrainError::Diverged { step: self.step });
        }
        Ok(curve)
    }
}
