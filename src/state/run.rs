//! The run as the page knows it: a [`RunResult`] rebuilt from the worker's messages,
//! plus what the status bar shows. Pure, so the message handling is tested natively.

use icl_core::config::RunConfig;
use icl_core::protocol::{FromWorker, StopReason};
use icl_core::schema::{BackendKind, EvalPoint, RunResult, RunStatus};
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
    /// A Configure asked to resume from a checkpoint: the shown results stay until the
    /// worker says whether it resumed.
    pub resuming: bool,
    /// The step of the last checkpoint saved in this browser, and whether it is exact
    /// (Adam's state included).
    pub checkpoint: Option<(usize, bool)>,
    /// The WebGPU device was lost: the page should resume on the CPU backend.
    pub resume_on_cpu: bool,
    /// The run spent its step budget training in this page (not resumed or restored as
    /// done): the history keeps it then, so a kept run the user deleted stays deleted
    /// when a reload resumes it.
    pub finished_here: bool,
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
            resuming: false,
            checkpoint: None,
            resume_on_cpu: false,
            finished_here: false,
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
        self.resuming = false;
        self.checkpoint = None;
        self.resume_on_cpu = false;
        self.finished_here = false;
    }

    /// Called when the page sends a Configure that resumes from a checkpoint (after a
    /// reload, a crash or a lost device): like [`begin`](Self::begin), but the results on
    /// screen stay until the worker has resumed (or said why not).
    pub fn begin_resume(&mut self, config: RunConfig) {
        // A message on screen stays up (a lost device's: it says what happened and what the
        // page does); a panic's was dropped by `restart`.
        let message = self.error.take();
        self.crashed = false;
        self.begin(config);
        self.resuming = true;
        self.error = message;
    }

    /// A fresh trainer replaces a crashed one: the results stay, as a restored run (a
    /// resume may follow). A message saying the run goes on on the CPU stays up; a panic's
    /// goes, since the crash is over.
    pub fn restart(&mut self) {
        let message = self.error.take().filter(|_| self.resume_on_cpu);
        *self = match self.result.take() {
            Some(result) => RunState::restored(result),
            None => RunState::new(self.config.clone()),
        };
        self.error = message;
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
                self.param_count = param_count;
                self.note = note;
                if self.resuming {
                    // Resumed or NotResumed follows; the results shown so far stay.
                    if let Some(r) = &mut self.result {
                        r.backend = backend;
                    }
                } else {
                    self.result = Some(RunResult::new(self.config.clone(), backend, "browser"));
                    self.phase = Phase::Idle;
                }
            }
            FromWorker::Resumed { run, exact } => {
                let mut run = *run;
                if let Some(old) = &self.result {
                    if run.baselines.is_empty() {
                        run.baselines = old.baselines.clone(); // recomputed by the worker soon
                    }
                }
                let step = run.steps;
                self.phase = if run.status == RunStatus::Done { Phase::Done } else { Phase::Paused };
                self.config = run.config.clone();
                self.checkpoint = Some((step, exact));
                self.result = Some(run);
                self.resuming = false;
                let how = if exact {
                    "the model, Adam's state and the prompt stream are as they were, so training goes on exactly as if never interrupted"
                } else {
                    "the weights are as they were, but Adam's moments start again (a WebGPU checkpoint holds the weights only), so the curve from here is not the one an uninterrupted run would draw"
                };
                let note = format!("Resumed at step {step} from the checkpoint saved in this browser: {how}. Press Train to go on.");
                self.note = Some(match self.note.take() {
                    Some(n) => format!("{n} {note}"),
                    None => note,
                });
            }
            // A sweep point with an unusable checkpoint just starts afresh.
            FromWorker::NotResumed { .. } if !self.resuming => {}
            FromWorker::NotResumed { reason } => {
                self.resuming = false;
                if self.result.as_ref().is_some_and(|r| r.steps > 0) {
                    // The results stay, as a restored run: Train then builds a new model.
                    self.phase = Phase::Restored;
                    self.note = Some(format!("Could not resume training: {reason}. The results are kept; Train starts a new model."));
                } else {
                    self.phase = Phase::Idle;
                }
            }
            FromWorker::Checkpointed { step, exact } => self.checkpoint = Some((step, exact)),
            FromWorker::DeviceLost { reason } => {
                self.phase = Phase::Failed;
                self.error = Some(format!(
                    "The WebGPU device was lost ({reason}). Going on with the CPU backend from the last checkpoint; every result is kept."
                ));
                self.resume_on_cpu = true;
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
                self.finished_here = reason == StopReason::Budget;
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
                let on_gpu = self.result.as_ref().is_some_and(|r| r.backend.kind == BackendKind::WebGpu);
                if self.crashed && on_gpu && message.contains(icl_core::protocol::GPU_OUT_OF_MEMORY) {
                    self.error = Some(format!(
                        "The WebGPU device ran out of memory (\"{}\"; the console has the whole panic). Going on with the CPU backend from the last checkpoint; every result is kept. A smaller batch or model may fit the GPU.",
                        icl_core::protocol::GPU_OUT_OF_MEMORY
                    ));
                    self.resume_on_cpu = true;
                } else {
                    self.error = Some(message);
                }
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
        let point = EvalPoint { step: 2, elapsed_s: 0.4, curve, shifted: None, query_exact: None };
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

    fn progressed(steps: usize) -> RunState {
        let mut s = configured();
        s.apply(FromWorker::Progress { step: steps, losses: (1..=steps).map(|i| (i, 1.0)).collect(), steps_per_s: 10.0, elapsed_s: 1.0 });
        s
    }

    #[test]
    fn a_resume_keeps_the_shown_results_until_the_worker_resumed_and_then_takes_its_record() {
        let mut s = RunState::restored(progressed(300).result.unwrap());
        s.apply(FromWorker::Ready);
        s.begin_resume(RunConfig::default());
        assert_eq!((s.phase, s.resuming, s.steps()), (Phase::Configuring, true, 300));
        s.apply(FromWorker::Configured { backend: BackendInfo::cpu(), note: None, param_count: 7 });
        assert_eq!((s.phase, s.steps()), (Phase::Configuring, 300), "Configured alone does not drop the results");
        let mut saved = progressed(200).result.unwrap();
        saved.status = RunStatus::Paused;
        s.apply(FromWorker::Resumed { run: Box::new(saved), exact: true });
        assert_eq!((s.phase, s.steps(), s.resuming, s.checkpoint), (Phase::Paused, 200, false, Some((200, true))));
        assert!(s.can_train());
        assert!(s.note.as_deref().unwrap().contains("exactly"));
    }

    #[test]
    fn only_a_run_that_spends_its_budget_here_counts_as_finished_here() {
        let mut s = progressed(20);
        s.apply(FromWorker::Stopped { step: 20, reason: StopReason::Paused });
        assert!(!s.finished_here, "a pause is not the end");
        s.apply(FromWorker::Stopped { step: 20, reason: StopReason::Budget });
        assert_eq!((s.phase, s.finished_here), (Phase::Done, true));

        // After a reload the same run resumes as done: kept before (or deleted since), not again.
        let mut back = RunState::restored(s.result.clone().unwrap());
        back.apply(FromWorker::Ready);
        back.begin_resume(RunConfig::default());
        back.apply(FromWorker::Configured { backend: BackendInfo::cpu(), note: None, param_count: 7 });
        let mut done = s.result.unwrap();
        done.status = RunStatus::Done;
        back.apply(FromWorker::Resumed { run: Box::new(done), exact: true });
        assert_eq!((back.phase, back.finished_here), (Phase::Done, false));
    }

    #[test]
    fn a_failed_resume_keeps_the_results_as_a_restored_run() {
        let mut s = RunState::restored(progressed(300).result.unwrap());
        s.apply(FromWorker::Ready);
        s.begin_resume(RunConfig::default());
        s.apply(FromWorker::Configured { backend: BackendInfo::cpu(), note: None, param_count: 7 });
        s.apply(FromWorker::NotResumed { reason: "no checkpoint of this run was saved in this browser".into() });
        assert_eq!((s.phase, s.steps()), (Phase::Restored, 300));
        assert!(s.note.as_deref().unwrap().contains("no checkpoint"));
        assert!(!s.can_train(), "Train builds a new model");
    }

    #[test]
    fn a_sweep_point_takes_its_resumed_record_and_ignores_an_unusable_checkpoint() {
        // A pool worker that finished another point: begin (not begin_resume), as the queue does.
        let mut s = progressed(300);
        let point = RunConfig { context: 8, ..RunConfig::default() };
        s.begin(point.clone());
        s.apply(FromWorker::Configured { backend: BackendInfo::cpu(), note: None, param_count: 7 });
        assert_eq!((s.phase, s.steps()), (Phase::Idle, 0));
        s.apply(FromWorker::NotResumed { reason: "the checkpoint belongs to another model".into() });
        assert_eq!((s.phase, s.steps(), s.note.as_deref()), (Phase::Idle, 0, None), "no restored run, no note: the point starts afresh");
        let mut saved = RunResult::new(point, BackendInfo::cpu(), "browser");
        saved.steps = 120;
        saved.status = RunStatus::Paused;
        s.apply(FromWorker::Resumed { run: Box::new(saved), exact: true });
        assert_eq!((s.phase, s.steps()), (Phase::Paused, 120));
    }

    /// A run 50 steps in on `kind` whose trainer panicked with WebGPU's out-of-memory words.
    fn out_of_memory_on(kind: BackendKind) -> RunState {
        let message = format!("{}: {}", icl_core::protocol::PANICKED, icl_core::protocol::GPU_OUT_OF_MEMORY);
        let mut s = progressed(50);
        s.result.as_mut().unwrap().backend.kind = kind;
        s.apply(FromWorker::Error { message, fatal: true });
        s
    }

    #[test]
    fn a_gpu_out_of_memory_panic_asks_for_a_cpu_resume_but_a_cpu_one_does_not() {
        let s = out_of_memory_on(BackendKind::WebGpu);
        assert!(s.crashed && s.resume_on_cpu, "out of memory on WebGPU: resume on CPU");
        assert!(s.error.as_deref().unwrap().starts_with("The WebGPU device ran out of memory"));
        let cpu = out_of_memory_on(BackendKind::Cpu);
        assert!(cpu.crashed && !cpu.resume_on_cpu, "the same words on the CPU backend are just a panic");
    }

    #[test]
    fn a_lost_device_asks_for_a_cpu_resume_and_keeps_the_results() {
        let mut s = progressed(50);
        s.apply(FromWorker::Checkpointed { step: 40, exact: false });
        s.apply(FromWorker::DeviceLost { reason: "Destroyed".into() });
        assert!(s.resume_on_cpu && s.error.as_deref().unwrap().contains("CPU"));
        assert_eq!((s.steps(), s.checkpoint), (50, Some((40, false))));
        s.begin_resume(RunConfig::default());
        assert!(!s.resume_on_cpu && s.resuming && s.steps() == 50);
        assert!(s.error.as_deref().unwrap().contains("device was lost"), "the message stays while the CPU resumes");
    }

    #[test]
    fn a_restart_keeps_the_results_and_a_cpu_resume_message_but_not_a_panic() {
        let mut oom = out_of_memory_on(BackendKind::WebGpu);
        oom.restart();
        assert_eq!((oom.phase, oom.steps(), oom.crashed, oom.resume_on_cpu), (Phase::Restored, 50, false, false));
        assert!(oom.error.as_deref().unwrap().starts_with("The WebGPU device ran out of memory"));
        oom.begin_resume(RunConfig::default());
        assert!(oom.error.as_deref().unwrap().contains("CPU backend"), "and it stays while the CPU resumes");

        let mut panic = out_of_memory_on(BackendKind::Cpu);
        panic.restart();
        assert_eq!((panic.phase, panic.steps(), panic.error.clone()), (Phase::Restored, 50, None));
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
