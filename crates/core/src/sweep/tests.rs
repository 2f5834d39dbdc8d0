//! Planner, shards, merge, file format, verdict rule and analyses on synthetic sweeps with a
//! known truth. Run with `cargo test --release -p icl-core sweep`.

use super::*;
use crate::config::RunConfig;
use crate::eval::ErrorCurve;
use crate::fit::Interval;
use crate::rng::{normal, seeded};
use crate::schema::{BackendInfo, EvalPoint, RunResult, RunStatus};
use crate::sweep::experiments::{depth_width::DepthWidth, learning_curve::LearningCurve, scaling::{Scaling, SizeMeasure}, transition::Transition};
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use std::collections::BTreeSet;

fn all_plans() -> Vec<SweepPlan> {
    let mut v = Vec::new();
    for &kind in ExperimentKind::ALL {
        for preset in SweepPreset::ALL {
            v.push(plan(&Experiment::default_for(kind), preset));
        }
    }
    v
}

/// A finished point whose final e(k) is `value(k)` at every k = 0..=K, SE 1% of the value.
fn done_point(p: &SweepPoint, value: impl Fn(usize) -> f64) -> PointResult {
    let k: Vec<usize> = (0..=p.config.context).collect();
    let mean: Vec<f64> = k.iter().map(|&k| value(k)).collect();
    let se: Vec<f64> = mean.iter().map(|m| 0.01 * m.abs()).collect();
    let curve = ErrorCurve { k, mean, se };
    PointResult {
        id: p.id.clone(),
        config: p.config.clone(),
        labels: p.labels.clone(),
        backend: BackendInfo::cpu(),
        steps: p.config.train.steps,
        elapsed_s: 1.0,
        final_curve: curve.clone(),
        final_loss: 0.5,
        evals: vec![EvalPoint { step: p.config.train.steps, elapsed_s: 1.0, curve, shifted: None, query_exact: None }],
        status: RunStatus::Done,
        probe: None,
    }
}

fn synthetic(plan: &SweepPlan, mut value: impl FnMut(&SweepPoint) -> f64) -> SweepResult {
    let mut r = SweepResult::new(plan);
    for p in &plan.points {
        let v = value(p);
        r.points.push(done_point(p, |_| v));
    }
    r
}

fn verdict_of<'a>(a: &'a Analysis, starts: &str) -> &'a Verdict {
    a.verdicts.iter().find(|v| v.claim.starts_with(starts)).unwrap_or_else(|| panic!("no verdict \"{starts}\" in {:#?}", a.verdicts))
}

// ---------------------------------------------------------------- planner

#[test]
fn sweep_plans_are_valid_unique_and_stable() {
    for plan_ in all_plans() {
        let name = format!("{} {}", plan_.experiment.kind().name(), plan_.preset.name());
        assert!(!plan_.points.is_empty(), "{name}");
        let ids: BTreeSet<&str> = plan_.points.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), plan_.points.len(), "{name}: ids must be unique");
        for p in &plan_.points {
            assert_eq!(p.config.validate(), Ok(()), "{name} {}", p.id);
            assert_eq!(p.labels.size_ld, p.config.size_ld());
            assert_eq!(p.labels.params, p.config.param_count());
            assert_eq!(p.labels.seed, p.config.train.seed);
            assert!(p.id.ends_with(&format!("-s{}", p.config.train.seed)), "{}", p.id);
        }
        // Stable: planning again gives the same plan.
        assert_eq!(plan(&plan_.experiment, plan_.preset), plan_, "{name}");
        assert!(plan_.description.contains("Error metric"), "{name}");
        assert_eq!(plan_.estimate.points, plan_.points.len());
    }
    // Ids derive from the configuration.
    let p = plan(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Quick);
    let ids: Vec<&str> = p.points.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(&ids[..4], &["L1-d8-s0", "L1-d8-s1", "L2-d8-s0", "L2-d8-s1"]);
    let q = p.point("L4-d32-s1").unwrap();
    assert_eq!((q.config.model.depth, q.config.model.width, q.config.model.heads, q.config.train.seed), (4, 32, 2, 1));
    let t = plan(&Experiment::default_for(ExperimentKind::Transition), SweepPreset::Quick);
    assert!(t.point("h2-K16-L2-d16-s0").is_some_and(|p| p.config.task.family == TaskFamily::Tree { depth: 2 }));
    let l = plan(&Experiment::default_for(ExperimentKind::LearningCurve), SweepPreset::Quick);
    assert!(l.point("rrs1.5_0-L4-d32-H2-s1").is_some());
    // Invalid requests are left out, and said so, rather than planned.
    let bad = Experiment::Transition(Transition { task: TaskSpec::linear(4, 0.0), hs: vec![1, 11], contexts: vec![16, 500] });
    let b = plan(&bad, SweepPreset::Quick);
    assert_eq!(b.points.len(), 6, "only h = 1, K = 16 is valid");
    assert!(b.points.iter().all(|p| p.config.validate().is_ok() && p.labels.h == Some(1) && p.config.context == 16));
    assert!(b.description.contains("Left out as invalid") && b.description.contains("tree-depth"), "{}", b.description);
    let shapes = vec![crate::config::ModelShape::transformer(30, 2, 4), crate::config::ModelShape::transformer(32, 2, 2)];
    let lc = Experiment::LearningCurve(LearningCurve { task: TaskSpec::linear(4, 0.0), shapes, covariances: vec![Covariance::Iso] });
    let lcp = plan(&lc, SweepPreset::Quick);
    assert!(lcp.points.iter().all(|p| p.config.model.width == 32) && lcp.points.len() == 2);
    assert!(lcp.description.contains("not divisible"), "{}", lcp.description);
    // The full depth–width grid drops the shapes over the browser's parameter bound, with the reason.
    let dw = plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Full);
    assert!(dw.description.contains("N = 3072: L = 3, d = 1024") && dw.description.contains("parameters"), "{}", dw.description);
}

#[test]
fn sweep_depth_width_grid_meets_every_budget_exactly() {
    for preset in SweepPreset::ALL {
        let p = plan(&Experiment::default_for(ExperimentKind::DepthWidth), preset);
        let Experiment::DepthWidth(DepthWidth { budgets, .. }) = &p.experiment else { unreachable!() };
        assert!(budgets.len() >= 3);
        for n in budgets {
            let at: Vec<&SweepPoint> = p.points.iter().filter(|q| q.labels.budget == Some(*n)).collect();
            let depths: BTreeSet<usize> = at.iter().map(|q| q.config.model.depth).collect();
            assert!(depths.len() >= 3, "{preset:?} N = {n}: depths {depths:?}");
        }
        for q in &p.points {
            let m = &q.config.model;
            assert_eq!(Some(m.depth * m.width), q.labels.budget, "{}", q.id);
            assert_eq!(m.width % m.heads, 0);
        }
    }
    // User budgets are sorted, deduped, and still met exactly.
    let e = Experiment::DepthWidth(DepthWidth { task: TaskSpec::linear(4, 0.0), budgets: vec![96, 48, 96] });
    let p = plan(&e, SweepPreset::Quick);
    assert!(matches!(&p.experiment, Experiment::DepthWidth(DepthWidth { budgets, .. }) if budgets == &vec![48, 96]));
    let n48: Vec<(usize, usize)> =
        p.points.iter().filter(|q| q.labels.budget == Some(48) && q.config.train.seed == 0).map(|q| (q.config.model.depth, q.config.model.width)).collect();
    assert_eq!(n48, vec![(1, 48), (2, 24), (3, 16), (4, 12), (6, 8)]);
}

/// The quick preset's bound, per experiment: at most 300 s under the laptop-GPU cost model
/// (an assumption: the 5-minute target), at most an hour on browser CPU (measured model:
/// "still runs, slower"), at most 1.6·10¹² units; small models only.
#[test]
fn sweep_quick_presets_fit_the_browser_budget() {
    for &kind in ExperimentKind::ALL {
        let p = plan(&Experiment::default_for(kind), SweepPreset::Quick);
        let e = &p.estimate;
        eprintln!("{}\n", p.description);
        eprintln!(
            "quick {:>14}: {:>3} points, {:>6} steps, {:.2e} units, laptop GPU {:>4.0} s, browser CPU {:>5.0} s, native CPU {:>5.0} s",
            kind.name(),
            e.points,
            e.steps,
            e.units,
            e.laptop_gpu_s,
            e.browser_cpu_s,
            e.native_cpu_s
        );
        assert!(e.laptop_gpu_s <= 300.0, "{}: {} s", kind.name(), e.laptop_gpu_s);
        assert!(e.browser_cpu_s <= 3600.0, "{}: {} s", kind.name(), e.browser_cpu_s);
        assert!(e.units <= 1.6e12, "{}: {:e}", kind.name(), e.units);
        for q in &p.points {
            let c = &q.config;
            assert!((8..=64).contains(&c.model.width) && (1..=6).contains(&c.model.depth), "{}", q.id);
            // Linear attention's step is linear in K (its reduced form), so it may see longer contexts.
            let max_context = if c.model.arch == crate::config::Arch::LinearAttention { 32 } else { 16 };
            assert!(c.task.dim <= 8 && c.context <= max_context && c.train.steps <= 1000 && c.train.seed < 2, "{}", q.id);
        }
        let full = plan(&Experiment::default_for(kind), SweepPreset::Full);
        let f = &full.estimate;
        eprintln!("full  {:>14}: {:>3} points, {:.2e} units, GPU server (assumed) {:.1} h, native CPU {:.0} h", kind.name(), f.points, f.units, f.gpu_server_s / 3600.0, f.native_cpu_s / 3600.0);
        assert!(full.estimate.units > 20.0 * e.units, "{}: full should be much bigger", kind.name());
    }
}

#[test]
fn sweep_cost_model_matches_the_measured_cpu_speeds() {
    let point = |c: RunConfig| SweepPoint { id: "x".into(), labels: PointLabels::of(&c), config: c };
    let mut preset = crate::config::Preset::Cpu.config(); // K = 16: 33 tokens
    preset.train.steps = 1000;
    preset.eval.every = 1_000_000;
    let sps = 1000.0 / CostModel::BROWSER_CPU.seconds(&point(preset.clone()));
    assert!((28.0..46.0).contains(&sps), "browser CPU preset {sps} steps/s (measured 30–44)");
    let mut small = preset;
    small.context = 8; // 17 tokens
    let s = point(small);
    let sps = 1000.0 / CostModel::NATIVE_CPU.seconds(&s);
    assert!((140.0..180.0).contains(&sps), "native small model {sps} steps/s (measured 151–165)");
    let mut reference = crate::config::Preset::Reference.config();
    reference.train.steps = 100;
    reference.eval.every = 1_000_000;
    let sps = 100.0 / CostModel::NATIVE_CPU.seconds(&point(reference.clone()));
    assert!((5.0..6.5).contains(&sps), "native reference {sps} steps/s (measured 5.7–5.9)");
    let sps = 100.0 / CostModel::BROWSER_CPU.seconds(&point(reference));
    assert!((1.5..2.1).contains(&sps), "browser reference {sps} steps/s (measured 1.7–1.9)");
}

// ---------------------------------------------------------------- shards

#[test]
fn sweep_shards_partition_the_plan() {
    let plans = all_plans();
    for p in &plans {
        let n = p.points.len();
        for count in [1, 2, 3, 7, n, n + 5] {
            let shards: Vec<Vec<SweepPoint>> = (1..=count).map(|i| shard(p, i, count)).collect();
            let mut seen = BTreeSet::new();
            for s in &shards {
                for q in s {
                    assert!(seen.insert(q.id.clone()), "{} appears in two shards", q.id);
                }
            }
            assert_eq!(seen.len(), n, "union must be every point");
            // Stable.
            assert_eq!(shards, (1..=count).map(|i| shard(p, i, count)).collect::<Vec<_>>());
            // Balanced by cost: greedy assignment keeps every shard within one point of the mean.
            if count <= n {
                let costs = shard_costs(p, count);
                let mean = costs.iter().sum::<f64>() / count as f64;
                let biggest = p.points.iter().map(SweepPoint::cost_units).fold(0.0, f64::max);
                assert!(costs.iter().all(|&c| c <= mean + biggest + 1e-6), "{costs:?}");
                let total: f64 = p.points.iter().map(SweepPoint::cost_units).sum();
                assert!((costs.iter().sum::<f64>() - total).abs() <= 1e-9 * total);
            } else {
                assert!(shards.iter().filter(|s| s.is_empty()).count() >= count - n);
            }
        }
        assert!(shard(p, 4, 3).is_empty() && shard(p, 0, 3).is_empty() && shard(p, 1, 0).is_empty());
        assert_eq!(shard(p, 1, 1), p.points, "one shard is the whole plan");
    }
    // Balance is by cost, not count: the full scaling plan's costs span 3 orders of magnitude.
    let p = plan(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Full);
    let costs = shard_costs(&p, 4);
    let (lo, hi) = costs.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &c| (a.min(c), b.max(c)));
    assert!(hi / lo < 1.35, "shard costs {costs:?}");
}

#[test]
fn sweep_parse_shard_syntax() {
    assert_eq!(parse_shard("1/4"), Ok((1, 4)));
    assert_eq!(parse_shard(" 4 / 4 "), Ok((4, 4)));
    assert!(parse_shard("0/4").unwrap_err().contains("1-based"));
    assert!(parse_shard("5/4").unwrap_err().contains("out of range"));
    assert!(parse_shard("1/0").is_err() && parse_shard("2").is_err() && parse_shard("a/3").is_err());
}

// ---------------------------------------------------------------- results, merge, JSON

fn three_parts() -> (SweepPlan, Vec<SweepResult>) {
    let p = plan(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Quick);
    let full = synthetic(&p, |q| 0.5 + q.config.model.width as f64 / 1000.0);
    let mut parts: Vec<SweepResult> = (0..3).map(|_| SweepResult::new(&p)).collect();
    for (i, q) in full.points.iter().enumerate() {
        parts[i % 3].points.push(q.clone());
    }
    // One point present twice (identical), and one present twice with more steps in one copy.
    parts[1].points.push(full.points[0].clone());
    let mut partial = full.points[4].clone();
    partial.steps = 10;
    partial.status = RunStatus::Running;
    partial.final_loss = 9.0;
    parts[2].points.push(partial);
    (p, parts)
}

#[test]
fn sweep_merge_is_order_independent_and_dedupes() {
    let (p, parts) = three_parts();
    let perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    let jsons: Vec<String> = perms
        .iter()
        .map(|perm| merge(&perm.iter().map(|&i| parts[i].clone()).collect::<Vec<_>>()).unwrap().to_json())
        .collect();
    assert!(jsons.iter().all(|j| *j == jsons[0]), "merge must not depend on the order of its inputs");
    let m = merge(&parts).unwrap();
    assert_eq!(m.points.len(), p.points.len(), "duplicates collapse");
    assert!(m.points.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
    let kept = m.points.iter().find(|q| q.id == p.points[4].id).unwrap();
    assert_eq!((kept.steps, kept.status), (p.points[4].config.train.steps, RunStatus::Done), "the finished copy wins");
    assert!(pending(&p, &m).is_empty());
    assert_eq!(pending(&p, &parts[0]).len(), p.points.len() - parts[0].points.len());
    // Equal steps, different numbers (a re-run elsewhere): an order-independent choice.
    let mut a = parts[0].clone();
    let mut b = SweepResult::new(&p);
    let mut twin = a.points[0].clone();
    twin.elapsed_s += 5.0;
    b.points.push(twin);
    a.points.truncate(1);
    assert_eq!(merge(&[a.clone(), b.clone()]).unwrap(), merge(&[b, a]).unwrap());
}

#[test]
fn sweep_merge_refuses_mismatched_parts() {
    let (_, parts) = three_parts();
    let other = plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Quick);
    assert!(merge(&[parts[0].clone(), SweepResult::new(&other)]).unwrap_err().contains("depth_width"));
    let mut full = parts[1].clone();
    full.preset = SweepPreset::Full;
    assert!(merge(&[parts[0].clone(), full]).unwrap_err().contains("preset"));
    let mut h3 = parts[1].clone();
    h3.experiment = Experiment::Scaling(Scaling { task: TaskSpec::linear(4, 0.0), measure: SizeMeasure::Ld, declared_h: Some(3) });
    assert!(merge(&[parts[0].clone(), h3]).unwrap_err().contains("different"));
    let mut clash = parts[1].clone();
    clash.points[0].id = parts[0].points[0].id.clone();
    assert!(merge(&[parts[0].clone(), clash]).unwrap_err().contains("two different configurations"));
    assert!(merge(&[]).is_err());
}

#[test]
fn sweep_json_round_trip_and_refusals() {
    let (_, parts) = three_parts();
    let r = merge(&parts).unwrap();
    assert_eq!(SweepResult::from_json(&r.to_json()), Ok(r.clone()));
    assert!(r.to_json().contains("\"schema\": \"icl-lab/sweep\""));
    let run = RunResult::new(RunConfig::default(), BackendInfo::cpu(), "test");
    assert!(SweepResult::from_json(&run.to_json()).unwrap_err().contains("icl-lab/run"));
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    v["version"] = 99.into();
    assert!(SweepResult::from_json(&v.to_string()).unwrap_err().contains("newer"));
    v["version"] = 1.into();
    v["points"][0]["config"]["model"]["heads"] = 3.into();
    assert!(SweepResult::from_json(&v.to_string()).unwrap_err().contains("heads"));
    // Plans serialise too (the CLI writes them next to the results).
    let p = plan(&Experiment::default_for(ExperimentKind::Transition), SweepPreset::Full);
    let back: SweepPlan = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back.points, p.points);
    let e: Experiment = serde_json::from_str(r#"{"kind":"depth_width","task":{"dim":4,"family":{"kind":"linear"},"covariance":{"kind":"iso"},"noise_var":0.0}}"#).unwrap();
    assert!(matches!(e, Experiment::DepthWidth(DepthWidth { ref budgets, .. }) if budgets.is_empty()));
}

#[test]
fn sweep_point_from_run_keeps_finite_evaluations() {
    let p = plan(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Quick);
    let q = &p.points[0];
    let mut run = RunResult::new(q.config.clone(), BackendInfo::cpu(), "test");
    let good = ErrorCurve { k: vec![0, 1], mean: vec![1.0, 0.5], se: vec![0.1, 0.1] };
    run.evals.push(EvalPoint { step: 100, elapsed_s: 1.0, curve: good.clone(), shifted: None, query_exact: None });
    run.evals.push(EvalPoint { step: 200, elapsed_s: 2.0, curve: ErrorCurve { mean: vec![f64::NAN, 1.0], ..good.clone() }, shifted: None, query_exact: None });
    run.loss.push(0, f64::NAN);
    run.status = RunStatus::Diverged;
    run.steps = 200;
    let r = PointResult::from_run(q, &run);
    assert_eq!((r.evals.len(), r.final_curve.clone(), r.status), (1, good, RunStatus::Diverged));
    let mut s = SweepResult::new(&p);
    s.insert(r.clone());
    s.insert(r);
    assert_eq!(s.points.len(), 1);
    let back = SweepResult::from_json(&s.to_json()).unwrap();
    assert!(back.points[0].final_loss.is_nan());
}

// ---------------------------------------------------------------- verdict rule

#[test]
fn sweep_verdict_rule_cases() {
    use VerdictStatus::*;
    let rule = VerdictRule::new(4);
    let ev = |e: f64, lo: f64, hi: f64, levels: usize| Evidence { estimate: e, interval: Interval { lo, hi, level: 0.95 }, levels };
    let judge = |e: Option<Evidence>, p: Prediction| rule.judge(e.as_ref(), p).0;
    assert_eq!(judge(Some(ev(0.24, 0.2, 0.3, 6)), Prediction::Value(0.25)), Consistent);
    assert_eq!(judge(Some(ev(0.5, 0.45, 0.55, 6)), Prediction::Value(0.25)), Inconsistent);
    // Outside even though wide: still excluded.
    assert_eq!(judge(Some(ev(1.0, 0.6, 1.4, 6)), Prediction::Value(0.25)), Inconsistent);
    // Contains the claim but wider than the claim itself.
    assert_eq!(judge(Some(ev(0.2, -0.1, 0.5, 6)), Prediction::Value(0.25)), Inconclusive);
    assert_eq!(judge(Some(ev(0.25, 0.24, 0.26, 3)), Prediction::Value(0.25)), Inconclusive, "too few levels");
    assert_eq!(judge(None, Prediction::Value(0.25)), Inconclusive);
    assert_eq!(judge(Some(ev(0.1, f64::NAN, 0.2, 6)), Prediction::Value(0.25)), Inconclusive);
    // One-sided.
    assert_eq!(judge(Some(ev(-0.3, -0.5, -0.1, 6)), Prediction::Below(0.0)), Consistent);
    assert_eq!(judge(Some(ev(-0.1, -0.5, 0.3, 6)), Prediction::Below(0.0)), Inconclusive);
    assert_eq!(judge(Some(ev(0.3, 0.1, 0.5, 6)), Prediction::Below(0.0)), Inconsistent);
    assert_eq!(judge(Some(ev(0.3, 0.1, 0.5, 6)), Prediction::Above(0.0)), Consistent);
    // A lower bound only: contains a large claimed value but is infinitely wide.
    assert_eq!(judge(Some(ev(2.0, 2.0, f64::INFINITY, 6)), Prediction::Value(8.0)), Inconclusive);
    assert_eq!(judge(Some(ev(2.0, 2.0, f64::INFINITY, 6)), Prediction::Value(1.0)), Inconsistent);
}

// ---------------------------------------------------------------- analyses with known truth

fn scaling_plan(preset: SweepPreset) -> SweepPlan {
    plan(&Experiment::default_for(ExperimentKind::Scaling), preset)
}

/// Errors C·N^−0.25 with log-normal noise (sd 0.05) on the quick ladder (6 sizes × 2 seeds):
/// the 95% interval must cover 0.25 about 95% of the time, so over 40 independent sweeps at
/// least 34 verdicts are Consistent and none is Inconclusive (the interval is narrow).
/// Errors 3·N^−0.5 with noise sd 0.01: Inconsistent every time.
#[test]
fn sweep_scaling_power_law_verdicts_follow_the_truth() {
    let p = scaling_plan(SweepPreset::Quick);
    let opts = AnalysisOptions { bootstrap: 500, ..AnalysisOptions::default() };
    let mut counts = [0usize; 3];
    for trial in 0..40 {
        let mut rng = seeded(100 + trial, 0);
        let r = synthetic(&p, |q| 2.0 * (q.labels.size_ld as f64).powf(-0.25) * (0.05 * normal(&mut rng)).exp());
        let a = analyze_with(&r, &opts);
        let v = verdict_of(&a, "ε ∝ N^−α");
        counts[v.status as usize] += 1;
        if trial == 0 {
            assert!(v.measured.contains("6 sizes × 2 seeds"), "{}", v.measured);
            assert!(v.predicted.contains("0.250"), "{}", v.predicted);
            let FitKind::PowerLaw(f) = &a.fits[0].fit else { panic!("{:?}", a.fits[0]) };
            assert!(f.bootstrap.is_some());
            let measured = a.series.iter().find(|s| s.name == "measured").unwrap();
            assert_eq!(measured.points.len(), 6);
            assert!(measured.points.iter().all(|p| p.n == 2 && p.y_err > 0.0));
            assert!(a.metric.contains("[⌈K/2⌉, K]"));
        }
    }
    eprintln!("α = 0.25 truth: [consistent, inconsistent, inconclusive] = {counts:?} of 40");
    assert!(counts[0] >= 34 && counts[2] == 0, "{counts:?}");
    for trial in 0..10 {
        let mut rng = seeded(200 + trial, 0);
        let r = synthetic(&p, |q| 3.0 * (q.labels.size_ld as f64).powf(-0.5) * (0.01 * normal(&mut rng)).exp());
        let v = verdict_of(&analyze_with(&r, &opts), "ε ∝ N^−α").clone();
        assert_eq!(v.status, VerdictStatus::Inconsistent, "{v:#?}");
        assert!(v.measured.starts_with("α̂ = 0.49") || v.measured.starts_with("α̂ = 0.50") || v.measured.starts_with("α̂ = 0.51"), "{}", v.measured);
    }
}

#[test]
fn sweep_scaling_three_noisy_points_are_inconclusive() {
    let p = scaling_plan(SweepPreset::Quick);
    let mut rng = seeded(9, 0);
    let mut r = synthetic(&p, |q| (q.labels.size_ld as f64).powf(-0.25) * (0.3 * normal(&mut rng)).exp());
    r.points.retain(|q| q.config.train.seed == 0 && q.config.model.width <= 16 && q.config.model.depth <= 2);
    assert_eq!(r.points.len(), 3);
    let a = analyze(&r);
    let v = verdict_of(&a, "ε ∝ N^−α");
    assert_eq!(v.status, VerdictStatus::Inconclusive, "{v:#?}");
    assert!(a.notes.iter().any(|n| n.contains("needs ≥ 4 distinct sizes")), "{:?}", a.notes);
    // Nothing at all: still an analysis, every verdict inconclusive.
    let empty = analyze(&SweepResult::new(&p));
    assert_eq!(empty.points_used, 0);
    assert!(empty.verdicts.iter().all(|v| v.status == VerdictStatus::Inconclusive));
}

#[test]
fn sweep_scaling_running_and_diverged_points_are_left_out() {
    let p = scaling_plan(SweepPreset::Quick);
    let mut r = synthetic(&p, |q| (q.labels.size_ld as f64).powf(-0.25));
    r.points[0].status = RunStatus::Running;
    r.points[1].status = RunStatus::Diverged;
    let a = analyze(&r);
    assert_eq!((a.points_used, a.points_running, a.points_failed), (p.points.len() - 2, 1, 1));
}

/// Two-term loss ε = L^−0.25 + B·d^−0.5 with b = 2a: L* ∝ N^{2/3} exactly (THEORY §3.2).
#[test]
fn sweep_depth_width_recovers_two_thirds() {
    let p = plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Full);
    let b_coef = 1.0 / (2.0 * 0.144);
    let exact = |n: f64| crate::theory::bordelon::optimal_depth_width(1.0, 0.25, b_coef, 0.5, n).0;
    let mut rng = seeded(10, 0);
    let r = synthetic(&p, |q| {
        let (l, d) = (q.labels.depth as f64, q.labels.width as f64);
        (l.powf(-0.25) + b_coef * d.powf(-0.5)) * (0.005 * normal(&mut rng)).exp()
    });
    let a = analyze(&r);
    let v = verdict_of(&a, "Optimal depth");
    assert_eq!(v.status, VerdictStatus::Consistent, "{v:#?}");
    let slope = a.fits.iter().find_map(|f| match &f.fit {
        FitKind::Exponent(s) if f.name == "L̂* vs N" => Some(s.exponent),
        _ => None,
    });
    assert!((slope.unwrap() - 2.0 / 3.0).abs() < 0.1, "{slope:?}");
    let mut interior = 0;
    for f in &a.fits {
        if let FitKind::DepthOptimum(o) = &f.fit {
            let n = f.subject.budget.expect("a depth optimum names its budget") as f64;
            if o.interior {
                interior += 1;
                assert!((o.l_star / exact(n) - 1.0).abs() < 0.25, "N = {n}: L̂* = {} vs exact {}", o.l_star, exact(n));
            }
        }
    }
    assert!(interior >= 4, "{interior}");
    let two = a.fits.iter().find_map(|f| if let FitKind::TwoTerm(t) = &f.fit { Some(t.clone()) } else { None }).unwrap();
    assert!((two.a_exp - 0.25).abs() < 0.05 && (two.b_exp - 0.5).abs() < 0.1, "{two:?}");
    let hm = a.heatmap.as_ref().unwrap();
    assert_eq!(hm.values.len(), hm.ys.len());
    assert!(hm.values.iter().all(|row| row.len() == hm.xs.len()));
    let filled = hm.values.iter().flatten().filter(|v| v.is_some()).count();
    assert_eq!(filled, p.points.len() / 2, "one cell per shape");
    // A law with b = a puts L* ∝ N^{1/2}: judged against 2/3.
    let mut rng = seeded(11, 0);
    let r = synthetic(&p, |q| {
        let (l, d) = (q.labels.depth as f64, q.labels.width as f64);
        (l.powf(-0.4) + 3.0 * d.powf(-0.4)) * (0.005 * normal(&mut rng)).exp()
    });
    let v = verdict_of(&analyze(&r), "Optimal depth").clone();
    assert_eq!(v.status, VerdictStatus::Inconsistent, "{v:#?}");
}

fn logistic_truth(n: f64, n_c: f64, w: f64) -> f64 {
    crate::theory::mehta_gupta::logistic_transition(n, 1.0, 0.1, n_c, w)
}

#[test]
fn sweep_transition_recovers_logistic_and_judges_growth() {
    let e = Experiment::Transition(Transition { task: TaskSpec { family: TaskFamily::Tree { depth: 1 }, ..TaskSpec::linear(4, 0.0) }, hs: vec![1, 2], contexts: vec![16] });
    let p = plan(&e, SweepPreset::Full);
    assert!(p.description.contains("calibrated"));
    // h = 1: a sharp transition at N_c = 256; h = 2: none in range (error stays high).
    let mut rng = seeded(12, 0);
    let r = synthetic(&p, |q| {
        let n = q.labels.size_ld as f64;
        let clean = if q.labels.h == Some(1) { logistic_truth(n, 256.0, 0.3) } else { 1.0 };
        clean + 0.01 * normal(&mut rng)
    });
    let a = analyze(&r);
    let lf = a.fits.iter().find_map(|f| match &f.fit {
        FitKind::Logistic(l) if f.subject.h == Some(1) => Some(l.clone()),
        _ => None,
    });
    let lf = lf.unwrap();
    assert!((lf.n_c.log10() - 256f64.log10()).abs() < 0.1, "N̂_c = {}", lf.n_c);
    assert!((lf.width - 0.3).abs() < 0.1, "w = {}", lf.width);
    assert!(lf.n_c_bootstrap.is_some_and(|i| i.contains(256.0)));
    assert_eq!(verdict_of(&a, "Sharp transition in N for trees of depth h = 1").status, VerdictStatus::Consistent);
    assert_eq!(verdict_of(&a, "Sharp transition in N for trees of depth h = 2").status, VerdictStatus::Inconclusive);
    let g = verdict_of(&a, "N_c grows from h = 1 to h = 2");
    assert_eq!(g.status, VerdictStatus::Inconclusive, "a lower bound only: {g:#?}");
    assert!(g.measured.contains('>'), "{}", g.measured);
    // h = 2 drops at 512: the growth is ln 2, far below the claimed 6 ln 32 − 4 ln 16 ≈ 9.7.
    let mut rng = seeded(13, 0);
    let r = synthetic(&p, |q| {
        let n = q.labels.size_ld as f64;
        let n_c = if q.labels.h == Some(1) { 256.0 } else { 512.0 };
        logistic_truth(n, n_c, 0.3) + 0.01 * normal(&mut rng)
    });
    let a = analyze(&r);
    let g = verdict_of(&a, "N_c grows from h = 1 to h = 2");
    assert_eq!(g.status, VerdictStatus::Inconsistent, "{g:#?}");
    assert!(g.predicted.contains("9.7"), "{}", g.predicted);
}

#[test]
fn sweep_transition_slope_in_k() {
    let p = plan(&Experiment::default_for(ExperimentKind::Transition), SweepPreset::Full);
    // N_c = 16·k (β = 1) for h = 1, while the claim says β = 4.
    let mut rng = seeded(14, 0);
    let r = synthetic(&p, |q| {
        let (n, k) = (q.labels.size_ld as f64, q.labels.context as f64);
        let n_c = if q.labels.h == Some(1) { 16.0 * k } else { 1e9 };
        logistic_truth(n, n_c, 0.3) + 0.01 * normal(&mut rng)
    });
    let a = analyze(&r);
    let v = verdict_of(&a, "ln N_c grows as 2(h+1)·ln k at fixed h = 1");
    assert_eq!(v.status, VerdictStatus::Inconsistent, "{v:#?}");
    assert!(v.measured.starts_with("β̂ = 1.0") || v.measured.starts_with("β̂ = 0.9"), "{}", v.measured);
    assert_eq!(verdict_of(&a, "ln N_c grows as 2(h+1)·ln k at fixed h = 2").status, VerdictStatus::Inconclusive);
}

#[test]
fn sweep_learning_curve_depth_gains() {
    let p = plan(&Experiment::default_for(ExperimentKind::LearningCurve), SweepPreset::Quick);
    let mut r = SweepResult::new(&p);
    let mut rng = seeded(15, 0);
    for q in &p.points {
        let l = q.labels.depth as f64;
        let rotated = matches!(q.config.task.covariance, Covariance::Rrs { .. });
        let jitter = 0.002 * normal(&mut rng);
        // ISO: e = 1/(1 + kL/4) (gain shrinks at large k); RRS: 0.1·√(4/L) + 1/(1+k) (constant gain).
        let f = move |k: usize| {
            let k = k as f64;
            jitter + if rotated { 0.1 * (4.0 / l).sqrt() + 1.0 / (1.0 + k) } else { 1.0 / (1.0 + k * l / 4.0) }
        };
        let mut pr = done_point(q, f);
        pr.evals = (1..=3)
            .map(|i| {
                let scale = 1.0 + 1.0 / i as f64;
                let c = &pr.final_curve;
                EvalPoint { step: i * 200, elapsed_s: i as f64, curve: ErrorCurve { mean: c.mean.iter().map(|m| m * scale).collect(), ..c.clone() }, shifted: None, query_exact: None }
            })
            .collect();
        r.points.push(pr);
    }
    let a = analyze(&r);
    assert_eq!(verdict_of(&a, "ISO: the depth gain shrinks").status, VerdictStatus::Consistent, "{:#?}", a.verdicts);
    assert_eq!(verdict_of(&a, "RRS (ν = 1.5, μ = 0): depth keeps helping").status, VerdictStatus::Consistent);
    assert_eq!(verdict_of(&a, "The depth gain shrinks more slowly").status, VerdictStatus::Consistent);
    let lc: Vec<&Series> = a.series.iter().filter(|s| s.plot.starts_with("learning curves")).collect();
    assert_eq!(lc.len(), 6);
    assert!(lc.iter().all(|s| s.points.len() == 3 && s.points[0].y > s.points[2].y));
    // The opposite pattern (ISO gain growing with k) is judged inconsistent with the ISO claim.
    let mut r2 = r.clone();
    for pr in &mut r2.points {
        if !matches!(pr.config.task.covariance, Covariance::Rrs { .. }) {
            let l = pr.labels.depth as f64;
            for (k, m) in pr.final_curve.mean.iter_mut().enumerate() {
                *m = 1.0 - 0.02 * k as f64 * (l - 1.0) / 3.0;
            }
        }
    }
    assert_eq!(verdict_of(&analyze(&r2), "ISO: the depth gain shrinks").status, VerdictStatus::Inconsistent);
}

#[test]
fn sweep_eta_eff_verdicts_from_probes() {
    let p = plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Quick);
    let mut r = synthetic(&p, |_| 0.3);
    let mut rng = seeded(16, 0);
    for pr in &mut r.points {
        let (l, d) = (pr.config.model.depth as f64, pr.config.model.width as f64);
        let eta = 0.9 / (l * d).sqrt() * (0.02 * normal(&mut rng)).exp();
        pr.probe = Some(crate::schema::ProbeSummary {
            prompts: 1000,
            steps: 1,
            eta_one: eta,
            se_eta_one: 0.001,
            cosine_one: 0.9,
            residual_one: 0.1,
            eta_multi: eta,
            cosine_multi: 0.9,
            residual_multi: 0.1,
            k_max: pr.config.context,
            eta_at_k_max: eta,
            se_eta_at_k_max: 0.001,
            eta_by_k: Vec::new(),
            se_eta_by_k: Vec::new(),
        });
    }
    let a = analyze(&r);
    assert_eq!(verdict_of(&a, "η_eff ∝ 1/√(L·d): exponent a").status, VerdictStatus::Consistent, "{:#?}", a.verdicts);
    assert_eq!(verdict_of(&a, "η_eff ∝ 1/√(L·d): exponent b").status, VerdictStatus::Consistent);
    assert!(a.notes.iter().any(|n| n.contains("η* = k/(k + D + 1 + σ²)")));
    let back = SweepResult::from_json(&r.to_json()).unwrap();
    assert_eq!(back.points[0].probe, r.points[0].probe);
}

/// Plateau noise is not a transition: a quick sweep whose models never left the plateau
/// (error ≈ 0.95 ± noise at every size) once fitted a step of width 0.002 "± 0" with an N_c
/// interval of [0, 5·10¹⁰] and was judged Consistent. It must locate nothing.
#[test]
fn sweep_transition_plateau_noise_is_inconclusive() {
    let e = Experiment::Transition(Transition { task: TaskSpec { family: TaskFamily::Tree { depth: 1 }, ..TaskSpec::linear(4, 0.0) }, hs: vec![1, 2], contexts: vec![16] });
    let p = plan(&e, SweepPreset::Quick);
    for seed in 0..20 {
        let mut rng = seeded(100 + seed, 0);
        let r = synthetic(&p, |_| 0.95 + 0.05 * normal(&mut rng));
        let a = analyze(&r);
        for h in [1, 2] {
            let v = verdict_of(&a, &format!("Sharp transition in N for trees of depth h = {h}"));
            assert_eq!(v.status, VerdictStatus::Inconclusive, "seed {seed}, h = {h}: {v:#?}");
        }
    }
}

/// The scaled Table 3 row: deeper-narrower better at every budget → Consistent; the
/// reverse → Inconsistent; the text names each budget's pair.
#[test]
fn sweep_table3_replica_compares_the_extreme_shapes_per_budget() {
    let p = plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Quick);
    let deep_better = synthetic(&p, |pt| 0.5 * (pt.config.model.depth as f64).powf(-0.5));
    let a = analyze(&deep_better);
    let v = verdict_of(&a, "Table 3 (scaled)");
    assert_eq!(v.status, VerdictStatus::Consistent, "{v:#?}");
    assert!(v.explanation.contains("N = 48: (L, d) = (6, 8)"), "{}", v.explanation);
    assert!(a.series.iter().any(|s| s.name.starts_with("deep-narrow") && s.points.len() == 3));
    let wide_better = synthetic(&p, |pt| 0.5 * (pt.config.model.depth as f64).powf(0.5));
    assert_eq!(verdict_of(&analyze(&wide_better), "Table 3 (scaled)").status, VerdictStatus::Inconsistent);
}

// ── power analysis

fn scaling_power(preset: SweepPreset, sigma_log: f64, reps: usize) -> power::PowerReport {
    let result = SweepResult::new(&plan(&Experiment::default_for(ExperimentKind::Scaling), preset));
    let calibration = power::Calibration { sigma_log, scale: 0.5, floor: 0.0, measured_from: None, low_ratio: None };
    let plan = plan(&result.experiment, preset);
    let laws = result.experiment.power_laws(&plan.points, &calibration);
    assert_eq!(laws.len(), 3, "the claim and α ± 0.1");
    power::power(&plan, &laws, &calibration, reps, 50, power::POWER_SEED)
}

#[test]
fn power_is_high_when_the_scatter_is_small_and_low_when_it_swamps_the_margin() {
    let quiet = scaling_power(SweepPreset::Quick, 0.01, 30);
    for law in &quiet.laws {
        assert!(law.power() > 0.9, "σ = 0.01 decides every law: {}", quiet.describe());
    }
    assert!(quiet.decides());
    let loud = scaling_power(SweepPreset::Quick, 1.5, 30);
    assert!(loud.power() < 0.5, "σ = 1.5 cannot tell α = 0.25 from 0.15 over 1.5 decades: {}", loud.describe());
    assert!(!loud.decides());
    assert!(loud.laws[0].inconclusive > 0.5, "under the claim, a noisy design is mostly inconclusive: {}", loud.describe());
}

#[test]
fn the_power_analysis_calibrates_on_the_sweeps_own_points() {
    let plan = plan(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Quick);
    let mut result = SweepResult::new(&plan);
    let before = power::sweep_power(&result, SweepPreset::Quick, 5, 20).expect("an assumed calibration before points land");
    assert_eq!(before.calibration.measured_from, None);
    // Points on ε = 0.8·N^−0.25, the two seeds of each size ±0.1 off in ln ε: the residual
    // SD is 0.1·√(n/(n − 2)).
    for (i, p) in plan.points.iter().enumerate() {
        let n = p.labels.size_ld as f64;
        let wiggle = if i % 2 == 0 { 0.1 } else { -0.1 };
        result.insert(done_point(p, |_| 0.8 * n.powf(-0.25) * f64::exp(wiggle)));
    }
    let after = power::sweep_power(&result, SweepPreset::Quick, 5, 20).expect("measured");
    assert_eq!(after.calibration.measured_from, Some(plan.points.len()));
    assert!((after.calibration.sigma_log - 0.1).abs() < 0.03, "σ is the residual SD: {}", after.calibration.describe());
    let smallest = plan.points.iter().map(|p| p.labels.size_ld as f64).fold(f64::INFINITY, f64::min);
    assert!((after.calibration.scale / (0.8 * smallest.powf(-0.25)) - 1.0).abs() < 0.15, "{}", after.calibration.describe());
}

#[test]
fn depth_width_power_names_its_laws_and_the_full_design_decides_when_the_scatter_is_small() {
    let plan = plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Quick);
    let report = power::sweep_power(&SweepResult::new(&plan), SweepPreset::Quick, 10, 20).expect("an assumed calibration");
    let names: Vec<&str> = report.laws.iter().map(|l| l.law.as_str()).collect();
    assert_eq!(names, ["L* ∝ N^{2/3} (the claim: b = 2a)", "L* ∝ N^{1/3} (b = a/2)"]);
    for l in &report.laws {
        assert!((l.consistent + l.inconsistent + l.inconclusive - 1.0).abs() < 1e-9);
    }
    let full = super::plan(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Full);
    let quiet = power::Calibration { sigma_log: 0.01, scale: 0.5, floor: 0.0, measured_from: None, low_ratio: None };
    let laws = full.experiment.power_laws(&full.points, &quiet);
    let report = power::power(&full, &laws, &quiet, 20, 20, 1);
    assert!(report.power() >= 0.8, "five budgets over 1.2 decades tell 2/3 from 1/3 at σ = 0.01: {}", report.describe());
}

/// The power of `kind`'s `preset` design at scatter σ (other calibration numbers as the
/// experiment assumes them before points land).
fn power_at(kind: ExperimentKind, preset: SweepPreset, sigma_log: f64, reps: usize) -> power::PowerReport {
    let plan = plan(&Experiment::default_for(kind), preset);
    let assumed = plan.experiment.calibrate(&[]).expect("an assumed calibration");
    let calibration = power::Calibration { sigma_log, ..assumed };
    let laws = plan.experiment.power_laws(&plan.points, &calibration);
    assert_eq!(laws.len(), 2, "the claim and one alternative");
    power::power(&plan, &laws, &calibration, reps, 20, power::POWER_SEED)
}

#[test]
fn depth_context_power_tells_a_shrinking_gain_from_a_growing_one_when_the_scatter_is_small() {
    let quiet = power_at(ExperimentKind::DepthContext, SweepPreset::Quick, 0.01, 20);
    assert!(quiet.laws[0].law.contains("the claim") && quiet.laws[0].claim_holds && !quiet.laws[1].claim_holds);
    assert!(quiet.decides(), "σ = 0.01: {}", quiet.describe());
    let loud = power_at(ExperimentKind::DepthContext, SweepPreset::Quick, 1.0, 20);
    assert!(!loud.decides(), "σ = 1 swamps the gain: {}", loud.describe());
}

#[test]
fn transition_power_names_its_widths_and_fails_when_the_scatter_swamps_the_drop() {
    let quiet = power_at(ExperimentKind::Transition, SweepPreset::Full, 0.01, 20);
    assert!(quiet.laws[0].law.contains("width 0.25") && quiet.laws[1].law.contains("width 1"), "{}", quiet.describe());
    assert!(quiet.laws[1].power() >= 0.8, "σ = 0.01: a smooth crossover is told apart: {}", quiet.describe());
    let loud = power_at(ExperimentKind::Transition, SweepPreset::Quick, 1.0, 20);
    assert!(!loud.decides(), "{}", loud.describe());
}

/// Prints each experiment's power by design and scatter (`cargo test --release -p icl-core
/// power_table -- --ignored --nocapture`): what the README's power table quotes.
#[test]
#[ignore]
fn power_table() {
    for kind in [ExperimentKind::Transition, ExperimentKind::DepthContext] {
        for preset in [SweepPreset::Quick, SweepPreset::Full] {
            for sigma in [0.01, 0.05, 0.1, 0.2, 0.3] {
                let r = power_at(kind, preset, sigma, 100);
                println!("{kind:?} {preset:?} σ = {sigma}: power {:.2} — {}", r.power(), r.describe());
            }
        }
    }
}


/// The page's power analysis spends about the same time on every experiment: the
/// transition's dear logistic fits get fewer synthetic sweeps than a scaling fit.
#[test]
fn interactive_power_effort_follows_each_experiments_analysis_cost() {
    use crate::sweep::experiment::ExperimentSpec;
    use crate::sweep::power::interactive_effort;
    let scaling = Experiment::Scaling(Scaling::default_experiment());
    let transition = Experiment::Transition(Transition::default_experiment());
    assert_eq!(interactive_effort(&scaling), (100, 100));
    assert_eq!(interactive_effort(&transition), (20, 20));
}
