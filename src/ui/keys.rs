//! Keyboard shortcuts (the table is `state::keys`) and the `?` overlay that lists them.

use super::AppState;
use crate::state::keys::{SHORTCUTS, Shortcut, shortcut};
use crate::state::run::Phase;
use icl_core::settings::Tab;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Shortcuts() -> impl IntoView {
    let app = expect_context::<AppState>();
    let open = RwSignal::new(false);
    // The page lives as long as the tab: the listener is never removed.
    let _ = window_event_listener(leptos::ev::keydown, move |e| {
        // Keys typed into a field (or Space on a focused button or checkbox) stay there.
        let typing = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON") || el.is_content_editable()
        });
        let Some(action) = shortcut(&e.key(), typing, e.ctrl_key() || e.alt_key() || e.meta_key()) else { return };
        e.prevent_default();
        let phase = app.run.with_untracked(|r| r.phase);
        let busy = matches!(phase, Phase::LoadingWorker | Phase::Configuring);
        match action {
            Shortcut::TrainOrPause if phase == Phase::Training => app.pause(),
            Shortcut::TrainOrPause if !busy => app.train(),
            Shortcut::Step if !busy && phase != Phase::Training => app.step(),
            Shortcut::Reset if !busy => app.reset(),
            Shortcut::Experiments => app.settings.update(|s| s.tab = Tab::Experiments),
            Shortcut::Help => open.update(|o| *o = !*o),
            Shortcut::Close => open.set(false),
            _ => {}
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="shortcuts" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts">
                <h2>"Keyboard shortcuts"</h2>
                <dl>
                    {SHORTCUTS.iter().map(|(_, label, _, what)| view! { <dt><kbd>{*label}</kbd></dt><dd>{*what}</dd> }).collect_view()}
                </dl>
                <p class="hint">"Shortcuts do nothing while you type in a field."</p>
                <button class="small" on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </Show>
    }
}
