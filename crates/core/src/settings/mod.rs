//! Every shareable setting in one table (as TensorFlow Playground's `state.ts` does).
//!
//! A [`Setting`] row holds a setting's URL key, its name (the CLI flag, the form's test id
//! and the field named in refusal messages), its label and hint, its bounds, and how to
//! read and write it on a [`SharedState`]. The URL encoder and decoder ([`query`]), the
//! range checks of [`RunConfig::problems`], the page's settings form and the CLI's
//! overrides are all generated from [`SETTINGS`], so a new numeric setting is one struct
//! field plus one row.

pub mod query;
mod table;

use crate::config::RunConfig;
use crate::protocol::BackendChoice;
use crate::sweep::{ExperimentKind, SweepPreset};
pub use table::SETTINGS;

/// Which part of the page is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Run,
    Experiments,
    /// The gallery of guided presets ([`crate::stories`]).
    Stories,
}

/// The page's colour theme: `Auto` follows the system's `prefers-color-scheme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    #[default]
    Auto,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::Auto, ThemeChoice::Light, ThemeChoice::Dark];

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::Auto => "auto",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the page is dark, given what the system prefers.
    pub fn is_dark(self, system_prefers_dark: bool) -> bool {
        match self {
            ThemeChoice::Auto => system_prefers_dark,
            ThemeChoice::Light => false,
            ThemeChoice::Dark => true,
        }
    }
}

/// Parts of the page a classroom link can hide (`panels=`, as TensorFlow Playground's
/// `_hide`): `(id, what it is)`. Each id is a `data-panel` attribute in the page.
pub const PANELS: [(&str, &str); 12] = [
    ("presets", "the workload presets"),
    ("task", "the task settings"),
    ("model", "the model settings"),
    ("training", "the training settings"),
    ("step", "the Step and Reset buttons"),
    ("share", "sharing, import and export"),
    ("history", "the run history and overlays"),
    ("loss", "the training-loss chart"),
    ("legend", "the curve list and theory cards"),
    ("mechanism", "the attention maps"),
    ("experiments", "the Experiments tab"),
    ("stories", "the Stories tab"),
];

/// Everything a shared link reproduces: the run's configuration and how the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedState {
    pub config: RunConfig,
    pub backend: BackendChoice,
    /// Theory curves hidden by the user (ids).
    pub hidden_curves: Vec<String>,
    pub log_error_axis: bool,
    pub tab: Tab,
    pub experiment: ExperimentKind,
    pub preset: SweepPreset,
    /// Web Workers that train a sweep's points at once (0: sized from the machine).
    pub workers: usize,
    pub theme: ThemeChoice,
    /// Large type, charts at full width, controls collapsed (for a projector).
    pub present: bool,
    /// Only the charts and Train/Pause (for slides and iframes).
    pub embed: bool,
    /// Parts of the page hidden by a classroom link ([`PANELS`] ids).
    pub hidden_panels: Vec<String>,
    /// The guided preset this state came from ([`crate::stories`] id; empty: none).
    pub story: String,
}

/// Curves hidden until the user shows them: theory curves that duplicate a measured
/// baseline (drawn on the same prompts), and the finer variants, so the default chart
/// stays readable.
pub const DEFAULT_HIDDEN: [&str; 9] = ["zero", "avg", "ols", "poly2", "poly4", "gd4", "bayes_limit", "ridge", "gd_2"];

impl Default for SharedState {
    fn default() -> Self {
        SharedState {
            // The page opens on the small workload that shows in-context learning within
            // about a minute on a CPU (the reference workload needs a GPU to be live).
            config: crate::config::Preset::Cpu.config(),
            backend: BackendChoice::Auto,
            hidden_curves: DEFAULT_HIDDEN.iter().map(|s| s.to_string()).collect(),
            log_error_axis: false,
            tab: Tab::Run,
            experiment: ExperimentKind::Scaling,
            preset: SweepPreset::Quick,
            workers: 0,
            theme: ThemeChoice::Auto,
            present: false,
            embed: false,
            hidden_panels: Vec::new(),
            story: String::new(),
        }
    }
}

impl SharedState {
    /// Whether a classroom link hides panel `id` ([`PANELS`]).
    pub fn hides(&self, id: &str) -> bool {
        self.hidden_panels.iter().any(|p| p == id)
    }
}

/// Where a setting appears in the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Task,
    Model,
    Training,
    /// How the page shows things (not part of a run's configuration).
    Page,
}

/// A setting's value type, its bounds, and its accessors.
#[derive(Clone, Copy)]
pub enum Kind {
    /// An integer within inclusive bounds.
    Int { min: u64, max: u64, get: fn(&SharedState) -> u64, set: fn(&mut SharedState, u64) },
    /// A real number within inclusive bounds (NaN is refused); `step` is the form's increment.
    Real { min: f64, max: f64, step: f64, get: fn(&SharedState) -> f64, set: fn(&mut SharedState, f64) },
    /// One of named options, `(name, label)`; `offered` filters them for the current state.
    Choice {
        options: fn() -> Vec<(&'static str, &'static str)>,
        get: fn(&SharedState) -> &'static str,
        set: fn(&mut SharedState, &str),
        offered: fn(&SharedState, &str) -> bool,
    },
    /// On or off, `1` or `0` in a link.
    Flag { get: fn(&SharedState) -> bool, set: fn(&mut SharedState, bool) },
    /// A comma-separated list of names; `allowed` (if any) lists the names accepted.
    List { get: fn(&SharedState) -> Vec<String>, set: fn(&mut SharedState, Vec<String>), allowed: Option<fn() -> Vec<&'static str>> },
}

/// One row of the settings table.
#[derive(Clone, Copy)]
pub struct Setting {
    /// The URL query key (short: links stay readable).
    pub key: &'static str,
    /// The CLI flag (`--name`), the form's test id, and the field named by refusals.
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub group: Group,
    pub kind: Kind,
    /// Whether the setting means anything in this state (e.g. s only for sparse tasks).
    pub applies: fn(&SharedState) -> bool,
    /// The value this setting takes by default in this state; None: the value in
    /// [`SharedState::default`]. Only settings whose default depends on others need one.
    pub reset: Option<fn(&mut SharedState)>,
    /// Offered as a `--name` override on the command line.
    pub cli: bool,
}

pub(crate) fn always(_: &SharedState) -> bool {
    true
}

pub(crate) fn any_option(_: &SharedState, _: &str) -> bool {
    true
}

impl Setting {
    /// The row named `name` (CLI flag / problem field).
    pub fn named(name: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.name == name)
    }

    /// The row with URL key `key`.
    pub fn keyed(key: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.key == key)
    }

    /// The canonical text of the current value (what a link or a CSV holds).
    pub fn text(&self, s: &SharedState) -> String {
        match self.kind {
            Kind::Int { get, .. } => get(s).to_string(),
            Kind::Real { get, .. } => get(s).to_string(),
            Kind::Choice { get, .. } => get(s).to_string(),
            Kind::Flag { get, .. } => if get(s) { "1" } else { "0" }.to_string(),
            Kind::List { get, .. } => get(s).join(","),
        }
    }

    /// Parses `text`, checks it against the bounds and writes it; on error nothing changes
    /// and the message says what is wrong (without the setting's name).
    pub fn parse(&self, s: &mut SharedState, text: &str) -> Result<(), String> {
        let text = text.trim();
        match self.kind {
            Kind::Int { min, max, set, .. } => {
                let v: u64 = text.parse().map_err(|_| format!("“{text}” is not a whole number"))?;
                in_range(v, min, max)?;
                set(s, v);
            }
            Kind::Real { min, max, set, .. } => {
                let v: f64 = text.parse().map_err(|_| format!("“{text}” is not a number"))?;
                in_range(v, min, max)?;
                set(s, v);
            }
            Kind::Choice { options, set, .. } => {
                let options = options();
                if !options.iter().any(|(name, _)| *name == text) {
                    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                    return Err(format!("unknown value “{text}” (one of {})", names.join(", ")));
                }
                set(s, text);
            }
            Kind::Flag { set, .. } => match text {
                "1" | "true" => set(s, true),
                "0" | "false" => set(s, false),
                _ => return Err(format!("“{text}” is neither 1 nor 0")),
            },
            Kind::List { set, allowed, .. } => {
                let names: Vec<String> = text.split(',').filter(|x| !x.is_empty()).map(String::from).collect();
                if let Some(allowed) = allowed {
                    let allowed = allowed();
                    if let Some(bad) = names.iter().find(|n| !allowed.contains(&n.as_str())) {
                        return Err(format!("unknown name “{bad}” (one of {})", allowed.join(", ")));
                    }
                }
                set(s, names)
            }
        }
        Ok(())
    }

    /// Why the current value is out of bounds, if it is (for values that arrived other
    /// than through [`parse`](Self::parse): a JSON file, a preset, a sweep plan).
    pub fn out_of_range(&self, s: &SharedState) -> Option<String> {
        match self.kind {
            Kind::Int { min, max, get, .. } => in_range(get(s), min, max).err(),
            Kind::Real { min, max, get, .. } => in_range(get(s), min, max).err(),
            _ => None,
        }
    }

    /// Puts the setting back to its default for this state.
    pub fn reset(&self, s: &mut SharedState) {
        match self.reset {
            Some(reset) => reset(s),
            None => {
                let fresh = SharedState::default();
                // The default is in range by construction (tested), so this cannot fail.
                let _ = self.parse(s, &self.text(&fresh));
            }
        }
    }

    /// Whether the current value is this setting's default for the rest of the state.
    pub fn is_default(&self, s: &SharedState) -> bool {
        let mut d = s.clone();
        self.reset(&mut d);
        self.text(&d) == self.text(s)
    }

    /// How messages name the setting: its label where that starts with the key
    /// ("D (input dim)"), else both ("L (depth L)").
    pub fn display_name(&self) -> String {
        if self.label.starts_with(self.key) { self.label.to_string() } else { format!("{} ({})", self.key, self.label) }
    }

    /// The bounds in words, for hints and refusals: "1 to 64".
    pub fn bounds_text(&self) -> Option<String> {
        match self.kind {
            Kind::Int { min, max, .. } => Some(format!("{min} to {max}")),
            Kind::Real { min, max, .. } => Some(format!("{min} to {max}")),
            _ => None,
        }
    }
}

fn in_range<T: PartialOrd + std::fmt::Display>(v: T, min: T, max: T) -> Result<(), String> {
    // `!(a <= b)` rather than `a > b` so that NaN is refused too.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(min <= v && v <= max) {
        return Err(format!("{v} is outside {min}..={max}"));
    }
    Ok(())
}

/// The rows of the configuration (not the page's view) that apply to `config`, with the
/// reason each out-of-range value is refused: `(name, message)`.
pub fn range_problems(config: &RunConfig) -> Vec<(&'static str, String)> {
    let s = SharedState { config: config.clone(), ..SharedState::default() };
    SETTINGS
        .iter()
        .filter(|row| row.group != Group::Page && (row.applies)(&s))
        .filter_map(|row| row.out_of_range(&s).map(|m| (row.name, m)))
        .collect()
}

#[cfg(test)]
mod tests;
