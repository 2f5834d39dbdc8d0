//! Results of sweep points, the `icl-lab/sweep` file format, and merging shards.

use super::{Experiment, PointLabels, SweepPlan, SweepPoint, SweepPreset};
use crate::config::RunConfig;
use crate::eval::ErrorCurve;
use crate::schema::{BackendInfo, EvalPoint, ProbeSummary, RunResult, RunStatus, SCHEMA_VERSION, check_header, nan_as_null};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SWEEP_SCHEMA: &str = "icl-lab/sweep";

/// One finished (or stopped) training run of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    /// The [`SweepPoint::id`] it ran.
    pub id: String,
    pub config: RunConfig,
    pub labels: PointLabels,
    pub backend: BackendInfo,
    /// Training steps done.
    pub steps: usize,
    pub elapsed_s: f64,
    /// The last held-out evaluation with finite values (empty if none).
    pub final_curve: ErrorCurve,
    /// Last training loss (NaN, written as null, if none or diverged).
    #[serde(with = "nan_as_null")]
    pub final_loss: f64,
    /// Every held-out evaluation with finite values, in step order (learning curves).
    pub evals: Vec<EvalPoint>,
    pub status: RunStatus,
    /// Optional comparison with gradient descent on linear tasks (η_eff, §4.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeSummary>,
}

impl PointResult {
    /// The sweep's record of a training run of `point`. Evaluations with non-finite values
    /// (a diverged run) are dropped, so the file stays valid JSON; the status says Diverged.
    pub fn from_run(point: &SweepPoint, run: &RunResult) -> PointResult {
        let evals: Vec<EvalPoint> = run.evals.iter().filter(|e| !e.curve.has_non_finite()).cloned().collect();
        PointResult {
            id: point.id.clone(),
            config: run.config.clone(),
            labels: point.labels.clone(),
            backend: run.backend.clone(),
            steps: run.steps,
            elapsed_s: run.elapsed_s,
            final_curve: evals.last().map(|e| e.curve.clone()).unwrap_or(ErrorCurve { k: vec![], mean: vec![], se: vec![] }),
            final_loss: run.loss.points.last().map(|p| p.loss).unwrap_or(f64::NAN),
            evals,
            status: run.status,
            probe: run.probe.clone(),
        }
    }

    fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A sweep's results (all points, or one shard's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub schema: String,
    pub version: u32,
    /// The resolved experiment of the plan.
    pub experiment: Experiment,
    pub preset: SweepPreset,
    /// Number of points in the whole plan (not in this shard).
    pub plan_points: usize,
    pub points: Vec<PointResult>,
}

impl SweepResult {
    /// An empty result for `plan`.
    pub fn new(plan: &SweepPlan) -> SweepResult {
        SweepResult {
            schema: SWEEP_SCHEMA.into(),
            version: SCHEMA_VERSION,
            experiment: plan.experiment.clone(),
            preset: plan.preset,
            plan_points: plan.points.len(),
            points: Vec::new(),
        }
    }

    /// Adds a point, replacing any earlier result with the same id (the browser's queue
    /// re-running a point).
    pub fn insert(&mut self, point: PointResult) {
        match self.points.iter_mut().find(|p| p.id == point.id) {
            Some(p) => *p = point,
            None => self.points.push(point),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a SweepResult always serialises")
    }

    /// Parses and checks a sweep file: schema name, version, the experiment's lists (no
    /// repeats, a bounded number of combinations), every point's configuration and curves.
    /// A field of the wrong type is named by its JSON path ("points[2].config.model.width:
    /// invalid type: …"); messages stay short ([`crate::schema::MAX_MESSAGE`] characters).
    pub fn from_json(text: &str) -> Result<Self, String> {
        use crate::schema::{check_curve, check_evals, check_experiment_lists, from_value_at_path, shorten_message};
        let read = || -> Result<Self, String> {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| format!("not a JSON file ({e})"))?;
            check_header(&value, SWEEP_SCHEMA)?;
            if let Some(experiment) = value.get("experiment") {
                check_experiment_lists("experiment", experiment)
                    .map_err(|e| format!("not an ICL Scaling Lab sweep file: {e}"))?;
            }
            let experiment = value.get("experiment").cloned();
            let sweep: SweepResult = from_value_at_path(value).map_err(|e| {
                // serde sees no further into the internally tagged experiment than
                // "experiment": read its variant alone to name the field.
                let inner = if e.starts_with("experiment: ") { experiment.as_ref().and_then(experiment_error) } else { None };
                format!("not an ICL Scaling Lab sweep file: {}", inner.unwrap_or(e))
            })?;
            super::plan::check_task(sweep.experiment.task()).map_err(|e| format!("not an ICL Scaling Lab sweep file: experiment.task.{e}"))?;
            for (i, p) in sweep.points.iter().enumerate() {
                p.config.validate().map_err(|e| format!("point {}: the configuration is invalid: {e}", p.id))?;
                check_curve(&format!("points[{i}].final_curve"), &p.final_curve)
                    .and_then(|()| check_evals(&format!("points[{i}].evals"), &p.evals))
                    .map_err(|e| format!("not an ICL Scaling Lab sweep file: {e} (point {})", p.id))?;
            }
            Ok(sweep)
        };
        /// The error of the experiment `v` with the path of its field, if its kind is known.
        fn experiment_error(v: &serde_json::Value) -> Option<String> {
            use super::experiments::{depth_width::DepthWidth, learning_curve::LearningCurve, scaling::Scaling, transition::Transition};
            fn at<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<String> {
                let (path, e) = crate::schema::deserialize_at_path::<T>(v.clone()).err()?;
                Some(if path.is_empty() { format!("experiment: {e}") } else { format!("experiment.{path}: {e}") })
            }
            match super::ExperimentKind::from_name(v.get("kind")?.as_str()?)? {
                super::ExperimentKind::Scaling => at::<Scaling>(v),
                super::ExperimentKind::DepthWidth => at::<DepthWidth>(v),
                super::ExperimentKind::Transition => at::<Transition>(v),
                super::ExperimentKind::LearningCurve => at::<LearningCurve>(v),
                // A new experiment without a line here keeps the message without the field.
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }
        read().map_err(|e| shorten_message(&e))
    }

    /// Points whose status is Done.
    pub fn done(&self) -> usize {
        self.points.iter().filter(|p| p.status == RunStatus::Done).count()
    }

    /// One CSV row per point: id, labels, status, steps, seconds, the analysis metric and its SE.
    pub fn to_csv(&self) -> String {
        let mut header: Vec<String> = vec!["id".into()];
        header.extend(PointLabels::of(&crate::config::RunConfig::default()).columns().map(|(c, _)| c.to_string()));
        header.extend(["status", "steps", "elapsed_s", "metric", "metric_se"].map(String::from));
        let mut rows = vec![header];
        for p in &self.points {
            let mut row = vec![p.id.clone()];
            row.extend(p.labels.columns().map(|(_, v)| v));
            let (m, se) = super::point_metric(&p.final_curve, p.config.context)
                .map_or((String::new(), String::new()), |(m, se)| (m.to_string(), se.to_string()));
            row.extend([p.status.name().to_string(), p.steps.to_string(), p.elapsed_s.to_string(), m, se]);
            rows.push(row);
        }
        crate::schema::to_csv(&rows)
    }
}

/// Preference between two results of the same point: Done beats any other status, then more
/// steps win, then (a true tie: the same point run twice, e.g. a re-run shard) the one whose
/// compact JSON sorts first. A total order, so the choice does not depend on input order.
fn prefer<'a>(a: &'a PointResult, b: &'a PointResult) -> &'a PointResult {
    let key = |p: &PointResult| (p.status == RunStatus::Done, p.steps);
    match key(a).cmp(&key(b)) {
        std::cmp::Ordering::Greater => a,
        std::cmp::Ordering::Less => b,
        std::cmp::Ordering::Equal => {
            if a.canonical() <= b.canonical() {
                a
            } else {
                b
            }
        }
    }
}

/// One result per id (see [`merge`] for the rule), sorted by id.
pub(crate) fn dedupe(points: &[PointResult]) -> Result<Vec<PointResult>, String> {
    let mut by_id: BTreeMap<&str, &PointResult> = BTreeMap::new();
    for p in points {
        match by_id.get(p.id.as_str()) {
            None => {
                by_id.insert(&p.id, p);
            }
            Some(q) => {
                if q.config != p.config {
                    return Err(format!("point {} appears with two different configurations", p.id));
                }
                by_id.insert(&p.id, prefer(q, p));
            }
        }
    }
    Ok(by_id.into_values().cloned().collect())
}

/// Merges shard results into one.
///
/// * Refuses an empty list and parts of different experiments, presets or plan sizes.
/// * A point present more than once: identical copies collapse to one; different results of
///   the same configuration are resolved without error by keeping a Done result over an
///   unfinished one, then the one with more steps, then (equal steps, e.g. a shard re-run on
///   another machine) the copy whose compact JSON sorts first, an arbitrary but
///   order-independent choice. The same id with two different configurations is an error.
/// * Order-independent: any permutation of `parts` gives the same result (points sorted by id).
pub fn merge(parts: &[SweepResult]) -> Result<SweepResult, String> {
    let first = parts.first().ok_or("nothing to merge")?;
    for (i, p) in parts.iter().enumerate() {
        if p.schema != SWEEP_SCHEMA {
            return Err(format!("part {i} is not a sweep result (\"{}\")", p.schema));
        }
        if p.version > SCHEMA_VERSION {
            return Err(format!("part {i} was written by a newer ICL Scaling Lab (schema version {})", p.version));
        }
        if p.experiment.kind() != first.experiment.kind() {
            return Err(format!(
                "part {i} is a \"{}\" sweep, part 0 a \"{}\" sweep",
                p.experiment.kind().name(),
                first.experiment.kind().name()
            ));
        }
        if p.experiment != first.experiment {
            return Err(format!("part {i} ran a different {} experiment than part 0", p.experiment.kind().name()));
        }
        if p.preset != first.preset {
            return Err(format!("part {i} used the {} preset, part 0 the {} preset", p.preset.name(), first.preset.name()));
        }
        if p.plan_points != first.plan_points {
            return Err(format!("part {i} belongs to a plan of {} points, part 0 to one of {}", p.plan_points, first.plan_points));
        }
    }
    let all: Vec<PointResult> = parts.iter().flat_map(|p| p.points.iter().cloned()).collect();
    Ok(SweepResult {
        schema: SWEEP_SCHEMA.into(),
        version: SCHEMA_VERSION,
        experiment: first.experiment.clone(),
        preset: first.preset,
        plan_points: first.plan_points,
        points: dedupe(&all)?,
    })
}

/// Points of `plan` without a Done result in `result`, in plan order (what a resumed queue
/// or a re-run shard still has to do).
pub fn pending(plan: &SweepPlan, result: &SweepResult) -> Vec<SweepPoint> {
    plan.points
        .iter()
        .filter(|p| !result.points.iter().any(|r| r.id == p.id && r.status == RunStatus::Done))
        .cloned()
        .collect()
}
