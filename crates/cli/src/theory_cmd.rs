//! `icl-lab theory`: every theory curve of THEORY.md at k = 0..=K for one setting, so
//! anyone can check the numbers without the browser.

use crate::args::RunArgs;
use crate::table::{self, Column};
use icl_core::theory;

#[derive(clap::Args, Debug)]
pub struct TheoryArgs {
    /// The task and K come from the same settings as `train` (`--dim`, `--context`,
    /// `--noise`, `--task`, `--covariance`, `--nu`, …); the model settings are ignored.
    #[command(flatten)]
    pub run: RunArgs,
    /// JSON: `{"k": [...], "<curve id>": [...], "<id>_se": [...]}`, null = +∞.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TheoryArgs) -> Result<(), String> {
    let config = args.run.to_config()?;
    let (spec, context) = (config.task, config.context);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&theory::theory_table_json(&spec, context)).expect("JSON"));
        return Ok(());
    }
    let curves = theory::curves(&spec, context);
    let ks: Vec<usize> = (0..=context).collect();
    let columns: Vec<Column> =
        curves.iter().map(|c| Column { name: c.id.clone(), values: table::align(&ks, &c.k, &c.value) }).collect();
    println!("# total normalised ICL error e(k) (query noise included), D={} σ²={} {:?}", spec.dim, spec.noise_var, spec.covariance);
    for c in &curves {
        println!("#   {:<12} {} [{}]", c.id, c.label, c.parameters);
    }
    table::print(&ks, &columns);
    Ok(())
}
