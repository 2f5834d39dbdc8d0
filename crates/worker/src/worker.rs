//! The worker's event loop. Messages and the driver's chunks go through the run slot
//! ([`crate::slot`], pure); one driver future at a time owns the run and trains in chunks of
//! about 100 ms, yielding to the event loop between chunks so that Pause and Configure are
//! handled promptly.

use crate::adapter::{self, Probe};
use crate::store;
use crate::js::{self, now_ms, post, sleep_ms, yield_now};
use crate::slot::{Action, Chunk, RunProgress, Slot};
use icl_core::backend_trial::{self, AutoPlan, BackendTrial};
use icl_core::config::RunConfig;
use icl_core::preflight::{DeviceLimits, preflight};
use icl_core::checkpoint::Checkpoint;
use icl_core::protocol::{BackendChoice, CheckpointSlot, Fault, FromWorker, StopReason, ToWorker};
use icl_core::schema::{BackendInfo, BackendKind};
use icl_train::{Device, RunSession, TrainError, TrainerSnapshot};
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
    /// The last state whose losses were all finite, at most [`CHECKPOINT_EVERY`] steps old.
    checkpoint: TrainerSnapshot,
    /// Where checkpoints of this run are saved (IndexedDB), and the last one saved.
    saved: Saved,
}

/// Steps between in-memory checkpoints: a divergence costs at most this many steps.
const CHECKPOINT_EVERY: usize = 50;
/// A checkpoint is saved to IndexedDB after this many steps or this much time, whichever
/// comes first (and when the run stops): a reload or a crash costs at most that much.
const SAVE_EVERY_STEPS: usize = 200;
const SAVE_EVERY_MS: f64 = 20_000.0;

/// The run's IndexedDB checkpoints.
struct Saved {
    key: Option<String>,
    /// A sweep point's checkpoints, deleted when the point is done ([`CheckpointSlot::sweep_point`]).
    sweep_point: bool,
    step: usize,
    at_ms: f64,
    /// A failed save was reported (a full quota is said once, not at every save).
    failure_shown: bool,
}

impl RunProgress for Run {
    fn steps(&self) -> usize {
        self.session.steps()
    }
    fn budget_spent(&self) -> bool {
        self.session.budget_spent()
    }
}

#[derive(Default)]
struct State {
    /// Who owns the run and what the page wants (pure, tested natively in `slot`).
    slot: Slot<Run>,
    /// The WebGPU device, opened at most once per worker (burn's runtime cannot be re-initialised).
    gpu: Option<(Device, BackendInfo)>,
    /// Set by the device-lost callback.
    gpu_lost: Option<String>,
    /// The page was told the device is lost (once per worker: the device is never reopened).
    gpu_lost_reported: bool,
    /// A run is training on the GPU now (the generation of its driver).
    gpu_driving: Option<u64>,
    /// The adapter's `maxBufferSize` and `maxStorageBufferBindingSize`, for the preflight.
    gpu_limits: (Option<f64>, Option<f64>),
    /// A test asked for a NaN in the next training batch ([`Fault::Nan`]).
    poison_next: bool,
    /// Destroys the open WebGPU device ([`Fault::DeviceLost`]).
    gpu_destroy: Option<icl_train::backend::GpuDestroy>,
    /// A test let Auto race a software adapter ([`ToWorker::RaceSoftwareAdapter`]).
    race_software: bool,
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
    // A panic is logged, and its message goes to the page before the wasm traps: after a
    // panic this instance is unusable, and the page offers to restart the trainer.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&FromWorker::Error { message: format!("{}: {info}", icl_core::protocol::PANICKED), fatal: true });
    }));
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

/// Starts what a slot transition asks for.
fn act(action: Action<Run>) {
    match action {
        Action::Nothing => {}
        Action::Drive(run, generation) => wasm_bindgen_futures::spawn_local(drive(generation, run)),
        Action::Probe(run, generation) => wasm_bindgen_futures::spawn_local(probe_and_return(generation, run, 0)),
    }
}

fn handle(message: ToWorker) {
    match message {
        ToWorker::Configure { config, backend, checkpoint } => {
            let generation = with(|s| s.slot.configure());
            wasm_bindgen_futures::spawn_local(configure(generation, config, backend, checkpoint));
        }
        ToWorker::Run => act(with(|s| s.slot.run())),
        ToWorker::Step { steps } => act(with(|s| s.slot.step(steps))),
        ToWorker::Pause => with(|s| s.slot.pause()),
        ToWorker::Probe { prompt } => match with(|s| s.slot.probe()) {
            Ok(Action::Probe(run, generation)) => wasm_bindgen_futures::spawn_local(probe_and_return(generation, run, prompt)),
            Ok(other) => act(other),
            Err(message) => post(&FromWorker::Error { message: message.into(), fatal: false }),
        },
        ToWorker::Theory { spec, context } => {
            let curves = icl_core::theory::curves(&spec, context);
            post(&FromWorker::Theory { spec, context, curves });
        }
        ToWorker::Fault { kind: Fault::Panic } => panic!("injected by a test (Fault::Panic)"),
        ToWorker::Fault { kind: Fault::Nan } => with(|s| s.poison_next = true),
        ToWorker::Fault { kind: Fault::GpuOutOfMemory } => panic!("{}", icl_core::protocol::GPU_OUT_OF_MEMORY),
        ToWorker::Fault { kind: Fault::DeviceLost } => match with(|s| s.gpu_destroy.clone()) {
            Some(destroy) => destroy(),
            None => post(&FromWorker::Error { message: "no WebGPU device is open to destroy (the run is on the CPU backend)".into(), fatal: false }),
        },
        ToWorker::RaceSoftwareAdapter => with(|s| s.race_software = true),
        ToWorker::Rollback { lr } => {
            let rolled = with(|s| {
                s.slot.idle_mut().map(|run| {
                    run.session.rollback(&run.checkpoint, lr);
                    run.checkpoint.step()
                })
            });
            match rolled {
                Some(step) => post(&FromWorker::RolledBack { step, lr }),
                None => post(&FromWorker::Error { message: "a rollback needs a stopped run: pause it first".into(), fatal: false }),
            }
        }
    }
}

/// Probes the idle model, then hands it back to the slot.
async fn probe_and_return(generation: u64, mut run: Run, prompt: usize) {
    probe(&mut run, prompt).await;
    act(with(|s| s.slot.probe_done(generation, run)));
}

/// Tells the page the WebGPU device is lost, once.
fn report_device_lost(reason: String) {
    if !with(|s| std::mem::replace(&mut s.gpu_lost_reported, true)) {
        post(&FromWorker::DeviceLost { reason });
    }
}

/// A device to train on, what it is, and a note for the user.
type Opened = (Device, BackendInfo, Option<String>);

/// burn's CPU backend, with a note saying why (None: it was asked for).
fn on_cpu(note: Option<String>) -> Opened {
    let (d, i) = icl_train::backend::cpu();
    (d, i, note)
}

/// WebGPU on this adapter, or the CPU with a note if its device cannot be created.
async fn on_webgpu(description: String, fallback: bool, limits: (Option<f64>, Option<f64>)) -> Opened {
    match open_webgpu(description, fallback, limits).await {
        Ok((d, i)) => (d, i, None),
        Err(e) => on_cpu(Some(format!("WebGPU device creation failed ({e}). Training on the CPU backend instead."))),
    }
}

/// The device a run of `config` trains on. `generation`: the Configure this is for (a newer
/// one makes a race moot).
async fn open_device(choice: BackendChoice, config: &RunConfig, generation: u64) -> Opened {
    if choice == BackendChoice::Cpu {
        return on_cpu(None);
    }
    if let Some(lost) = with(|s| s.gpu_lost.clone()) {
        return on_cpu(Some(format!("The WebGPU device was lost ({lost}). Training on the CPU backend; reload the page to try WebGPU again.")));
    }
    let (description, fallback, limits) = match adapter::probe().await {
        Probe::Unavailable(why) => return on_cpu(Some(format!("WebGPU unavailable: {why}. Training on the CPU backend instead."))),
        Probe::Adapter { description, fallback, limits } => (description, fallback, limits),
    };
    match backend_trial::plan(choice, Some(fallback), with(|s| s.race_software)) {
        AutoPlan::Cpu => on_cpu(Some(format!(
            "The only WebGPU adapter is a software fallback ({description}), which is slower than the CPU backend, so training runs on the CPU. Choose “WebGPU” to use it anyway."
        ))),
        AutoPlan::WebGpu => on_webgpu(description, fallback, limits).await,
        AutoPlan::Race => race(config, description, fallback, limits, generation).await,
    }
}

/// Opens the WebGPU device (once per worker: burn's runtime cannot be re-initialised).
async fn open_webgpu(description: String, fallback: bool, limits: (Option<f64>, Option<f64>)) -> Result<(Device, BackendInfo), String> {
    with(|s| s.gpu_limits = limits);
    if let Some((d, mut i)) = with(|s| s.gpu.clone()) {
        i.fallback_adapter = fallback;
        return Ok((d, i));
    }
    let (device, mut info, destroy) = icl_train::backend::open_gpu(BackendKind::WebGpu, |reason| {
        with(|s| s.gpu_lost = Some(reason.clone()));
        // Said at once while a run trains on the device: its driver may be waiting on
        // a read the lost device never answers, and would never say it.
        if with(|s| s.gpu_driving.is_some()) {
            report_device_lost(reason);
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    info.adapter = description;
    info.fallback_adapter = fallback;
    with(|s| {
        s.gpu = Some((device.clone(), info.clone()));
        s.gpu_destroy = Some(destroy);
    });
    Ok((device, info))
}

/// Auto with a hardware adapter: trains a few throwaway steps of `config` on each backend
/// (or reads what an earlier run of this size measured) and keeps the faster.
async fn race(config: &RunConfig, description: String, fallback: bool, limits: (Option<f64>, Option<f64>), generation: u64) -> Opened {
    // A newer Configure makes this one moot: stop before the next trial, and keep nothing
    // that was timed while another configuration trained beside it.
    let stale = || with(|s| s.slot.generation()) != generation;
    let key = format!("auto/{}", backend_trial::size_key(config));
    let remembered = store::get(&key).await.ok().flatten().and_then(|b| serde_json::from_slice::<BackendTrial>(&b).ok());
    let trial = match remembered {
        Some(trial) => BackendTrial { remembered: true, ..trial },
        None => {
            // At full size from the first step: a curriculum's early steps are smaller.
            let mut timed = config.clone();
            timed.train.curriculum = 0;
            let (cpu_device, cpu_info) = icl_train::backend::cpu();
            let cpu_steps_per_s = match preflight(&timed, &DeviceLimits::browser_cpu()) {
                Ok(_) => steps_per_s(&timed, &cpu_device, cpu_info).await.ok(),
                Err(_) => None,
            };
            if stale() {
                return on_cpu(None);
            }
            let gpu = match preflight(&timed, &DeviceLimits::webgpu(limits.0, limits.1)) {
                Err(e) => Err(e),
                Ok(_) => match open_webgpu(description.clone(), fallback, limits).await {
                    Ok((d, i)) => steps_per_s(&timed, &d, i).await,
                    Err(e) => Err(format!("device creation failed: {e}")),
                },
            };
            if stale() {
                return on_cpu(None);
            }
            let trial = BackendTrial { cpu_steps_per_s, gpu_steps_per_s: gpu.as_ref().ok().copied(), gpu_refused: gpu.err(), remembered: false };
            if let Ok(json) = serde_json::to_vec(&trial) {
                // Not remembering costs only a new race next time.
                let _ = store::put(&key, &json).await;
            }
            trial
        }
    };
    let (device, mut info, note) = match trial.winner() {
        BackendKind::Cpu => on_cpu(None),
        _ => on_webgpu(description, fallback, limits).await,
    };
    let note = note.or_else(|| (!trial.remembered).then(|| trial.describe()));
    info.trial = Some(trial);
    (device, info, note)
}

/// Training speed of a throwaway session of `config` on `device`, after a warm-up.
async fn steps_per_s(config: &RunConfig, device: &Device, info: BackendInfo) -> Result<f64, String> {
    let mut session = RunSession::new(config, device, info, "browser")?;
    session.train(backend_trial::WARMUP_STEPS, backend_trial::WARMUP_STEPS).await.map_err(|e| e.to_string())?;
    let start = now_ms();
    session.train(backend_trial::TIMED_STEPS, backend_trial::TIMED_STEPS).await.map_err(|e| e.to_string())?;
    BackendTrial::rate(backend_trial::TIMED_STEPS, now_ms() - start).ok_or_else(|| "no time elapsed".to_string())
}

async fn configure(generation: u64, config: RunConfig, choice: BackendChoice, slot: Option<CheckpointSlot>) {
    if let Err(e) = config.validate() {
        post(&FromWorker::Error { message: format!("invalid settings: {e}"), fatal: true });
        return;
    }
    let (device, backend, note) = open_device(choice, &config, generation).await;
    let current = || with(|s| s.slot.generation()) == generation;
    if !current() {
        return;
    }
    // Refuse a model that cannot fit before allocating it (an out-of-memory
    // trap would take the worker down with the run).
    let limits = match backend.kind {
        BackendKind::Cpu => DeviceLimits::browser_cpu(),
        _ => {
            let (buffer, binding) = with(|s| s.gpu_limits);
            DeviceLimits::webgpu(buffer, binding)
        }
    };
    if let Err(e) = preflight(&config, &limits) {
        post(&FromWorker::Error { message: e, fatal: true });
        return;
    }
    let mut session = match RunSession::new(&config, &device, backend.clone(), "browser") {
        Ok(s) => s,
        Err(e) => {
            post(&FromWorker::Error { message: e, fatal: true });
            return;
        }
    };
    let resumed = resume(&mut session, slot.as_ref()).await;
    if !current() {
        return;
    }
    post(&FromWorker::Configured { backend, note, param_count: session.trainer.param_count() });
    match &resumed {
        Ok(Some(exact)) => post(&FromWorker::Resumed { run: Box::new(session.result.clone()), exact: *exact }),
        Ok(None) => {}
        Err(reason) => post(&FromWorker::NotResumed { reason: reason.clone() }),
    }
    let held_out = session.held_out.clone();
    if session.eval_due() {
        match session.evaluate(session.result.elapsed_s).await {
            Ok(point) => post(&FromWorker::Evaluated { point }),
            Err(e) => post(&FromWorker::Error { message: e.to_string(), fatal: true }),
        }
    }
    if !current() {
        return;
    }
    let checkpoint = session.trainer.snapshot();
    let sweep_point = slot.as_ref().is_some_and(|s| s.sweep_point);
    let saved = Saved { key: slot.map(|s| s.save_to), sweep_point, step: session.steps(), at_ms: now_ms(), failure_shown: false };
    let trained_s = session.result.elapsed_s;
    act(with(|s| s.slot.configured(generation, Run { session, trained_s, ms_per_step: CHUNK_MS, checkpoint, saved })));
    wasm_bindgen_futures::spawn_local(baselines(generation, config, held_out));
}

/// Resumes `session` from the checkpoint `slot` names: Ok(Some(exact)) if it did (exact:
/// Adam's state came back too), Ok(None) if no resume was asked for (what was saved under
/// the run's key then belongs to an earlier run and is deleted) or a sweep point has none
/// saved, Err(why not) otherwise.
async fn resume(session: &mut RunSession, slot: Option<&CheckpointSlot>) -> Result<Option<bool>, String> {
    let Some(slot) = slot else { return Ok(None) };
    let Some(from) = &slot.resume_from else {
        let _ = store::delete(&slot.save_to).await;
        return Ok(None);
    };
    let Some(bytes) = store::get(from).await? else {
        // A sweep point usually starts with nothing saved.
        return if slot.sweep_point { Ok(None) } else { Err("no checkpoint of this run was saved in this browser".into()) };
    };
    let checkpoint = Checkpoint::from_bytes(&bytes).map_err(|e| format!("the saved checkpoint is unreadable ({e})"))?;
    session.resume(&checkpoint)?;
    Ok(Some(checkpoint.has_optimizer()))
}

/// Saves a checkpoint of `run` to IndexedDB if one is due, or (`stopping`) if the last save
/// is older than the run. Adam's state is included on the CPU backend only (burn reads it
/// synchronously, which WebGPU in a browser cannot do).
async fn save_checkpoint(run: &mut Run, stopping: bool) {
    let Some(key) = run.saved.key.clone() else { return };
    let steps = run.session.steps();
    let due = steps >= run.saved.step + SAVE_EVERY_STEPS || now_ms() - run.saved.at_ms >= SAVE_EVERY_MS;
    if steps <= run.saved.step || !(due || stopping) {
        return;
    }
    let exact = run.session.result.backend.kind == BackendKind::Cpu;
    let saved = match run.session.checkpoint(exact).await {
        Ok(checkpoint) => store::put(&key, &checkpoint.to_bytes()).await,
        Err(e) => Err(format!("Could not save the checkpoint ({e}).")),
    };
    run.saved.at_ms = now_ms();
    match saved {
        Ok(()) => {
            run.saved.step = steps;
            post(&FromWorker::Checkpointed { step: steps, exact });
        }
        Err(message) if !run.saved.failure_shown => {
            run.saved.failure_shown = true;
            post(&FromWorker::Error { message, fatal: false });
        }
        Err(_) => {}
    }
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
        if with(|s| s.slot.generation()) != generation {
            return;
        }
    }
    post(&FromWorker::Baselines { curves: suite.curves() });
}

/// Owns the run while it trains, in chunks of about [`CHUNK_MS`]; asks the slot before each
/// chunk whether to go on, and gives the run back when it stops.
async fn drive(generation: u64, mut run: Run) {
    let segment_start = now_ms();
    let trained_before = run.trained_s;
    // With two cores or fewer, training takes one and the page shares the other with the
    // browser's rasteriser; a software adapter (SwiftShader) emulates the GPU on those same
    // cores. Either way a short idle between chunks keeps the page responsive, at a cost of
    // about 10% of throughput. With more cores (or a real GPU) the worker runs flat out.
    let cores = crate::js::get(&crate::js::get(&js_sys::global(), "navigator"), "hardwareConcurrency").as_f64().unwrap_or(4.0);
    let on_gpu = run.session.result.backend.kind == BackendKind::WebGpu;
    if on_gpu {
        with(|s| s.gpu_driving = Some(generation));
    }
    let share_cpu = (on_gpu && run.session.result.backend.fallback_adapter) || cores <= 2.0;
    let stop = loop {
        let most = match with(|s| s.slot.next_chunk(generation, &run)) {
            Chunk::Discard => return, // Reconfigured: this run is dropped.
            Chunk::Stop(reason) => break Some(reason),
            Chunk::Train(most) => most,
        };
        if let (Some(reason), true) = (with(|s| s.gpu_lost.clone()), on_gpu) {
            report_device_lost(reason);
            break None;
        }
        if with(|s| std::mem::take(&mut s.poison_next)) {
            run.session.trainer.poison_next_batch();
        }
        let n = ((CHUNK_MS / run.ms_per_step).round() as usize).clamp(1, 64).min(most).min(run.session.steps_to_next_eval());
        let chunk_start = now_ms();
        let losses = run.session.train(n, n).await;
        let chunk_ms = now_ms() - chunk_start;
        let elapsed_s = trained_before + (now_ms() - segment_start) / 1000.0;
        match losses {
            Ok(losses) => {
                // Every loss so far is finite: a checkpoint if the last is old enough.
                if run.session.steps() >= run.checkpoint.step() + CHECKPOINT_EVERY {
                    run.checkpoint = run.session.trainer.snapshot();
                }
                run.ms_per_step = 0.7 * run.ms_per_step + 0.3 * (chunk_ms / losses.len().max(1) as f64);
                run.session.result.elapsed_s = elapsed_s;
                post(&FromWorker::Progress { step: run.session.steps(), losses, steps_per_s: 1000.0 / run.ms_per_step, elapsed_s });
                save_checkpoint(&mut run, false).await;
            }
            Err(e) => {
                if let Some(reason) = lost_behind(&e, on_gpu).await {
                    report_device_lost(reason);
                    break None;
                }
                report_failure(&e);
                break Some(StopReason::Diverged).filter(|_| matches!(e, TrainError::Diverged { .. }));
            }
        }
        if run.session.eval_due() {
            match run.session.evaluate(elapsed_s).await {
                Ok(point) => post(&FromWorker::Evaluated { point }),
                Err(e) => {
                    if let Some(reason) = lost_behind(&e, on_gpu).await {
                        report_device_lost(reason);
                        break None;
                    }
                    report_failure(&e);
                    break Some(StopReason::Diverged).filter(|_| matches!(e, TrainError::Diverged { .. }));
                }
            }
        }
        if run.session.budget_spent() {
            probe(&mut run, 0).await;
            break Some(StopReason::Budget);
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
        match (&run.saved.key, reason) {
            // A finished sweep point's results are in the sweep file: its weights go.
            (Some(key), StopReason::Budget | StopReason::Diverged) if run.saved.sweep_point => {
                let _ = store::delete(key).await;
            }
            (_, StopReason::Diverged) => {}
            // The record's elapsed time stays the last Progress's, as on the page: the
            // history tells runs apart by it, so a resumed copy must match the one kept.
            _ => save_checkpoint(&mut run, true).await,
        }
    }
    with(|s| s.gpu_driving = s.gpu_driving.filter(|&g| g != generation));
    act(with(|s| s.slot.driver_stopped(generation, run, stop)));
}

/// How long a failed GPU read waits for the device-lost callback: on a loaded machine it can
/// come well after the failed read (a 100 ms wait lost the message in some full e2e runs).
const LOST_CALLBACK_WAIT_MS: f64 = 5_000.0;

/// Whether failure `e` of a run on the GPU came from a lost device: the callback's reason,
/// once it has come (waiting at most [`LOST_CALLBACK_WAIT_MS`]).
async fn lost_behind(e: &TrainError, on_gpu: bool) -> Option<String> {
    if !(on_gpu && matches!(e, TrainError::Device(_))) {
        return None;
    }
    let start = now_ms();
    loop {
        if let Some(reason) = with(|s| s.gpu_lost.clone()) {
            return Some(reason);
        }
        if now_ms() - start >= LOST_CALLBACK_WAIT_MS {
            return None;
        }
        sleep_ms(100).await;
    }
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
