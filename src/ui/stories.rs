//! Guided presets ("stories", the table is `icl_core::stories`): a gallery of cards, each
//! setting the whole state with its own link, and a banner that says what to watch for
//! while a story's state is on screen. The first visit shows the first story's banner.

use super::AppState;
use icl_core::schema::BackendKind;
use icl_core::settings::{SharedState, Tab};
use icl_core::stories::{STORIES, Story};
use icl_core::sweep::CostModel;
use leptos::prelude::*;

/// The cost model of the backend the page trains on (WebGPU's is assumed, not measured).
fn cost_model(app: AppState) -> CostModel {
    match app.run.with(|r| r.result.as_ref().map(|x| x.backend.kind)) {
        Some(BackendKind::WebGpu | BackendKind::Wgpu) => CostModel::LAPTOP_GPU,
        _ => CostModel::BROWSER_CPU,
    }
}

fn duration(seconds: f64) -> String {
    if seconds < 90.0 { format!("≈ {:.0} s", seconds.max(1.0)) } else { format!("≈ {:.0} min", (seconds / 60.0).round()) }
}

/// The story whose state is on screen: the one a link named, or the first story on the
/// default page; none once the settings have moved away from it.
fn on_screen(s: &SharedState) -> Option<&'static Story> {
    let story = if s.story.is_empty() { STORIES.first()? } else { Story::named(&s.story)? };
    let want = story.state();
    let same = match want.tab {
        Tab::Experiments => s.tab == Tab::Experiments && s.experiment == want.experiment,
        _ => s.tab == Tab::Run && s.config == want.config,
    };
    same.then_some(story)
}

#[component]
pub fn Banner() -> impl IntoView {
    let app = expect_context::<AppState>();
    let story = Memo::new(move |_| app.settings.with(|s| on_screen(s).map(|x| x.id)));
    let dismissed = RwSignal::new(Vec::<&'static str>::new());
    view! {
        {move || story.get().filter(|id| !dismissed.with(|d| d.contains(id))).and_then(Story::named).map(|s| view! {
            <aside class="story-banner" data-testid="story-banner" aria-label="What to watch for">
                <div>
                    <b>{s.title}</b>" — "{s.watch}
                    <div class="predicts"><span class="label">"Theory: "</span>{s.predicts}</div>
                </div>
                <button class="dismiss" aria-label="Dismiss" on:click=move |_| dismissed.update(|d| d.push(s.id))>"×"</button>
            </aside>
        })}
    }
}

#[component]
pub fn Gallery() -> impl IntoView {
    let app = expect_context::<AppState>();
    // Changes only with the backend (not on every training tick): the ten estimates, one a
    // sweep plan each, are recomputed only then.
    let cost = Memo::new(move |_| cost_model(app));
    let card = move |story: &'static Story| {
        let href = format!("?{}", story.query());
        let when = move || {
            let cost = cost.get();
            let what = if story.is_sweep() { "sweep on one worker" } else { "run" };
            format!("{} {what} on {}", duration(story.seconds(&cost)), cost.name)
        };
        view! {
            <article class="story-card" data-testid=format!("story-{}", story.id)>
                <h3>{story.title}</h3>
                <p>{story.watch}</p>
                <p class="predicts"><span class="label">"Theory: "</span>{story.predicts}</p>
                <p class="hint" data-testid="story-duration">{when}</p>
                <div class="buttons">
                    <button class="primary" data-testid=format!("story-load-{}", story.id)
                        on:click=move |_| app.load_state(story.state())>"Open"</button>
                    <a href=href.clone() data-testid=format!("story-link-{}", story.id)>"link"</a>
                </div>
            </article>
        }
    };
    view! {
        <section class="stories" data-testid="stories">
            <h2>"Stories"</h2>
            <p class="hint">"Each card sets up one phenomenon or paper claim, says what to look for, and has its own link to share with a class."</p>
            <div class="story-grid">{STORIES.iter().map(card).collect_view()}</div>
        </section>
    }
}
