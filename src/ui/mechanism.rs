//! Mechanism probes of the trained model: how close it is to gradient descent on the same
//! prompts (cosine of prediction vectors, best-fitting effective step η_eff), and the
//! attention map of every layer and head for one held-out prompt.

use super::charts::chart_card;
use super::AppState;
use crate::plots::{self, HeatmapGrid};
use crate::state::run::Phase;
use icl_core::protocol::ToWorker;
use leptos::prelude::*;

/// Token labels x₀, y₀, x₁, … of a prompt with `tokens` tokens.
fn token_labels(tokens: usize) -> Vec<String> {
    (0..tokens).map(|t| format!("{}{}", if t % 2 == 0 { "x" } else { "y" }, t / 2)).collect()
}

#[component]
pub fn Mechanism() -> impl IntoView {
    let app = expect_context::<AppState>();
    let prompt = RwSignal::new(0usize);
    let can_probe = move || app.run.with(|r| matches!(r.phase, Phase::Idle | Phase::Paused | Phase::Done)) && !app.sweep_active();
    let probe = move |_| app.send(ToWorker::Probe { prompt: prompt.get_untracked() });
    let grid = Memo::new(move |_| {
        app.run.with(|r| {
            // Linear attention has no softmax weights to show (its maps come back empty).
            r.attention.as_ref().filter(|(_, _, _, maps)| !maps.is_empty()).map(|(step, p, tokens, maps)| {
                let labels = token_labels(*tokens);
                let mut heatmaps = Vec::new();
                for (layer, heads) in maps.iter().enumerate() {
                    for (head, w) in heads.iter().enumerate() {
                        let rows = w.chunks(*tokens).map(|row| row.iter().map(|&v| v as f64).collect()).collect();
                        let mut h = plots::attention_map(format!("layer {} · head {}", layer + 1, head + 1), rows);
                        h.x_ticks = labels.clone();
                        h.y_ticks = labels.clone();
                        heatmaps.push(h);
                    }
                }
                let columns = maps.first().map_or(1, |h| h.len());
                (format!("Attention, held-out prompt {p}, step {step}"), HeatmapGrid { title: String::new(), maps: heatmaps, columns, shared_scale: true })
            })
        })
    });
    let summary = move || app.run.with(|r| r.result.as_ref().and_then(|x| x.probe.clone()));
    // η_eff against k, once a probe measured it (linear tasks; older run files have none).
    let eta_chart = Memo::new(move |_| {
        app.run.with(|r| {
            let x = r.result.as_ref()?;
            let p = x.probe.as_ref().filter(|p| p.eta_by_k.iter().any(Option::is_some))?;
            Some(plots::eta_eff_chart(p, x.config.task.dim, x.config.task.noise_var))
        })
    });
    view! {
        <section class="mechanism legend" data-testid="mechanism">
            <h2>"Mechanism probes"</h2>
            <p class="hint">"Is the transformer doing gradient descent in context? On the held-out prompts its predictions are compared with one and L (= depth) steps of GD from zero on the in-context least-squares loss: the cosine of the prediction vectors, and the effective step η_eff that best matches the model (Mehta & Gupta claim η_eff ∝ 1/√(L·d)). The attention maps show which tokens each head reads."</p>
            <div class="buttons">
                <label class="field"><span>"held-out prompt"</span>
                    <input type="number" min="0" data-testid="probe-prompt" prop:value=move || prompt.get().to_string()
                        on:change=move |ev| prompt.set(event_target_value(&ev).parse().unwrap_or(0))/>
                </label>
                <button data-testid="probe" disabled=move || !can_probe() on:click=probe>"Probe the model"</button>
            </div>
            {move || summary().map(|p| view! {
                <p data-testid="probe-summary">
                    {format!("1 GD step: η_eff = {:.4} ± {:.4}, cosine {:.3}, relative residual {:.3} · {} GD steps (common η = {:.4}): cosine {:.3} · over {} prompts",
                        p.eta_one, p.se_eta_one, p.cosine_one, p.residual_one, p.steps, p.eta_multi, p.cosine_multi, p.prompts)}
                </p>
            })}
            <Show when=move || eta_chart.with(Option::is_some)>
                {chart_card("Effective step η_eff against k", "eta-chart", move || eta_chart.get().unwrap_or_default())}
                <p class="hint">"Measured: the model's predictions regressed on one GD step's, at each k. Dashed: the step a single GD step (or one linear-attention layer trained at that k alone) should take, η*(k) = k/(k + D + 1 + σ²), which grows with k toward 1 (THEORY.md §4.3). One linear-attention layer trained on every k at once shares one step, so it sits flat. Mehta & Gupta's η_eff ∝ 1/√(L·d) has no k in it: a flat line whose height the claim leaves open."</p>
            </Show>
            <Show when=move || app.run.with(|r| r.attention.is_none())>
                <p class="hint">"Train, pause, then probe (a run probes itself when its step budget is spent)."</p>
            </Show>
            <Show when=move || app.run.with(|r| r.attention.as_ref().is_some_and(|a| a.3.is_empty()))>
                <p class="hint" data-testid="no-attention-maps">"Linear attention has no softmax weights, so there is no attention map to draw: its prediction is linear in the query, ŷ = x_qᵀ g, and the η_eff chart above reads its step exactly."</p>
            </Show>
            <Show when=move || grid.with(Option::is_some)>
                {move || {
                    let title = grid.with(|g| g.as_ref().map(|(t, _)| t.clone()).unwrap_or_default());
                    chart_card(title, "attention-chart", move || grid.with(|g| g.as_ref().map(|(_, h)| h.clone())).unwrap_or_else(|| HeatmapGrid { title: String::new(), maps: vec![], columns: 1, shared_scale: true }))
                }}
            </Show>
        </section>
    }
}
