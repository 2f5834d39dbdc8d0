//! The shareable state ⇄ URL query string, in one place (as TensorFlow Playground does).
//! Decoding never fails as a whole: each bad field is refused with a message naming it,
//! and keeps its default, so a mangled link still opens a working page.

use icl_core::config::RunConfig;
use icl_core::protocol::BackendChoice;
use icl_core::sweep::{ExperimentKind, SweepPreset};
use icl_core::tasks::{Covariance, DistributionShift, TaskFamily};

/// Which part of the page is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Run,
    Experiments,
}

/// Everything a shared link reproduces.
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
}

/// Curves hidden until the user shows them: theory curves that duplicate a measured
/// baseline (drawn on the same prompts), and the finer variants, so the default chart
/// stays readable.
pub const DEFAULT_HIDDEN: [&str; 9] = ["zero", "avg", "ols", "poly2", "poly4", "gd4", "bayes_limit", "ridge", "gd_2"];

impl Default for SharedState {
    fn default() -> Self {
        SharedState {
            config: RunConfig::default(),
            backend: BackendChoice::Auto,
            hidden_curves: DEFAULT_HIDDEN.iter().map(|s| s.to_string()).collect(),
            log_error_axis: false,
            tab: Tab::Run,
            experiment: ExperimentKind::Scaling,
            preset: SweepPreset::Quick,
        }
    }
}

impl SharedState {
    /// `key=value&…` without the leading `?`. Only fields that differ from the
    /// reference defaults are written, so links stay short.
    pub fn to_query(&self) -> String {
        let base = SharedState::default();
        let c = &self.config;
        let b = &base.config;
        let mut out: Vec<(&str, String)> = Vec::new();
        let mut put = |key: &'static str, value: String, default: String| {
            if value != default {
                out.push((key, value));
            }
        };
        let (family, family_b) = (family_name(&c.task.family), family_name(&b.task.family));
        put("task", family.into(), family_b.into());
        if let TaskFamily::SparseLinear { nonzero } = c.task.family {
            out_push(&mut put, "s", nonzero);
        }
        if let TaskFamily::Tree { depth } = c.task.family {
            out_push(&mut put, "h", depth);
        }
        let (cov, nu, mu) = covariance_parts(&c.task.covariance);
        put("cov", cov.into(), "iso".into());
        if cov != "iso" {
            put("nu", nu.to_string(), String::new());
            put("mu", mu.to_string(), String::new());
        }
        put("D", c.task.dim.to_string(), b.task.dim.to_string());
        put("noise", c.task.noise_var.to_string(), b.task.noise_var.to_string());
        put("K", c.context.to_string(), b.context.to_string());
        put("d", c.model.width.to_string(), b.model.width.to_string());
        put("L", c.model.depth.to_string(), b.model.depth.to_string());
        put("H", c.model.heads.to_string(), b.model.heads.to_string());
        put("B", c.train.batch.to_string(), b.train.batch.to_string());
        put("lr", c.train.lr.to_string(), b.train.lr.to_string());
        put("steps", c.train.steps.to_string(), b.train.steps.to_string());
        put("seed", c.train.seed.to_string(), b.train.seed.to_string());
        put("evalN", c.eval.prompts.to_string(), b.eval.prompts.to_string());
        put("evalEvery", c.eval.every.to_string(), b.eval.every.to_string());
        put("ood", c.eval.shift.map_or("none", DistributionShift::name).into(), "none".into());
        put("backend", self.backend.name().into(), base.backend.name().into());
        put("hide", self.hidden_curves.join(","), base.hidden_curves.join(","));
        put("logy", u8::from(self.log_error_axis).to_string(), "0".into());
        put("tab", if self.tab == Tab::Experiments { "experiments" } else { "run" }.into(), "run".into());
        put("exp", self.experiment.name().into(), base.experiment.name().into());
        put("preset", self.preset.name().into(), base.preset.name().into());
        out.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
    }

    /// Decodes a query string (with or without `?`). Returns the state and one message
    /// per refused field; unknown keys are reported too (a typo should not pass silently).
    pub fn from_query(query: &str) -> (SharedState, Vec<String>) {
        let mut s = SharedState::default();
        let mut errors = Vec::new();
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let c = &mut s.config;
        parse_into(&mut errors, "D", get("D"), &mut c.task.dim);
        parse_into(&mut errors, "noise", get("noise"), &mut c.task.noise_var);
        parse_into(&mut errors, "K", get("K"), &mut c.context);
        parse_into(&mut errors, "d", get("d"), &mut c.model.width);
        parse_into(&mut errors, "L", get("L"), &mut c.model.depth);
        parse_into(&mut errors, "H", get("H"), &mut c.model.heads);
        parse_into(&mut errors, "B", get("B"), &mut c.train.batch);
        parse_into(&mut errors, "lr", get("lr"), &mut c.train.lr);
        parse_into(&mut errors, "steps", get("steps"), &mut c.train.steps);
        parse_into(&mut errors, "seed", get("seed"), &mut c.train.seed);
        parse_into(&mut errors, "evalN", get("evalN"), &mut c.eval.prompts);
        parse_into(&mut errors, "evalEvery", get("evalEvery"), &mut c.eval.every);
        match get("task").unwrap_or("linear") {
            "linear" => {}
            "sparse" => {
                let mut nonzero = 3;
                parse_into(&mut errors, "s", get("s"), &mut nonzero);
                c.task.family = TaskFamily::SparseLinear { nonzero };
            }
            "tree" => {
                let mut depth = 4;
                parse_into(&mut errors, "h", get("h"), &mut depth);
                c.task.family = TaskFamily::Tree { depth };
            }
            other => errors.push(format!("task: unknown task “{other}” (linear, sparse or tree)")),
        }
        let (mut nu, mut mu) = (1.5, 0.0);
        parse_into(&mut errors, "nu", get("nu"), &mut nu);
        parse_into(&mut errors, "mu", get("mu"), &mut mu);
        match get("cov").unwrap_or("iso") {
            "iso" => {}
            "fs" => c.task.covariance = Covariance::Fs { nu, mu },
            "rrs" => c.task.covariance = Covariance::Rrs { nu, mu },
            other => errors.push(format!("cov: unknown covariance “{other}” (iso, fs or rrs)")),
        }
        match get("ood") {
            None | Some("none") => {}
            Some(name) => match DistributionShift::from_name(name) {
                Some(shift) => c.eval.shift = Some(shift),
                None => errors.push(format!(
                    "ood: unknown shift “{name}” ({})",
                    DistributionShift::ALL.map(DistributionShift::name).join(", ")
                )),
            },
        }
        if let Some(b) = get("backend") {
            match BackendChoice::from_name(b) {
                Some(choice) => s.backend = choice,
                None => errors.push(format!("backend: unknown backend “{b}” (auto, webgpu or cpu)")),
            }
        }
        // `hide=` (empty) shows every curve.
        if let Some(h) = get("hide") {
            s.hidden_curves = h.split(',').filter(|x| !x.is_empty()).map(String::from).collect();
        }
        s.log_error_axis = get("logy") == Some("1");
        match get("tab") {
            None | Some("run") => {}
            Some("experiments") => s.tab = Tab::Experiments,
            Some(other) => errors.push(format!("tab: unknown tab “{other}” (run or experiments)")),
        }
        if let Some(e) = get("exp") {
            match ExperimentKind::from_name(e) {
                Some(kind) => s.experiment = kind,
                None => errors.push(format!("exp: unknown experiment “{e}”")),
            }
        }
        if let Some(p) = get("preset") {
            match SweepPreset::from_name(p) {
                Some(preset) => s.preset = preset,
                None => errors.push(format!("preset: unknown preset “{p}” (quick or full)")),
            }
        }
        const KNOWN: [&str; 25] = [
            "task", "s", "h", "cov", "nu", "mu", "D", "noise", "K", "d", "L", "H", "B", "lr", "steps", "seed", "evalN",
            "evalEvery", "ood", "backend", "hide", "logy", "tab", "exp", "preset",
        ];
        for (k, _) in &pairs {
            if !KNOWN.contains(&k.as_str()) {
                errors.push(format!("{k}: unknown setting, ignored"));
            }
        }
        // Range checks on the assembled config: every refused field falls back to its default.
        let defaults = RunConfig::default();
        for problem in s.config.problems() {
            errors.push(format!("{}: {} (using the default)", problem.field, problem.message));
            reset_field(&mut s.config, &defaults, &problem.field);
        }
        if s.config.validate().is_err() {
            // Fields interact (e.g. heads must divide width): give up on the model shape.
            s.config.model = defaults.model.clone();
            if let Err(e) = s.config.validate() {
                errors.push(format!("settings still invalid ({e}); using the reference workload"));
                s.config = defaults;
            }
        }
        (s, errors)
    }
}

fn out_push(put: &mut impl FnMut(&'static str, String, String), key: &'static str, value: usize) {
    put(key, value.to_string(), String::new());
}

fn family_name(f: &TaskFamily) -> &'static str {
    match f {
        TaskFamily::Linear => "linear",
        TaskFamily::SparseLinear { .. } => "sparse",
        TaskFamily::Tree { .. } => "tree",
    }
}

fn covariance_parts(c: &Covariance) -> (&'static str, f64, f64) {
    match *c {
        Covariance::Iso => ("iso", 1.5, 0.0),
        Covariance::Fs { nu, mu } => ("fs", nu, mu),
        Covariance::Rrs { nu, mu } => ("rrs", nu, mu),
    }
}

fn parse_into<T: std::str::FromStr>(errors: &mut Vec<String>, key: &str, value: Option<&str>, slot: &mut T) {
    if let Some(v) = value {
        match v.trim().parse() {
            Ok(parsed) => *slot = parsed,
            Err(_) => errors.push(format!("{key}: “{v}” is not a valid number (using the default)")),
        }
    }
}

fn reset_field(c: &mut RunConfig, d: &RunConfig, field: &str) {
    match field {
        "dim" => c.task.dim = d.task.dim,
        "noise_var" => c.task.noise_var = d.task.noise_var,
        "context" => c.context = d.context,
        "width" => c.model.width = d.model.width,
        "depth" => c.model.depth = d.model.depth,
        "heads" => c.model.heads = d.model.heads,
        "batch" => c.train.batch = d.train.batch,
        "lr" => c.train.lr = d.train.lr,
        "steps" => c.train.steps = d.train.steps,
        "eval_prompts" => c.eval.prompts = d.eval.prompts,
        "eval_every" => c.eval.every = d.eval.every,
        "sparsity" => c.task.family = TaskFamily::SparseLinear { nonzero: 3.min(c.task.dim) },
        "tree_depth" => c.task.family = TaskFamily::Tree { depth: 4 },
        "nu" | "mu" => c.task.covariance = Covariance::Iso,
        "shift" => c.eval.shift = None,
        _ => {}
    }
}

/// Percent-encodes what a query value may not contain.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_state_is_an_empty_query() {
        assert_eq!(SharedState::default().to_query(), "");
        assert_eq!(SharedState::from_query(""), (SharedState::default(), vec![]));
    }

    #[test]
    fn every_field_round_trips() {
        let mut s = SharedState::default();
        s.config.task.dim = 5;
        s.config.task.noise_var = 0.25;
        s.config.task.family = TaskFamily::Tree { depth: 3 };
        s.config.task.covariance = Covariance::Rrs { nu: 2.0, mu: 0.5 };
        s.config.context = 20;
        s.config.model.width = 48;
        s.config.model.depth = 3;
        s.config.model.heads = 6;
        s.config.train.batch = 16;
        s.config.train.lr = 3e-4;
        s.config.train.steps = 1234;
        s.config.train.seed = 42;
        s.config.eval.prompts = 100;
        s.config.eval.every = 7;
        s.config.eval.shift = Some(DistributionShift::Noisy);
        s.backend = BackendChoice::WebGpu;
        s.hidden_curves = vec!["ols".into(), "gd1".into()];
        s.log_error_axis = true;
        s.tab = Tab::Experiments;
        s.experiment = ExperimentKind::DepthWidth;
        s.preset = SweepPreset::Full;
        let q = s.to_query();
        let (back, errors) = SharedState::from_query(&q);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, s, "query was {q}");
        let mut sparse = SharedState::default();
        sparse.config.task.family = TaskFamily::SparseLinear { nonzero: 2 };
        assert_eq!(SharedState::from_query(&sparse.to_query()).0, sparse);
    }

    #[test]
    fn bad_fields_are_refused_one_by_one_and_the_rest_kept() {
        let (s, errors) = SharedState::from_query("?D=abc&K=16&L=999&task=spiral&lr=NaN&zzz=1&backend=tpu");
        assert_eq!(s.config.context, 16, "a good field survives");
        assert_eq!(s.config.task.dim, 8);
        assert_eq!(s.config.model.depth, 4);
        assert_eq!(s.config.task.family, TaskFamily::Linear);
        assert_eq!(s.backend, BackendChoice::Auto);
        assert!(s.config.validate().is_ok());
        let joined = errors.join("\n");
        for key in ["D:", "depth:", "task:", "lr:", "zzz:", "backend:"] {
            assert!(joined.contains(key), "no message for {key} in {joined}");
        }
    }

    #[test]
    fn a_shift_that_does_not_fit_the_task_is_refused() {
        let (s, errors) = SharedState::from_query("task=tree&h=2&ood=sparse");
        assert_eq!(s.config.eval.shift, None);
        assert_eq!(s.config.task.family, TaskFamily::Tree { depth: 2 }, "the task itself is kept");
        assert!(errors.iter().any(|e| e.starts_with("shift:") && e.contains("linear regression only")), "{errors:?}");
        let (_, errors) = SharedState::from_query("ood=sideways");
        assert!(errors.iter().any(|e| e.starts_with("ood:") && e.contains("noisy")), "{errors:?}");
    }

    #[test]
    fn interacting_fields_fall_back_to_a_valid_shape() {
        let (s, errors) = SharedState::from_query("d=30&H=4");
        assert!(s.config.validate().is_ok());
        assert!(errors.iter().any(|e| e.contains("heads")), "{errors:?}");
    }

    #[test]
    fn percent_encoding_survives_odd_input() {
        let (s, _) = SharedState::from_query("hide=a%2Cb&x=%zz%");
        assert_eq!(s.hidden_curves, vec!["a", "b"]);
    }
}
