//! Train / Pause / Step / Reset, presets, and every setting with its bounds.

use super::AppState;
use crate::state::run::Phase;
use icl_core::config::{bounds, Preset, RunConfig};
use icl_core::protocol::BackendChoice;
use icl_core::tasks::{Covariance, DistributionShift, TaskFamily};
use leptos::prelude::*;
use std::fmt::Display;
use std::str::FromStr;

#[component]
pub fn RunButtons() -> impl IntoView {
    let app = expect_context::<AppState>();
    let run = app.run;
    let training = move || run.with(|r| r.phase == Phase::Training);
    let busy = move || run.with(|r| matches!(r.phase, Phase::LoadingWorker | Phase::Configuring)) || app.sweep_active();
    view! {
        <div class="buttons">
            <button class="primary" data-testid="train" disabled=busy
                on:click=move |_| if training() { app.pause() } else { app.train() }>
                {move || if training() { "Pause" } else { "Train" }}
            </button>
            <button data-testid="step" disabled=move || busy() || training() on:click=move |_| app.step()>"Step"</button>
            <button data-testid="reset" disabled=busy on:click=move |_| app.reset()>"Reset"</button>
        </div>
        <Show when=move || !app.sweep_active() && app.settings_changed() && run.with(|r| r.result.is_some() && r.phase != Phase::Restored)>
            <p class="hint" data-testid="settings-changed">"Settings changed: Train or Reset builds a new model with them."</p>
        </Show>
    }
}

/// A numeric input bound to one field of the settings; out-of-range or malformed input
/// is refused on the spot with a message, and the setting keeps its last good value.
fn number_field<T>(
    label: &'static str,
    test_id: &'static str,
    hint: &'static str,
    get: fn(&RunConfig) -> T,
    set: fn(&mut RunConfig, T),
    (lo, hi): (T, T),
    step: &'static str,
) -> impl IntoView
where
    T: FromStr + Display + PartialOrd + Copy + Send + Sync + 'static,
{
    let app = expect_context::<AppState>();
    let error = RwSignal::new(None::<String>);
    let commit = move |raw: String| match raw.trim().parse::<T>() {
        Ok(v) if lo <= v && v <= hi => {
            error.set(None);
            app.settings.update(|s| set(&mut s.config, v));
        }
        _ => error.set(Some(format!("{label}: “{raw}” refused — enter a number from {lo} to {hi}"))),
    };
    view! {
        <label class="field" class:invalid=move || error.with(Option::is_some) title=hint>
            <span>{label}</span>
            <input type="number" min=lo.to_string() max=hi.to_string() step=step data-testid=test_id
                prop:value=move || app.settings.with(|s| get(&s.config).to_string())
                on:change=move |ev| commit(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <small class="field-error" data-testid="field-error">{e}</small> })}
        </label>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let app = expect_context::<AppState>();
    let settings = app.settings;
    let family = move || settings.with(|s| s.config.task.family.clone());
    let covariance = move || settings.with(|s| s.config.task.covariance.clone());
    let on_family = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        settings.update(|s| {
            let d = s.config.task.dim;
            s.config.task.family = match value.as_str() {
                "sparse" => TaskFamily::SparseLinear { nonzero: 3.min(d) },
                "tree" => TaskFamily::Tree { depth: 2 },
                _ => TaskFamily::Linear,
            };
            s.config.drop_inapplicable_shift();
        })
    };
    let on_covariance = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        settings.update(|s| {
            s.config.task.covariance = match value.as_str() {
                "fs" => Covariance::Fs { nu: 1.5, mu: 0.0 },
                "rrs" => Covariance::Rrs { nu: 1.5, mu: 0.0 },
                _ => Covariance::Iso,
            };
            s.config.drop_inapplicable_shift();
        })
    };
    let on_shift = move |ev: leptos::ev::Event| {
        let shift = DistributionShift::from_name(&event_target_value(&ev));
        settings.update(|s| s.config.eval.shift = shift);
    };
    // Only the shifts that mean something for the current task are offered; a memo, so the
    // options are rebuilt when the task changes, not on every settings edit.
    let applicable_shifts = Memo::new(move |_| {
        settings.with(|s| DistributionShift::ALL.into_iter().filter(|x| x.apply(&s.config.task).is_ok()).collect::<Vec<_>>())
    });
    let on_backend = move |ev: leptos::ev::Event| {
        if let Some(b) = BackendChoice::from_name(&event_target_value(&ev)) {
            settings.update(|s| s.backend = b);
        }
    };
    let preset_button = move |preset: Preset, label: &'static str, hint: &'static str| {
        view! {
            <button class="preset" title=hint data-testid=format!("preset-{}", preset.name())
                on:click=move |_| settings.update(|s| s.config = preset.config())>{label}</button>
        }
    };
    view! {
        <details class="settings" open>
            <summary>"Settings"</summary>
            <div class="presets">
                {preset_button(Preset::Reference, "Reference", "D=8, K=32, d=64, L=4, 4 heads, batch 64 (≈205k parameters); meant for a GPU")}
                {preset_button(Preset::Cpu, "CPU preset (smaller)", "D=4, K=16, d=32, L=2, 2 heads, batch 32: in-context learning shows within about two minutes on the CPU backend")}
                {preset_button(Preset::Tiny, "Tiny", "A smoke test: D=2, K=4, d=8, L=1")}
            </div>
            <Show when=move || settings.with(|s| s.config == Preset::Cpu.config())>
                <p class="hint">"CPU preset: a smaller workload than the reference, so learning shows within minutes on CPU."</p>
            </Show>
            <fieldset>
                <legend>"Task"</legend>
                <label class="field"><span>"family"</span>
                    <select data-testid="task" on:change=on_family prop:value=move || match family() {
                        TaskFamily::Linear => "linear", TaskFamily::SparseLinear { .. } => "sparse", TaskFamily::Tree { .. } => "tree" }>
                        <option value="linear">"linear regression"</option>
                        <option value="sparse">"sparse linear regression"</option>
                        <option value="tree">"decision tree"</option>
                    </select>
                </label>
                {number_field("D (input dim)", "dim", "Input dimension", |c| c.task.dim, |c, v| {
                    c.task.dim = v;
                    if let TaskFamily::SparseLinear { nonzero } = &mut c.task.family { *nonzero = (*nonzero).min(v); }
                }, bounds::DIM, "1")}
                <Show when=move || matches!(family(), TaskFamily::SparseLinear { .. })>
                    {number_field("s (non-zeros)", "sparsity", "Non-zero coordinates of w", |c| match c.task.family { TaskFamily::SparseLinear { nonzero } => nonzero, _ => 3 },
                        |c, v| c.task.family = TaskFamily::SparseLinear { nonzero: v }, (1, bounds::DIM.1), "1")}
                </Show>
                <Show when=move || matches!(family(), TaskFamily::Tree { .. })>
                    {number_field("h (tree depth)", "tree-depth", "Depth of the random decision trees (Mehta & Gupta's hierarchy depth)", |c| match c.task.family { TaskFamily::Tree { depth } => depth, _ => 2 },
                        |c, v| c.task.family = TaskFamily::Tree { depth: v }, bounds::TREE_DEPTH, "1")}
                </Show>
                {number_field("σ² (noise)", "noise", "Label-noise variance", |c| c.task.noise_var, |c, v| c.task.noise_var = v, bounds::NOISE_VAR, "0.05")}
                <label class="field"><span>"covariance"</span>
                    <select data-testid="covariance" on:change=on_covariance prop:value=move || match covariance() {
                        Covariance::Iso => "iso", Covariance::Fs { .. } => "fs", Covariance::Rrs { .. } => "rrs" }>
                        <option value="iso">"isotropic (ISO)"</option>
                        <option value="fs">"fixed structured (FS)"</option>
                        <option value="rrs">"randomly rotated (RRS)"</option>
                    </select>
                </label>
                <Show when=move || !matches!(covariance(), Covariance::Iso)>
                    {number_field("ν (spectrum)", "nu", "Eigenvalues of Σ decay as j^-ν", |c| match c.task.covariance { Covariance::Fs { nu, .. } | Covariance::Rrs { nu, .. } => nu, Covariance::Iso => 1.5 },
                        |c, v| match &mut c.task.covariance { Covariance::Fs { nu, .. } | Covariance::Rrs { nu, .. } => *nu = v, Covariance::Iso => {} }, bounds::EXPONENT, "0.1")}
                    {number_field("μ (task prior)", "mu", "Task-prior eigenvalues decay as j^-μ", |c| match c.task.covariance { Covariance::Fs { mu, .. } | Covariance::Rrs { mu, .. } => mu, Covariance::Iso => 0.0 },
                        |c, v| match &mut c.task.covariance { Covariance::Fs { mu, .. } | Covariance::Rrs { mu, .. } => *mu = v, Covariance::Iso => {} }, bounds::EXPONENT, "0.1")}
                </Show>
                {number_field("K (max context)", "context", "Largest number of in-context examples", |c| c.context, |c, v| c.context = v, bounds::CONTEXT, "1")}
                <label class="field" title="Also score the model on prompts from a shifted task it never trained on (Garg et al. 2022), drawn as a dashed curve">
                    <span>"also evaluate on"</span>
                    <select data-testid="shift" on:change=on_shift
                        prop:value=move || settings.with(|s| s.config.eval.shift.map_or("none", DistributionShift::name))>
                        <option value="none">"nothing else"</option>
                        {move || applicable_shifts.get().into_iter().map(|x| view! { <option value=x.name()>{x.describe()}</option> }).collect_view()}
                    </select>
                </label>
            </fieldset>
            <fieldset>
                <legend>"Model"</legend>
                {number_field("width d", "width", "Model width (must be divisible by heads)", |c| c.model.width, |c, v| c.model.width = v, bounds::WIDTH, "1")}
                {number_field("depth L", "depth", "Transformer blocks", |c| c.model.depth, |c, v| c.model.depth = v, bounds::DEPTH, "1")}
                {number_field("heads", "heads", "Attention heads", |c| c.model.heads, |c, v| c.model.heads = v, bounds::HEADS, "1")}
                <p class="derived">{move || settings.with(|s| {
                    let problems = s.config.problems();
                    if problems.is_empty() { format!("{} parameters · N = L·d = {}", s.config.param_count(), s.config.size_ld()) }
                    else { problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ") }
                })}</p>
            </fieldset>
            <fieldset>
                <legend>"Training"</legend>
                {number_field("batch", "batch", "Prompts per step", |c| c.train.batch, |c, v| c.train.batch = v, bounds::BATCH, "1")}
                {number_field("learning rate", "lr", "Adam learning rate", |c| c.train.lr, |c, v| c.train.lr = v, bounds::LR, "0.0001")}
                {number_field("steps", "steps", "Step budget", |c| c.train.steps, |c, v| c.train.steps = v, bounds::STEPS, "100")}
                {number_field("seed", "seed", "Seeds the model, the training prompts and the held-out prompts", |c| c.train.seed, |c, v| c.train.seed = v, (0, u64::MAX), "1")}
                {number_field("held-out prompts", "eval-prompts", "Prompts in the fixed held-out set", |c| c.eval.prompts, |c, v| c.eval.prompts = v, bounds::EVAL_PROMPTS, "1")}
                {number_field("evaluate every", "eval-every", "Steps between held-out evaluations", |c| c.eval.every, |c, v| c.eval.every = v, bounds::EVAL_EVERY, "1")}
                <label class="field" title="Auto uses WebGPU on a hardware adapter, the CPU backend otherwise"><span>"backend"</span>
                    <select data-testid="backend" on:change=on_backend prop:value=move || settings.with(|s| s.backend.name())>
                        <option value="auto">"auto"</option>
                        <option value="webgpu">"WebGPU"</option>
                        <option value="cpu">"CPU"</option>
                    </select>
                </label>
            </fieldset>
        </details>
    }
}
