//! The table itself. Rows are decoded in this order, so a setting whose default depends on
//! another (s on D, say) comes after it. To add a numeric setting: add its field to
//! [`RunConfig`](crate::config::RunConfig) (with a serde default) and one `int`/`real` row.

use super::{Group, Kind, PANELS, Setting, SharedState, Tab, ThemeChoice, always, any_option};
use crate::config::{Arch, bounds};
use crate::protocol::BackendChoice;
use crate::sweep::{ExperimentKind, SweepPreset};
use crate::tasks::{Covariance, DistributionShift, TaskFamily};

fn panel_ids() -> Vec<&'static str> {
    PANELS.iter().map(|(id, _)| *id).collect()
}

const fn int(
    key: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    group: Group,
    (min, max): (u64, u64),
    get: fn(&SharedState) -> u64,
    set: fn(&mut SharedState, u64),
) -> Setting {
    Setting {
        key,
        name,
        label,
        hint,
        group,
        kind: Kind::Int { min, max, get, set },
        applies: always,
        reset: None,
        cli: true,
    }
}

#[allow(clippy::too_many_arguments)]
const fn real(
    key: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    group: Group,
    (min, max): (f64, f64),
    step: f64,
    get: fn(&SharedState) -> f64,
    set: fn(&mut SharedState, f64),
) -> Setting {
    Setting {
        key,
        name,
        label,
        hint,
        group,
        kind: Kind::Real { min, max, step, get, set },
        applies: always,
        reset: None,
        cli: true,
    }
}

const fn flag(
    key: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    group: Group,
    get: fn(&SharedState) -> bool,
    set: fn(&mut SharedState, bool),
) -> Setting {
    Setting { key, name, label, hint, group, kind: Kind::Flag { get, set }, applies: always, reset: None, cli: true }
}

const fn choice(
    key: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    group: Group,
    options: fn() -> Vec<(&'static str, &'static str)>,
    get: fn(&SharedState) -> &'static str,
    set: fn(&mut SharedState, &str),
) -> Setting {
    Setting {
        key,
        name,
        label,
        hint,
        group,
        kind: Kind::Choice { options, get, set, offered: any_option },
        applies: always,
        reset: None,
        cli: true,
    }
}

impl Setting {
    const fn only_when(mut self, applies: fn(&SharedState) -> bool, reset: fn(&mut SharedState)) -> Setting {
        self.applies = applies;
        self.reset = Some(reset);
        self
    }

    const fn transformer_only(mut self) -> Setting {
        self.applies = is_transformer;
        self
    }

    const fn page_only(mut self) -> Setting {
        self.cli = false;
        self
    }

    const fn offering(mut self, filter: fn(&SharedState, &str) -> bool) -> Setting {
        if let Kind::Choice { options, get, set, .. } = self.kind {
            self.kind = Kind::Choice { options, get, set, offered: filter };
        }
        self
    }
}

/// Bounds of `usize` settings as the table's `u64`.
const fn wide((min, max): (usize, usize)) -> (u64, u64) {
    (min as u64, max as u64)
}

fn is_transformer(s: &SharedState) -> bool {
    s.config.model.arch == Arch::Transformer
}

fn is_sparse(s: &SharedState) -> bool {
    matches!(s.config.task.family, TaskFamily::SparseLinear { .. })
}

fn is_tree(s: &SharedState) -> bool {
    matches!(s.config.task.family, TaskFamily::Tree { .. })
}

fn is_structured(s: &SharedState) -> bool {
    s.config.task.covariance != Covariance::Iso
}

/// (ν, μ) of a structured covariance, or the defaults under ISO.
fn spectrum(s: &SharedState) -> (f64, f64) {
    match s.config.task.covariance {
        Covariance::Fs { nu, mu } | Covariance::Rrs { nu, mu } => (nu, mu),
        Covariance::Iso => (Covariance::DEFAULT_NU, Covariance::DEFAULT_MU),
    }
}

fn set_spectrum(s: &mut SharedState, nu_mu: (Option<f64>, Option<f64>)) {
    if let Covariance::Fs { nu, mu } | Covariance::Rrs { nu, mu } = &mut s.config.task.covariance {
        *nu = nu_mu.0.unwrap_or(*nu);
        *mu = nu_mu.1.unwrap_or(*mu);
    }
}

fn shift_name(s: &SharedState) -> &'static str {
    s.config.eval.shift.map_or("none", DistributionShift::name)
}

pub static SETTINGS: &[Setting] = &[
    // ── Task ──────────────────────────────────────────────────────────────────────
    int("D", "dim", "D (input dim)", "Input dimension", Group::Task, wide(bounds::DIM), |s| s.config.task.dim as u64, |s, v| {
        s.config.task.dim = v as usize;
        // A sparse task keeps at most D non-zeros.
        if let TaskFamily::SparseLinear { nonzero } = &mut s.config.task.family {
            *nonzero = (*nonzero).min(v as usize);
        }
    }),
    real("noise", "noise", "noise σ²", "Label-noise variance", Group::Task, bounds::NOISE_VAR, 0.05, |s| s.config.task.noise_var, |s, v| {
        s.config.task.noise_var = v
    }),
    choice(
        "task",
        "task",
        "family",
        "The function class that labels each prompt",
        Group::Task,
        || vec![("linear", "linear regression"), ("sparse", "sparse linear regression"), ("tree", "decision tree")],
        |s| s.config.task.family.name(),
        |s, v| {
            let dim = s.config.task.dim;
            if s.config.task.family.name() != v {
                s.config.task.family = TaskFamily::default_named(v, dim);
                s.config.drop_inapplicable_shift();
            }
        },
    ),
    int("s", "sparsity", "s (non-zeros)", "Non-zero coordinates of w", Group::Task, (1, bounds::DIM.1 as u64), |s| match s.config.task.family {
        TaskFamily::SparseLinear { nonzero } => nonzero as u64,
        _ => TaskFamily::DEFAULT_SPARSITY as u64,
    }, |s, v| s.config.task.family = TaskFamily::SparseLinear { nonzero: v as usize })
    .only_when(is_sparse, |s| s.config.task.family = TaskFamily::default_named("sparse", s.config.task.dim)),
    int(
        "h",
        "tree-depth",
        "h (tree depth)",
        "Depth of the random decision trees (Mehta & Gupta's hierarchy depth)",
        Group::Task,
        wide(bounds::TREE_DEPTH),
        |s| match s.config.task.family {
            TaskFamily::Tree { depth } => depth as u64,
            _ => TaskFamily::DEFAULT_TREE_DEPTH as u64,
        },
        |s, v| s.config.task.family = TaskFamily::Tree { depth: v as usize },
    )
    .only_when(is_tree, |s| s.config.task.family = TaskFamily::default_named("tree", s.config.task.dim)),
    choice(
        "cov",
        "covariance",
        "covariance",
        "How inputs are distributed: isotropic, a fixed power-law spectrum, or that spectrum under a fresh random rotation per prompt",
        Group::Task,
        || vec![("iso", "isotropic (ISO)"), ("fs", "fixed structured (FS)"), ("rrs", "randomly rotated (RRS)")],
        |s| s.config.task.covariance.name(),
        |s, v| {
            let (nu, mu) = spectrum(s);
            s.config.task.covariance = Covariance::named(v, nu, mu);
            s.config.drop_inapplicable_shift();
        },
    ),
    real("nu", "nu", "ν (spectrum)", "Eigenvalues of Σ decay as j^-ν", Group::Task, bounds::EXPONENT, 0.1, |s| spectrum(s).0, |s, v| {
        set_spectrum(s, (Some(v), None))
    })
    .only_when(is_structured, |s| set_spectrum(s, (Some(Covariance::DEFAULT_NU), None))),
    real("mu", "mu", "μ (task prior)", "Task-prior eigenvalues decay as j^-μ", Group::Task, bounds::EXPONENT, 0.1, |s| spectrum(s).1, |s, v| {
        set_spectrum(s, (None, Some(v)))
    })
    .only_when(is_structured, |s| set_spectrum(s, (None, Some(Covariance::DEFAULT_MU)))),
    int("K", "context", "K (max context)", "Largest number of in-context examples", Group::Task, wide(bounds::CONTEXT), |s| s.config.context as u64, |s, v| {
        s.config.context = v as usize
    }),
    choice(
        "ood",
        "ood",
        "also evaluate on",
        "Also score the model on prompts from a shifted task it never trained on (Garg et al. 2022), drawn as a dashed curve",
        Group::Task,
        || std::iter::once(("none", "nothing else")).chain(DistributionShift::ALL.map(|x| (x.name(), x.describe()))).collect(),
        shift_name,
        |s, v| s.config.eval.shift = DistributionShift::from_name(v),
    )
    .offering(|s, name| DistributionShift::from_name(name).is_none_or(|x| x.apply(&s.config.task).is_ok())),
    // ── Model ─────────────────────────────────────────────────────────────────────
    choice(
        "arch",
        "arch",
        "model",
        "The Garg et al. transformer, or the deep linear self-attention the theory describes",
        Group::Model,
        || Arch::ALL.map(|a| (a.name(), a.label())).to_vec(),
        |s| s.config.model.arch.name(),
        |s, v| s.config.model.arch = Arch::from_name(v).unwrap_or_default(),
    ),
    int("d", "width", "width d", "Model width (must be divisible by heads)", Group::Model, wide(bounds::WIDTH), |s| s.config.model.width as u64, |s, v| {
        s.config.model.width = v as usize
    })
    .transformer_only(),
    int("L", "depth", "depth L", "Transformer blocks, or linear-attention layers", Group::Model, wide(bounds::DEPTH), |s| s.config.model.depth as u64, |s, v| {
        s.config.model.depth = v as usize
    }),
    int("H", "heads", "heads", "Attention heads", Group::Model, wide(bounds::HEADS), |s| s.config.model.heads as u64, |s, v| {
        s.config.model.heads = v as usize
    })
    .transformer_only(),
    // ── Training ──────────────────────────────────────────────────────────────────
    int("B", "batch", "batch", "Prompts per step", Group::Training, wide(bounds::BATCH), |s| s.config.train.batch as u64, |s, v| {
        s.config.train.batch = v as usize
    }),
    real("lr", "lr", "learning rate", "Adam learning rate", Group::Training, bounds::LR, 0.0001, |s| s.config.train.lr, |s, v| {
        s.config.train.lr = v
    }),
    int("steps", "steps", "steps", "Step budget", Group::Training, wide(bounds::STEPS), |s| s.config.train.steps as u64, |s, v| {
        s.config.train.steps = v as usize
    }),
    int("warmup", "warmup", "warm-up steps", "Linear learning-rate warm-up over this many steps (0: none)", Group::Training, wide(bounds::STEPS_OR_NONE), |s| {
        s.config.train.warmup as u64
    }, |s, v| s.config.train.warmup = v as usize),
    flag("cosine", "cosine", "cosine decay", "Decay the learning rate along a cosine to 0 at the step budget", Group::Training, |s| s.config.train.cosine, |s, v| s.config.train.cosine = v),
    int(
        "curriculum",
        "curriculum",
        "curriculum until step",
        "Garg et al.'s curriculum: input dimensions and points per prompt grow from a quarter of D and K + 1 to all of them by this step (0: off)",
        Group::Training,
        wide(bounds::STEPS_OR_NONE),
        |s| s.config.train.curriculum as u64,
        |s, v| s.config.train.curriculum = v as usize,
    ),
    int("seed", "seed", "seed", "Seeds the model, the training prompts and the held-out prompts", Group::Training, bounds::SEED, |s| {
        s.config.train.seed
    }, |s, v| s.config.train.seed = v),
    int("evalN", "eval-prompts", "held-out prompts", "Prompts in the fixed held-out set", Group::Training, wide(bounds::EVAL_PROMPTS), |s| {
        s.config.eval.prompts as u64
    }, |s, v| s.config.eval.prompts = v as usize),
    int("evalEvery", "eval-every", "evaluate every", "Steps between held-out evaluations", Group::Training, wide(bounds::EVAL_EVERY), |s| {
        s.config.eval.every as u64
    }, |s, v| s.config.eval.every = v as usize),
    choice(
        "backend",
        "backend",
        "backend",
        "Auto uses WebGPU on a hardware adapter, the CPU backend otherwise",
        Group::Training,
        || BackendChoice::ALL.map(|b| (b.name(), b.label())).to_vec(),
        |s| s.backend.name(),
        |s, v| s.backend = BackendChoice::from_name(v).unwrap_or_default(),
    )
    .page_only(),
    // ── Page ──────────────────────────────────────────────────────────────────────
    Setting {
        key: "hide",
        name: "hide",
        label: "hidden curves",
        hint: "Theory curves not drawn (ids, comma-separated; empty shows all)",
        group: Group::Page,
        kind: Kind::List { get: |s| s.hidden_curves.clone(), set: |s, v| s.hidden_curves = v, allowed: None },
        applies: always,
        reset: None,
        cli: false,
    },
    flag("logy", "logy", "log error axis", "Draw the ICL error on a log scale", Group::Page, |s| s.log_error_axis, |s, v| s.log_error_axis = v)
    .page_only(),
    choice(
        "tab",
        "tab",
        "tab",
        "Which part of the page is shown",
        Group::Page,
        || vec![("run", "single run"), ("experiments", "experiments"), ("stories", "stories")],
        |s| match s.tab {
            Tab::Run => "run",
            Tab::Experiments => "experiments",
            Tab::Stories => "stories",
        },
        |s, v| {
            s.tab = match v {
                "experiments" => Tab::Experiments,
                "stories" => Tab::Stories,
                _ => Tab::Run,
            }
        },
    )
    .page_only(),
    choice(
        "exp",
        "exp",
        "experiment",
        "The paper claim the Experiments tab sweeps",
        Group::Page,
        || ExperimentKind::ALL.iter().map(|k| (k.name(), k.title())).collect(),
        |s| s.experiment.name(),
        |s, v| s.experiment = ExperimentKind::from_name(v).unwrap_or(s.experiment),
    )
    .page_only(),
    choice(
        "preset",
        "preset",
        "sweep preset",
        "How big the sweep is",
        Group::Page,
        || SweepPreset::ALL.iter().map(|p| (p.name(), p.label())).collect(),
        |s| s.preset.name(),
        |s, v| s.preset = SweepPreset::from_name(v).unwrap_or(s.preset),
    )
    .page_only(),
    int(
        "workers",
        "workers",
        "sweep workers",
        "Web Workers that train a sweep's points at once (0: one per core but one, within memory)",
        Group::Page,
        (0, 16),
        |s| s.workers as u64,
        |s, v| s.workers = v as usize,
    )
    .page_only(),
    choice(
        "theme",
        "theme",
        "theme",
        "Light or dark; auto follows the system setting",
        Group::Page,
        || ThemeChoice::ALL.map(|t| (t.name(), t.name())).to_vec(),
        |s| s.theme.name(),
        |s, v| s.theme = ThemeChoice::from_name(v).unwrap_or_default(),
    )
    .page_only(),
    flag("present", "present", "presentation mode", "Large type, charts at full width, settings collapsed", Group::Page, |s| s.present, |s, v| s.present = v)
    .page_only(),
    flag("embed", "embed", "embed mode", "Only the charts and Train/Pause, for slides and iframes", Group::Page, |s| s.embed, |s, v| s.embed = v)
    .page_only(),
    Setting {
        key: "panels",
        name: "panels",
        label: "hidden panels",
        hint: "Parts of the page a classroom link hides (comma-separated)",
        group: Group::Page,
        kind: Kind::List {
            get: |s| s.hidden_panels.clone(),
            set: |s, v| s.hidden_panels = v,
            allowed: Some(panel_ids as fn() -> Vec<&'static str>),
        },
        applies: always,
        reset: None,
        cli: false,
    },
    choice(
        "story",
        "story",
        "story",
        "The guided preset this page came from",
        Group::Page,
        || std::iter::once(("none", "none")).chain(crate::stories::STORIES.iter().map(|s| (s.id, s.title))).collect(),
        |s| crate::stories::Story::named(&s.story).map_or("none", |x| x.id),
        |s, v| s.story = if v == "none" { String::new() } else { v.to_string() },
    )
    .page_only(),
];
