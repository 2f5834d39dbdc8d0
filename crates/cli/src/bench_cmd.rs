//! `icl-lab bench`: steps per second of a workload on each available native backend.

use crate::args::RunArgs;
use crate::device::{self, BackendArg};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Timed steps per backend (after warm-up).
    #[arg(long, default_value_t = 50)]
    pub timed_steps: usize,
    #[arg(long, default_value_t = 5)]
    pub warmup_steps: usize,
    /// Print one JSON object per backend instead of text.
    #[arg(long)]
    pub json: bool,
    /// Instead: time the baseline suite (all classical learners on 512 held-out prompts)
    /// for several task families and sizes.
    #[arg(long)]
    pub baselines: bool,
}

fn bench_baselines() {
    use icl_core::baselines::BaselineSuite;
    use icl_core::tasks::{TaskFamily, TaskSpec};
    let tree = |h, d| TaskSpec { family: TaskFamily::Tree { depth: h }, ..TaskSpec::linear(d, 0.0) };
    let configs = [
        ("ISO D=8 K=32 (reference)", TaskSpec::linear(8, 0.0), 33),
        ("ISO D=8 K=32 σ²=0.25", TaskSpec::linear(8, 0.25), 33),
        ("ISO D=20 K=40", TaskSpec::linear(20, 0.0), 41),
        ("sparse D=20 s=3 K=40", TaskSpec { family: TaskFamily::SparseLinear { nonzero: 3 }, ..TaskSpec::linear(20, 0.0) }, 41),
        ("tree D=20 h=4 K=40 (no Bayes)", tree(4, 20), 41),
        ("tree D=8 h=2 K=32", tree(2, 8), 33),
        ("ISO D=64 K=128 (largest allowed)", TaskSpec::linear(64, 0.0), 129),
    ];
    for (label, spec, n) in configs {
        let batch = spec.sample(512, n, &mut icl_core::rng::seeded(0, 2));
        let start = Instant::now();
        let mut suite = BaselineSuite::new(&spec, &batch);
        let setup = start.elapsed();
        let mut slowest = std::time::Duration::ZERO;
        while !suite.is_done() {
            let t = Instant::now();
            suite.run_next(8);
            slowest = slowest.max(t.elapsed());
        }
        println!(
            "{label:<34} setup {setup:>9.2?}  total {:>9.2?}  slowest 8-prompt slice {slowest:>8.2?}  ({} learners)",
            start.elapsed(),
            suite.names().len()
        );
    }
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    if args.baselines {
        bench_baselines();
        return Ok(());
    }
    let config = args.run.to_config()?;
    let mut backends = vec![BackendArg::Cpu];
    if cfg!(feature = "wgpu") {
        backends.push(BackendArg::Wgpu);
    }
    for choice in backends {
        let (device, info) = match device::open(choice) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{choice:?}: unavailable ({e})");
                continue;
            }
        };
        let mut trainer = icl_train::Trainer::new(&config, &device)?;
        let warm = Instant::now();
        pollster::block_on(trainer.train_steps(args.warmup_steps, args.warmup_steps)).map_err(|e| e.to_string())?;
        let warmup_s = warm.elapsed().as_secs_f64();
        let start = Instant::now();
        pollster::block_on(trainer.train_steps(args.timed_steps, 10)).map_err(|e| e.to_string())?;
        let secs = start.elapsed().as_secs_f64();
        let steps_per_s = args.timed_steps as f64 / secs;
        if args.json {
            println!(
                "{}",
                serde_json::json!({"backend": info.badge(), "params": trainer.param_count(), "warmup_s": warmup_s,
                    "steps": args.timed_steps, "seconds": secs, "steps_per_s": steps_per_s, "ms_per_step": 1000.0 / steps_per_s})
            );
        } else {
            println!(
                "{:<40} {:>9} params  {:>8.2} steps/s  {:>8.1} ms/step  (warm-up {:.1} s)",
                info.badge(),
                trainer.param_count(),
                steps_per_s,
                1000.0 / steps_per_s,
                warmup_s
            );
        }
    }
    Ok(())
}
