//! The browser's run queue for a sweep: which point runs on which worker of the pool,
//! which wait, which failed. The page's pool trains several points at once through the
//! same worker messages as a single run; this is the pure bookkeeping, tested natively.

use super::run::{Phase, RunState};
use icl_core::schema::{RunResult, RunStatus};
use icl_core::sweep::{self, CostModel, Experiment, PointResult, SweepPlan, SweepPoint, SweepPreset, SweepResult};

#[derive(Clone, Debug, PartialEq)]
pub enum PointState {
    Pending,
    /// Training on worker `slot` of the pool.
    Running { slot: usize },
    Done,
    /// Diverged or failed, with the reason.
    Failed(String),
}

impl PointState {
    /// For the queue table's CSS class and tests.
    pub fn name(&self) -> &'static str {
        match self {
            PointState::Pending => "pending",
            PointState::Running { .. } => "running",
            PointState::Done => "done",
            PointState::Failed(_) => "failed",
        }
    }
}

/// What one worker of the pool reports to the queue.
#[derive(Clone, Copy, Debug)]
pub struct SlotReport<'a> {
    pub slot: usize,
    /// The worker has loaded and can take a point.
    pub ready: bool,
    /// The run it is recording (a point's, once the queue started one there).
    pub run: &'a RunState,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepQueue {
    pub plan: SweepPlan,
    pub result: SweepResult,
    pub states: Vec<PointState>,
    /// Whether the queue starts pending points on idle workers.
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

    /// The point training on `slot`, if any.
    pub fn point_on(&self, slot: usize) -> Option<usize> {
        self.states.iter().position(|s| *s == PointState::Running { slot })
    }

    /// Points training now.
    pub fn running_points(&self) -> usize {
        self.states.iter().filter(|s| matches!(s, PointState::Running { .. })).count()
    }

    pub fn done(&self) -> usize {
        self.states.iter().filter(|s| **s == PointState::Done).count()
    }

    pub fn failed(&self) -> usize {
        self.states.iter().filter(|s| matches!(s, PointState::Failed(_))).count()
    }

    pub fn is_finished(&self) -> bool {
        !self.states.iter().any(|s| matches!(s, PointState::Pending | PointState::Running { .. }))
    }

    /// Records every point whose worker finished it, then hands pending points to the ready,
    /// idle workers (while the queue runs). Returns the points to start, `(slot, point)`; the
    /// page sends them. Results land in plan order whatever order the workers finish in.
    pub fn advance(&mut self, slots: &[SlotReport]) -> Vec<(usize, SweepPoint)> {
        for report in slots {
            let Some(i) = self.point_on(report.slot) else { continue };
            let run = report.run;
            // A worker still showing an earlier run has not started this point yet.
            if run.config != self.plan.points[i].config {
                continue;
            }
            let failure = match run.phase {
                Phase::Done | Phase::Diverged => None,
                Phase::Failed => Some(run.error.clone().unwrap_or_else(|| "failed".into())),
                _ => continue,
            };
            let result = run.result.clone().unwrap_or_else(|| RunResult::new(run.config.clone(), icl_core::schema::BackendInfo::cpu(), "browser"));
            self.finish(i, &result, failure);
        }
        let mut started = Vec::new();
        if self.running {
            for report in slots {
                if !report.ready || self.point_on(report.slot).is_some() {
                    continue;
                }
                let Some(i) = self.states.iter().position(|s| *s == PointState::Pending) else { break };
                self.states[i] = PointState::Running { slot: report.slot };
                started.push((report.slot, self.plan.points[i].clone()));
            }
        }
        if self.is_finished() {
            self.running = false;
        }
        started
    }

    /// Records point `i`'s finished run (done, diverged or failed).
    fn finish(&mut self, i: usize, run: &RunResult, failure: Option<String>) {
        let point = &self.plan.points[i];
        self.states[i] = match (&failure, run.status) {
            (None, RunStatus::Done) => {
                self.spent_s += run.elapsed_s;
                self.spent_estimate_s += CostModel::BROWSER_CPU.seconds(point);
                PointState::Done
            }
            (Some(why), _) => PointState::Failed(why.clone()),
            (None, status) => PointState::Failed(status.name().to_string()),
        };
        self.result.insert(PointResult::from_run(point, run));
    }

    /// Puts every running point back in the queue (pause or cancel mid-point); returns the
    /// slots that were training them, for the page to pause.
    pub fn interrupt(&mut self) -> Vec<usize> {
        let mut slots = Vec::new();
        for s in &mut self.states {
            if let PointState::Running { slot } = *s {
                slots.push(slot);
                *s = PointState::Pending;
            }
        }
        slots
    }

    /// Queues point `i` again (its old result is replaced when the new one lands).
    pub fn rerun(&mut self, i: usize) {
        if i < self.states.len() && !matches!(self.states[i], PointState::Running { .. }) {
            self.states[i] = PointState::Pending;
        }
    }

    /// Seconds left on `workers` workers: the plan's browser-CPU cost model for the remaining
    /// points, scaled by how fast the points done in this session actually ran against that
    /// model (each point's own wall time, so contention between workers is measured in), and
    /// divided among the workers, which each take the next point as soon as they are free.
    pub fn eta_s(&self, workers: usize) -> f64 {
        let remaining: f64 = self
            .plan
            .points
            .iter()
            .zip(&self.states)
            .filter(|(_, s)| matches!(s, PointState::Pending | PointState::Running { .. }))
            .map(|(p, _)| CostModel::BROWSER_CPU.seconds(p))
            .sum();
        let speed = if self.spent_estimate_s > 0.0 { self.spent_s / self.spent_estimate_s } else { 1.0 };
        remaining * speed / workers.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icl_core::protocol::FromWorker;
    use icl_core::schema::BackendInfo;
    use icl_core::sweep::ExperimentKind;

    /// A worker's run state after training `point` to the end (or diverging).
    fn finished(point: &SweepPoint, diverged: bool) -> RunState {
        let mut s = RunState::new(point.config.clone());
        s.apply(FromWorker::Ready);
        s.begin(point.config.clone());
        s.apply(FromWorker::Configured { backend: BackendInfo::cpu(), note: None, param_count: 1 });
        s.apply(FromWorker::Progress { step: point.config.train.steps, losses: vec![(1, 1.0)], steps_per_s: 10.0, elapsed_s: 2.0 });
        let reason = if diverged { icl_core::protocol::StopReason::Diverged } else { icl_core::protocol::StopReason::Budget };
        s.apply(FromWorker::Stopped { step: point.config.train.steps, reason });
        s
    }

    fn idle() -> RunState {
        let mut s = RunState::new(Default::default());
        s.apply(FromWorker::Ready);
        s
    }

    #[test]
    fn the_queue_fills_every_idle_worker_and_records_points_in_any_order() {
        let mut q = SweepQueue::new(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Quick);
        let n = q.plan.points.len();
        assert!(n >= 4);
        let (a, b) = (idle(), idle());
        fn slots<'a>(x: &'a RunState, y: &'a RunState) -> Vec<SlotReport<'a>> {
            vec![SlotReport { slot: 0, ready: true, run: x }, SlotReport { slot: 1, ready: true, run: y }]
        }
        assert!(q.advance(&slots(&a, &b)).is_empty(), "a paused queue starts nothing");
        q.running = true;
        let started = q.advance(&slots(&a, &b));
        assert_eq!(started.iter().map(|s| s.0).collect::<Vec<_>>(), vec![0, 1], "both workers get a point");
        assert_eq!((started[0].1.id.as_str(), started[1].1.id.as_str()), (q.plan.points[0].id.as_str(), q.plan.points[1].id.as_str()));
        assert!(q.advance(&slots(&a, &b)).is_empty(), "a worker showing its previous run is still busy");
        let eta_before = q.eta_s(2);
        assert!((q.eta_s(1) - 2.0 * eta_before).abs() < 1e-9 * eta_before, "two workers halve the ETA");
        // The second point finishes first.
        let b_done = finished(&q.plan.points[1], false);
        let started = q.advance(&slots(&a, &b_done));
        assert_eq!(q.states[1], PointState::Done);
        assert_eq!(started.len(), 1);
        assert_eq!((started[0].0, started[0].1.id.clone()), (1, q.plan.points[2].id.clone()));
        assert!(q.eta_s(2) < eta_before, "a point done faster than estimated shortens the ETA");
        // Then the first diverges.
        let a_div = finished(&q.plan.points[0], true);
        let b_busy = idle();
        q.advance(&slots(&a_div, &b_busy));
        assert_eq!((q.done(), q.failed(), q.result.points.len()), (1, 1, 2));
        assert_eq!(q.states[0], PointState::Failed("diverged".into()));
        q.rerun(0);
        assert_eq!(q.states[0], PointState::Pending);
        assert_eq!((q.point_on(0), q.point_on(1)), (Some(3), Some(2)), "the freed worker took the next point");
        assert_eq!(q.running_points(), 2);
        assert_eq!(q.interrupt(), vec![1, 0], "interrupting names the busy workers");
        assert_eq!((q.running_points(), &q.states[2]), (0, &PointState::Pending));
        assert!(!q.is_finished());
        assert_eq!(q.result.to_csv().lines().count(), 1 + q.result.points.len());
    }

    #[test]
    fn a_worker_that_is_not_ready_gets_nothing() {
        let mut q = SweepQueue::new(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Smoke);
        q.running = true;
        let loading = RunState::new(Default::default());
        assert!(q.advance(&[SlotReport { slot: 0, ready: false, run: &loading }]).is_empty());
    }

    #[test]
    fn the_queue_stops_when_every_point_is_done() {
        let mut q = SweepQueue::new(&Experiment::default_for(ExperimentKind::Scaling), SweepPreset::Smoke);
        q.running = true;
        let mut run = idle();
        for _ in 0..q.plan.points.len() {
            let started = q.advance(&[SlotReport { slot: 0, ready: true, run: &run }]);
            assert_eq!(started.len(), 1);
            run = finished(&started[0].1, false);
        }
        assert!(q.advance(&[SlotReport { slot: 0, ready: true, run: &run }]).is_empty());
        assert!(q.is_finished() && !q.running);
        assert_eq!(q.done(), q.plan.points.len());
    }

    #[test]
    fn a_saved_sweep_restores_its_done_points() {
        let mut q = SweepQueue::new(&Experiment::default_for(ExperimentKind::DepthWidth), SweepPreset::Quick);
        q.running = true;
        let run = idle();
        let (_, p) = q.advance(&[SlotReport { slot: 0, ready: true, run: &run }]).remove(0);
        q.advance(&[SlotReport { slot: 0, ready: true, run: &finished(&p, false) }]);
        let restored = SweepQueue::from_result(SweepResult::from_json(&q.result.to_json()).unwrap());
        assert_eq!(restored.done(), 1);
        assert_eq!(restored.states.len(), q.plan.points.len());
        assert!(!restored.running);
    }
}
