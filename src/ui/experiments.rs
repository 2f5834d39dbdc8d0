//! The Experiments tab: a paper claim as a sweep of training runs. The queue trains one
//! point at a time through the worker (the Single-run tab shows it live); points land in
//! the charts as they finish, and the verdicts are recomputed from the fits each time.

use super::charts::chart_card;
use super::AppState;
use crate::plots;
use crate::state::run::Phase;
use crate::state::sweep::{PointState, SweepQueue};
use icl_core::schema::{BackendInfo, RunResult};
use icl_core::sweep::{self, Experiment, ExperimentKind, SweepPreset, VerdictStatus};
use leptos::prelude::*;

/// Called whenever the run's phase changes: records a finished point and starts the next.
pub fn drive(app: AppState) {
    let mut next = None;
    let mut save = None;
    app.sweep.update(|q| {
        let Some(q) = q else { return };
        if let Some(i) = q.running_index() {
            let point_config = &q.plan.points[i].config;
            let outcome = app.run.with_untracked(|r| {
                if r.config != *point_config {
                    return None;
                }
                match r.phase {
                    Phase::Done | Phase::Diverged => Some((r.result.clone(), None)),
                    Phase::Failed => Some((r.result.clone(), Some(r.error.clone().unwrap_or_else(|| "failed".into())))),
                    _ => None,
                }
            });
            if let Some((result, failure)) = outcome {
                let run = result.unwrap_or_else(|| RunResult::new(point_config.clone(), BackendInfo::cpu(), "browser"));
                q.finish(&run, failure);
                save = Some(q.result.clone());
            }
        }
        next = q.start_next();
        if q.is_finished() {
            q.running = false;
        }
    });
    if let Some(result) = save {
        if let Err(e) = crate::storage::save_sweep(&result) {
            app.notify(e);
        }
    }
    if let Some(point) = next {
        app.start(point.config);
    }
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

#[component]
pub fn Experiments() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sweep = app.sweep;
    let selection = move || app.settings.with(|s| (s.experiment, s.preset));
    let active = move || sweep.with(|q| q.as_ref().is_some_and(|q| q.running_index().is_some()));
    let running = move || sweep.with(|q| q.as_ref().is_some_and(|q| q.running));
    let matches_selection = move || {
        let (kind, preset) = selection();
        sweep.with(|q| q.as_ref().is_some_and(|q| q.plan.experiment.kind() == kind && q.plan.preset == preset))
    };
    let set_up = move || {
        let (kind, preset) = selection();
        sweep.set(Some(SweepQueue::new(&Experiment::default_for(kind), preset)));
    };
    let start = move |_| {
        if !matches_selection() {
            set_up();
        }
        app.pause();
        sweep.update(|q| {
            if let Some(q) = q {
                q.running = true;
            }
        });
        if active() {
            app.resume();
        } else {
            drive(app);
        }
    };
    let pause = move |_| {
        sweep.update(|q| {
            if let Some(q) = q {
                q.running = false;
            }
        });
        app.pause();
    };
    let cancel = move |_| {
        sweep.update(|q| {
            if let Some(q) = q {
                q.running = false;
                q.interrupt();
            }
        });
        app.pause();
    };
    let export_json = move |_| {
        if let Some(json) = sweep.with_untracked(|q| q.as_ref().map(|q| q.result.to_json())) {
            super::files::download_text(&json, "icl-sweep.json", "application/json");
        }
    };
    let export_csv = move |_| {
        if let Some(csv) = sweep.with_untracked(|q| q.as_ref().map(|q| q.to_csv())) {
            super::files::download_text(&csv, "icl-sweep.csv", "text/csv");
        }
    };
    // The analysis follows the results only (not the live step counter).
    let result = Memo::new(move |_| sweep.with(|q| q.as_ref().map(|q| q.result.clone())));
    let analysis = Memo::new(move |_| result.with(|r| r.as_ref().map(sweep::analyze)));
    let charts = Memo::new(move |_| analysis.with(|a| a.as_ref().map(plots::sweep_charts).unwrap_or_default()));
    let heatmap = Memo::new(move |_| analysis.with(|a| a.as_ref().and_then(|a| a.heatmap.as_ref().map(plots::sweep_heatmap))));
    let progress = move || {
        sweep.with(|q| {
            q.as_ref().map(|q| {
                let total = q.plan.points.len();
                let live = q.running_index().map(|_| app.run.with(|r| {
                    r.steps() as f64 / r.config.train.steps.max(1) as f64
                })).unwrap_or(0.0);
                let fraction = (q.done() as f64 + live) / total.max(1) as f64;
                (fraction, format!("{} of {total} points done · {} failed · ETA {}", q.done(), q.failed(), clock(q.eta_s())))
            })
        })
    };
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
                        <option value="quick">"quick (browser, minutes)"</option>
                        <option value="full">"full (for the CLI / a GPU)"</option>
                        <option value="smoke">"smoke (20 steps: checks the pipeline)"</option>
                    </select>
                </label>
                <div class="buttons">
                    <button class="primary" data-testid="sweep-start" disabled=running on:click=start>
                        {move || if active() { "Resume" } else if matches_selection() && sweep.with(|q| q.as_ref().is_some_and(|q| q.done() > 0)) { "Continue" } else { "Start" }}
                    </button>
                    <button data-testid="sweep-pause" disabled=move || !running() on:click=pause>"Pause"</button>
                    <button data-testid="sweep-cancel" disabled=move || !active() on:click=cancel>"Cancel point"</button>
                    <button data-testid="sweep-new" disabled=active on:click=move |_| set_up()>"New sweep"</button>
                    <button data-testid="sweep-export-json" on:click=export_json>"Export JSON"</button>
                    <button data-testid="sweep-export-csv" on:click=export_csv>"Export CSV"</button>
                </div>
            </div>
            <Show when=move || !matches_selection() && sweep.with(|q| q.is_some())>
                <p class="hint">"The sweep below is another experiment or preset; Start sets up the selected one (export the current one first to keep it)."</p>
            </Show>
            <pre class="description" data-testid="sweep-description">{move || sweep.with(|q| q.as_ref().map(|q| q.plan.description.clone()))}</pre>
            {move || progress().map(|(fraction, text)| view! {
                <div class="progress"><div class="bar" style=format!("width: {:.1}%", 100.0 * fraction)></div></div>
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
                    {move || sweep.with(|q| q.as_ref().map(|q| q.plan.points.iter().enumerate().map(|(i, p)| {
                        let state = q.states[i].clone();
                        let done = q.result.points.iter().find(|r| r.id == p.id);
                        let metric = done.and_then(|r| sweep::point_metric(&r.final_curve, r.config.context)).map(|(m, se)| format!("{m:.3} ± {se:.3}"));
                        let status = match &state {
                            PointState::Pending => "pending".to_string(),
                            PointState::Running => app.run.with(|r| format!("running · step {}", r.steps())),
                            PointState::Done => "done".to_string(),
                            PointState::Failed(why) => format!("failed: {why}"),
                        };
                        let can_rerun = matches!(state, PointState::Done | PointState::Failed(_));
                        view! {
                            <tr class=format!("state-{}", match state { PointState::Pending => "pending", PointState::Running => "running", PointState::Done => "done", PointState::Failed(_) => "failed" })>
                                <td>{p.id.clone()}</td><td>{p.config.param_count()}</td><td>{p.config.train.steps}</td>
                                <td>{status}</td><td>{metric}</td>
                                <td>{can_rerun.then(|| view! { <button class="small" on:click=move |_| sweep.update(|q| if let Some(q) = q { q.rerun(i) })>"re-run"</button> })}</td>
                            </tr>
                        }
                    }).collect_view()))}
                </tbody>
            </table>
        </section>
    }
}
