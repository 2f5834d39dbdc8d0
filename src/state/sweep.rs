//! The browser's run queue for a sweep: which point runs, which wait, which failed. The
//! page trains one point at a time through the same worker messages as a single run, so
//! this is pure bookkeeping, tested natively.

use icl_core::schema::{RunResult, RunStatus};
use icl_core::sweep::{self, CostModel, Experiment, PointResult, SweepPlan, SweepPoint, SweepPreset, SweepResult};

#[derive(Clone, Debug, PartialEq)]
pub enum PointState {
    Pending,
    Running,
    Done,
    /// Diverged or failed, with the reason.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepQueue {
    pub plan: SweepPlan,
    pub result: SweepResult,
    pub states: Vec<PointState>,
    /// Whether the queue starts the next point when one finishes.
    pub running: bool,
    /// Seconds of training spent on the points done in this session, and what the plan's
    /// browser cost model predicted for them: their ratio calibrates the ETA to this machine.
    spent_s: f64,
    spent_estimate_s: f64,
}

impl SweepQueue {
    pub fn new(experiment: &Experiment, preset: SweepPreset) -> Self {
        let plan = sweep::plan(experiment, preset);
        let result = SweepResult::new(&plan);
        let states = vec![PointState::Pending; plan.points.len()];
        SweepQueue { plan, result, states, running: false, spent_s: 0.0, spent_estimate_s: 0.0 }
    }

    /// A queue showing a saved or imported sweep: its done points are Done, the rest wait.
    pub fn from_result(result: SweepResult) -> Self {
        let plan = sweep::plan(&result.experiment, result.preset);
        let states = plan
            .points
            .iter()
            .map(|p| match result.points.iter().find(|r| r.id == p.id) {
                Some(r) if r.status == RunStatus::Done => PointState::Done,
                Some(r) if r.status == RunStatus::Diverged => PointState::Failed("diverged".into()),
                _ => PointState::Pending,
            })
            .collect();
        SweepQueue { plan, result, states, running: false, spent_s: 0.0, spent_estimate_s: 0.0 }
    }

    pub fn running_index(&self) -> Option<usize> {
        self.states.iter().position(|s| *s == PointState::Running)
    }

    pub fn done(&self) -> usize {
        self.states.iter().filter(|s| **s == PointState::Done).count()
    }

    pub fn failed(&self) -> usize {
        self.states.iter().filter(|s| matches!(s, PointState::Failed(_))).count()
    }

    pub fn is_finished(&self) -> bool {
        !self.states.iter().any(|s| matches!(s, PointState::Pending | PointState::Running))
    }

    /// The next point to train, marked Running; None when nothing waits or the queue is paused.
    pub fn start_next(&mut self) -> Option<SweepPoint> {
        if !self.running || self.running_index().is_some() {
            return None;
        }
        let i = self.states.iter().position(|s| *s == PointState::Pending)?;
        self.states[i] = PointState::Running;
        Some(self.plan.points[i].clone())
    }

    /// Records the running point's finished run (done, diverged or failed).
    pub fn finish(&mut self, run: &RunResult, failure: Option<String>) {
        let Some(i) = self.running_index() else { return };
        let point = &self.plan.points[i];
        let result = PointResult::from_run(point, run);
        self.states[i] = match (&failure, run.status) {
            (None, RunStatus::Done) => {
                self.spent_s += run.elapsed_s;
                self.spent_estimate_s += CostModel::BROWSER_CPU.seconds(point);
                PointState::Done
            }
            (Some(why), _) => PointState::Failed(why.clone()),
            (None, status) => PointState::Failed(format!("{status:?}").to_lowercase()),
        };
        self.result.insert(result);
    }

    /// Puts a running point back in the queue (pause or cancel mid-point).
    pub fn interrupt(&mut self) {
        if let Some(i) = self.running_index() {
            self.states[i] = PointState::Pending;
        }
    }

    /// Queues point `i` again (its old result is replaced when the new one lands).
    pub fn rerun(&mut self, i: usize) {
        if i < self.states.len() && self.states[i] != PointState::Running {
            self.states[i] = PointState::Pending;
        }
    }

    /// Seconds left: the plan's browser-CPU cost model for the remaining points, scaled by
    /// how fast the points done in this session actually ran against that model.
    pub fn eta_s(&self) -> f64 {
        let remaining: f64 = self
            .plan
            .points
            .iter()
            .zip(&self.states)
            .filter(|(_, s)| matches!(s, PointState::Pending | PointState::Running))
            .map(|(p, _)| CostModel::BROWSER_CPU.seconds(p))
            .sum();
        let speed = if self.spent_estimate_s > 0.0 { self.spent_s / self.spent_estimate_s } else { 1.0 };
        remaining * speed
    }

    /// One CSV row per point: id, labels, status, steps, seconds, the analysis metric and its SE.
    pub fn to_csv(&self) -> String {
        let keys: Vec<&String> = self.plan.points.first().map(|p| p.labels.keys().collect()).unwrap_or_default();
        let mut out = String::from("id");
        for k in &keys {
            out.push_str(&format!(",{k}"));
        }
        out.push_str(",status,steps,elapsed_s,metric,metric_se\n");
        for p in &self.result.points {
            out.push_str(&p.id);
            for k in &keys {
                out.push_str(&format!(",{}", p.label(k).map_or(String::new(), |v| v.to_string())));
            }
            let (m, se) = sweep::point_metric(&p.final_curve, p.config.context).map_or((String::new(), String::new()), |(m, se)| (m.to_string(), se.to_string()));
            out.push_str(&format!(",{},{},{},{m},{se}\n", format!("{:?}", p.status).to_lowercase(), p.steps, p.elapsed_s));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icl_core::schema::BackendInfo;
    use icl_core::sweep::ExperimentKind;

    fn fake_run(point: &SweepPoint, status: RunStatus) -> RunResult {
        let mut run = RunResult::new(point.config.clone(), BackendInfo::cpu(), "test");
        run.status = status;
        run.steps = point.config.train.steps;
        run.elapsed_s = 2.0;
        run
    }

    #[test]
    fn the_queue_runs_points_in_order_and_records_them() {
        let mut q = SweepQueue::new(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Quick);
        let n = q.plan.points.len();
        assert!(n >= 4);
        assert_eq!(q.start_next(), None, "a paused queue starts nothing");
        q.running = true;
        let first = q.start_next().unwrap();
        assert_eq!(first.id, q.plan.points[0].id);
        assert_eq!(q.start_next(), None, "one point at a time");
        let eta_before = q.eta_s();
        q.finish(&fake_run(&first, RunStatus::Done), None);
        assert_eq!((q.done(), q.result.points.len()), (1, 1));
        assert!(q.eta_s() < eta_before, "a point done faster than estimated shortens the ETA");
        let second = q.start_next().unwrap();
        q.finish(&fake_run(&second, RunStatus::Diverged), None);
        assert_eq!(q.failed(), 1);
        q.rerun(1);
        assert_eq!(q.states[1], PointState::Pending);
        let again = q.start_next().unwrap();
        assert_eq!(again.id, second.id, "a re-queued point runs next");
        q.interrupt();
        assert_eq!(q.states[1], PointState::Pending);
        assert!(!q.is_finished());
        assert!(q.to_csv().lines().count() == 1 + q.result.points.len());
    }

    #[test]
    fn a_saved_sweep_restores_its_done_points() {
        let mut q = SweepQueue::new(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Quick);
        q.running = true;
        let p = q.start_next().unwrap();
        q.finish(&fake_run(&p, RunStatus::Done), None);
        let restored = SweepQueue::from_result(SweepResult::from_json(&q.result.to_json()).unwrap());
        assert_eq!(restored.done(), 1);
        assert_eq!(restored.states.len(), q.plan.points.len());
        assert!(!restored.running);
    }
}
