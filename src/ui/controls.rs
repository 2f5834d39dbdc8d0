//! Train / Pause / Step / Reset, presets, and every setting with its bounds.

use super::AppState;
use crate::state::run::Phase;
use icl_core::config::Preset;
use icl_core::settings::{Group, Kind, SETTINGS, Setting};
use leptos::prelude::*;

#[component]
pub fn RunButtons() -> impl IntoView {
    let app = expect_context::<AppState>();
    let run = app.run;
    let training = move || run.with(|r| r.phase == Phase::Training);
    let busy = move || run.with(|r| matches!(r.phase, Phase::LoadingWorker | Phase::Configuring));
    view! {
        <div class="buttons">
            <button class="primary" data-testid="train" disabled=busy
                on:click=move |_| if training() { app.pause() } else { app.train() }>
                {move || if training() { "Pause" } else { "Train" }}
            </button>
            <button data-testid="step" disabled=move || busy() || training() on:click=move |_| app.step()
                class:hidden=move || app.panel_hidden("step")>"Step"</button>
            <button data-testid="reset" disabled=busy on:click=move |_| app.reset()
                class:hidden=move || app.panel_hidden("step")>"Reset"</button>
        </div>
        <Show when=move || app.settings_changed() && run.with(|r| r.result.is_some() && r.phase != Phase::Restored)>
            <p class="hint" data-testid="settings-changed">"Settings changed: Train or Reset builds a new model with them."</p>
        </Show>
    }
}

/// One setting of the table as a form field: a number input with its bounds, a menu or a
/// checkbox. Malformed or out-of-range input is refused on the spot with a message, and
/// the setting keeps its last good value.
fn setting_field(row: &'static Setting) -> impl IntoView {
    let app = expect_context::<AppState>();
    let settings = app.settings;
    let error = RwSignal::new(None::<String>);
    let commit = move |raw: String| {
        let mut next = settings.get_untracked();
        match row.parse(&mut next, &raw) {
            Ok(()) => {
                error.set(None);
                settings.set(next);
            }
            Err(e) => error.set(Some(format!(
                "{}: {e} — refused{}",
                row.label,
                row.bounds_text().map(|b| format!("; enter a number from {b}")).unwrap_or_default()
            ))),
        }
    };
    view! {
        <Show when=move || settings.with(|s| (row.applies)(s))>
            <label class="field" class:invalid=move || error.with(Option::is_some) title=row.hint>
                <span>{row.label}</span>
                {input(row, settings, commit)}
                {move || error.get().map(|e| view! { <small class="field-error" data-testid="field-error">{e}</small> })}
            </label>
        </Show>
    }
}

/// The input element of a row; `commit` receives its raw text on change.
fn input(row: &'static Setting, settings: RwSignal<icl_core::settings::SharedState>, commit: impl Fn(String) + Copy + 'static) -> AnyView {
    let value = move || settings.with(|s| row.text(s));
    match row.kind {
        Kind::Int { min, max, .. } => view! {
            <input type="number" min=min.to_string() max=max.to_string() step="1" data-testid=row.name
                prop:value=value on:change=move |ev| commit(event_target_value(&ev))/>
        }
        .into_any(),
        Kind::Real { min, max, step, .. } => view! {
            <input type="number" min=min.to_string() max=max.to_string() step=step.to_string() data-testid=row.name
                prop:value=value on:change=move |ev| commit(event_target_value(&ev))/>
        }
        .into_any(),
        Kind::Choice { options, offered, .. } => {
            // Only the options that mean something now; rebuilt when they change, not on every edit.
            let shown = Memo::new(move |_| settings.with(|s| options().into_iter().filter(|(n, _)| offered(s, n)).collect::<Vec<_>>()));
            view! {
                <select data-testid=row.name prop:value=value on:change=move |ev| commit(event_target_value(&ev))>
                    {move || shown.get().into_iter().map(|(n, label)| view! { <option value=n>{label}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        Kind::Flag { get, .. } => view! {
            <input type="checkbox" data-testid=row.name prop:checked=move || settings.with(get)
                on:change=move |ev| commit(if event_target_checked(&ev) { "1".into() } else { "0".into() })/>
        }
        .into_any(),
        Kind::List { .. } => view! {
            <input type="text" data-testid=row.name prop:value=value on:change=move |ev| commit(event_target_value(&ev))/>
        }
        .into_any(),
    }
}

/// A fieldset of every table row in `group`; `panel` names it for classroom links.
fn fieldset(legend: &'static str, group: Group, panel: &'static str, extra: impl IntoView) -> impl IntoView {
    let app = expect_context::<AppState>();
    view! {
        <fieldset data-panel=panel class:hidden=move || app.panel_hidden(panel)>
            <legend>{legend}</legend>
            {SETTINGS.iter().filter(|row| row.group == group).map(setting_field).collect_view()}
            {extra}
        </fieldset>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let app = expect_context::<AppState>();
    let settings = app.settings;
    let preset_button = move |preset: Preset, label: &'static str, hint: &'static str| {
        view! {
            <button class="preset" title=hint data-testid=format!("preset-{}", preset.name())
                on:click=move |_| settings.update(|s| s.config = preset.config())>{label}</button>
        }
    };
    let derived = move || {
        settings.with(|s| {
            let problems = s.config.problems();
            if problems.is_empty() {
                format!("{} parameters · N = L·d = {}", s.config.param_count(), s.config.size_ld())
            } else {
                problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            }
        })
    };
    view! {
        <details class="settings" prop:open=move || settings.with(|s| !s.present)
            class:hidden=move || ["presets", "task", "model", "training"].iter().all(|p| app.panel_hidden(p))>
            <summary>"Settings"</summary>
            <div class="presets" data-panel="presets" class:hidden=move || app.panel_hidden("presets")>
                {preset_button(Preset::Reference, "Reference", Preset::Reference.describe())}
                {preset_button(Preset::Cpu, "Quick start (default)", Preset::Cpu.describe())}
                {preset_button(Preset::Tiny, "Tiny", Preset::Tiny.describe())}
                {preset_button(Preset::LinearAttention, "Linear attention", Preset::LinearAttention.describe())}
            </div>
            <Show when=move || settings.with(|s| s.config == Preset::Cpu.config())>
                <p class="hint">"Quick start: a smaller workload than the reference, so in-context learning shows within about a minute on a CPU. The reference workload (one click above) needs a GPU to be live."</p>
            </Show>
            {fieldset("Task", Group::Task, "task", ())}
            {fieldset("Model", Group::Model, "model", view! { <p class="derived">{derived}</p> })}
            {fieldset("Training", Group::Training, "training", ())}
        </details>
    }
}
