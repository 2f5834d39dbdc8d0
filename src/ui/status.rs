//! Backend badge, step counter, speed, elapsed time, and the notices area.

use super::AppState;
use crate::state::run::Phase;
use leptos::prelude::*;

fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

#[component]
pub fn StatusBar() -> impl IntoView {
    let app = expect_context::<AppState>();
    let run = app.run;
    let badge = move || {
        run.with(|r| match (&r.result, r.phase) {
            (_, Phase::LoadingWorker) => "loading trainer…".to_string(),
            (_, Phase::Configuring) => "starting backend…".to_string(),
            (Some(res), _) => res.backend.badge(),
            (None, _) => "no backend".to_string(),
        })
    };
    // Auto's timing of both backends, when it raced them; else what the badge is.
    let badge_title = move || {
        run.with(|r| r.result.as_ref().and_then(|x| x.backend.trial.as_ref()).map(|t| t.describe()))
            .unwrap_or_else(|| "Which burn backend trains the model".to_string())
    };
    let badge_class = move || {
        run.with(|r| match r.result.as_ref().map(|x| x.backend.kind) {
            Some(icl_core::schema::BackendKind::Cpu) => "badge cpu",
            Some(_) => "badge gpu",
            None => "badge",
        })
    };
    let phase = move || {
        run.with(|r| match r.phase {
            Phase::LoadingWorker | Phase::Configuring => "starting",
            Phase::Idle => "ready",
            Phase::Training => "training",
            Phase::Paused => "paused",
            Phase::Done => "done",
            Phase::Diverged => "diverged",
            Phase::Failed => "failed",
            Phase::Restored => "restored",
        })
    };
    view! {
        <div class="status">
            <span class=badge_class data-testid="badge" title=badge_title>{badge}</span>
            <span class="phase" data-testid="phase">{phase}</span>
            <span>"step "<b data-testid="step">{move || run.with(|r| r.steps())}</b>
                " / "{move || run.with(|r| r.config.train.steps)}</span>
            <span><b data-testid="steps-per-s">{move || run.with(|r| format!("{:.1}", r.steps_per_s))}</b>" steps/s"</span>
            <span>"elapsed "<b data-testid="elapsed">{move || run.with(|r| clock(r.elapsed_s()))}</b></span>
            <span class="params">{move || run.with(|r| (r.param_count > 0).then(|| format!("{} parameters", r.param_count)))}</span>
            {move || run.with(|r| r.checkpoint).map(|(step, exact)| view! {
                <span class="saved" data-testid="checkpoint" data-step=step
                    title=if exact { "A reload or a crash resumes here, exactly" } else { "A reload resumes here (weights only: Adam's moments restart)" }>
                    "saved at step "{step}
                </span>
            })}
        </div>
    }
}

#[component]
pub fn Notices() -> impl IntoView {
    let app = expect_context::<AppState>();
    let run = app.run;
    view! {
        <div class="notices" aria-live="polite">
            {move || run.with(|r| r.note.clone()).map(|note| view! { <p class="notice info" data-testid="backend-note">{note}</p> })}
            {move || run.with(|r| r.error.clone()).map(|e| view! {
                <p class="notice error" data-testid="run-error">
                    <span>{e}
                        <Show when=move || run.with(|r| r.phase == Phase::Diverged)>
                            " "<button class="small" data-testid="rollback" on:click=move |_| app.rollback()>
                                "Roll back to the last checkpoint and go on at half the learning rate"</button>
                        </Show>
                        <Show when=move || run.with(|r| r.crashed)>
                            " "<button class="small" data-testid="restart-trainer" on:click=move |_| app.restart_worker()>
                                "Restart the trainer from its last checkpoint (your results stay)"</button>
                        </Show>
                    </span>
                    <button class="dismiss" aria-label="Dismiss" on:click=move |_| run.update(|r| r.error = None)>"×"</button></p>
            })}
            {move || run.with(|r| r.phase == Phase::Restored).then(|| view! {
                <p class="notice info" data-testid="restored-note">
                    "Showing a saved run (an imported file, or a run whose checkpoint could not be resumed): its model is not here. Press Train or Reset to train a new model with these settings."
                </p>
            })}
            <For
                each={move || app.notices.get().into_iter().enumerate().collect::<Vec<_>>()}
                key={|(i, n): &(usize, String)| (*i, n.clone())}
                children={move |(i, n): (usize, String)| view! {
                    <p class="notice warn" data-testid="notice">{n}
                        <button class="dismiss" on:click=move |_| app.notices.update(|v| { if i < v.len() { v.remove(i); } })>"×"</button></p>
                }}
            />
        </div>
    }
}
