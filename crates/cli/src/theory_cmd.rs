//! `icl-lab theory`: every theory curve of THEORY.md at k = 0..=K for one setting, so
//! anyone can check the numbers without the browser.

use crate::args::{CovarianceArg, TaskArg};
use crate::table::{self, Column};
use icl_core::tasks::{Covariance, TaskFamily, TaskSpec};
use icl_core::theory;

#[derive(clap::Args, Debug)]
pub struct TheoryArgs {
    /// Input dimension D.
    #[arg(long, default_value_t = 8)]
    pub dim: usize,
    /// Largest context size K.
    #[arg(long, default_value_t = 32)]
    pub context: usize,
    /// Label-noise variance σ².
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    #[arg(long, value_enum, default_value = "iso")]
    pub setting: CovarianceArg,
    #[arg(long, default_value_t = 1.5)]
    pub nu: f64,
    #[arg(long, default_value_t = 0.0)]
    pub mu: f64,
    #[arg(long, value_enum, default_value = "linear")]
    pub task: TaskArg,
    #[arg(long, default_value_t = 3)]
    pub sparsity: usize,
    #[arg(long, default_value_t = 4)]
    pub tree_depth: usize,
    /// JSON: `{"k": [...], "<curve id>": [...], "<id>_se": [...]}`, null = +∞.
    #[arg(long)]
    pub json: bool,
}

impl TheoryArgs {
    pub fn spec(&self) -> TaskSpec {
        TaskSpec {
            dim: self.dim,
            family: match self.task {
                TaskArg::Linear => TaskFamily::Linear,
                TaskArg::Sparse => TaskFamily::SparseLinear { nonzero: self.sparsity },
                TaskArg::Tree => TaskFamily::Tree { depth: self.tree_depth },
            },
            covariance: match self.setting {
                CovarianceArg::Iso => Covariance::Iso,
                CovarianceArg::Fs => Covariance::Fs { nu: self.nu, mu: self.mu },
                CovarianceArg::Rrs => Covariance::Rrs { nu: self.nu, mu: self.mu },
            },
            noise_var: self.noise,
        }
    }
}

pub fn run(args: TheoryArgs) -> Result<(), String> {
    let spec = args.spec();
    let mut probe = icl_core::config::RunConfig::default();
    probe.task = spec.clone();
    probe.context = args.context;
    probe.validate()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&theory::theory_table_json(&spec, args.context)).expect("JSON"));
        return Ok(());
    }
    let curves = theory::curves(&spec, args.context);
    let ks: Vec<usize> = (0..=args.context).collect();
    let columns: Vec<Column> =
        curves.iter().map(|c| Column { name: c.id.clone(), values: table::align(&ks, &c.k, &c.value) }).collect();
    println!("# total normalised ICL error e(k) (query noise included), D={} σ²={} {:?}", spec.dim, spec.noise_var, spec.covariance);
    for c in &curves {
        println!("#   {:<12} {} [{}]", c.id, c.label, c.parameters);
    }
    table::print(&ks, &columns);
    Ok(())
}
