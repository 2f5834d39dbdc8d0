//! The run as the page knows it: a [`RunResult`] rebuilt from the worker's messages,
//! plus what the status bar shows. Pure, so the message handling is tested natively.

use icl_core::config::RunConfig;
use icl_core::protocol::{FromWorker, StopReason};
use icl_core::schema::{EvalPoint, RunResult, RunStatus};
use icl_core::tasks::TaskSpec;
use icl_core::theory::TheoryCurve;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The worker's wasm is still loading.
    LoadingWorker,
    /// Waiting for the worker to build the model (and open WebGPU).
    Configuring,
    Idle,
    Training,
    Paused,
    Done,
    Diverged,
    /// A fatal error; the results so far are kept.
    Failed,
    /// Shown from storage or an imported file; Reset starts a new run.
    Restored,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    pub phase: Phase,
    /// The configuration sent with the last Configure.
    pub config: RunConfig,
    pub result: Option<RunResult>,
    pub param_count: usize,
    pub steps_per_s: f64,
    /// A notice to show once (e.g. why the CPU backend was chosen).
    pub note: Option<String>,
    pub error: Option<String>,
    pub worker_ready: bool,
    /// Theory curves for (task, K), computed by the worker.
    pub theory: Option<(TaskSpec, usize, Vec<TheoryCurve>)>,
    /// The latest attention maps: (step, prompt, tokens, maps[layer][head] `[tokens²]`).
    pub attention: Option<(usize, usize, usize, Vec<Vec<Vec<f32>>>)>,
    /// The worker panicked or crashed: whatever it still sends is not trusted (a panicked
    /// wasm instance may keep running a training loop); only a restart clears this.
    pub crashed: bool,
}

impl RunState {
    pub fn new(config: RunConfig) -> Self {
        RunState {
            phase: Phase::LoadingWorker,
            config,
            result: None,
            param_count: 0,
            steps_per_s: 0.0,
            note: None,
            error: None,
            worker_ready: false,
            theory: None,
            attention: None,
            crashed: false,
        }
    }

    /// A restored run (from storage or an imported file): shown, not trainable until reset.
    pub fn restored(result: RunResult) -> Self {
        let mut s = RunState::new(result.config.clone());
        s.phase = Phase::Restored;
        s.result = Some(result);
        s
    }

    /// Called when the page sends Configure: the previous run stays visible until the new
    /// one is configured.
    pub fn begin(&mut self, config: RunConfig) {
        self.config = config;
        self.phase = if self.worker_ready { Phase::Configuring } else { Phase::LoadingWorker };
        self.error = None;
        self.note = None;
        self.steps_per_s = 0.0;
        self.attention = None;
    }

    pub fn steps(&self) -> usize {
        self.result.as_ref().map_or(0, |r| r.steps)
    }

    pub fn elapsed_s(&self) -> f64 {
        self.result.as_ref().map_or(0.0, |r| r.elapsed_s)
    }

    pub fn latest_eval(&self) -> Option<&EvalPoint> {
        self.result.as_ref().and_then(|r| r.latest_eval())
    }

    /// Whether Train/Step make sense now.
    pub fn can_train(&self) -> bool {
        matches!(self.phase, Phase::Idle | Phase::Paused) && self.result.is_some()
    }

    /// Theory curves matching the run's task and K, if computed.
    pub fn theory_curves(&self) -> &[TheoryCurve] {
        match &self.theory {
            Some((spec, k, curves)) if *spec == self.config.task && *k == self.config.context => curves,
            _ => &[],
        }
    }

    /// Whether the worker must be asked for theory curves for the run's task and K.
    pub fn theory_missing(&self) -> bool {
        !matches!(&self.theory, Some((spec, k, _)) if *spec == self.config.task && *k == self.config.context)
    }

    pub fn apply(&mut self, message: FromWorker) {
        if self.crashed {
            return;
        }
        if let FromWorker::Error { message, fatal: true } = &message {
            self.crashed = [icl_core::protocol::PANICKED, icl_core::protocol::CRASHED].iter().any(|p| message.starts_with(p));
        }
        match message {
            FromWorker::Theory { spec, context, curves } => self.theory = Some((spec, context, curves)),
            FromWorker::Probed { step, prompt, summary, attention, tokens } => {
                if let Some(r) = &mut self.result {
                    r.probe = summary;
                }
                self.attention = Some((step, prompt, tokens, attention));
            }
            FromWorker::Ready => {
                self.worker_ready = true;
                if self.phase == Phase::LoadingWorker {
                    self.phase = Phase::Configuring;
                }
            }
            FromWorker::Configured { backend, note, param_count } => {
                self.result = Some(RunResult::new(self.config.clone(), backend, "browser"));
                self.param_count = param_count;
                self.note = note;
                self.phase = Phase::Idle;
            }
            FromWorker::Baselines { curves } => {
                if let Some(r) = &mut self.result {
                    r.baselines = curves;
                }
            }
            FromWorker::Progress { step, losses, steps_per_s, elapsed_s } => {
                if let Some(r) = &mut self.result {
                    for (s, l) in losses {
                        r.loss.push(s, l);
                    }
                    r.steps = step;
                    r.elapsed_s = elapsed_s;
                    r.status = RunStatus::Running;
                }
                self.steps_per_s = steps_per_s;
                self.phase = Phase::Training;
            }
            FromWorker::Evaluated { point } => {
                if let Some(r) = &mut self.result {
                    r.evals.retain(|e| e.step != point.step);
                    r.evals.push(point);
                }
            }
            FromWorker::Stopped { step, reason } => {
                let (phase, status) = match reason {
                    StopReason::Paused => (Phase::Paused, RunStatus::Paused),
                    StopReason::Budget => (Phase::Done, RunStatus::Done),
                    StopReason::Diverged => (Phase::Diverged, RunStatus::Diverged),
                };
                self.phase = phase;
                if let Some(r) = &mut self.result {
                    r.steps = step;
                    r.status = status;
                }
            }
            FromWorker::RolledBack { step, lr } => {
                // Back to the checkpoint: what came after it (the divergence) leaves the charts.
                self.phase = Phase::Paused;
                self.error = None;
                self.config.train.lr = lr;
                if let Some(r) = &mut self.result {
                    r.truncate_after(step);
                    r.config.train.lr = lr;
                }
                self.note = Some(format!(
                    "Rolled back to step {step}, the last checkpoint before the divergence; the learning rate is now {lr}. Press Train to go on."
                ));
            }
            FromWorker::Error { message, fatal } => {
                self.error = Some(message);
                if fatal {
                    self.phase = if self.phase == Phase::Diverged { Phase::Diverged } else { Phase::Failed };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icl_core::eval::ErrorCurve;
    use icl_core::schema::BackendInfo;

    fn configured() -> RunState {
        let mut s = RunState::new(RunConfig::default());
        s.apply(FromWorker::Ready);
        s.begin(RunConfig::default());
        s.apply(FromWorker::Configured { backend: BackendInfo::cpu(), note: Some("why".into()), param_count: 7 });
        s
    }

    #[test]
    fn messages_build_the_run() {
        let mut s = configured();
        assert_eq!((s.phase, s.param_count, s.note.as_deref()), (Phase::Idle, 7, Some("why")));
        assert!(s.can_train());
        s.apply(FromWorker::Progress { step: 2, losses: vec![(1, 2.0), (2, 1.0)], steps_per_s: 5.0, elapsed_s: 0.4 });
        assert_eq!((s.phase, s.steps(), s.result.as_ref().unwrap().loss.points.len()), (Phase::Training, 2, 2));
        let curve = ErrorCurve { k: vec![0], mean: vec![1.0], se: vec![0.0] };
        let point = EvalPoint { step: 2, elapsed_s: 0.4, curve, shifted: None };
        s.apply(FromWorker::Evaluated { point: point.clone() });
        s.apply(FromWorker::Evaluated { point });
        assert_eq!(s.result.as_ref().unwrap().evals.len(), 1, "a repeated evaluation replaces, never duplicates");
        s.apply(FromWorker::Stopped { step: 2, reason: StopReason::Paused });
        assert_eq!(s.phase, Phase::Paused);
    }

    #[test]
    fn divergence_and_fatal_errors_keep_the_results() {
        let mut s = configured();
        s.apply(FromWorker::Progress { step: 1, losses: vec![(1, 2.0)], steps_per_s: 5.0, elapsed_s: 0.2 });
        s.apply(FromWorker::Error { message: "diverged".into(), fatal: true });
        s.apply(FromWorker::Stopped { step: 1, reason: StopReason::Diverged });
        assert_eq!(s.phase, Phase::Diverged);
        assert_eq!(s.result.as_ref().unwrap().loss.points.len(), 1);
        assert_eq!(s.error.as_deref(), Some("diverged"));
        assert!(!s.can_train());
    }

    #[test]
    fn after_a_panic_nothing_the_worker_still_sends_changes_the_run() {
        let mut s = configured();
        s.apply(FromWorker::Progress { step: 5, losses: vec![(5, 1.0)], steps_per_s: 10.0, elapsed_s: 0.5 });
        s.apply(FromWorker::Error { message: "the trainer panicked: boom".into(), fatal: true });
        assert_eq!((s.phase, s.crashed), (Phase::Failed, true));
        s.apply(FromWorker::Progress { step: 9, losses: vec![(9, 1.0)], steps_per_s: 10.0, elapsed_s: 0.9 });
        assert_eq!((s.phase, s.steps()), (Phase::Failed, 5), "a panicked instance's later progress is ignored");
        assert!(s.error.as_deref().unwrap().contains("boom"));
        // A fatal error that is not a crash (a failed build) leaves the worker usable.
        let mut t = RunState::new(RunConfig::default());
        t.apply(FromWorker::Error { message: "cannot build the model".into(), fatal: true });
        assert!(!t.crashed);
    }

    #[test]
    fn a_rollback_drops_what_followed_the_checkpoint_and_can_train_again() {
        let mut s = configured();
        s.apply(FromWorker::Progress { step: 120, losses: (1..=120).map(|i| (i, 1.0)).collect(), steps_per_s: 10.0, elapsed_s: 12.0 });
        s.apply(FromWorker::Error { message: "diverged at step 121".into(), fatal: true });
        s.apply(FromWorker::Stopped { step: 121, reason: StopReason::Diverged });
        assert!(!s.can_train());
        s.apply(FromWorker::RolledBack { step: 100, lr: 5e-4 });
        assert_eq!((s.phase, s.steps(), s.error.clone()), (Phase::Paused, 100, None));
        assert_eq!(s.result.as_ref().unwrap().loss.points.last().unwrap().step, 100);
        assert_eq!(s.config.train.lr, 5e-4);
        assert!(s.can_train() && s.note.as_deref().unwrap().contains("step 100"));
    }

    #[test]
    fn a_restored_run_is_shown_but_not_trainable_until_reset() {
        let mut result = RunResult::new(RunConfig::default(), BackendInfo::cpu(), "cli");
        result.status = RunStatus::Done;
        let s = RunState::restored(result);
        assert_eq!(s.phase, Phase::Restored);
        assert!(!s.can_train());
    }
}
