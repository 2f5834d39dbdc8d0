//! The transformer's contract: shapes, causality, and that it learns in context.

use burn::prelude::*;
use icl_core::config::{Preset, RunConfig};
use icl_core::rng::seeded;
use icl_train::{prompt_tokens, IclTransformerConfig, Trainer};

/// The quick preset at a constant rate and without its curriculum: these short runs end
/// long before the curriculum would.
fn small_config() -> RunConfig {
    let mut c = Preset::Cpu.config();
    (c.train.warmup, c.train.cosine, c.train.curriculum) = (0, false, 0);
    c
}

#[test]
fn forward_gives_one_prediction_per_point() {
    let device = Device::flex();
    let c = small_config();
    let model = IclTransformerConfig::new(c.task.dim, 16, 2, 2, c.sequence_len()).init(&device);
    let batch = c.task.sample(3, c.n_points(), &mut seeded(0, 0));
    let tokens = prompt_tokens(&batch, &device);
    assert_eq!(tokens.dims(), [3, 2 * c.n_points() - 1, c.task.dim]);
    let (predictions, maps) = model.forward_with_attention(tokens);
    assert_eq!(predictions.dims(), [3, c.n_points()]);
    assert_eq!(maps.len(), 2);
    assert_eq!(maps[0].dims(), [3, 2, 2 * c.n_points() - 1, 2 * c.n_points() - 1]);
}

#[test]
fn tokens_interleave_inputs_and_labels() {
    let device = Device::flex();
    let c = small_config();
    let batch = c.task.sample(2, c.n_points(), &mut seeded(1, 0));
    let data = prompt_tokens(&batch, &device).into_data().try_into_vec::<f32>().unwrap();
    let (t, d) = (2 * c.n_points() - 1, c.task.dim);
    let token = |b: usize, j: usize| &data[(b * t + j) * d..(b * t + j + 1) * d];
    assert_eq!(token(1, 4), batch.x(1, 2));
    assert_eq!(token(1, 5)[0], batch.ys[c.n_points() + 2]);
    assert!(token(1, 5)[1..].iter().all(|&v| v == 0.0));
}

/// Changing y_i, or any later token, must leave predictions 0..=i unchanged.
#[test]
fn predictions_are_causal() {
    let device = Device::flex();
    let c = small_config();
    let model = IclTransformerConfig::new(c.task.dim, 16, 2, 2, c.sequence_len()).init(&device);
    let batch = c.task.sample(2, c.n_points(), &mut seeded(2, 0));
    let tokens = prompt_tokens(&batch, &device);
    let base = model.forward(tokens.clone()).into_data().try_into_vec::<f32>().unwrap();
    let [b, t, d] = tokens.dims();
    let n = c.n_points();
    for i in [0, 3, n - 2] {
        // Perturb every token from y_i (index 2i + 1) onward.
        let mut data = tokens.clone().into_data().try_into_vec::<f32>().unwrap();
        for bb in 0..b {
            for j in (2 * i + 1)..t {
                for v in &mut data[(bb * t + j) * d..(bb * t + j + 1) * d] {
                    *v += 3.0;
                }
            }
        }
        let perturbed = model.forward(Tensor::from_data(TensorData::new(data, [b, t, d]), &device));
        let after = perturbed.into_data().try_into_vec::<f32>().unwrap();
        for bb in 0..b {
            for p in 0..n {
                let (x, y) = (base[bb * n + p], after[bb * n + p]);
                if p <= i {
                    assert!((x - y).abs() < 1e-5, "prediction {p} changed when tokens ≥ y_{i} changed: {x} vs {y}");
                } else if p == i + 1 {
                    assert!((x - y).abs() > 1e-6, "prediction {p} should depend on y_{i}");
                }
            }
        }
    }
}

#[test]
fn parameter_count_matches_the_config_formula() {
    let c = Preset::Reference.config();
    let trainer = Trainer::new(&c, &Device::flex()).unwrap();
    assert_eq!(trainer.param_count(), c.param_count());
}

/// A short CPU run learns in context: the error after 2D examples falls well below its start.
/// (D = 3 so that in-context learning emerges within a few hundred steps.)
#[test]
fn short_cpu_training_learns_in_context() {
    let mut c = small_config();
    c.task.dim = 3;
    c.context = 10;
    c.train.batch = 64;
    c.train.steps = 500;
    c.eval.shift = Some(icl_core::tasks::DistributionShift::Noisy);
    let mut session = icl_train::RunSession::new(&c, &Device::flex(), icl_core::schema::BackendInfo::cpu(), "test").unwrap();
    let k = 2 * c.task.dim;
    let before = pollster::block_on(session.evaluate(0.0)).unwrap().curve.at(k).unwrap();
    let losses = pollster::block_on(session.train(c.train.steps, 50)).unwrap();
    assert_eq!(losses.len(), 500);
    let point = pollster::block_on(session.evaluate(1.0)).unwrap();
    let after = point.curve.at(k).unwrap();
    eprintln!("ICL error at k = {k}: {before:.3} → {after:.3}");
    // Out of distribution (labels with extra noise of variance 1, Z = D): the query's own
    // noise alone adds 1/D to the error, so the shifted curve must sit clearly above.
    let shifted = point.shifted.expect("a run with a shift scores the shifted prompts").at(k).unwrap();
    eprintln!("with noisy labels (σ² + 1): {shifted:.3}");
    assert!(shifted > after + 0.5 / c.task.dim as f64, "shifted {shifted} vs in-distribution {after}");
    assert!(after < 0.5 * before, "error at k = {k} should fall clearly: {before} → {after}");
    let first: f64 = losses[..20].iter().map(|l| l.1).sum::<f64>() / 20.0;
    let last: f64 = losses[480..].iter().map(|l| l.1).sum::<f64>() / 20.0;
    assert!(last < first, "loss should fall: {first} → {last}");
}

#[test]
fn invalid_configs_are_refused_before_any_allocation() {
    let mut c = small_config();
    c.model.heads = 5;
    assert!(Trainer::new(&c, &Device::flex()).is_err());
}

/// Attention maps are causal probability rows: each row sums to 1 and puts no weight on
/// later tokens.
#[test]
fn attention_maps_are_causal_distributions() {
    let c = small_config();
    let trainer = Trainer::new(&c, &Device::flex()).unwrap();
    let prompt = c.task.sample(1, c.n_points(), &mut seeded(3, 0));
    let maps = pollster::block_on(trainer.attention_maps(&prompt)).unwrap();
    let t = c.sequence_len();
    assert_eq!((maps.len(), maps[0].len(), maps[0][0].len()), (c.model.depth, c.model.heads, t * t));
    for head in maps.iter().flatten() {
        for i in 0..t {
            let row = &head[i * t..(i + 1) * t];
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
            assert!(row[i + 1..].iter().all(|&w| w < 1e-6), "row {i} attends to the future");
        }
    }
}

/// A NaN loss stops the run with a clear error naming the step, and the session records
/// the run as diverged (the browser then says so and keeps what was recorded).
#[test]
fn a_nan_loss_is_reported_as_divergence() {
    let c = small_config();
    let mut session = icl_train::RunSession::new(&c, &Device::flex(), icl_core::schema::BackendInfo::cpu(), "test").unwrap();
    let good = pollster::block_on(session.train(3, 3)).unwrap();
    assert_eq!(good.len(), 3);
    let mut batch = c.task.sample(c.train.batch, c.n_points(), &mut seeded(9, 0));
    batch.ys[5] = f32::NAN;
    session.trainer.step_on(&batch);
    let result = pollster::block_on(session.trainer.drain_losses());
    let err = session.record(result).unwrap_err();
    assert_eq!(err, icl_train::TrainError::Diverged { step: 4 });
    assert!(err.to_string().contains("diverged at step 4") && err.to_string().contains("learning rate"), "{err}");
    assert_eq!(session.result.status, icl_core::schema::RunStatus::Diverged);
    assert_eq!(session.result.loss.points.len(), 3, "the losses before the divergence are kept");
}

/// A snapshot taken before a divergence brings the run back exactly: after a rollback the
/// next steps give the same losses as an uninterrupted run from that step (CPU, same seed),
/// and the session forgets what came after the snapshot.
#[test]
fn a_rollback_to_a_snapshot_resumes_exactly_and_drops_what_followed() {
    let c = small_config();
    let mut session = icl_train::RunSession::new(&c, &Device::flex(), icl_core::schema::BackendInfo::cpu(), "test").unwrap();
    pollster::block_on(session.train(5, 5)).unwrap();
    let snapshot = session.trainer.snapshot();
    let uninterrupted = pollster::block_on(session.train(6, 6)).unwrap();
    // Diverge (a NaN label poisons the weights), then roll back.
    session.trainer.poison_next_batch();
    let diverged = pollster::block_on(session.train(2, 2));
    assert!(matches!(diverged, Err(icl_train::TrainError::Diverged { .. })), "{diverged:?}");
    session.rollback(&snapshot, c.train.lr);
    assert_eq!((session.steps(), session.result.loss.points.len()), (5, 5), "steps after the snapshot are forgotten");
    assert_eq!(session.result.status, icl_core::schema::RunStatus::Paused);
    let resumed = pollster::block_on(session.train(6, 6)).unwrap();
    assert_eq!(resumed, uninterrupted, "the same losses as without the detour");
    // At half the rate the run goes on from the same point but takes other steps.
    session.rollback(&snapshot, c.train.lr / 2.0);
    assert_eq!(session.result.config.train.lr, c.train.lr / 2.0);
    let slower = pollster::block_on(session.train(6, 6)).unwrap();
    assert_eq!(slower[0].0, 6);
    assert_ne!(slower, uninterrupted);
}

/// A checkpoint written to bytes and read into a fresh session (as after a reload) goes on
/// with exactly the losses of an uninterrupted run, for both architectures: the weights,
/// their burn ids, Adam's state and the prompt stream all come back.
#[test]
fn a_checkpoint_through_bytes_resumes_exactly_in_a_new_session() {
    use icl_core::checkpoint::Checkpoint;
    use icl_core::schema::BackendInfo;
    for c in [small_config(), Preset::LinearAttention.config()] {
        let new_session = || icl_train::RunSession::new(&c, &Device::flex(), BackendInfo::cpu(), "test").unwrap();
        let mut first = new_session();
        pollster::block_on(first.train(7, 7)).unwrap();
        let bytes = pollster::block_on(first.checkpoint(true)).unwrap().to_bytes();
        let weights_only = pollster::block_on(first.checkpoint(false)).unwrap();
        let uninterrupted = pollster::block_on(first.train(6, 6)).unwrap();

        let checkpoint = Checkpoint::from_bytes(&bytes).unwrap();
        assert!(checkpoint.has_optimizer() && checkpoint.step == 7);
        let mut resumed = new_session();
        resumed.resume(&checkpoint).unwrap();
        assert_eq!((resumed.steps(), resumed.result.loss.points.len()), (7, 7), "the record up to the checkpoint comes back");
        assert_eq!(pollster::block_on(resumed.train(6, 6)).unwrap(), uninterrupted, "{:?}", c.model.arch);

        // Without Adam's state (a WebGPU checkpoint) the weights come back, but Adam starts
        // again, so the steps differ: the exact resume above really restored the moments.
        let mut approx = new_session();
        approx.resume(&weights_only).unwrap();
        assert_eq!(approx.steps(), 7);
        assert_ne!(pollster::block_on(approx.train(6, 6)).unwrap(), uninterrupted);
        // A checkpoint for other settings is refused, with the reason.
        let mut other = c.clone();
        other.train.seed += 1;
        let mut wrong = icl_train::RunSession::new(&other, &Device::flex(), BackendInfo::cpu(), "test").unwrap();
        assert!(wrong.resume(&checkpoint).unwrap_err().contains("other settings"));
    }
}

/// A caller that trains in chunks of any size, each ended at `steps_to_next_eval`, evaluates
/// at every multiple of `eval.every` (the browser sizes chunks by time: before, a chunk
/// spanning a multiple skipped that evaluation, and two runs of one seed differed).
#[test]
fn evaluations_follow_the_schedule_whatever_the_chunk_sizes() {
    let mut c = small_config();
    (c.train.steps, c.eval.every, c.eval.prompts) = (50, 10, 16);
    let mut session = icl_train::RunSession::new(&c, &Device::flex(), icl_core::schema::BackendInfo::cpu(), "test").unwrap();
    let mut sizes = [7usize, 3, 13, 1, 29].into_iter().cycle();
    loop {
        if session.eval_due() {
            pollster::block_on(session.evaluate(0.0)).unwrap();
        }
        if session.budget_spent() {
            break;
        }
        let n = sizes.next().unwrap().min(session.steps_to_next_eval());
        pollster::block_on(session.train(n, n)).unwrap();
    }
    let steps: Vec<usize> = session.result.evals.iter().map(|e| e.step).collect();
    assert_eq!(steps, vec![0, 10, 20, 30, 40, 50]);
}
