//! The classroom-link dialog: a teacher picks the panels to hide and the mode (presentation
//! or embed), and gets a link that opens this exact state that way (TensorFlow Playground's
//! `_hide`). The page itself does not change until the link is opened.

use super::AppState;
use icl_core::settings::PANELS;
use leptos::prelude::*;

#[component]
pub fn ClassroomLink() -> impl IntoView {
    let app = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let hidden = RwSignal::new(Vec::<String>::new());
    let present = RwSignal::new(false);
    let embed = RwSignal::new(false);
    let link = move || {
        let mut s = app.settings.get();
        s.hidden_panels = PANELS.iter().map(|(id, _)| id.to_string()).filter(|id| hidden.with(|h| h.contains(id))).collect();
        s.present = present.get();
        s.embed = embed.get();
        let base = window().location().href().unwrap_or_default();
        let base = base.split('?').next().unwrap_or_default().to_string();
        let query = s.to_query();
        if query.is_empty() { base } else { format!("{base}?{query}") }
    };
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&link());
    };
    let toggle = move |id: &'static str, on: bool| {
        hidden.update(|h| {
            h.retain(|x| x != id);
            if on {
                h.push(id.to_string());
            }
        })
    };
    view! {
        <button class="small" data-testid="classroom-open" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>"Classroom link…"</button>
        <Show when=move || open.get()>
            <div class="classroom" role="dialog" aria-label="Classroom link" data-testid="classroom">
                <h2>"Classroom link"</h2>
                <p class="hint">"The link opens these settings with the parts you tick hidden."</p>
                <fieldset>
                    <legend>"Hide"</legend>
                    {PANELS.iter().map(|&(id, what)| view! {
                        <label class="check"><input type="checkbox" data-testid=format!("hide-{id}")
                            prop:checked=move || hidden.with(|h| h.iter().any(|x| x == id))
                            on:change=move |ev| toggle(id, event_target_checked(&ev))/>{what}</label>
                    }).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Mode"</legend>
                    <label class="check"><input type="checkbox" data-testid="mode-present" prop:checked=move || present.get()
                        on:change=move |ev| present.set(event_target_checked(&ev))/>"presentation: large type, charts at full width"</label>
                    <label class="check"><input type="checkbox" data-testid="mode-embed" prop:checked=move || embed.get()
                        on:change=move |ev| embed.set(event_target_checked(&ev))/>"embed: only the charts and Train/Pause (for slides and iframes)"</label>
                </fieldset>
                <label class="link-field">"Link "
                    <input type="text" readonly data-testid="classroom-link" prop:value=link aria-label="Classroom link"/>
                </label>
                <div class="buttons">
                    <button class="small" on:click=copy>"Copy"</button>
                    <a class="small" data-testid="classroom-go" href=link target="_blank" rel="noopener">"Open"</a>
                    <button class="small" on:click=move |_| open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
