use super::*;
use crate::rng::seeded;

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (m, v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0))
}

#[test]
fn shapes_follow_the_batch_layout() {
    let spec = TaskSpec::linear(5, 0.1);
    let b = spec.sample(3, 7, &mut seeded(0, 0));
    assert_eq!((b.xs.len(), b.ys.len(), b.clean_ys.len(), b.functions.len()), (3 * 7 * 5, 21, 21, 3));
    assert_eq!(b.x(2, 6), &b.xs[(2 * 7 + 6) * 5..(2 * 7 + 7) * 5]);
    assert_eq!(b.slice(1..3).prompt_ys(0), b.prompt_ys(1));
}

#[test]
fn same_seed_same_prompts_other_seed_other_prompts() {
    let spec = TaskSpec::linear(4, 0.0);
    let a = spec.sample(2, 3, &mut seeded(7, 1));
    let b = spec.sample(2, 3, &mut seeded(7, 1));
    let c = spec.sample(2, 3, &mut seeded(7, 2));
    assert_eq!(a.xs, b.xs);
    assert_ne!(a.xs, c.xs);
}

#[test]
fn linear_labels_are_w_dot_x_plus_noise_of_the_stated_variance() {
    let spec = TaskSpec::linear(6, 0.25);
    let b = spec.sample(2000, 4, &mut seeded(3, 0));
    let xs: Vec<f64> = b.xs.iter().map(|&x| x as f64).collect();
    let (mx, vx) = mean_var(&xs);
    assert!(mx.abs() < 0.02 && (vx - 1.0).abs() < 0.03, "x ~ N(0,1): mean {mx} var {vx}");
    let clean: Vec<f64> = b.clean_ys.iter().map(|&y| y as f64).collect();
    let (_, vy) = mean_var(&clean);
    assert!((vy - 6.0).abs() < 0.4, "Var(w·x) = D: {vy}");
    let noise: Vec<f64> = b.ys.iter().zip(&b.clean_ys).map(|(y, c)| (y - c) as f64).collect();
    let (_, vn) = mean_var(&noise);
    assert!((vn - 0.25).abs() < 0.02, "noise variance {vn}");
    for p in 0..10 {
        let y = b.functions[p].eval(b.x(p, 0));
        assert!((y as f32 - b.clean_ys[p * 4]).abs() < 1e-5);
    }
}

#[test]
fn sparse_weights_have_exactly_s_nonzeros_and_normaliser_s() {
    let spec = TaskSpec { family: TaskFamily::SparseLinear { nonzero: 3 }, ..TaskSpec::linear(20, 0.0) };
    let b = spec.sample(50, 2, &mut seeded(4, 0));
    for f in &b.functions {
        let PromptFunction::Linear { w } = f else { panic!() };
        assert_eq!(w.iter().filter(|v| **v != 0.0).count(), 3);
    }
    assert_eq!(b.normaliser, 3.0);
}

#[test]
fn tree_walks_h_levels_and_returns_a_leaf() {
    let mut rng = seeded(5, 0);
    let tree = DecisionTree::sample(2, 3, &mut rng);
    assert_eq!(tree.value.len(), 7);
    // Hand-walk one input: root tests coordinate c0, then a child, then a leaf index 3..=6.
    let x = [0.5f32, -0.5, 0.25];
    let mut n = 0;
    for _ in 0..2 {
        n = 2 * n + 1 + usize::from(x[tree.coordinate[n]] > 0.0);
    }
    assert!((3..7).contains(&n));
    assert_eq!(tree.eval(&x), tree.value[n]);
    let spec = TaskSpec { family: TaskFamily::Tree { depth: 4 }, ..TaskSpec::linear(20, 0.0) };
    let b = spec.sample(4000, 1, &mut seeded(6, 0));
    let ys: Vec<f64> = b.ys.iter().map(|&y| y as f64).collect();
    let (_, v) = mean_var(&ys);
    assert!((v - 1.0).abs() < 0.08, "leaf values ~ N(0,1): var {v}");
    assert_eq!(b.normaliser, 1.0);
}

#[test]
fn structured_spectra_sum_to_d_and_rrs_rotations_are_orthogonal() {
    let lambda = power_law_spectrum(10, 1.5);
    assert!((lambda.iter().sum::<f64>() - 10.0).abs() < 1e-12);
    assert!(lambda.windows(2).all(|w| w[0] > w[1]));
    let d = 6;
    let o = haar_rotation(d, &mut seeded(8, 0));
    for i in 0..d {
        for j in 0..d {
            let dot: f64 = (0..d).map(|r| o[r * d + i] * o[r * d + j]).sum();
            assert!((dot - f64::from(u8::from(i == j))).abs() < 1e-10);
        }
    }
}

#[test]
fn fs_inputs_have_the_spectrum_as_coordinate_variances() {
    let spec = TaskSpec { covariance: Covariance::Fs { nu: 1.5, mu: 0.0 }, ..TaskSpec::linear(4, 0.0) };
    let b = spec.sample(5000, 2, &mut seeded(9, 0));
    let lambda = power_law_spectrum(4, 1.5);
    for j in 0..4 {
        let col: Vec<f64> = b.xs.iter().skip(j).step_by(4).map(|&x| x as f64).collect();
        let (_, v) = mean_var(&col);
        assert!((v - lambda[j]).abs() < 0.06 * lambda[j] + 0.01, "coordinate {j}: {v} vs {}", lambda[j]);
    }
    assert!((b.normaliser - 4.0).abs() < 1e-12, "Z = tr(ΩΣ) = D with Ω = I");
}

#[test]
fn rrs_shares_one_rotation_per_prompt_and_preserves_the_variance() {
    let spec = TaskSpec { covariance: Covariance::Rrs { nu: 2.0, mu: 0.0 }, ..TaskSpec::linear(5, 0.0) };
    let b = spec.sample(3000, 3, &mut seeded(10, 0));
    let sq: Vec<f64> = (0..b.batch * 3).map(|i| b.xs[i * 5..i * 5 + 5].iter().map(|&x| (x as f64).powi(2)).sum()).collect();
    let (m, _) = mean_var(&sq);
    assert!((m - 5.0).abs() < 0.15, "E|x|² = tr Σ = D: {m}");
    let clean: Vec<f64> = b.clean_ys.iter().map(|&y| y as f64).collect();
    let (_, vy) = mean_var(&clean);
    assert!((vy - 5.0).abs() < 0.4, "Var(w·x) = tr(ΩΣ): {vy}");
}

#[test]
fn truncated_prompts_zero_the_inactive_dimensions_and_keep_labels_consistent() {
    let spec = TaskSpec::linear(6, 0.25);
    let mut batch = spec.sample(4, 5, &mut seeded(3, 0));
    let noise: Vec<f32> = batch.ys.iter().zip(&batch.clean_ys).map(|(y, c)| y - c).collect();
    batch.truncate_dims(2);
    for b in 0..4 {
        for i in 0..5 {
            let x = batch.x(b, i);
            assert!(x[2..].iter().all(|&v| v == 0.0));
            let p = b * 5 + i;
            assert!((batch.clean_ys[p] as f64 - batch.functions[b].eval(x)).abs() < 1e-5);
            assert!((batch.ys[p] - batch.clean_ys[p] - noise[p]).abs() < 1e-5, "the noise draw is kept");
        }
    }
}

#[test]
fn the_curriculum_grows_to_the_full_size_by_its_end() {
    let mut c = crate::config::Preset::Reference.config(); // D = 8, K + 1 = 33
    c.train.curriculum = 1000;
    let first = c.curriculum_at(0);
    assert_eq!((first.dims, first.points), (2, 9));
    let mid = c.curriculum_at(500);
    assert!(mid.dims > 2 && mid.dims < 8 && mid.points > 9 && mid.points < 33, "{mid:?}");
    assert_eq!((mid.points - 9) % 2, 0, "points grow by two");
    let end = c.curriculum_at(1000);
    assert_eq!((end.dims, end.points), (8, 33));
    c.train.curriculum = 0;
    assert_eq!(c.curriculum_at(0).dims, 8, "off: the full size from the start");
    // Monotone.
    c.train.curriculum = 1000;
    let stages: Vec<_> = (0..=1000).step_by(50).map(|t| c.curriculum_at(t)).collect();
    assert!(stages.windows(2).all(|w| w[0].dims <= w[1].dims && w[0].points <= w[1].points));
}

#[test]
fn the_learning_rate_schedule_warms_up_and_decays() {
    let mut t = crate::config::Preset::Reference.config().train;
    assert_eq!(t.lr_at(1), t.lr, "no schedule: the constant rate");
    t.warmup = 100;
    t.cosine = true;
    t.steps = 1000;
    assert!((t.lr_at(50) - 0.5 * t.lr * 0.5 * (1.0 + (std::f64::consts::PI * 0.05).cos())).abs() < 1e-12);
    assert!(t.lr_at(100) > t.lr_at(50) && t.lr_at(100) > t.lr_at(900));
    assert!(t.lr_at(1000).abs() < 1e-12, "zero at the budget");
}
