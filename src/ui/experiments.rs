//! The Experiments tab: a paper claim as a sweep of training runs. A pool of workers trains
//! several points at once (the queue's bookkeeping is `state::sweep`, pure); points land
//! in the charts as they finish, and the verdicts are recomputed from the fits each time.

use super::charts::chart_card;
use super::AppState;
use crate::plots;
use crate::state::pool::pool_size;
use crate::state::run::{Phase, RunState};
use crate::state::sweep::{PointState, SlotReport, SweepQueue};
use icl_core::protocol::{CheckpointSlot, ToWorker};
use icl_core::sweep::{self, Experiment, ExperimentKind, SweepPreset, VerdictStatus};
use leptos::prelude::*;

/// Records finished points and starts pending ones on idle workers. Runs whenever a
/// worker's phase changes (not on every progress tick).
pub fn drive(app: AppState) {
    let mut saved = None;
    let mut started = Vec::new();
    app.sweep.update(|q| {
        let Some(q) = q else { return };
        let done_before = q.done() + q.failed();
        app.pool_runs.with_untracked(|runs| {
            let reports: Vec<SlotReport> = runs
                .iter()
                .enumerate()
                .take(app.pool_workers.get_untracked())
                .map(|(slot, run)| SlotReport { slot, ready: run.worker_ready, run })
                .collect();
            started = q.advance(&reports);
        });
        if q.done() + q.failed() != done_before {
            saved = Some(q.result.clone());
        }
    });
    if let Some(result) = saved {
        if let Err(e) = crate::storage::save_sweep(&result) {
            app.notify(e);
        }
    }
    let backend = app.settings.with_untracked(|s| s.backend);
    for (slot, point) in started {
        app.pool_runs.update(|runs| runs[slot].begin(point.config.clone()));
        // A point paused, or cut off by a reload, goes on from its own checkpoint.
        let checkpoint = Some(CheckpointSlot::sweep_point(crate::storage::sweep_checkpoint_key(&point.id)));
        app.pool_send(slot, ToWorker::Configure { config: point.config, backend, checkpoint });
        app.pool_send(slot, ToWorker::Run);
    }
}

/// The power of the sweep's preset and, below the target, of the full preset: (decides, text).
fn power_lines(result: &sweep::SweepResult) -> Vec<(bool, String)> {
    let mut lines = Vec::new();
    for preset in [result.preset, SweepPreset::Full] {
        let (reps, bootstrap) = sweep::power::interactive_effort(&result.experiment);
        let Some(p) = sweep::power::sweep_power(result, preset, reps, bootstrap) else { break };
        let decides = p.decides();
        let head = if preset == result.preset {
            let reading = if decides {
                "it can decide the claim".to_string()
            } else {
                format!("below the {:.0}% it needs to decide, so an inconclusive verdict here says little about the claim", 100.0 * sweep::power::POWER_TARGET)
            };
            format!("Power of this {} design: {:.0}%: {reading}.", preset.name(), 100.0 * p.power())
        } else {
            let cost = sweep::plan(&result.experiment, preset).estimate;
            format!("The full preset's design reaches {:.0}% (estimated {} on a GPU server, {} native CPU).", 100.0 * p.power(), clock(cost.gpu_server_s), clock(cost.native_cpu_s))
        };
        lines.push((decides, format!("{head} {}", p.describe())));
        if decides || preset == SweepPreset::Full {
            break;
        }
    }
    lines
}

fn status_chip(status: VerdictStatus) -> (&'static str, &'static str) {
    match status {
        VerdictStatus::Consistent => ("consistent", "verdict consistent"),
        VerdictStatus::Inconsistent => ("inconsistent", "verdict inconsistent"),
        VerdictStatus::Inconclusive => ("inconclusive", "verdict inconclusive"),
    }
}

fn clock(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 { format!("{}h {:02}m", s / 3600, (s / 60) % 60) } else { format!("{}m {:02}s", s / 60, s % 60) }
}

/// `navigator.hardwareConcurrency` and `navigator.deviceMemory` (GB), where the browser says.
fn machine() -> (Option<f64>, Option<f64>) {
    let navigator = js_sys::Reflect::get(&window(), &"navigator".into()).unwrap_or_default();
    let get = |key: &str| js_sys::Reflect::get(&navigator, &key.into()).ok().and_then(|v| v.as_f64());
    (get("hardwareConcurrency"), get("deviceMemory"))
}

/// " · saved at step N" once the worker has saved a checkpoint of its point.
fn saved_at(run: &RunState) -> String {
    run.checkpoint.map_or(String::new(), |(step, _)| format!(" · saved at step {step}"))
}

/// One row of the queue table; keyed by point, so a training tick re-renders only the
/// running row's status cell.
fn queue_row(app: AppState, i: usize) -> impl IntoView {
    let sweep = app.sweep;
    let point = sweep.with_untracked(|q| q.as_ref().map(|q| q.plan.points[i].clone()));
    let Some(point) = point else { return ().into_any() };
    let state = Memo::new(move |_| sweep.with(|q| q.as_ref().and_then(|q| q.states.get(i).cloned()).unwrap_or(PointState::Pending)));
    let id = point.id.clone();
    let metric = Memo::new(move |_| {
        sweep.with(|q| {
            q.as_ref()
                .and_then(|q| q.result.points.iter().find(|r| r.id == id).and_then(|r| sweep::point_metric(&r.final_curve, r.config.context)))
                .map(|(m, se)| format!("{m:.3} ± {se:.3}"))
        })
    });
    let config = point.config.clone();
    let status = move || match state.get() {
        // A point paused mid-way (its worker keeps it, and its checkpoint, until the next).
        PointState::Pending => app.pool_runs.with(|runs| {
            runs.iter().find(|r| r.phase == Phase::Paused && r.config == config && r.steps() > 0).map_or("pending".to_string(), |r| {
                format!("pending (stopped at step {}{})", r.steps(), saved_at(r))
            })
        }),
        PointState::Running { slot } => {
            app.pool_runs.with(|runs| {
                runs.get(slot).map_or(String::new(), |r| match r.phase {
                    Phase::Paused => format!("paused on worker {} at step {}{}", slot + 1, r.steps(), saved_at(r)),
                    _ => format!("running on worker {} · step {}{}", slot + 1, r.steps(), saved_at(r)),
                })
            })
        }
        PointState::Done => "done".to_string(),
        PointState::Failed(why) => format!("failed: {why}"),
    };
    let can_rerun = move || matches!(state.get(), PointState::Done | PointState::Failed(_));
    view! {
        <tr class=move || format!("state-{}", state.get().name())>
            <td>{point.id.clone()}</td><td>{point.config.param_count()}</td><td>{point.config.train.steps}</td>
            <td>{status}</td><td>{metric}</td>
            <td><Show when=can_rerun>
                <button class="small" on:click=move |_| { sweep.update(|q| if let Some(q) = q { q.rerun(i) }); drive(app); }>"re-run"</button>
            </Show></td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn Experiments() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sweep = app.sweep;
    let selection = move || app.settings.with(|s| (s.experiment, s.preset));
    let active = move || sweep.with(|q| q.as_ref().is_some_and(|q| q.running_points() > 0));
    let running = move || sweep.with(|q| q.as_ref().is_some_and(|q| q.running));
    let matches_selection = move || {
        let (kind, preset) = selection();
        sweep.with(|q| q.as_ref().is_some_and(|q| q.plan.experiment.kind() == kind && q.plan.preset == preset))
    };
    let set_up = move || {
        let (kind, preset) = selection();
        sweep.set(Some(SweepQueue::new(&Experiment::default_for(kind), preset)));
    };
    // Phases and configurations of the workers: the queue advances when one of them changes.
    let phases = Memo::new(move |_| app.pool_runs.with(|runs| runs.iter().map(|r| (r.worker_ready, r.phase, r.config.clone())).collect::<Vec<_>>()));
    Effect::new(move |_| {
        // Read, not `track()`: a lazy Memo subscribes to `pool_runs` only once it has computed,
        // and `track()` alone never computes it, so the queue would never advance.
        phases.with(|_| ());
        drive(app);
    });
    let start = move |_| {
        if !matches_selection() {
            set_up();
        }
        let point_mb = sweep.with_untracked(|q| {
            q.as_ref().map_or(0.0, |q| q.plan.points.iter().map(|p| p.config.memory_estimate().total_bytes()).fold(0.0, f64::max) / 1e6)
        });
        let (cores, memory) = machine();
        let size = pool_size(app.settings.with_untracked(|s| s.workers), cores, memory, point_mb);
        app.pool_size_reason.set(size.reason.clone());
        if let Err(e) = app.ensure_pool(size.workers) {
            app.notify(e);
            return;
        }
        let was_active = active();
        sweep.update(|q| {
            if let Some(q) = q {
                q.running = true;
            }
        });
        if was_active {
            // Paused mid-point: the workers still hold their points.
            for slot in 0..app.pool_workers.get_untracked() {
                if sweep.with_untracked(|q| q.as_ref().is_some_and(|q| q.point_on(slot).is_some())) {
                    app.pool_send(slot, ToWorker::Run);
                }
            }
        }
        drive(app);
    };
    let busy_slots = move || {
        (0..app.pool_workers.get_untracked())
            .filter(|&slot| sweep.with_untracked(|q| q.as_ref().is_some_and(|q| q.point_on(slot).is_some())))
            .collect::<Vec<_>>()
    };
    let pause = move |_| {
        sweep.update(|q| {
            if let Some(q) = q {
                q.running = false;
            }
        });
        for slot in busy_slots() {
            app.pool_send(slot, ToWorker::Pause);
        }
    };
    let cancel = move |_| {
        let mut slots = Vec::new();
        sweep.update(|q| {
            if let Some(q) = q {
                q.running = false;
                slots = q.interrupt();
            }
        });
        for slot in slots {
            app.pool_send(slot, ToWorker::Pause);
        }
    };
    let export_json = move |_| {
        if let Some(json) = sweep.with_untracked(|q| q.as_ref().map(|q| q.result.to_json())) {
            super::files::download_text(&json, "icl-sweep.json", "application/json");
        }
    };
    let export_csv = move |_| {
        if let Some(csv) = sweep.with_untracked(|q| q.as_ref().map(|q| q.result.to_csv())) {
            super::files::download_text(&csv, "icl-sweep.csv", "text/csv");
        }
    };
    // The analysis follows the results only (not the live step counters).
    let result = Memo::new(move |_| sweep.with(|q| q.as_ref().map(|q| q.result.clone())));
    let analysis = Memo::new(move |_| result.with(|r| r.as_ref().map(sweep::analyze)));
    // Recomputed when points land (a new calibration), not on training ticks.
    let power = Memo::new(move |_| result.with(|r| r.as_ref().map(power_lines).unwrap_or_default()));
    let charts = Memo::new(move |_| analysis.with(|a| a.as_ref().map(plots::sweep_charts).unwrap_or_default()));
    let heatmap = Memo::new(move |_| analysis.with(|a| a.as_ref().and_then(|a| a.heatmap.as_ref().map(plots::sweep_heatmap))));
    let progress = move || {
        sweep.with(|q| {
            q.as_ref().map(|q| {
                let total = q.plan.points.len();
                let live: f64 = app.pool_runs.with(|runs| {
                    q.states
                        .iter()
                        .filter_map(|s| match s {
                            PointState::Running { slot } => runs.get(*slot),
                            _ => None,
                        })
                        .map(|r: &RunState| if r.phase == Phase::Configuring { 0.0 } else { r.steps() as f64 / r.config.train.steps.max(1) as f64 })
                        .sum()
                });
                let workers = app.pool_workers.get().max(1);
                let fraction = (q.done() as f64 + live) / total.max(1) as f64;
                (
                    fraction,
                    format!("{} of {total} points done · {} failed · {} running · ETA {} on {workers} worker{}", q.done(), q.failed(), q.running_points(), clock(q.eta_s(workers)), if workers == 1 { "" } else { "s" }),
                )
            })
        })
    };
    let row_ids = Memo::new(move |_| sweep.with(|q| q.as_ref().map(|q| q.plan.points.iter().enumerate().map(|(i, p)| (i, p.id.clone())).collect::<Vec<_>>()).unwrap_or_default()));
    view! {
        <section class="experiments" data-testid="experiments">
            <div class="exp-controls">
                <label class="field"><span>"experiment"</span>
                    <select data-testid="experiment" prop:value=move || selection().0.name()
                        on:change=move |ev| if let Some(k) = ExperimentKind::from_name(&event_target_value(&ev)) { app.settings.update(|s| s.experiment = k) }>
                        {ExperimentKind::ALL.iter().map(|k| view! { <option value=k.name()>{k.title()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>"preset"</span>
                    <select data-testid="sweep-preset" prop:value=move || selection().1.name()
                        on:change=move |ev| if let Some(p) = SweepPreset::from_name(&event_target_value(&ev)) { app.settings.update(|s| s.preset = p) }>
                        {SweepPreset::ALL.iter().map(|p| view! { <option value=p.name()>{p.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field" title="Web Workers that train points at once (0: one per core but one, within memory)"><span>"workers"</span>
                    <input type="number" min="0" max="16" data-testid="workers" prop:value=move || app.settings.with(|s| s.workers.to_string())
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                                app.settings.update(|s| s.workers = n.min(16));
                            }
                        }/>
                </label>
                <div class="buttons">
                    <button class="primary" data-testid="sweep-start" disabled=running on:click=start>
                        {move || if active() { "Resume" } else if matches_selection() && sweep.with(|q| q.as_ref().is_some_and(|q| q.done() > 0)) { "Continue" } else { "Start" }}
                    </button>
                    <button data-testid="sweep-pause" disabled=move || !running() on:click=pause>"Pause"</button>
                    <button data-testid="sweep-cancel" disabled=move || !active() on:click=cancel>"Cancel points"</button>
                    <button data-testid="sweep-new" disabled=active on:click=move |_| set_up()>"New sweep"</button>
                    <button data-testid="sweep-export-json" on:click=export_json>"Export JSON"</button>
                    <button data-testid="sweep-export-csv" on:click=export_csv>"Export CSV"</button>
                </div>
            </div>
            <Show when=move || !matches_selection() && sweep.with(|q| q.is_some())>
                <p class="hint">"The sweep below is another experiment or preset; Start sets up the selected one (export the current one first to keep it)."</p>
            </Show>
            <pre class="description" data-testid="sweep-description">{move || sweep.with(|q| q.as_ref().map(|q| q.plan.description.clone()))}</pre>
            <p class="hint" data-testid="pool-size">{move || app.pool_size_reason.get()}</p>
            {move || progress().map(|(fraction, text)| view! {
                <div class="progress"><div class="bar" style:width=format!("{:.1}%", 100.0 * fraction)></div></div>
                <p class="progress-text" data-testid="sweep-progress">{text}</p>
            })}
            <div class="verdicts" data-testid="verdicts">
                {move || analysis.with(|a| a.as_ref().map(|a| view! {
                    <p class="hint">{format!("{} of {} points used · metric: {}", a.points_used, a.points_planned, a.metric)}</p>
                    {a.notes.iter().map(|n| view! { <p class="hint">{n.clone()}</p> }).collect_view()}
                    {a.verdicts.iter().map(|v| {
                        let (word, class) = status_chip(v.status);
                        view! {
                            <div class=class data-testid="verdict">
                                <span class="chip">{word}</span>
                                <b>{v.claim.clone()}</b>
                                <div>"measured: "{v.measured.clone()}</div>
                                <div>"predicted: "{v.predicted.clone()}</div>
                                <div class="explanation">{v.explanation.clone()}</div>
                            </div>
                        }
                    }).collect_view()}
                }))}
                {move || power.get().into_iter().map(|(decides, line)| view! {
                    <p class=if decides { "power" } else { "power underpowered" } data-testid="power">{line}</p>
                }).collect_view()}
            </div>
            <div class="plots">
                <For each={move || charts.get().into_iter().map(|(t, _)| t).enumerate().collect::<Vec<_>>()}
                    key={|(i, title): &(usize, String)| (*i, title.clone())}
                    children={move |(i, title): (usize, String)| {
                        let chart = move || charts.with(|c| c.get(i).map(|(_, ch)| ch.clone()).unwrap_or_default());
                        chart_card(title, format!("sweep-chart-{i}"), chart)
                    }}/>
                <Show when=move || heatmap.with(Option::is_some)>
                    {chart_card("Error over depth × width", "sweep-heatmap", move || heatmap.get().unwrap_or_else(|| plots::Heatmap::new("", vec![])))}
                </Show>
            </div>
            <table class="queue" data-testid="queue">
                <thead><tr><th>"point"</th><th>"parameters"</th><th>"steps"</th><th>"status"</th><th>"metric"</th><th></th></tr></thead>
                <tbody>
                    <For each=move || row_ids.get() key=|(_, id): &(usize, String)| id.clone()
                        children=move |(i, _): (usize, String)| queue_row(app, i)/>
                </tbody>
            </table>
        </section>
    }
}
