//! The legend of the ICL-error chart: every baseline and theory curve with a toggle, and
//! for theory curves the formula (MathML), its parameter values, a plain reading, and how
//! the run's latest curve sits against it (within 2 SE at how many k).

use super::AppState;
use crate::plots;
use icl_core::theory::agreement::CurveAgreement;
use leptos::prelude::*;

/// The learner's colour, set through the CSSOM (`style:`), which the page's
/// Content-Security-Policy allows where a `style` attribute would be refused.
fn swatch(name: &str) -> String {
    let (r, g, b) = plots::color_for(name);
    format!("rgb({r},{g},{b})")
}

/// Said of a comparison made with [`icl_core::eval::ErrorCurve::query_exact`].
const QUERY_EXACT: &str = " The model is linear in its query, so this error takes the query's expectation exactly and the held-out queries' own scatter is not in it; the chart shows the sampled error.";

#[component]
pub fn TheoryPanel() -> impl IntoView {
    let app = expect_context::<AppState>();
    let toggle = move |id: String| {
        app.settings.update(|s| {
            if let Some(i) = s.hidden_curves.iter().position(|h| *h == id) {
                s.hidden_curves.remove(i);
            } else {
                s.hidden_curves.push(id);
            }
        })
    };
    let shown = move |id: &str| app.settings.with(|s| !s.hidden_curves.iter().any(|h| h == id));
    let baselines = Memo::new(move |_| {
        app.run.with(|r| r.result.as_ref().map(|x| x.baselines.iter().map(|b| b.name.clone()).collect::<Vec<_>>()).unwrap_or_default())
    });
    let theory = Memo::new(move |_| app.run.with(|r| r.theory_curves().to_vec()));
    let theory_missing = Memo::new(move |_| app.run.with(|r| r.theory_missing()));
    // The run's latest ICL-error curve, which each theory card compares itself with: the
    // query-exact one where the model has it (linear attention), and whether it is that.
    let latest = Memo::new(move |_| {
        app.run.with(|r| r.latest_eval().map(|e| (e.query_exact.clone().unwrap_or_else(|| e.curve.clone()), e.query_exact.is_some())))
    });
    view! {
        <section class="legend" data-testid="legend">
            <h2>"Curves on the ICL-error chart"</h2>
            <p class="hint">"Measured baselines are scored on the same held-out prompts as the model (solid). Theory curves are THEORY.md's closed forms for the run's D, K, σ² and covariance (dashed). All values are the total normalised error, query noise included."</p>
            <h3>"Baselines (measured)"</h3>
            <ul class="curves">
                <For each=move || baselines.get() key=|n| n.clone() children=move |name| {
                    let id = name.clone();
                    let checked = { let id = id.clone(); move || shown(&id) };
                    view! {
                        <li><label>
                            <input type="checkbox" prop:checked=checked on:change={ let id = id.clone(); move |_| toggle(id.clone()) }/>
                            <span class="swatch" style:background=swatch(&name)></span>
                            {plots::display_name(&name)}
                        </label></li>
                    }
                }/>
            </ul>
            <h3>"Theory"</h3>
            <Show when=move || theory_missing.get() fallback=|| ()>
                <p class="hint">"computing…"</p>
            </Show>
            <ul class="curves theory" data-testid="theory-curves">
                <For each=move || theory.get() key=|c| c.id.clone() children=move |c| {
                    let id = c.id.clone();
                    let checked = { let id = id.clone(); move || shown(&id) };
                    let agreement = {
                        let c = c.clone();
                        move || latest.with(|m| m.as_ref().and_then(|(m, exact)| Some((CurveAgreement::of(m, &c)?, *exact))))
                    };
                    let chip = {
                        let id = id.clone();
                        move || agreement().map(|(a, exact)| view! {
                            <span class="agreement" class:agrees=a.everywhere() title=format!("{}{}", a.describe(), if exact { QUERY_EXACT } else { "" })
                                data-testid=format!("agreement-{id}") data-within=a.within.to_string() data-compared=a.compared.to_string()>
                                {format!("{}/{} k within 2 SE", a.within, a.compared)}
                            </span>
                        })
                    };
                    view! {
                        <li data-testid=format!("theory-{}", c.id)>
                            <label>
                                <input type="checkbox" prop:checked=checked on:change={ let id = id.clone(); move |_| toggle(id.clone()) }/>
                                <span class="swatch dashed" style:background=swatch(&c.id)></span>
                                <b>{c.label.clone()}</b>
                            </label>
                            {chip}
                            // One line per card until opened: the chart stays in view.
                            <details class="card-more">
                                <summary>"formula and reading"</summary>
                                <div class="formula" tabindex="0" role="group" aria-label="formula" inner_html=c.formula_mathml.clone()></div>
                                <div class="parameters">{c.parameters.clone()}</div>
                                <div class="reading">{c.reading.clone()}</div>
                            </details>
                        </li>
                    }
                }/>
            </ul>
        </section>
    }
}
