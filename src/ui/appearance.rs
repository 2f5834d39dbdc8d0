//! How the page looks: the colour theme (a link's `theme=`, else the visitor's last choice,
//! else the system's `prefers-color-scheme`) and the presentation and embed modes. Both are
//! set on `<html>` (`data-theme`, classes), so CSS styles the page and the charts redraw
//! in the theme shown; PNG and SVG exports use it too.

use super::AppState;
use gloo::storage::{LocalStorage, Storage};
use icl_core::settings::{SharedState, ThemeChoice};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Where the visitor's theme choice is kept between visits.
const THEME_KEY: &str = "icl-lab/theme";

/// A link's theme wins; without one, the theme the visitor chose last time.
pub fn restore_theme(shared: &mut SharedState, query: &str) {
    if !SharedState::query_has(query, "theme") {
        if let Some(theme) = LocalStorage::raw().get_item(THEME_KEY).ok().flatten().and_then(|t| ThemeChoice::from_name(&t)) {
            shared.theme = theme;
        }
    }
}

/// `matchMedia('(prefers-color-scheme: dark)')`, followed live (the OS may switch at dusk).
pub fn system_prefers_dark() -> RwSignal<bool> {
    let signal = RwSignal::new(false);
    let query = js_sys::Reflect::get(&window(), &"matchMedia".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&window(), &"(prefers-color-scheme: dark)".into()).ok());
    if let Some(list) = query {
        let matches = move |list: &JsValue| js_sys::Reflect::get(list, &"matches".into()).ok().and_then(|m| m.as_bool()).unwrap_or(false);
        signal.set(matches(&list));
        let on_change = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            if let Some(target) = e.target() {
                signal.set(matches(&target.into()));
            }
        });
        if let Ok(target) = list.dyn_into::<web_sys::EventTarget>() {
            let _ = target.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        }
        // The page lives as long as the tab: the listener is never removed.
        on_change.forget();
    }
    signal
}

/// Keeps `<html>`'s theme and mode classes in step with the settings, and the charts' palette.
pub fn follow_settings(app: AppState) {
    Effect::new(move |_| {
        let dark = app.dark.get();
        let (present, embed) = app.settings.with(|s| (s.present, s.embed));
        crate::plots::set_dark(dark);
        crate::plots::set_chart_zoom(if present { 1.6 } else { 1.0 });
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-theme", if dark { "dark" } else { "light" });
            let classes = html.class_list();
            let _ = if present { classes.add_1("present") } else { classes.remove_1("present") };
            let _ = if embed { classes.add_1("embed") } else { classes.remove_1("embed") };
        }
    });
}

/// The header's theme button: auto → light → dark → auto. The choice is kept in the link
/// and in storage (for the next visit without a link).
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let app = expect_context::<AppState>();
    let next = move || match app.settings.with(|s| s.theme) {
        ThemeChoice::Auto => ThemeChoice::Light,
        ThemeChoice::Light => ThemeChoice::Dark,
        ThemeChoice::Dark => ThemeChoice::Auto,
    };
    let cycle = move |_| {
        let theme = next();
        app.settings.update(|s| s.theme = theme);
        let _ = LocalStorage::raw().set_item(THEME_KEY, theme.name());
    };
    view! {
        <button class="small theme-toggle" data-testid="theme-toggle" on:click=cycle
            title=move || format!("Colour theme (now {}); click for {}", app.settings.with(|s| s.theme.name()), next().name())
            aria-label=move || format!("Colour theme: {}", app.settings.with(|s| s.theme.name()))>
            {move || format!("theme: {}", app.settings.with(|s| s.theme.name()))}
        </button>
    }
}
