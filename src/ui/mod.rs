//! Leptos components. State lives in three signals provided as context ([`AppState`]);
//! components read them and call the actions below, nothing else mutates them.

mod appearance;
mod charts;
mod classroom;
mod controls;
mod experiments;
mod files;
mod history;
mod keys;
mod mechanism;
mod status;
mod stories;
mod theory_panel;
mod visibility;

use crate::state::run::{Phase, RunState};
use crate::state::sweep::SweepQueue;
use crate::state::visibility::HiddenPause;
use crate::worker_client::{WorkerClient, WorkerPool};
use icl_core::settings::{SharedState, Tab};
use icl_core::config::RunConfig;
use icl_core::protocol::{BackendChoice, CheckpointSlot, ToWorker};
use leptos::prelude::*;

/// Signals every component may use (all `Copy`).
#[derive(Clone, Copy)]
pub struct AppState {
    /// The settings being edited; mirrored into the URL.
    pub settings: RwSignal<SharedState>,
    /// The run as recorded from the worker's messages.
    pub run: RwSignal<RunState>,
    /// Messages for the user (refused URL fields, failed imports, …), dismissable.
    pub notices: RwSignal<Vec<String>>,
    /// The experiment sweep (its queue and results), if one is set up.
    pub sweep: RwSignal<Option<SweepQueue>>,
    /// What each worker of the sweep's pool is recording.
    pub pool_runs: RwSignal<Vec<RunState>>,
    /// Workers of the pool the queue uses (the pool may hold more from an earlier sweep).
    pub pool_workers: RwSignal<usize>,
    /// How the pool was sized, for the Experiments tab.
    pub pool_size_reason: RwSignal<String>,
    /// The pause the page made while the tab was hidden.
    pub hidden_pause: RwSignal<HiddenPause>,
    /// Whether the page is drawn dark (the theme setting, or the system's preference on auto).
    pub dark: Memo<bool>,
    worker: StoredValue<Option<WorkerClient>, LocalStorage>,
    pool: StoredValue<WorkerPool, LocalStorage>,
}

impl AppState {
    pub fn send(&self, message: ToWorker) {
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.send(message)
            }
        });
    }

    /// Whether part `id` of the page ([`icl_core::settings::PANELS`]) is hidden, by a
    /// classroom link or by embed mode (which keeps only the charts and Train/Pause).
    pub fn panel_hidden(&self, id: &str) -> bool {
        self.settings.with(|s| s.hides(id) || (s.embed && id != "loss"))
    }

    /// Builds a fresh model with the current settings (discarding the current run).
    pub fn reset(&self) {
        self.hidden_pause.update(HiddenPause::user_acted);
        let s = self.settings.get_untracked();
        if let Err(e) = s.config.validate() {
            self.notices.update(|n| n.push(format!("Cannot start: {e}")));
            return;
        }
        self.run.update(|r| r.begin(s.config.clone()));
        let checkpoint = Some(CheckpointSlot::run(crate::storage::checkpoint_key(), None));
        self.send(ToWorker::Configure { config: s.config, backend: s.backend, checkpoint });
    }

    /// Rebuilds the run `config` from the checkpoint saved under `from` (after a reload, a
    /// crash or a lost device); the results on screen stay until the worker has resumed.
    pub fn resume(&self, config: RunConfig, backend: BackendChoice, from: String) {
        self.run.update(|r| r.begin_resume(config.clone()));
        let checkpoint = Some(CheckpointSlot::run(crate::storage::checkpoint_key(), Some(from)));
        self.send(ToWorker::Configure { config, backend, checkpoint });
    }

    /// Settings differ from the run's, so Train must rebuild the model first.
    pub fn settings_changed(&self) -> bool {
        let config = self.settings.with(|s| s.config.clone());
        self.run.with(|r| r.config != config || r.result.is_none())
    }

    fn ensure_run(&self) {
        let fresh = self.settings_changed() || self.run.with(|r| !r.can_train());
        if fresh {
            self.reset();
        }
    }

    /// Starts (or keeps) `n` workers for the sweep; their messages go to `pool_runs`.
    pub fn ensure_pool(&self, n: usize) -> Result<(), String> {
        let runs = self.pool_runs;
        let mut result = Ok(());
        self.pool.update_value(|pool| {
            let before = pool.len();
            result = pool.ensure(n, move |slot, message| runs.update(|r| r[slot].apply(message)));
            let after = pool.len();
            if after > before {
                runs.update(|r| r.resize_with(after, || RunState::new(Default::default())));
            }
        });
        self.pool_workers.set(n.min(self.pool.with_value(WorkerPool::len)));
        result
    }

    /// Sends a message to worker `slot` of the sweep's pool.
    pub fn pool_send(&self, slot: usize, message: ToWorker) {
        self.pool.with_value(|p| p.send(slot, message));
    }

    /// Whether sweep points are training now.
    pub fn sweep_active(&self) -> bool {
        self.sweep.with(|q| q.as_ref().is_some_and(|q| q.running_points() > 0))
    }

    pub fn train(&self) {
        self.hidden_pause.update(HiddenPause::user_acted);
        self.ensure_run();
        self.send(ToWorker::Run);
    }

    pub fn step(&self) {
        self.hidden_pause.update(HiddenPause::user_acted);
        self.ensure_run();
        self.send(ToWorker::Step { steps: 1 });
    }

    pub fn pause(&self) {
        self.hidden_pause.update(HiddenPause::user_acted);
        self.send(ToWorker::Pause);
    }

    /// Replaces a crashed trainer with a fresh worker, which resumes the run from its last
    /// saved checkpoint (if there is none, the results stay as a restored run and Train
    /// builds a new model).
    pub fn restart_worker(&self) {
        let run = self.run;
        let mut failed = None;
        self.worker.update_value(|w| {
            if let Some(old) = w.take() {
                old.terminate();
            }
            match spawn_trainer(run) {
                Ok(fresh) => *w = Some(fresh),
                Err(e) => failed = Some(e),
            }
        });
        self.hidden_pause.update(HiddenPause::user_acted);
        run.update(RunState::restart);
        if let Some(e) = failed {
            self.notify(e);
            return;
        }
        if let Some(config) = run.with_untracked(|r| r.result.as_ref().filter(|r| r.steps > 0).map(|r| r.config.clone())) {
            self.resume(config, self.settings.with_untracked(|s| s.backend), crate::storage::checkpoint_key());
        }
    }

    /// After a divergence: back to the last checkpoint, at half the learning rate (the
    /// settings follow, so Train goes on with this model instead of building a new one).
    pub fn rollback(&self) {
        let lr = self.run.with_untracked(|r| r.config.train.lr) / 2.0;
        self.settings.update(|s| s.config.train.lr = lr);
        self.send(ToWorker::Rollback { lr });
    }

    /// Loads a whole shared state (a story card, a classroom link) and builds its model.
    pub fn load_state(&self, state: SharedState) {
        if self.run.with_untracked(|r| r.phase == Phase::Training) {
            self.pause();
        }
        let run_tab = state.tab == Tab::Run;
        self.settings.set(state);
        if run_tab {
            self.reset();
        }
    }

    /// Shows `message` unless the same notice is already shown (a full storage quota is
    /// reported once, not at every save).
    pub fn notify(&self, message: impl Into<String>) {
        let message = message.into();
        self.notices.update(|n| {
            if !n.contains(&message) {
                n.push(message)
            }
        });
    }
}

/// The single run's worker; its messages go to `run`.
fn spawn_trainer(run: RwSignal<RunState>) -> Result<WorkerClient, String> {
    WorkerClient::spawn(move |m| run.update(|r| r.apply(m)))
}

/// Test hooks on `window.iclLabTest` (faults a browser test injects to check recovery).
fn expose_test_hooks(app: AppState) {
    let fault = wasm_bindgen::closure::Closure::<dyn Fn(String)>::new(move |kind: String| {
        let fault = match kind.as_str() {
            "panic" => icl_core::protocol::Fault::Panic,
            "nan" => icl_core::protocol::Fault::Nan,
            "device_lost" => icl_core::protocol::Fault::DeviceLost,
            "gpu_oom" => icl_core::protocol::Fault::GpuOutOfMemory,
            _ => return,
        };
        app.send(ToWorker::Fault { kind: fault });
    });
    // Auto never races SwiftShader, the only WebGPU on CI: this lets a test see the race.
    let race = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        app.send(ToWorker::RaceSoftwareAdapter);
        app.reset();
    });
    let hooks = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&hooks, &"fault".into(), fault.as_ref());
    let _ = js_sys::Reflect::set(&hooks, &"raceSoftwareAdapter".into(), race.as_ref());
    race.forget();
    let _ = js_sys::Reflect::set(&window(), &"iclLabTest".into(), &hooks);
    fault.forget();
}

#[component]
pub fn App() -> impl IntoView {
    let query = window().location().search().unwrap_or_default();
    let (mut shared, url_errors) = SharedState::from_query(&query);
    appearance::restore_theme(&mut shared, &query);
    let prefers_dark = appearance::system_prefers_dark();
    let settings = RwSignal::new(shared.clone());
    let dark = Memo::new(move |_| settings.with(|s| s.theme).is_dark(prefers_dark.get()));
    let run = RwSignal::new(RunState::new(shared.config.clone()));
    let notices = RwSignal::new(url_errors.into_iter().map(|e| format!("Link setting refused — {e}")).collect::<Vec<_>>());
    let restored = match crate::storage::load_run() {
        Some(Ok((saved, checkpoint_key))) => {
            let config = saved.config.clone();
            run.set(RunState::restored(saved));
            Some((config, checkpoint_key))
        }
        Some(Err(e)) => {
            notices.update(|n| n.push(e));
            None
        }
        None => None,
    };
    let worker = match spawn_trainer(run) {
        Ok(w) => Some(w),
        Err(e) => {
            notices.update(|n| n.push(e));
            None
        }
    };
    let sweep = match crate::storage::load_sweep() {
        Some(Ok(saved)) => Some(SweepQueue::from_result(saved)),
        Some(Err(e)) => {
            notices.update(|n| n.push(e));
            None
        }
        None => None,
    }
    .or_else(|| Some(SweepQueue::new(&icl_core::sweep::Experiment::default_for(shared.experiment), shared.preset)));
    let app = AppState {
        settings,
        run,
        notices,
        sweep: RwSignal::new(sweep),
        pool_runs: RwSignal::new(Vec::new()),
        pool_workers: RwSignal::new(0),
        pool_size_reason: RwSignal::new(String::new()),
        hidden_pause: RwSignal::new(HiddenPause::default()),
        dark,
        worker: StoredValue::new_local(worker),
        pool: StoredValue::new_local(WorkerPool::default()),
    };
    provide_context(app);
    history::provide_history();
    match restored {
        // The saved run goes on from its checkpoint, if the worker finds one.
        Some((config, key)) => app.resume(config, shared.backend, key),
        None => app.reset(),
    }

    appearance::follow_settings(app);
    expose_test_hooks(app);
    visibility::pause_while_hidden(app);

    // The URL always holds the shareable settings.
    Effect::new(move |_| {
        let query = app.settings.with(|s| s.to_query());
        let url = if query.is_empty() { window().location().pathname().unwrap_or_default() } else { format!("?{query}") };
        let _ = window().history().and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url)));
    });

    // A lost WebGPU device, or one out of memory: go on from the last checkpoint on the CPU
    // backend, which the settings (and the link) then name, so Reset does not ask for the
    // device again. Out of memory kills the trainer, so a fresh one resumes.
    Effect::new(move |_| {
        let Some(crashed) = run.with(|r| r.resume_on_cpu.then_some(r.crashed)) else { return };
        settings.update(|s| s.backend = BackendChoice::Cpu);
        if crashed {
            app.restart_worker();
        } else {
            let config = run.with_untracked(|r| r.config.clone());
            app.resume(config, BackendChoice::Cpu, crate::storage::checkpoint_key());
        }
    });

    // Theory curves for the run's task and K come from the worker (some are Monte Carlo).
    Effect::new(move |_| {
        if let Some((spec, context)) = run.with(|r| r.theory_missing().then(|| (r.config.task.clone(), r.config.context))) {
            app.send(ToWorker::Theory { spec, context });
        }
    });

    // Save the run whenever something worth keeping lands (not on every progress tick).
    Effect::new(move |_| {
        let key = run.with(|r| {
            r.result.as_ref().filter(|res| res.steps > 0).map(|res| (r.phase, res.evals.len(), res.baselines.len(), res.steps / 250))
        });
        if key.is_some() && run.with_untracked(|r| r.phase != Phase::Restored) {
            if let Some(Err(e)) = run.with_untracked(|r| r.result.as_ref().map(crate::storage::save_run)) {
                app.notify(e);
            }
        }
    });

    view! {
        <files::DropZone>
            <header class="top">
                <h1>"ICL Scaling Lab"</h1>
                <status::StatusBar/>
                <appearance::ThemeToggle/>
            </header>
            <status::Notices/>
            <visibility::Indicator/>
            <keys::Shortcuts/>
            <nav class="tabs" aria-label="Views">
                <button data-testid="tab-run" class:active=move || app.settings.with(|s| s.tab == Tab::Run)
                    on:click=move |_| app.settings.update(|s| s.tab = Tab::Run)>"Single run"</button>
                <button data-testid="tab-experiments" class:active=move || app.settings.with(|s| s.tab == Tab::Experiments)
                    class:hidden=move || app.panel_hidden("experiments")
                    on:click=move |_| app.settings.update(|s| s.tab = Tab::Experiments)>"Experiments"</button>
                <button data-testid="tab-stories" class:active=move || app.settings.with(|s| s.tab == Tab::Stories)
                    class:hidden=move || app.panel_hidden("stories")
                    on:click=move |_| app.settings.update(|s| s.tab = Tab::Stories)>"Stories"</button>
            </nav>
            <stories::Banner/>
            <Show when=move || app.sweep_active()>
                <p class="notice info sweep-banner" data-testid="sweep-banner">
                    {move || app.sweep.with(|q| q.as_ref().map(|q| format!(
                        "Sweep running: {} point{} training on {} worker{}, {} of {} done. Pause or cancel it in Experiments.",
                        q.running_points(), if q.running_points() == 1 { "" } else { "s" },
                        app.pool_workers.get(), if app.pool_workers.get() == 1 { "" } else { "s" },
                        q.done(), q.plan.points.len())))}
                </p>
            </Show>
            <main class="layout" class:hidden=move || app.settings.with(|s| s.tab != Tab::Run)>
                <aside class="panel">
                    <controls::RunButtons/>
                    <controls::Settings/>
                    <div data-panel="share" class:hidden=move || app.panel_hidden("share")>
                        <files::ShareAndExport/>
                        <classroom::ClassroomLink/>
                    </div>
                    <history::History/>
                </aside>
                <section class="plots">
                    <div data-panel="loss" class:hidden=move || app.panel_hidden("loss")><charts::LossChart/></div>
                    <div data-panel="error"><charts::ErrorChart/></div>
                    <div data-panel="legend" class="wide" class:hidden=move || app.panel_hidden("legend")><theory_panel::TheoryPanel/></div>
                    <div data-panel="mechanism" class="wide" class:hidden=move || app.panel_hidden("mechanism")><mechanism::Mechanism/></div>
                </section>
            </main>
            <main class="layout-wide" class:hidden=move || app.settings.with(|s| s.tab != Tab::Experiments || s.hides("experiments"))>
                <experiments::Experiments/>
            </main>
            <main class="layout-wide" class:hidden=move || app.settings.with(|s| s.tab != Tab::Stories || s.hides("stories"))>
                <stories::Gallery/>
            </main>
        </files::DropZone>
    }
}
