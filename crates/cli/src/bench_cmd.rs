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
}

pub fn run(args: BenchArgs) -> Result<(), String> {
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
