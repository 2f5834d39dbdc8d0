//! The versioned JSON result schema shared by the browser export, the CLI's `--out` and
//! the dashboard's file import. A reader refuses files of another schema or a newer
//! version with a message that says so, rather than guessing.

use crate::config::RunConfig;
use crate::eval::ErrorCurve;
use serde::{Deserialize, Serialize};

pub const RUN_SCHEMA: &str = "icl-lab/run";
pub const SCHEMA_VERSION: u32 = 1;

/// JSON has no NaN: non-finite numbers are written as `null` and read back as NaN.
pub(crate) mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() { s.serialize_f64(*v) } else { s.serialize_none() }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// What a run (and a sweep point) keeps of its comparison with gradient descent
/// (`probes::gd_alignment`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeSummary {
    pub prompts: usize,
    pub steps: usize,
    #[serde(with = "nan_as_null")]
    pub eta_one: f64,
    #[serde(with = "nan_as_null")]
    pub se_eta_one: f64,
    #[serde(with = "nan_as_null")]
    pub cosine_one: f64,
    #[serde(with = "nan_as_null")]
    pub residual_one: f64,
    #[serde(with = "nan_as_null")]
    pub eta_multi: f64,
    #[serde(with = "nan_as_null")]
    pub cosine_multi: f64,
    #[serde(with = "nan_as_null")]
    pub residual_multi: f64,
    /// The largest context K and the one-step η_eff there (used for the η_eff scaling test).
    pub k_max: usize,
    #[serde(with = "nan_as_null")]
    pub eta_at_k_max: f64,
    #[serde(with = "nan_as_null")]
    pub se_eta_at_k_max: f64,
    /// The one-step η_eff at each k = 0..=K, and its SE: None at k = 0 (no step is defined
    /// there) and wherever the regression had no data. Files written before it have none.
    #[serde(default)]
    pub eta_by_k: Vec<Option<f64>>,
    #[serde(default)]
    pub se_eta_by_k: Vec<Option<f64>>,
}

/// Which burn backend ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// The browser's WebGPU.
    WebGpu,
    /// Native wgpu (Vulkan, Metal, DX12).
    Wgpu,
    /// burn's flex CPU backend (native or wasm).
    Cpu,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    pub kind: BackendKind,
    /// Adapter or CPU description, as the platform reports it.
    pub adapter: String,
    /// True for software adapters such as SwiftShader.
    #[serde(default)]
    pub fallback_adapter: bool,
    /// Auto's timing of this model on both backends, when it raced them
    /// ([`crate::backend_trial`]); absent when the backend was chosen without timing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial: Option<crate::backend_trial::BackendTrial>,
}

impl BackendInfo {
    pub fn cpu() -> Self {
        BackendInfo { kind: BackendKind::Cpu, adapter: "burn flex (CPU)".into(), fallback_adapter: false, trial: None }
    }

    /// The badge text: `WebGPU · <adapter>` or `CPU`.
    pub fn badge(&self) -> String {
        match self.kind {
            BackendKind::WebGpu => format!("WebGPU · {}", self.adapter),
            BackendKind::Wgpu => format!("wgpu · {}", self.adapter),
            BackendKind::Cpu => "CPU".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    pub step: usize,
    pub loss: f64,
}

/// A held-out evaluation of the model after `step` steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalPoint {
    pub step: usize,
    pub elapsed_s: f64,
    pub curve: ErrorCurve,
    /// The same model scored on the out-of-distribution prompts (`eval.shift`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shifted: Option<ErrorCurve>,
    /// A model linear in its query (linear attention) on ISO linear tasks: the same error
    /// with the query's expectation taken exactly ([`ErrorCurve::query_exact`]), which the
    /// comparison with its theory curve uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_exact: Option<ErrorCurve>,
}

/// A baseline's (or theory's) error curve with its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedCurve {
    pub name: String,
    pub curve: ErrorCurve,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Paused,
    Done,
    /// The loss became NaN or infinite; training stopped.
    Diverged,
}

impl RunStatus {
    /// As written in files (`running`, `paused`, `done`, `diverged`).
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Paused => "paused",
            RunStatus::Done => "done",
            RunStatus::Diverged => "diverged",
        }
    }
}

/// Training loss against step, thinned to at most `cap` points by doubling the stride,
/// so a long run stays small in memory, in JSON and in the URL-free export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossLog {
    pub stride: usize,
    pub points: Vec<LossPoint>,
    #[serde(default = "LossLog::default_cap")]
    pub cap: usize,
}

impl Default for LossLog {
    fn default() -> Self {
        LossLog { stride: 1, points: Vec::new(), cap: Self::default_cap() }
    }
}

impl LossLog {
    fn default_cap() -> usize {
        4096
    }

    pub fn push(&mut self, step: usize, loss: f64) {
        if step % self.stride != 0 {
            return;
        }
        self.points.push(LossPoint { step, loss });
        if self.points.len() > self.cap {
            self.stride *= 2;
            let stride = self.stride;
            self.points.retain(|p| p.step % stride == 0);
        }
    }
}

/// One training run: configuration, backend, loss, evaluations, baselines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub schema: String,
    pub version: u32,
    pub config: RunConfig,
    pub backend: BackendInfo,
    pub status: RunStatus,
    pub steps: usize,
    pub elapsed_s: f64,
    pub loss: LossLog,
    pub evals: Vec<EvalPoint>,
    /// Baselines scored on the same held-out prompts as the model.
    pub baselines: Vec<NamedCurve>,
    /// "browser" or "cli".
    pub producer: String,
    /// How the trained model compares with gradient descent on the held-out prompts
    /// (linear tasks only; `probes::gd_alignment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeSummary>,
}

impl RunResult {
    /// Forgets what came after `step` (a rollback to a checkpoint there): losses,
    /// evaluations and the step count; the run is paused.
    pub fn truncate_after(&mut self, step: usize) {
        self.loss.points.retain(|p| p.step <= step);
        self.evals.retain(|e| e.step <= step);
        self.steps = step;
        self.status = RunStatus::Paused;
    }

    pub fn new(config: RunConfig, backend: BackendInfo, producer: &str) -> Self {
        RunResult {
            schema: RUN_SCHEMA.into(),
            version: SCHEMA_VERSION,
            config,
            backend,
            status: RunStatus::Running,
            steps: 0,
            elapsed_s: 0.0,
            loss: LossLog::default(),
            evals: Vec::new(),
            baselines: Vec::new(),
            producer: producer.into(),
            probe: None,
        }
    }

    /// The most recent evaluation.
    pub fn latest_eval(&self) -> Option<&EvalPoint> {
        self.evals.last()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a RunResult always serialises")
    }

    /// Parses and checks a result file: schema name, version, a valid configuration, and
    /// curves and a loss log that the page can draw and extend. A field of the wrong type
    /// is named by its JSON path ("config.model.width: invalid type: string …"). Messages
    /// stay short whatever the file holds ([`MAX_MESSAGE`] characters).
    pub fn from_json(text: &str) -> Result<Self, String> {
        let read = || -> Result<Self, String> {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| format!("not a JSON file ({e})"))?;
            check_header(&value, RUN_SCHEMA)?;
            let body = |e: String| format!("not an ICL Scaling Lab run file: {e}");
            let run: RunResult = from_value_at_path(value).map_err(body)?;
            run.config.validate().map_err(|e| format!("the file's configuration is invalid: {e}"))?;
            check_loss_log("loss", &run.loss).map_err(body)?;
            check_evals("evals", &run.evals).map_err(body)?;
            for (i, b) in run.baselines.iter().enumerate() {
                check_curve(&format!("baselines[{i}].curve"), &b.curve).map_err(body)?;
            }
            Ok(run)
        };
        read().map_err(|e| shorten_message(&e))
    }

    /// The latest model curve and every baseline, one row per k:
    /// `k,model,model_se,<baseline>,...`.
    pub fn to_csv(&self) -> String {
        let mut columns: Vec<(&str, &ErrorCurve)> = Vec::new();
        if let Some(e) = self.latest_eval() {
            columns.push(("model", &e.curve));
            if let Some(shifted) = &e.shifted {
                columns.push(("model_shifted", shifted));
            }
        }
        for b in &self.baselines {
            columns.push((&b.name, &b.curve));
        }
        curves_to_csv(&columns)
    }
}

/// Deserialises `value`, naming the JSON path of a failing field in the message
/// (`config.model.width: invalid type: string "x", expected usize`); an error at the top
/// level ("missing field `config`") has no path. A long value quoted in the message is cut
/// in the middle, so a hostile file cannot fill the page with its notice.
pub(crate) fn from_value_at_path<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    deserialize_at_path(value).map_err(|(path, e)| if path.is_empty() { e } else { format!("{path}: {e}") })
}

/// [`from_value_at_path`] with the path ("" at the top level) and the message apart.
pub(crate) fn deserialize_at_path<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        (path, shorten_middle(&e.into_inner().to_string(), 160, 80))
    })
}

/// The longest refusal an import gives, in characters.
pub const MAX_MESSAGE: usize = 1000;

/// A refusal cut to at most [`MAX_MESSAGE`] characters (a file can quote anything back).
pub(crate) fn shorten_message(text: &str) -> String {
    shorten_middle(text, MAX_MESSAGE * 2 / 3, MAX_MESSAGE / 3 - 3)
}

/// `text` with all but its first `head` and last `tail` characters replaced by " … ".
fn shorten_middle(text: &str, head: usize, tail: usize) -> String {
    let n = text.chars().count();
    if n <= head + tail + 3 {
        return text.to_string();
    }
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start} … {end}")
}

/// The most combinations of list entries (the product of the lists' lengths) that an
/// experiment in a sweep file may ask for. The defaults ask for at most a few dozen.
pub const MAX_SWEEP_COMBINATIONS: usize = 4096;

/// The lists of an experiment read from a sweep file (`path` names it in messages): no
/// entry twice and at most [`MAX_SWEEP_COMBINATIONS`] combinations. The page re-plans and
/// analyses an opened sweep, and both loop over every combination of the lists (the
/// analysis once more per repeated entry), so a hand-edited file could otherwise make it
/// build millions of points. A planned experiment never repeats an entry.
pub(crate) fn check_experiment_lists(path: &str, experiment: &serde_json::Value) -> Result<(), String> {
    fn walk<'a>(path: String, v: &'a serde_json::Value, lists: &mut Vec<(String, &'a [serde_json::Value])>) {
        match v {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate().take(MAX_SWEEP_COMBINATIONS + 1) {
                    walk(format!("{path}[{i}]"), item, lists);
                }
                lists.push((path, items));
            }
            serde_json::Value::Object(members) => {
                for (k, item) in members {
                    walk(format!("{path}.{k}"), item, lists);
                }
            }
            _ => {}
        }
    }
    let mut lists = Vec::new();
    walk(path.to_string(), experiment, &mut lists);
    let mut combinations = 1usize;
    for (list_path, items) in &lists {
        combinations = combinations.saturating_mul(items.len().max(1));
        if combinations > MAX_SWEEP_COMBINATIONS {
            let sizes: Vec<String> = lists.iter().map(|(p, items)| format!("{p} ({})", items.len())).collect();
            return Err(format!(
                "{path}: its lists ask for more than {MAX_SWEEP_COMBINATIONS} combinations: {}",
                sizes.join(" × ")
            ));
        }
        if let Some(i) = (1..items.len()).find(|&i| items[..i].contains(&items[i])) {
            return Err(format!("{list_path}[{i}]: {} is listed twice", items[i]));
        }
    }
    Ok(())
}

/// An error curve holds one mean and one SE per context size (the CSV export and the plots
/// index them together).
pub(crate) fn check_curve(path: &str, curve: &ErrorCurve) -> Result<(), String> {
    let (k, mean, se) = (curve.k.len(), curve.mean.len(), curve.se.len());
    if k != mean || k != se {
        return Err(format!("{path}: {k} context sizes (k) but {mean} means and {se} standard errors"));
    }
    Ok(())
}

/// Every evaluation's curves ([`check_curve`]), named `path[i].curve` / `path[i].shifted`.
pub(crate) fn check_evals(path: &str, evals: &[EvalPoint]) -> Result<(), String> {
    for (i, e) in evals.iter().enumerate() {
        check_curve(&format!("{path}[{i}].curve"), &e.curve)?;
        if let Some(shifted) = &e.shifted {
            check_curve(&format!("{path}[{i}].shifted"), shifted)?;
        }
    }
    Ok(())
}

/// A loss log that [`LossLog::push`] can extend: its stride is a power of two (0 would
/// divide by zero) and it holds at most `cap` points (else the stride doubles past usize).
pub(crate) fn check_loss_log(path: &str, log: &LossLog) -> Result<(), String> {
    if !log.stride.is_power_of_two() {
        return Err(format!("{path}.stride: {} is not a power of two", log.stride));
    }
    if log.cap == 0 || log.points.len() > log.cap {
        return Err(format!("{path}.cap: {} points do not fit a cap of {}", log.points.len(), log.cap));
    }
    Ok(())
}

/// Joins curves on k into CSV with a `<name>` and `<name>_se` column per curve (names are
/// quoted where they need it).
pub fn curves_to_csv(columns: &[(&str, &ErrorCurve)]) -> String {
    let mut ks: Vec<usize> = columns.iter().flat_map(|(_, c)| c.k.iter().copied()).collect();
    ks.sort_unstable();
    ks.dedup();
    let mut header = vec!["k".to_string()];
    for (name, _) in columns {
        header.push(name.to_string());
        header.push(format!("{name}_se"));
    }
    let mut rows = vec![header];
    for k in ks {
        let mut row = vec![k.to_string()];
        for (_, c) in columns {
            match c.k.iter().position(|&kk| kk == k) {
                Some(i) => row.extend([c.mean[i].to_string(), c.se[i].to_string()]),
                None => row.extend([String::new(), String::new()]),
            }
        }
        rows.push(row);
    }
    to_csv(&rows)
}

/// Rows of fields as CSV text (RFC 4180 quoting by the `csv` crate).
pub fn to_csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Checks a file's `schema` and `version` fields before its body is parsed.
pub fn check_header(value: &serde_json::Value, expected: &str) -> Result<(), String> {
    let schema = value.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    if schema != expected {
        return Err(if schema.is_empty() {
            format!("not an ICL Scaling Lab file: no \"schema\" field (expected \"{expected}\")")
        } else {
            format!("this file holds \"{schema}\", not \"{expected}\"")
        });
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v as u32 <= SCHEMA_VERSION => Ok(()),
        Some(v) => Err(format!(
            "this file was written by a newer ICL Scaling Lab (schema version {v}; this one reads up to {SCHEMA_VERSION})"
        )),
        None => Err("the file has no schema version".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_run() -> RunResult {
        let mut run = RunResult::new(RunConfig::default(), BackendInfo::cpu(), "test");
        run.loss.push(0, 1.5);
        run.loss.push(1, 1.25);
        let curve = ErrorCurve { k: vec![0, 1, 2], mean: vec![1.0, 0.9, 0.8], se: vec![0.1, 0.1, 0.1] };
        let shifted = Some(ErrorCurve { mean: vec![1.0, 1.5, 2.0], ..curve.clone() });
        let query_exact = Some(ErrorCurve { mean: vec![1.0, 0.95, 0.85], ..curve.clone() });
        run.evals.push(EvalPoint { step: 1, elapsed_s: 0.5, curve: curve.clone(), shifted, query_exact });
        run.baselines.push(NamedCurve { name: "zero".into(), curve });
        run
    }

    #[test]
    fn json_round_trip_is_lossless() {
        let run = sample_run();
        assert_eq!(RunResult::from_json(&run.to_json()), Ok(run));
    }

    #[test]
    fn foreign_and_future_files_are_refused_with_reasons() {
        assert!(RunResult::from_json("{").unwrap_err().contains("not a JSON"));
        assert!(RunResult::from_json("{\"a\":1}").unwrap_err().contains("no \"schema\""));
        let mut v: serde_json::Value = serde_json::from_str(&sample_run().to_json()).unwrap();
        v["version"] = 99.into();
        assert!(RunResult::from_json(&v.to_string()).unwrap_err().contains("newer"));
        v["version"] = 1.into();
        v["config"]["model"]["heads"] = 3.into();
        assert!(RunResult::from_json(&v.to_string()).unwrap_err().contains("heads"));
    }

    #[test]
    fn csv_has_one_row_per_k() {
        let csv = sample_run().to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "k,model,model_se,model_shifted,model_shifted_se,zero,zero_se");
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2], "1,0.9,0.1,1.5,0.1,0.9,0.1");
    }

    #[test]
    fn loss_log_thins_by_doubling_stride() {
        let mut log = LossLog { cap: 8, ..LossLog::default() };
        for s in 0..100 {
            log.push(s, s as f64);
        }
        assert!(log.points.len() <= 8);
        assert!(log.points.windows(2).all(|w| w[1].step - w[0].step == log.stride));
    }
}
