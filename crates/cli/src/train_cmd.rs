//! `icl-lab train`: one run, printed as it goes, written as the dashboard's JSON.

use crate::args::RunArgs;
use crate::device::{self, BackendArg};
use icl_core::schema::RunResult;
use icl_train::RunSession;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendArg,
    /// Write the run (versioned JSON schema, the browser's export format) here.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Also write the curves as CSV here.
    #[arg(long)]
    pub csv: Option<std::path::PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: TrainArgs) -> Result<(), String> {
    let config = args.run.to_config()?;
    let (device, backend) = device::open(args.backend)?;
    let result = train(&config, &device, backend, args.quiet, true)?;
    if let Some(path) = &args.out {
        std::fs::write(path, result.to_json()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if !args.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    if let Some(path) = &args.csv {
        std::fs::write(path, result.to_csv()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Trains `config` to its budget, evaluating on schedule, with baselines attached.
/// `split_batches`: let each step use two threads (off when several runs share the cores).
pub fn train(
    config: &icl_core::config::RunConfig,
    device: &icl_train::Device,
    backend: icl_core::schema::BackendInfo,
    quiet: bool,
    split_batches: bool,
) -> Result<RunResult, String> {
    if backend.kind == icl_core::schema::BackendKind::Cpu {
        // The same preflight as the browser's, against this machine's RAM.
        icl_core::preflight::preflight(config, &icl_core::preflight::DeviceLimits::native_cpu(total_ram_bytes()))?;
    }
    let mut session = RunSession::new(config, device, backend.clone(), "cli")?;
    session.trainer.set_split_batches(split_batches);
    if !quiet {
        eprintln!(
            "training on {} · {} parameters · D={} K={} d={} L={} heads={} batch={} lr={} steps={}",
            backend.badge(),
            session.trainer.param_count(),
            config.task.dim,
            config.context,
            config.model.width,
            config.model.depth,
            config.model.heads,
            config.train.batch,
            config.train.lr,
            config.train.steps
        );
    }
    session.result.baselines = crate::baselines_for(config, &session.held_out);
    let start = Instant::now();
    let mut last_print = Instant::now();
    let mut since_print = 0usize;
    let mut loss_sum = 0.0;
    loop {
        if session.eval_due() {
            let point = pollster::block_on(session.evaluate(start.elapsed().as_secs_f64())).map_err(|e| e.to_string())?;
            if !quiet {
                let d = config.task.dim;
                let fmt = |k: usize| point.curve.at(k).map_or("-".into(), |v| format!("{v:.4}"));
                let shifted = match (&point.shifted, config.eval.shift) {
                    (Some(c), Some(shift)) => {
                        format!("  · {}: k=K {}", shift.name(), c.at(config.context).map_or("-".into(), |v| format!("{v:.4}")))
                    }
                    _ => String::new(),
                };
                eprintln!(
                    "  eval @ {:>6}: ICL error k=1 {}  k=D={d} {}  k=2D {}  k=K {}{shifted}",
                    point.step,
                    fmt(1),
                    fmt(d),
                    fmt(2 * d),
                    fmt(config.context)
                );
            }
        }
        if session.budget_spent() {
            break;
        }
        let chunk = session.steps_to_next_eval().min(10);
        let losses = pollster::block_on(session.train(chunk, chunk)).map_err(|e| e.to_string())?;
        since_print += losses.len();
        loss_sum += losses.iter().map(|l| l.1).sum::<f64>();
        if !quiet && last_print.elapsed().as_secs_f64() > 2.0 {
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "step {:>6}/{} · loss {:.4} · {:.1} steps/s · {:.0} s",
                session.steps(),
                config.train.steps,
                loss_sum / since_print.max(1) as f64,
                session.steps() as f64 / secs,
                secs
            );
            (since_print, loss_sum) = (0, 0.0);
            last_print = Instant::now();
        }
    }
    session.result.elapsed_s = start.elapsed().as_secs_f64();
    if let Some(p) = pollster::block_on(session.probe()).map_err(|e| e.to_string())? {
        if !quiet {
            eprintln!(
                "probe vs gradient descent on {} held-out prompts: 1 step η_eff = {:.4} ± {:.4} (cosine {:.3}); {} steps η = {:.4} (cosine {:.3})",
                p.prompts, p.eta_one, p.se_eta_one, p.cosine_one, p.steps, p.eta_multi, p.cosine_multi
            );
        }
    }
    if !quiet {
        eprintln!("done: {} steps in {:.1} s ({:.2} steps/s)", session.steps(), session.result.elapsed_s, session.steps() as f64 / session.result.elapsed_s);
    }
    Ok(session.result)
}

/// The machine's RAM from /proc/meminfo (8 GiB where it cannot be read).
fn total_ram_bytes() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(8.0 * 1024.0 * 1024.0 * 1024.0, |kib| kib * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_too_big_for_this_machine_is_refused_before_allocation() {
        let mut config = icl_core::config::Preset::Reference.config();
        (config.model.width, config.model.depth, config.model.heads, config.train.batch, config.context) = (1024, 1, 8, 2048, 128);
        let (device, backend) = icl_train::backend::cpu();
        let e = train(&config, &device, backend, true, false).unwrap_err();
        assert!(e.contains("too big for this machine") && e.contains("largest batch that fits"), "{e}");
    }
}
