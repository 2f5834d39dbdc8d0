//! Small cases worked out independently of the learners' own code paths.

use super::lasso::LassoPath;
use super::linear::{design, min_norm_solve, svd_min_norm};
use super::*;
use crate::rng::{normal, seeded};
use crate::tasks::{Covariance, DecisionTree, PromptFunction, TaskFamily, TaskSpec};
use nalgebra::{DMatrix, DVector};

fn gaussian(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = seeded(seed, 77);
    (0..n).map(|_| normal(&mut rng) as f32).collect()
}

fn all_learners(dim: usize) -> Vec<Box<dyn Learner>> {
    vec![
        Box::new(Zero),
        Box::new(Averaging),
        Box::new(LeastSquares),
        Box::new(Ridge { lambda: 0.5 }),
        Box::new(BayesLinear { omega: vec![1.0; dim], noise_var: 0.0 }),
        Box::new(BayesLinear { omega: vec![1.0; dim], noise_var: 0.3 }),
        Box::new(GradientDescent::with_rates(vec![0.1, 0.2])),
        Box::new(GradientDescent::common(3, vec![0.0, 0.3, 0.4])),
        Box::new(NearestNeighbours::default()),
        Box::new(Lasso::new(0.01)),
        Box::new(RegressionTree::greedy(Some(2))),
        Box::new(RegressionTree::greedy(None)),
        Box::new(RegressionTree::zero_threshold(Some(2))),
        Box::new(BayesTree::new(2, dim, 0.0).unwrap()),
        Box::new(BayesTree::new(1, dim, 0.2).unwrap()),
        Box::new(BayesSparse::new(dim, 2, vec![1.0; dim], 0.0).unwrap()),
        Box::new(BayesSparse::new(dim, 1, vec![1.0; dim], 0.1).unwrap()),
    ]
}

#[test]
fn every_learner_predicts_zero_without_context_and_finite_values_for_any_k() {
    let dim = 3;
    let xs = gaussian(8 * dim, 1);
    let ys = gaussian(8, 2);
    for l in all_learners(dim) {
        assert_eq!(l.predict(&[], &[], dim, &xs[..dim]), 0.0, "{}", l.name());
        // k < D, k = D, k > D, and duplicated points (rank-deficient X).
        for k in 1..8 {
            let p = l.predict(&xs[..k * dim], &ys[..k], dim, &xs[7 * dim..]);
            assert!(p.is_finite(), "{} at k = {k}: {p}", l.name());
        }
        let dup: Vec<f32> = xs[..dim].repeat(4);
        let p = l.predict(&dup, &[1.0, 1.0, 1.0, 1.0], dim, &xs[dim..2 * dim]);
        assert!(p.is_finite(), "{} on duplicated points: {p}", l.name());
    }
}

#[test]
fn predict_prompt_equals_predict_per_k() {
    let dim = 3;
    let n = 9;
    let xs = gaussian(n * dim, 3);
    let ys = gaussian(n, 4);
    for l in all_learners(dim) {
        let all = l.predict_prompt(&xs, &ys, dim);
        assert_eq!(all.len(), n);
        for k in 0..n {
            let one = l.predict(&xs[..k * dim], &ys[..k], dim, &xs[k * dim..(k + 1) * dim]);
            assert!((all[k] - one).abs() <= 1e-12 * (1.0 + one.abs()), "{} k = {k}: {} vs {one}", l.name(), all[k]);
        }
    }
}

#[test]
fn averaging_matches_a_hand_computation() {
    // x = (1, 2), (3, −1); y = 2, 4: ŵ = ((2·1 + 4·3)/2, (2·2 − 4)/2) = (7, 0); x_q = (1, 5) → 7.
    let p = Averaging.predict(&[1.0, 2.0, 3.0, -1.0], &[2.0, 4.0], 2, &[1.0, 5.0]);
    assert!((p - 7.0).abs() < 1e-12, "{p}");
}

#[test]
fn least_squares_interpolates_exactly_when_k_is_at_least_d_without_noise() {
    let spec = TaskSpec::linear(6, 0.0);
    let batch = spec.sample(20, 12, &mut seeded(5, 0));
    for b in 0..batch.batch {
        let PromptFunction::Linear { w } = &batch.functions[b] else { unreachable!() };
        for k in 6..12 {
            let xs = &batch.prompt_xs(b)[..k * 6];
            let q = batch.x(b, k);
            let p = LeastSquares.predict(xs, &batch.prompt_ys(b)[..k], 6, q);
            let truth: f64 = w.iter().zip(q).map(|(w, &x)| w * x as f64).sum();
            // Labels are f32: allow their rounding.
            assert!((p - truth).abs() < 1e-4 * (1.0 + truth.abs()), "k = {k}: {p} vs {truth}");
        }
    }
}

#[test]
fn least_squares_below_d_is_the_minimum_norm_interpolant() {
    let (dim, k) = (5, 3);
    let xs = gaussian(k * dim, 6);
    let ys = gaussian(k, 7);
    // Interpolates its context.
    for i in 0..k {
        let p = LeastSquares.predict(&xs, &ys, dim, &xs[i * dim..(i + 1) * dim]);
        assert!((p - ys[i] as f64).abs() < 1e-5, "point {i}: {p} vs {}", ys[i]);
    }
    // ŵ lies in the row space: a query orthogonal to every context input predicts 0.
    let (x, _) = design(&xs, &ys, dim);
    let r = DVector::from_iterator(dim, gaussian(dim, 40).iter().map(|&v| v as f64));
    let null = &r - x.transpose() * (&x * x.transpose()).try_inverse().unwrap() * (&x * &r);
    assert!((&x * &null).norm() < 1e-9);
    let null: Vec<f32> = null.iter().map(|&v| v as f32).collect();
    assert!(LeastSquares.predict(&xs, &ys, dim, &null).abs() < 1e-5);
    // And equals Xᵀ(XXᵀ)⁻¹y.
    let (x, y) = design(&xs, &ys, dim);
    let w = x.transpose() * (&x * x.transpose()).try_inverse().unwrap() * &y;
    let q = gaussian(dim, 8);
    let expected: f64 = (0..dim).map(|j| w[j] * q[j] as f64).sum();
    assert!((LeastSquares.predict(&xs, &ys, dim, &q) - expected).abs() < 1e-8);
}

#[test]
fn least_squares_stays_finite_and_exact_at_k_equal_d() {
    let dim = 7;
    let xs = gaussian(dim * dim, 9);
    let ys = gaussian(dim, 10);
    let (x, y) = design(&xs, &ys, dim);
    let w = x.clone().try_inverse().unwrap() * &y;
    let q = gaussian(dim, 11);
    let expected: f64 = (0..dim).map(|j| w[j] * q[j] as f64).sum();
    let p = LeastSquares.predict(&xs, &ys, dim, &q);
    assert!((p - expected).abs() < 1e-8 * (1.0 + expected.abs()), "{p} vs {expected}");
    // All-zero inputs: X⁺ = 0.
    assert_eq!(min_norm_solve(&DMatrix::zeros(3, 2), &DVector::from_vec(vec![1.0, 2.0, 3.0])).norm(), 0.0);
}

#[test]
fn ridge_and_bayes_match_the_normal_equations() {
    let (dim, k) = (4, 6);
    let xs = gaussian(k * dim, 12);
    let ys = gaussian(k, 13);
    let q = gaussian(dim, 14);
    let (x, y) = design(&xs, &ys, dim);
    let solve = |reg: DMatrix<f64>| -> f64 {
        let w = (x.transpose() * &x + reg).try_inverse().unwrap() * x.transpose() * &y;
        (0..dim).map(|j| w[j] * q[j] as f64).sum()
    };
    let lambda = 0.7;
    let expected = solve(DMatrix::identity(dim, dim) * lambda);
    assert!((Ridge { lambda }.predict(&xs, &ys, dim, &q) - expected).abs() < 1e-10);
    // Bayes with Ω = I, σ² = λ is the same ridge.
    let bayes = BayesLinear { omega: vec![1.0; dim], noise_var: lambda };
    assert!((bayes.predict(&xs, &ys, dim, &q) - expected).abs() < 1e-10);
    // With a diagonal prior: (XᵀX + σ²Ω⁻¹)⁻¹Xᵀy.
    let omega = vec![2.0, 1.0, 0.5, 0.1];
    let bayes = BayesLinear { omega: omega.clone(), noise_var: 0.3 };
    let expected = solve(DMatrix::from_diagonal(&DVector::from_iterator(dim, omega.iter().map(|w| 0.3 / w))));
    assert!((bayes.predict(&xs, &ys, dim, &q) - expected).abs() < 1e-10);
    // σ² = 0, k < D: the minimum Ω⁻¹-norm interpolant Ω Xᵀ(XΩXᵀ)⁻¹y, no division by zero.
    let k = 2;
    let (x2, y2) = design(&xs[..k * dim], &ys[..k], dim);
    let om = DMatrix::from_diagonal(&DVector::from_vec(omega.clone()));
    let w = &om * x2.transpose() * (&x2 * &om * x2.transpose()).try_inverse().unwrap() * &y2;
    let expected: f64 = (0..dim).map(|j| w[j] * q[j] as f64).sum();
    let bayes = BayesLinear { omega, noise_var: 0.0 };
    assert!((bayes.predict(&xs[..k * dim], &ys[..k], dim, &q) - expected).abs() < 1e-9);
    // Ridge λ = 0 is least squares.
    let p0 = Ridge { lambda: 0.0 }.predict(&xs, &ys, dim, &q);
    assert!((p0 - LeastSquares.predict(&xs, &ys, dim, &q)).abs() < 1e-12);
}

#[test]
fn bayes_linear_applies_where_the_prior_is_known() {
    let iso = TaskSpec::linear(5, 0.1);
    assert_eq!(BayesLinear::for_spec(&iso).unwrap().omega, vec![1.0; 5]);
    let fs = TaskSpec { covariance: Covariance::Fs { nu: 1.5, mu: 1.0 }, ..iso.clone() };
    assert!(BayesLinear::for_spec(&fs).unwrap().omega[0] > 1.0);
    assert!(BayesLinear::for_spec(&TaskSpec { covariance: Covariance::Rrs { nu: 1.5, mu: 0.0 }, ..iso.clone() }).is_some());
    assert!(BayesLinear::for_spec(&TaskSpec { covariance: Covariance::Rrs { nu: 1.5, mu: 1.0 }, ..iso.clone() }).is_none());
    assert!(BayesLinear::for_spec(&TaskSpec { family: TaskFamily::Tree { depth: 2 }, ..iso }).is_none());
}

#[test]
fn one_gd_step_is_eta_h_and_many_small_steps_reach_least_squares() {
    let (dim, k) = (3, 10);
    let xs = gaussian(k * dim, 15);
    let ys = gaussian(k, 16);
    let q = gaussian(dim, 17);
    let eta = 0.37;
    let avg = Averaging.predict(&xs, &ys, dim, &q);
    let one = GradientDescent::with_rates(vec![eta]).predict(&xs, &ys, dim, &q);
    assert!((one - eta * avg).abs() < 1e-12);
    let common = GradientDescent::common(1, vec![0.0; k + 1].into_iter().chain([eta]).collect());
    // eta[k] with k = 10 is the 11th entry (0.0); past the end reuses the last (eta).
    assert_eq!(common.predict(&xs, &ys, dim, &q), 0.0);
    assert!((common.predict(&xs, &ys[..k], dim, &q) - 0.0).abs() < 1e-15);
    let many = GradientDescent::with_rates(vec![0.3; 3000]).predict(&xs, &ys, dim, &q);
    let ls = LeastSquares.predict(&xs, &ys, dim, &q);
    assert!((many - ls).abs() < 1e-9, "{many} vs {ls}");
}

#[test]
fn optimal_one_step_matches_theory_closed_forms() {
    // ISO: η* = k/(k + D + 1 + σ²) (THEORY §2.5; e.g. D = 20, σ² = 0.25, k = 10: 0.320000).
    let spec = TaskSpec::linear(20, 0.25);
    assert!((optimal_one_step(&spec, 10).unwrap() - 0.32).abs() < 1e-12);
    assert!((optimal_one_step(&spec, 32).unwrap() - 0.600939).abs() < 1e-6);
    // FS/RRS with Ω = I, λ_j ∝ j^-1.5, D = 8, k = 16, σ² = 0.25: γ* = 0.226844 (§5.5).
    for cov in [Covariance::Fs { nu: 1.5, mu: 0.0 }, Covariance::Rrs { nu: 1.5, mu: 0.0 }] {
        let spec = TaskSpec { covariance: cov, ..TaskSpec::linear(8, 0.25) };
        assert!((optimal_one_step(&spec, 16).unwrap() - 0.226844).abs() < 1e-6);
    }
    // Sparse ISO: E[wwᵀ] = (s/D)I, so η* = k/(k + 1 + D + σ²D/s).
    let sparse = TaskSpec { family: TaskFamily::SparseLinear { nonzero: 3 }, ..TaskSpec::linear(20, 0.3) };
    let expected = 8.0 / (8.0 + 1.0 + 20.0 + 0.3 * 20.0 / 3.0);
    assert!((optimal_one_step(&sparse, 8).unwrap() - expected).abs() < 1e-12);
    assert!(optimal_one_step(&TaskSpec { family: TaskFamily::Tree { depth: 2 }, ..spec }, 4).is_none());
}

#[test]
fn tuned_one_step_agrees_with_the_closed_form_under_fs() {
    // The Monte-Carlo tuner has no closed form to lean on; check it where one exists.
    let spec = TaskSpec { covariance: Covariance::Fs { nu: 1.5, mu: 0.0 }, ..TaskSpec::linear(8, 0.25) };
    let tuned = tune_common_steps(&spec, 16, 1, 20000, 3);
    for k in [2, 8, 16] {
        let exact = optimal_one_step(&spec, k).unwrap();
        // 20000 prompts: the tuned η scatters by about 1.3% (sd over seeds); allow ~4 sd.
        assert!((tuned[k] - exact).abs() < 0.05 * exact, "k = {k}: tuned {} vs {exact}", tuned[k]);
    }
    assert_eq!(tuned[0], 0.0);
}

#[test]
fn knn_averages_the_three_nearest_labels() {
    // Points on a line at 0, 1, 2, 10, 11 with labels 1..5; query at 1.4 → nearest 1, 2, 0.
    let xs = [0.0, 1.0, 2.0, 10.0, 11.0];
    let ys = [1.0, 2.0, 3.0, 4.0, 5.0];
    let p = NearestNeighbours::default().predict(&xs, &ys, 1, &[1.4]);
    assert!((p - 2.0).abs() < 1e-12, "{p}");
    let p = NearestNeighbours::default().predict(&xs, &ys, 1, &[10.8]);
    assert!((p - (3.0 + 4.0 + 5.0) / 3.0).abs() < 1e-12, "{p}");
    // k < 3: all points.
    assert!((NearestNeighbours::default().predict(&xs[..2], &ys[..2], 1, &[7.0]) - 1.5).abs() < 1e-12);
    // 2-D Euclidean: (0,0), (3,4), (1,0), (0,2); query (0,0) → (0,0), (1,0), (0,2).
    let xs = [0.0, 0.0, 3.0, 4.0, 1.0, 0.0, 0.0, 2.0];
    let ys = [10.0, 20.0, 30.0, 40.0];
    assert!((NearestNeighbours::default().predict(&xs, &ys, 2, &[0.0, 0.0]) - 80.0 / 3.0).abs() < 1e-12);
}

#[test]
fn lasso_soft_thresholds_in_one_dimension_and_tends_to_least_squares() {
    // D = 1: w = soft(xᵀy/k, λ)/(xᵀx/k).
    let xs = [1.0f32, 2.0, -1.0];
    let ys = [1.0f32, 3.0, 0.5];
    let (xy, xx) = ((1.0 + 6.0 - 0.5) / 3.0, 6.0 / 3.0);
    for lambda in [0.1, 1.0, 3.0] {
        let w = Lasso::new(lambda).fit(&xs, &ys, 1)[0];
        assert!((Lasso::new(lambda).fit_cd(&xs, &ys, 1)[0] - w).abs() < 1e-12);
        let expected = f64::max(xy - lambda, 0.0) / xx;
        assert!((w - expected).abs() < 1e-12, "λ = {lambda}: {w} vs {expected}");
    }
    // λ → 0 with k > D: OLS.
    let (dim, k) = (4, 12);
    let xs = gaussian(k * dim, 18);
    let ys = gaussian(k, 19);
    let q = gaussian(dim, 20);
    let lasso = Lasso { lambda: 1e-12, tol: 1e-14, max_sweeps: 100_000 };
    let ls = LeastSquares.predict(&xs, &ys, dim, &q);
    assert!((lasso.predict(&xs, &ys, dim, &q) - ls).abs() < 1e-8, "{} vs {ls}", lasso.predict(&xs, &ys, dim, &q));
    // λ at least max_j |x_jᵀy|/k: all zero.
    assert_eq!(Lasso::new(100.0).predict(&xs, &ys, dim, &q), 0.0);
    // KKT conditions at a moderate λ: |x_jᵀr/k| ≤ λ, with equality and matching sign where w_j ≠ 0.
    let lambda = 0.05;
    let w = Lasso::new(lambda).fit(&xs, &ys, dim);
    let r: Vec<f64> = (0..k).map(|i| ys[i] as f64 - dot(&w, &xs[i * dim..(i + 1) * dim])).collect();
    for j in 0..dim {
        let g: f64 = (0..k).map(|i| xs[i * dim + j] as f64 * r[i]).sum::<f64>() / k as f64;
        if w[j] != 0.0 {
            assert!((g - lambda * w[j].signum()).abs() < 1e-6, "coordinate {j}: {g}");
        } else {
            assert!(g.abs() <= lambda + 1e-6);
        }
    }
}

#[test]
fn fast_gram_path_agrees_with_the_svd() {
    for (k, dim) in [(3, 8), (7, 8), (8, 8), (9, 8), (30, 8), (19, 20), (20, 20), (21, 20)] {
        for seed in 0..5 {
            let xs = gaussian(k * dim, 100 + seed);
            let ys = gaussian(k, 200 + seed);
            let (x, y) = design(&xs, &ys, dim);
            let (fast, svd) = (min_norm_solve(&x, &y), svd_min_norm(&x, &y));
            assert!((&fast - &svd).norm() <= 1e-6 * (1.0 + svd.norm()), "k = {k}, D = {dim}: {fast} vs {svd}");
        }
    }
}

#[test]
fn lasso_homotopy_is_the_minimiser_and_agrees_with_converged_coordinate_descent() {
    let dim = 12;
    let path = LassoPath::new(&LASSO_GRID);
    for k in [1, 3, 8, 12, 20, 40] {
        for seed in 0..4 {
            let xs = gaussian(k * dim, 300 + seed);
            let ys = gaussian(k, 400 + seed);
            let q = gaussian(dim, 500 + seed);
            let all = path.predict_all(&xs, &ys, dim, &q);
            for (l, p) in LASSO_GRID.iter().zip(&all) {
                let lasso = Lasso::new(*l);
                assert_eq!(lasso.predict(&xs, &ys, dim, &q), *p, "path and single λ agree exactly");
                let w = lasso.fit(&xs, &ys, dim);
                let objective = |w: &[f64]| -> f64 {
                    let rss: f64 = (0..k).map(|i| (ys[i] as f64 - dot(w, &xs[i * dim..(i + 1) * dim])).powi(2)).sum();
                    rss / (2.0 * k as f64) + l * w.iter().map(|v| v.abs()).sum::<f64>()
                };
                // Coordinate descent run to convergence reaches the same objective value,
                // and never a lower one.
                let cd = Lasso { lambda: *l, tol: 1e-13, max_sweeps: 200_000 }.fit_cd(&xs, &ys, dim);
                let (f_exact, f_cd) = (objective(&w), objective(&cd));
                assert!(f_exact <= f_cd + 1e-12 * (1.0 + f_cd), "k = {k}, λ = {l}: {f_exact} > {f_cd}");
                assert!(f_cd - f_exact < 1e-7 * (1.0 + f_exact), "k = {k}, λ = {l}: {f_exact} vs {f_cd}");
                // The specified CD (tol 1e-8, 1000 sweeps) agrees where it converges (k > D).
                if k > dim {
                    let spec_cd = Lasso::new(*l).fit_cd(&xs, &ys, dim);
                    let diff = w.iter().zip(&spec_cd).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                    assert!(diff < 1e-6, "k = {k}, λ = {l}: max |Δw| = {diff}");
                }
            }
        }
    }
}

fn tree_prompt(tree: &DecisionTree, dim: usize, n: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let xs = gaussian(n * dim, seed);
    let ys = (0..n).map(|i| tree.eval(&xs[i * dim..(i + 1) * dim]) as f32).collect();
    (xs, ys)
}

#[test]
fn cart_recovers_a_depth_one_tree_from_enough_points() {
    let dim = 4;
    let tree = DecisionTree { depth: 1, coordinate: vec![2, 0, 0], value: vec![0.0, -0.7, 1.3] };
    let (xs, ys) = tree_prompt(&tree, dim, 40, 21);
    let queries = gaussian(50 * dim, 22);
    for learner in [RegressionTree::greedy(Some(1)), RegressionTree::greedy(None), RegressionTree::zero_threshold(Some(1))] {
        for q in queries.chunks(dim) {
            let p = learner.predict(&xs, &ys, dim, q);
            assert!((p - tree.eval(q)).abs() < 1e-6, "{}: {p} vs {}", learner.name(), tree.eval(q));
        }
    }
}

#[test]
fn cart_splits_at_the_best_midpoint_and_stops_at_its_depth() {
    // 1-D: x = 0, 1, 2, 3 with y = 0, 0, 5, 6. Best root split: between 1 and 2 (t = 1.5).
    let xs = [0.0f32, 1.0, 2.0, 3.0];
    let ys = [0.0f32, 0.0, 5.0, 6.0];
    let depth1 = RegressionTree::greedy(Some(1));
    assert_eq!(depth1.predict(&xs, &ys, 1, &[1.49]), 0.0);
    assert_eq!(depth1.predict(&xs, &ys, 1, &[1.51]), 5.5);
    // Unlimited: the right node splits again at 2.5 (the left one is pure).
    let full = RegressionTree::greedy(None);
    assert_eq!(full.predict(&xs, &ys, 1, &[2.4]), 5.0);
    assert_eq!(full.predict(&xs, &ys, 1, &[2.6]), 6.0);
    // Zero threshold: x > 0 versus x ≤ 0 only.
    let zero = RegressionTree::zero_threshold(Some(3));
    assert_eq!(zero.predict(&xs, &ys, 1, &[-1.0]), 0.0);
    assert!((zero.predict(&xs, &ys, 1, &[0.5]) - 11.0 / 3.0).abs() < 1e-12);
    // Unlimited depth interpolates distinct training points.
    let xs = gaussian(30 * 3, 23);
    let ys = gaussian(30, 24);
    for i in 0..30 {
        assert_eq!(full.predict(&xs, &ys, 3, &xs[i * 3..i * 3 + 3]), ys[i] as f64);
    }
}

/// Brute force for the tree posterior: enumerate structures, take the exact multivariate
/// Gaussian likelihood N(y; 0, K_T + σ²I) with K_T[i][j] = [same leaf], and the posterior
/// mean of the query's leaf by Gaussian conditioning, k_qᵀ(K_T + σ²I)⁻¹y.
fn brute_force_tree(depth: usize, dim: usize, s2: f64, xs: &[f32], ys: &[f32], q: &[f32]) -> f64 {
    let internal = (1usize << depth) - 1;
    let count = dim.pow(internal as u32);
    let k = ys.len();
    let y = DVector::from_iterator(k, ys.iter().map(|&v| v as f64));
    let mut logs = vec![];
    let mut preds = vec![];
    for t in 0..count {
        let coordinate: Vec<usize> = (0..(2 * internal + 1)).map(|n| (t / dim.pow(n.min(internal) as u32)) % dim).collect();
        let tree = DecisionTree { depth, coordinate, value: (0..2 * internal + 1).map(|n| n as f64).collect() };
        let leaf = |x: &[f32]| tree.eval(x);
        let leaves: Vec<f64> = (0..k).map(|i| leaf(&xs[i * dim..(i + 1) * dim])).collect();
        let cov = DMatrix::from_fn(k, k, |i, j| f64::from(u8::from(leaves[i] == leaves[j])) + if i == j { s2 } else { 0.0 });
        let chol = cov.cholesky().unwrap();
        let alpha = chol.solve(&y);
        let log_det = 2.0 * chol.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
        logs.push(-0.5 * (y.dot(&alpha) + log_det));
        let lq = leaf(q);
        preds.push((0..k).map(|i| f64::from(u8::from(leaves[i] == lq)) * alpha[i]).sum::<f64>());
    }
    let max = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    w.iter().zip(&preds).map(|(w, p)| w * p).sum::<f64>() / w.iter().sum::<f64>()
}

#[test]
fn bayes_tree_equals_brute_force_enumeration() {
    for (depth, dim) in [(1, 2), (2, 2), (2, 3), (1, 5)] {
        let bt = |s2| BayesTree::new(depth, dim, s2).unwrap();
        let mut rng = seeded(25 + dim as u64, depth as u64);
        let truth = DecisionTree::sample(depth, dim, &mut rng);
        for s2 in [0.5f64, 0.05] {
            let (xs, clean) = tree_prompt(&truth, dim, 9, 26 + depth as u64);
            let noise = gaussian(9, 27);
            let ys: Vec<f32> = clean.iter().zip(&noise).map(|(c, e)| c + (s2.sqrt() as f32) * e).collect();
            let q = gaussian(dim, 28);
            for k in [1, 2, 5, 8] {
                let p = bt(s2).predict(&xs[..k * dim], &ys[..k], dim, &q);
                let b = brute_force_tree(depth, dim, s2, &xs[..k * dim], &ys[..k], &q);
                assert!((p - b).abs() < 1e-9, "h = {depth}, D = {dim}, σ² = {s2}, k = {k}: {p} vs {b}");
            }
        }
        // σ² = 0 is the limit of small noise.
        let (xs, ys) = tree_prompt(&truth, dim, 9, 29);
        let q = gaussian(dim, 30);
        for k in [1, 3, 6, 8] {
            let p = bt(0.0).predict(&xs[..k * dim], &ys[..k], dim, &q);
            let b = brute_force_tree(depth, dim, 1e-10, &xs[..k * dim], &ys[..k], &q);
            assert!((p - b).abs() < 1e-3, "h = {depth}, D = {dim}, σ² = 0, k = {k}: {p} vs {b}");
        }
    }
}

#[test]
fn noiseless_bayes_tree_on_a_hand_made_case() {
    // h = 1, D = 2, σ² = 0. Context: (+,+) → 1, (+,−) → 1, (−,+) → 2. Splitting on x0
    // gives leaves {1,1} and {2}: consistent; splitting on x1 puts 1 and 2 together: not.
    // So the posterior sits on "x0": a query with x0 > 0 gets 1, with x0 ≤ 0 gets 2.
    let bt = BayesTree::new(1, 2, 0.0).unwrap();
    let xs = [1.0f32, 1.0, 1.0, -1.0, -1.0, 1.0];
    let ys = [1.0f32, 1.0, 2.0];
    assert_eq!(bt.predict(&xs, &ys, 2, &[0.5, -3.0]), 1.0);
    assert_eq!(bt.predict(&xs, &ys, 2, &[-0.5, -3.0]), 2.0);
    // One point: both structures consistent, each puts the query in the point's leaf or in
    // an empty one (prediction 0).
    let p = bt.predict(&[1.0, 1.0], &[3.0], 2, &[1.0, -1.0]);
    assert!((p - 1.5).abs() < 1e-12, "{p}");
    // Equal labels in two points must share a leaf: (+,+) → 4, (+,−) → 4 only fits "x0".
    let p = bt.predict(&[1.0, 1.0, 1.0, -1.0], &[4.0, 4.0], 2, &[-1.0, 1.0]);
    assert_eq!(p, 0.0);
    let p = bt.predict(&[1.0, 1.0, 1.0, -1.0], &[4.0, 4.0], 2, &[1.0, -7.0]);
    assert_eq!(p, 4.0);
    assert!(BayesTree::new(4, 20, 0.0).is_none());
    assert_eq!(BayesTree::structure_count(2, 20), Some(8000));
}

/// Brute force for the sparse posterior with the k × k Gaussian likelihood.
fn brute_force_sparse(dim: usize, s: usize, omega: &[f64], s2: f64, xs: &[f32], ys: &[f32], q: &[f32]) -> f64 {
    let k = ys.len();
    let y = DVector::from_iterator(k, ys.iter().map(|&v| v as f64));
    let (mut logs, mut preds) = (vec![], vec![]);
    for mask in 0u32..(1 << dim) {
        if mask.count_ones() as usize != s {
            continue;
        }
        let on = |j: usize| mask & (1 << j) != 0;
        let x = |i: usize, j: usize| xs[i * dim + j] as f64;
        let cov = DMatrix::from_fn(k, k, |i, l| {
            (0..dim).filter(|&j| on(j)).map(|j| omega[j] * x(i, j) * x(l, j)).sum::<f64>() + if i == l { s2 } else { 0.0 }
        });
        let chol = cov.cholesky().unwrap();
        let alpha = chol.solve(&y);
        logs.push(-0.5 * (y.dot(&alpha) + 2.0 * chol.l().diagonal().iter().map(|d| d.ln()).sum::<f64>()));
        // Cov(y_q_clean, y) = Σ_j ω_j x_qj x_ij.
        preds.push(
            (0..k)
                .map(|i| alpha[i] * (0..dim).filter(|&j| on(j)).map(|j| omega[j] * q[j] as f64 * x(i, j)).sum::<f64>())
                .sum::<f64>(),
        );
    }
    let max = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    w.iter().zip(&preds).map(|(w, p)| w * p).sum::<f64>() / w.iter().sum::<f64>()
}

#[test]
fn bayes_sparse_equals_brute_force_and_recovers_noiseless_weights() {
    let (dim, s) = (5, 2);
    let omega = vec![1.5, 1.0, 0.8, 0.5, 0.2];
    let xs = gaussian(12 * dim, 31);
    let ys = gaussian(12, 32);
    let q = gaussian(dim, 33);
    for s2 in [0.4, 0.02] {
        let bs = BayesSparse::new(dim, s, omega.clone(), s2).unwrap();
        for k in [1, 2, 3, 7, 12] {
            let p = bs.predict(&xs[..k * dim], &ys[..k], dim, &q);
            let b = brute_force_sparse(dim, s, &omega, s2, &xs[..k * dim], &ys[..k], &q);
            assert!((p - b).abs() < 1e-8 * (1.0 + b.abs()), "σ² = {s2}, k = {k}: {p} vs {b}");
        }
    }
    // σ² = 0: with k > s noiseless points only the true support interpolates.
    let spec = TaskSpec { family: TaskFamily::SparseLinear { nonzero: 3 }, ..TaskSpec::linear(12, 0.0) };
    let bs = BayesSparse::for_spec(&spec).unwrap();
    let batch = spec.sample(5, 6, &mut seeded(34, 0));
    for b in 0..5 {
        let p = bs.predict(&batch.prompt_xs(b)[..5 * 12], &batch.prompt_ys(b)[..5], 12, batch.x(b, 5));
        let truth = batch.clean_ys[b * 6 + 5] as f64;
        assert!((p - truth).abs() < 1e-4 * (1.0 + truth.abs()), "prompt {b}: {p} vs {truth}");
    }
    let wide = TaskSpec { family: TaskFamily::SparseLinear { nonzero: 10 }, ..TaskSpec::linear(40, 0.0) };
    assert!(BayesSparse::for_spec(&wide).is_none());
}

#[test]
fn suite_picks_the_family_baselines_and_scores_in_slices() {
    let spec = TaskSpec::linear(4, 0.1);
    let batch = spec.sample(30, 7, &mut seeded(35, 0));
    let mut suite = BaselineSuite::new(&spec, &batch);
    assert_eq!(suite.names(), ["zero", "averaging", "least_squares", "ridge", "bayes", "gd_1", "gd_2", "knn_3"]);
    suite.run_prompts(0..10);
    assert!(!suite.is_done());
    suite.run_prompts(5..40); // overlaps and runs past the end: each prompt counts once
    assert!(suite.is_done());
    let sliced = suite.curves();
    assert_eq!(sliced, baseline_curves(&spec, &batch));
    // Bayes with Ω = I is ridge with λ = σ² (shared, not recomputed): check against a
    // direct evaluation of the Bayes learner.
    let bayes = BayesLinear::for_spec(&spec).unwrap();
    let mut acc = crate::eval::ErrorAccumulator::new(7);
    for b in 0..30 {
        let ys = batch.prompt_ys(b);
        for (k, p) in bayes.predict_prompt(batch.prompt_xs(b), ys, 4).iter().enumerate() {
            acc.add(k, (p - ys[k] as f64).powi(2) / batch.normaliser);
        }
    }
    assert_eq!(sliced[4].name, "bayes");
    assert_eq!(sliced[4].curve, acc.curve());
    // The zero curve is exactly mean(y²)/Z per k.
    let zero = &sliced[0].curve;
    for k in 0..7 {
        let m: f64 = (0..30).map(|b| (batch.prompt_ys(b)[k] as f64).powi(2)).sum::<f64>() / 30.0 / batch.normaliser;
        assert!((zero.mean[k] - m).abs() < 1e-12);
    }
    let sparse = TaskSpec { family: TaskFamily::SparseLinear { nonzero: 2 }, ..TaskSpec::linear(6, 0.0) };
    let suite = BaselineSuite::new(&sparse, &sparse.sample(4, 5, &mut seeded(36, 0)));
    assert_eq!(suite.names().last().unwrap(), "lasso_oracle");
    assert!(suite.names().contains(&"bayes".to_string()));
    let tree = TaskSpec { family: TaskFamily::Tree { depth: 2 }, ..TaskSpec::linear(5, 0.0) };
    let suite = BaselineSuite::new(&tree, &tree.sample(4, 5, &mut seeded(37, 0)));
    assert_eq!(
        suite.names(),
        ["zero", "averaging", "least_squares", "knn_3", "tree_greedy", "tree_greedy_unlimited", "tree_zero_threshold", "tree_bayes"]
    );
    let big = TaskSpec { family: TaskFamily::Tree { depth: 4 }, ..TaskSpec::linear(20, 0.0) };
    let suite = BaselineSuite::new(&big, &big.sample(2, 3, &mut seeded(38, 0)));
    assert!(!suite.names().contains(&"tree_bayes".to_string()));
    assert_eq!(suite.unavailable()[0].0, "tree_bayes");
}
