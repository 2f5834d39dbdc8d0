//! The worker's state machine. Messages only flip flags; one driver future at a time
//! owns the run and trains in chunks of about 100 ms, yielding to the event loop between
//! chunks so that Pause and Configure are handled promptly.

use crate::adapter::{self, Decision};
use crate::js::{self, now_ms, post, sleep_ms, yield_now};
use icl_core::config::RunConfig;
use icl_core::protocol::{BackendChoice, FromWorker, StopReason, ToWorker};
use icl_core::schema::{BackendInfo, BackendKind};
use icl_train::{Device, RunSession, TrainError};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Target wall time of one training chunk: long enough to keep a GPU queue busy,
/// short enough that Pause feels immediate.
const CHUNK_MS: f64 = 100.0;

struct Run {
    session: RunSession,
    /// Training seconds before the current running segment.
    trained_s: f64,
    ms_per_step: f64,
}

#[derive(Default)]
struct State {
    generation: u64,
    /// The run while no driver owns it.
    idle_run: Option<Run>,
    driving: bool,
    want_running: bool,
    /// Steps requested by `Step { steps }`, not yet turned into a target.
    extra_steps: Option<usize>,
    /// The WebGPU device, opened at most once per worker (burn's runtime cannot be re-initialised).
    gpu: Option<(Device, BackendInfo)>,
    /// Set by the device-lost callback.
    gpu_lost: Option<String>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

unsafe extern "C" {
    /// Runs the static constructors cubecl registers through `inventory`. Calling it once
    /// ourselves stops the linker from re-running them around every JS → wasm call,
    /// which made WebGPU training ~3× slower (see shared/PLATFORM.md).
    fn __wasm_call_ctors();
}

#[wasm_bindgen(start)]
pub fn start() {
    unsafe { __wasm_call_ctors() };
    console_error_panic_hook::set_once();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
        match event.data().as_string().map(|s| ToWorker::from_json(&s)) {
            Some(Ok(message)) => handle(message),
            Some(Err(e)) => post(&FromWorker::Error { message: e, fatal: false }),
            None => post(&FromWorker::Error { message: "the worker only accepts JSON strings".into(), fatal: false }),
        }
    });
    js::scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready);
}

fn handle(message: ToWorker) {
    match message {
        ToWorker::Configure { config, backend } => {
            let generation = with(|s| {
                s.generation += 1;
                s.idle_run = None;
                s.want_running = false;
                s.extra_steps = None;
                s.generation
            });
            wasm_bindgen_futures::spawn_local(configure(generation, config, backend));
        }
        ToWorker::Run => {
            with(|s| {
                s.want_running = true;
                s.extra_steps = None;
            });
            ensure_driver();
        }
        ToWorker::Step { steps } => {
            with(|s| {
                s.want_running = true;
                s.extra_steps = Some(steps.max(1));
            });
            ensure_driver();
        }
        ToWorker::Pause => with(|s| s.want_running = false),
        ToWorker::Probe { prompt } => {
            let Some(run) = with(|s| if s.driving { None } else { s.idle_run.take().map(|r| (s.generation, r)) }) else {
                post(&FromWorker::Error { message: "probes run on a configured, paused model".into(), fatal: false });
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let (generation, mut run) = run;
                probe(&mut run, prompt).await;
                with(|s| {
                    if s.generation == generation && !s.driving {
                        s.idle_run = Some(run);
                    }
                });
                ensure_driver();
            });
        }
        ToWorker::Theory { spec, context } => {
            let curves = icl_core::theory::curves(&spec, context);
            post(&FromWorker::Theory { spec, context, curves });
        }
    }
}

async fn open_device(choice: BackendChoice) -> (Device, BackendInfo, Option<String>) {
    if let Some(lost) = with(|s| s.gpu_lost.clone()) {
        if choice != BackendChoice::Cpu {
            let (d, i) = icl_train::backend::cpu();
            return (d, i, Some(format!("The WebGPU device was lost ({lost}). Training on the CPU backend; reload the page to try WebGPU again.")));
        }
    }
    match adapter::decide(choice, adapter::probe().await) {
        Decision::Cpu { note } => {
            let (d, i) = icl_train::backend::cpu();
            (d, i, note)
        }
        Decision::WebGpu { description, fallback } => {
            if let Some((d, mut i)) = with(|s| s.gpu.clone()) {
                i.fallback_adapter = fallback;
                return (d, i, None);
            }
            let opened = icl_train::backend::open_gpu(BackendKind::WebGpu, |reason| {
                with(|s| s.gpu_lost = Some(reason));
            })
            .await;
            match opened {
                Ok((device, mut info)) => {
                    info.adapter = description;
                    info.fallback_adapter = fallback;
                    with(|s| s.gpu = Some((device.clone(), info.clone())));
                    (device, info, None)
                }
                Err(e) => {
                    let (d, i) = icl_train::backend::cpu();
                    (d, i, Some(format!("WebGPU device creation failed ({e}). Training on the CPU backend instead.")))
                }
            }
        }
    }
}

async fn configure(generation: u64, config: RunConfig, choice: BackendChoice) {
    if let Err(e) = config.validate() {
        post(&FromWorker::Error { message: format!("invalid settings: {e}"), fatal: true });
        return;
    }
    let (device, backend, note) = open_device(choice).await;
    if with(|s| s.generation) != generation {
        return;
    }
    let mut session = match RunSession::new(&config, &device, backend.clone(), "browser") {
        Ok(s) => s,
        Err(e) => {
            post(&FromWorker::Error { message: e, fatal: true });
            return;
        }
    };
    post(&FromWorker::Configured { backend, note, param_count: session.trainer.param_count() });
    let held_out = session.held_out.clone();
    match session.evaluate(0.0).await {
        Ok(point) => post(&FromWorker::Evaluated { point }),
        Err(e) => post(&FromWorker::Error { message: e.to_string(), fatal: true }),
    }
    if with(|s| s.generation) != generation {
        return;
    }
    with(|s| s.idle_run = Some(Run { session, trained_s: 0.0, ms_per_step: CHUNK_MS }));
    ensure_driver();
    wasm_bindgen_futures::spawn_local(crate::worker::baselines(generation, config, held_out));
}

/// Scores the baselines on the held-out prompts in small slices, between training chunks.
async fn baselines(generation: u64, config: RunConfig, held_out: icl_core::tasks::PromptBatch) {
    let mut suite = icl_core::baselines::BaselineSuite::new(&config.task, &held_out);
    let mut start = 0;
    while start < held_out.batch {
        let end = (start + 16).min(held_out.batch);
        suite.run_prompts(start..end);
        start = end;
        yield_now().await;
        if with(|s| s.generation) != generation {
            return;
        }
    }
    post(&FromWorker::Baselines { curves: suite.curves() });
}

fn ensure_driver() {
    let run = with(|s| {
        if s.driving || !s.want_running {
            return None;
        }
        let run = s.idle_run.take()?;
        s.driving = true;
        Some((s.generation, run))
    });
    if let Some((generation, run)) = run {
        wasm_bindgen_futures::spawn_local(drive(generation, run));
    }
}

/// Owns the run while it trains; gives it back when paused or finished.
async fn drive(generation: u64, mut run: Run) {
    let segment_start = now_ms();
    let trained_before = run.trained_s;
    let mut target: Option<usize> = None;
    // With two cores or fewer, training takes one and the page shares the other with the
    // browser's rasteriser; a software adapter (SwiftShader) emulates the GPU on those same
    // cores. Either way a short idle between chunks keeps the page responsive, at a cost of
    // about 10% of throughput. With more cores (or a real GPU) the worker runs flat out.
    let cores = crate::js::get(&crate::js::get(&js_sys::global(), "navigator"), "hardwareConcurrency").as_f64().unwrap_or(4.0);
    let software_gpu = run.session.result.backend.kind == BackendKind::WebGpu && run.session.result.backend.fallback_adapter;
    let share_cpu = software_gpu || cores <= 2.0;
    let stop = loop {
        let (current, want, extra, lost) = with(|s| (s.generation, s.want_running, s.extra_steps.take(), s.gpu_lost.clone()));
        if current != generation {
            with(|s| s.driving = false);
            return; // Reconfigured: this run is discarded.
        }
        if let Some(n) = extra {
            target = Some(run.session.steps() + n);
        }
        if !want {
            break Some(StopReason::Paused);
        }
        if let (Some(reason), BackendKind::WebGpu) = (lost, run.session.result.backend.kind) {
            post(&FromWorker::Error {
                message: format!("The WebGPU device was lost ({reason}). Your results so far are kept; choose CPU and press Reset to continue."),
                fatal: true,
            });
            break None;
        }
        if run.session.budget_spent() {
            break Some(StopReason::Budget);
        }
        let budget_left = run.session.result.config.train.steps - run.session.steps();
        let remaining = target.map_or(budget_left, |t| t.saturating_sub(run.session.steps()).min(budget_left));
        let n = ((CHUNK_MS / run.ms_per_step).round() as usize).clamp(1, 64).min(remaining);
        let chunk_start = now_ms();
        for _ in 0..n {
            run.session.trainer.step();
        }
        let losses = run.session.trainer.drain_losses().await;
        let losses = run.session.record(losses);
        let chunk_ms = now_ms() - chunk_start;
        run.ms_per_step = 0.7 * run.ms_per_step + 0.3 * (chunk_ms / n.max(1) as f64);
        let elapsed_s = trained_before + (now_ms() - segment_start) / 1000.0;
        match losses {
            Ok(losses) => {
                let step = run.session.steps();
                post(&FromWorker::Progress { step, losses, steps_per_s: 1000.0 / run.ms_per_step, elapsed_s });
            }
            Err(e) => {
                report_failure(&e);
                break Some(StopReason::Diverged).filter(|_| matches!(e, TrainError::Diverged { .. }));
            }
        }
        if run.session.eval_due() {
            match run.session.evaluate(elapsed_s).await {
                Ok(point) => post(&FromWorker::Evaluated { point }),
                Err(e) => {
                    report_failure(&e);
                    break Some(StopReason::Diverged).filter(|_| matches!(e, TrainError::Diverged { .. }));
                }
            }
        }
        if run.session.budget_spent() {
            probe(&mut run, 0).await;
            break Some(StopReason::Budget);
        }
        if target.is_some_and(|t| run.session.steps() >= t) {
            break Some(StopReason::Paused);
        }
        if share_cpu {
            sleep_ms(12).await;
        } else {
            yield_now().await;
        }
    };
    run.trained_s = trained_before + (now_ms() - segment_start) / 1000.0;
    if let Some(reason) = stop {
        post(&FromWorker::Stopped { step: run.session.steps(), reason });
    }
    with(|s| {
        s.driving = false;
        s.want_running = false;
        if s.generation == generation {
            s.idle_run = Some(run);
        }
    });
}

/// GD alignment (linear tasks) and the attention maps of held-out prompt `prompt`.
async fn probe(run: &mut Run, prompt: usize) {
    let session = &mut run.session;
    let prompt = prompt.min(session.held_out.batch - 1);
    let summary = match session.probe().await {
        Ok(s) => s,
        Err(e) => return report_failure(&e),
    };
    let one = session.held_out.slice(prompt..prompt + 1);
    match session.trainer.attention_maps(&one).await {
        Ok(attention) => post(&FromWorker::Probed {
            step: session.steps(),
            prompt,
            summary,
            attention,
            tokens: session.result.config.sequence_len(),
        }),
        Err(e) => report_failure(&e),
    }
}

fn report_failure(e: &TrainError) {
    post(&FromWorker::Error { message: e.to_string(), fatal: true });
}
