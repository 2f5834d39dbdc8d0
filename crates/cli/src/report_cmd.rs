//! `icl-lab report RUN.json`: the trained model's measured ICL error per k beside the
//! baselines measured on the same held-out prompts and every theory curve, so a reader
//! sees where the transformer sits between the estimators.

use crate::table::{self, Column};
use icl_core::schema::RunResult;
use icl_core::theory;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// A run file written by `icl-lab train --out` or exported by the browser.
    pub run: std::path::PathBuf,
}

pub fn run(args: ReportArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.run).map_err(|e| format!("cannot read {}: {e}", args.run.display()))?;
    let mut run = RunResult::from_json(&text).map_err(|e| format!("{}: {e}", args.run.display()))?;
    if run.baselines.is_empty() {
        // The held-out prompts follow from the config's seed, so baselines can be rescored.
        eprintln!("note: the file has no baselines; scoring them on the run's held-out prompts");
        run.baselines = icl_core::baselines::baseline_curves(&run.config.task, &run.config.held_out_prompts());
    }
    let eval = run.latest_eval().ok_or("the run has no evaluation yet")?;
    let ks: Vec<usize> = (0..=run.config.context).collect();
    let mut columns = vec![
        Column { name: "model".into(), values: table::align(&ks, &eval.curve.k, &eval.curve.mean) },
        Column { name: "model_se".into(), values: table::align(&ks, &eval.curve.k, &eval.curve.se) },
    ];
    if let (Some(shifted), Some(shift)) = (&eval.shifted, run.config.eval.shift) {
        // The same model on out-of-distribution prompts; baselines and theory below are in-distribution.
        columns.push(Column { name: format!("model_{}", shift.name()), values: table::align(&ks, &shifted.k, &shifted.mean) });
    }
    if let Some(exact) = &eval.query_exact {
        columns.push(Column { name: "model_exact".into(), values: table::align(&ks, &exact.k, &exact.mean) });
        columns.push(Column { name: "model_exact_se".into(), values: table::align(&ks, &exact.k, &exact.se) });
    }
    for b in &run.baselines {
        columns.push(Column { name: format!("{} (MC)", b.name), values: table::align(&ks, &b.curve.k, &b.curve.mean) });
    }
    let curves = theory::curves(&run.config.task, run.config.context);
    for c in &curves {
        columns.push(Column { name: format!("{} (th)", c.id), values: table::align(&ks, &c.k, &c.value) });
    }
    let c = &run.config;
    println!(
        "# {} · step {} · D={} K={} d={} L={} heads={} · {} held-out prompts",
        run.backend.badge(),
        eval.step,
        c.task.dim,
        c.context,
        c.model.width,
        c.model.depth,
        c.model.heads,
        c.eval.prompts
    );
    println!("# total normalised ICL error; (MC) = measured on the same held-out prompts, (th) = THEORY.md closed forms");
    table::print(&ks, &columns);
    // How the measured curve sits against each theory curve (the page shows the same): the
    // query-exact curve where the model has one (linear attention).
    let compared = eval.query_exact.as_ref().unwrap_or(&eval.curve);
    if eval.query_exact.is_some() {
        println!("# against theory: the query-exact error (linear in the query: the query's expectation taken exactly)");
    }
    for c in &curves {
        if let Some(a) = theory::agreement::CurveAgreement::of(compared, c) {
            println!("# {}: {}/{} k within 2 SE; largest |z| {:.1} at k = {}", c.id, a.within, a.compared, a.worst.1, a.worst.0);
        }
    }
    Ok(())
}
