//! Command-line settings that override a preset, shared by `train`, `bench` and `sweep`.

use clap::{Args, ValueEnum};
use icl_core::config::{Preset, RunConfig};
use icl_core::tasks::{Covariance, DistributionShift, TaskFamily};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PresetArg {
    Reference,
    Cpu,
    Tiny,
}

impl From<PresetArg> for Preset {
    fn from(p: PresetArg) -> Preset {
        match p {
            PresetArg::Reference => Preset::Reference,
            PresetArg::Cpu => Preset::Cpu,
            PresetArg::Tiny => Preset::Tiny,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TaskArg {
    Linear,
    Sparse,
    Tree,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CovarianceArg {
    Iso,
    Fs,
    Rrs,
}

/// Settings of one run: a preset, then any field overridden.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Start from this preset (reference = issue 2's workload).
    #[arg(long, value_enum, default_value = "reference")]
    pub preset: PresetArg,
    /// Or start from a run file or config JSON (a RunResult's `config`, or a bare RunConfig).
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    #[arg(long)]
    pub steps: Option<usize>,
    #[arg(long)]
    pub task: Option<TaskArg>,
    /// Input dimension D.
    #[arg(long)]
    pub dim: Option<usize>,
    /// Largest context size K.
    #[arg(long)]
    pub context: Option<usize>,
    #[arg(long)]
    pub width: Option<usize>,
    #[arg(long)]
    pub depth: Option<usize>,
    #[arg(long)]
    pub heads: Option<usize>,
    #[arg(long)]
    pub batch: Option<usize>,
    #[arg(long)]
    pub lr: Option<f64>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Label-noise variance σ².
    #[arg(long)]
    pub noise: Option<f64>,
    /// Non-zero coordinates s for the sparse task.
    #[arg(long)]
    pub sparsity: Option<usize>,
    /// Depth h for the tree task.
    #[arg(long)]
    pub tree_depth: Option<usize>,
    #[arg(long, value_enum)]
    pub covariance: Option<CovarianceArg>,
    /// Spectrum exponent ν (FS/RRS).
    #[arg(long, default_value_t = 1.5)]
    pub nu: f64,
    /// Task-prior exponent μ (FS/RRS).
    #[arg(long, default_value_t = 0.0)]
    pub mu: f64,
    #[arg(long)]
    pub eval_every: Option<usize>,
    #[arg(long)]
    pub eval_prompts: Option<usize>,
    /// Also evaluate on shifted (out-of-distribution) prompts: noisy, skewed, rotated, sparse or dense.
    #[arg(long, value_parser = parse_shift)]
    pub ood: Option<DistributionShift>,
}

fn parse_shift(name: &str) -> Result<DistributionShift, String> {
    DistributionShift::from_name(name).ok_or_else(|| {
        format!("unknown shift “{name}” (one of {})", DistributionShift::ALL.map(DistributionShift::name).join(", "))
    })
}

impl RunArgs {
    pub fn to_config(&self) -> Result<RunConfig, String> {
        let mut c = match &self.config {
            Some(path) => load_config(path)?,
            None => Preset::from(self.preset).config(),
        };
        macro_rules! set {
            ($field:expr, $value:expr) => {
                if let Some(v) = $value {
                    $field = v;
                }
            };
        }
        set!(c.train.steps, self.steps);
        set!(c.task.dim, self.dim);
        set!(c.context, self.context);
        set!(c.model.width, self.width);
        set!(c.model.depth, self.depth);
        set!(c.model.heads, self.heads);
        set!(c.train.batch, self.batch);
        set!(c.train.lr, self.lr);
        set!(c.train.seed, self.seed);
        set!(c.task.noise_var, self.noise);
        set!(c.eval.every, self.eval_every);
        set!(c.eval.prompts, self.eval_prompts);
        if self.ood.is_some() {
            c.eval.shift = self.ood;
        }
        match self.task {
            Some(TaskArg::Linear) => c.task.family = TaskFamily::Linear,
            Some(TaskArg::Sparse) => c.task.family = TaskFamily::SparseLinear { nonzero: self.sparsity.unwrap_or(3) },
            Some(TaskArg::Tree) => c.task.family = TaskFamily::Tree { depth: self.tree_depth.unwrap_or(4) },
            None => {}
        }
        match self.covariance {
            Some(CovarianceArg::Iso) => c.task.covariance = Covariance::Iso,
            Some(CovarianceArg::Fs) => c.task.covariance = Covariance::Fs { nu: self.nu, mu: self.mu },
            Some(CovarianceArg::Rrs) => c.task.covariance = Covariance::Rrs { nu: self.nu, mu: self.mu },
            None => {}
        }
        c.validate()?;
        Ok(c)
    }
}

fn load_config(path: &std::path::Path) -> Result<RunConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: not JSON ({e})", path.display()))?;
    let config = value.get("config").cloned().unwrap_or(value);
    serde_json::from_value(config).map_err(|e| format!("{}: not a run configuration ({e})", path.display()))
}
