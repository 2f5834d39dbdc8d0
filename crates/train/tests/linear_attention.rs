//! Linear attention's contract: its reduced forward pass is the token-level LSA layer it
//! describes, it is causal over prefixes, and one layer trained on every prefix lands on the
//! exact curve of `icl_core::theory::linear_attention` (within 2 SE at every k).

use burn::prelude::*;
use icl_core::config::{ModelShape, Preset, RunConfig};
use icl_core::rng::seeded;
use icl_core::tasks::TaskSpec;
use icl_train::{IclModel, LinearAttentionConfig, Trainer, prompt_points};

fn vec2(t: Tensor<2>) -> Vec<f64> {
    t.into_data().try_into_vec::<f32>().unwrap().into_iter().map(f64::from).collect()
}

/// The token-level LSA of the module docs, in plain f64: every world k keeps copies of the
/// labelled tokens z_0..z_{k−1} and its query (x_k, 0); each layer adds (1/L)·W_PV·C_k·W_KQ·t
/// to every token t, C_k the mean of z zᵀ over the world's labelled tokens; ŷ_k = −query_y.
fn token_level(points: &[Vec<f64>], layers: &[(Vec<f64>, Vec<f64>, f64)], d: usize) -> Vec<f64> {
    let e = d + 1;
    let depth = layers.len() as f64;
    (0..points.len())
        .map(|k| {
            let mut tokens: Vec<Vec<f64>> = points[..k].to_vec();
            let mut query: Vec<f64> = points[k][..d].iter().copied().chain([0.0]).collect();
            for (a, ux, uy) in layers {
                // W_KQ = [[A, 0], [0, 0]] (A row-major), W_PV's last row u = (u_x, u_y).
                let mut c = vec![0.0; e * e];
                for t in &tokens {
                    for i in 0..e {
                        for j in 0..e {
                            c[i * e + j] += t[i] * t[j] / k.max(1) as f64;
                        }
                    }
                }
                let update = |t: &[f64]| -> f64 {
                    let kq: Vec<f64> = (0..e).map(|i| if i < d { (0..d).map(|j| a[i * d + j] * t[j]).sum() } else { 0.0 }).collect();
                    let ck: Vec<f64> = (0..e).map(|i| (0..e).map(|j| c[i * e + j] * kq[j]).sum()).collect();
                    ((0..d).map(|i| ux[i] * ck[i]).sum::<f64>() + uy * ck[d]) / depth
                };
                let deltas: Vec<f64> = tokens.iter().map(|t| update(t)).collect();
                query[d] += update(&query);
                for (t, dy) in tokens.iter_mut().zip(deltas) {
                    t[d] += dy;
                }
            }
            -query[d]
        })
        .collect()
}

#[test]
fn the_reduced_forward_pass_is_the_token_level_lsa() {
    let device = Device::flex();
    let spec = TaskSpec::linear(3, 0.1);
    let batch = spec.sample(2, 6, &mut seeded(4, 0));
    for depth in [1, 2, 3] {
        // Larger weights than the training init, so that every term matters.
        let model = LinearAttentionConfig::new(3, depth).with_init_std(0.4).init(&device);
        let got = vec2(model.forward(prompt_points(&batch, &device)));
        let layers: Vec<(Vec<f64>, Vec<f64>, f64)> = model
            .layers()
            .into_iter()
            .map(|(a, ux, uy)| {
                let f = |t: Vec<f32>| t.into_iter().map(f64::from).collect::<Vec<_>>();
                (f(a.into_data().try_to_vec::<f32>().unwrap()), f(ux.into_data().try_to_vec::<f32>().unwrap()), f(uy.into_data().try_to_vec::<f32>().unwrap())[0])
            })
            .collect();
        for b in 0..2 {
            let points: Vec<Vec<f64>> =
                (0..6).map(|i| batch.x(b, i).iter().map(|&v| v as f64).chain([batch.ys[b * 6 + i] as f64]).collect()).collect();
            let want = token_level(&points, &layers, 3);
            for k in 0..6 {
                let g = got[b * 6 + k];
                assert!((g - want[k]).abs() <= 1e-4 * (1.0 + want[k].abs()), "L = {depth}, prompt {b}, k = {k}: {g} vs {}", want[k]);
            }
            assert_eq!(got[b * 6], 0.0, "no examples, no prediction");
        }
    }
}

/// Prediction k sees only the points before it: changing y_k (or anything later) leaves
/// predictions 0..=k alone, and changing y_{k−1} moves prediction k.
#[test]
fn predictions_are_causal_over_prefixes() {
    let device = Device::flex();
    let spec = TaskSpec::linear(3, 0.0);
    let batch = spec.sample(1, 7, &mut seeded(5, 0));
    let model = LinearAttentionConfig::new(3, 2).with_init_std(0.4).init(&device);
    let base = vec2(model.forward(prompt_points(&batch, &device)));
    for i in [0, 3, 5] {
        let mut changed = batch.clone();
        // y_i and everything after it; x_i itself is the query of prediction i.
        for j in i..7 {
            changed.ys[j] += 2.0;
            if j > i {
                changed.xs[j * 3] -= 1.0;
            }
        }
        let after = vec2(model.forward(prompt_points(&changed, &device)));
        for p in 0..=i {
            assert!((base[p] - after[p]).abs() < 1e-5, "prediction {p} changed when points ≥ {i} changed");
        }
        assert!((base[i + 1] - after[i + 1]).abs() > 1e-6, "prediction {} depends on point {i}", i + 1);
    }
}

/// One layer trained on every prefix (ISO, D = 3, K = 8) ends on the exact shared-Γ curve:
/// within 2 SE at every k, with its η_eff flat in k at γ*. The held-out error takes the
/// query expectation exactly (THEORY §0: ŷ_k = x_kᵀ g_k, so E over x_k and the label noise
/// is (‖g_k − w‖² + σ²)/D), which removes the query's sampling noise from the SE.
#[test]
fn one_layer_trained_lands_on_its_exact_curve() {
    let mut config = RunConfig { task: TaskSpec::linear(3, 0.0), context: 8, ..Preset::Cpu.config() };
    config.model = ModelShape::linear_attention(1);
    config.train.batch = 256;
    config.train.lr = 1e-2;
    config.train.cosine = true;
    (config.train.warmup, config.train.curriculum) = (0, 0);
    config.train.steps = 600;
    config.eval.prompts = 8192;
    let theory = icl_core::theory::linear_attention::shared_gamma_optimum(&config.task, config.context).unwrap();
    let mut trainer = Trainer::new(&config, &Device::flex()).unwrap();
    pollster::block_on(trainer.train_steps(config.train.steps, 100)).unwrap();
    let held_out = config.held_out_prompts();
    let IclModel::LinearAttention(model) = trainer.model().valid() else { unreachable!() };
    let device = Device::flex();
    let g = model.query_weights(prompt_points(&held_out, &device)).into_data().try_into_vec::<f32>().unwrap();
    let (n, d) = (held_out.n_points, held_out.dim);
    for k in 1..=config.context {
        let errors: Vec<f64> = (0..held_out.batch)
            .map(|b| {
                let icl_core::tasks::PromptFunction::Linear { w } = &held_out.functions[b] else { unreachable!() };
                let gk = &g[(b * n + k) * d..(b * n + k + 1) * d];
                (gk.iter().zip(w).map(|(g, w)| (*g as f64 - w).powi(2)).sum::<f64>() + config.task.noise_var) / d as f64
            })
            .collect();
        let m = errors.len() as f64;
        let mean = errors.iter().sum::<f64>() / m;
        let se = (errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (m - 1.0) / m).sqrt();
        let t = theory.total[k];
        eprintln!("k = {k}: trained {mean:.4} ± {se:.4}, exact {t:.4}");
        assert!((mean - t).abs() <= 2.0 * se, "k = {k}: trained {mean} ± {se}, exact {t} (|z| = {:.2})", (mean - t).abs() / se);
    }
    // η_eff by the §4.3 regression on sampled queries: one step size at every k.
    let predictions = pollster::block_on(trainer.predict_chunked(&held_out)).unwrap();
    let eta = icl_core::probes::gd_alignment(&held_out, &predictions, 1).eta_by_k;
    let gamma = theory.gamma[0];
    for k in [2, 4, 8] {
        assert!((eta[k] - gamma).abs() < 0.03, "η_eff({k}) = {} vs γ* = {gamma}: one step size at every k", eta[k]);
    }
}
