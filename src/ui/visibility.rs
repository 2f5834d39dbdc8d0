//! Training pauses while the tab is hidden and resumes at the same step when it is shown
//! (the state machine is `state::visibility`); an indicator says so.

use super::AppState;
use crate::state::run::Phase;
use crate::state::visibility::VisibilityAction;
use icl_core::protocol::ToWorker;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub fn pause_while_hidden(app: AppState) {
    let on_change = Closure::<dyn Fn()>::new(move || {
        let (training, step) = app.run.with_untracked(|r| (r.phase == Phase::Training, r.steps()));
        let mut action = VisibilityAction::Nothing;
        app.hidden_pause.update(|h| action = if document().hidden() { h.hidden(training, step) } else { h.shown(step) });
        // The page's own pause and resume: not the user's, so `hidden_pause` remembers them.
        match action {
            VisibilityAction::Pause => app.send(ToWorker::Pause),
            VisibilityAction::Resume => app.send(ToWorker::Run),
            VisibilityAction::Nothing => {}
        }
    });
    let _ = document().add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    // The page lives as long as the tab: the listener is never removed.
    on_change.forget();
}

#[component]
pub fn Indicator() -> impl IntoView {
    let app = expect_context::<AppState>();
    let text = move || app.hidden_pause.with(|h| h.indicator());
    view! {
        <Show when=move || text().is_some()>
            <p class="notice info hidden-pause" data-testid="hidden-pause" role="status">{text}
                <button class="dismiss" aria-label="Dismiss" on:click=move |_| app.hidden_pause.update(|h| h.resumed_at = None)>"×"</button>
            </p>
        </Show>
    }
}
