//! `icl-lab`: the ICL Scaling Lab core on the command line. It trains the same model on
//! the same tasks as the browser and writes the same JSON files the dashboard opens.

mod args;
mod bench_cmd;
mod device;
mod report_cmd;
mod sweep_cmd;
mod table;
mod theory_cmd;
mod train_cmd;

use clap::{Parser, Subcommand};
use icl_core::config::RunConfig;
use icl_core::schema::NamedCurve;
use icl_core::tasks::PromptBatch;

#[derive(Parser)]
#[command(name = "icl-lab", version, about = "Train small transformers in context and test them against theory")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train one model and write its run file.
    Train(train_cmd::TrainArgs),
    /// Steps per second on each native backend.
    Bench(bench_cmd::BenchArgs),
    /// Every theory curve of THEORY.md at k = 0..=K.
    Theory(theory_cmd::TheoryArgs),
    /// A run's measured ICL error per k beside its baselines and the theory curves.
    Report(report_cmd::ReportArgs),
    /// Run a paper-claim experiment (or one shard of it) as a sweep of training runs.
    Sweep(sweep_cmd::SweepArgs),
    /// Join a sweep's shard files (any order) and judge the claims.
    Merge(sweep_cmd::MergeArgs),
    /// Fits and verdicts of a sweep file.
    Analyze(sweep_cmd::AnalyzeArgs),
}

/// Baselines scored on a run's held-out prompts.
pub fn baselines_for(config: &RunConfig, held_out: &PromptBatch) -> Vec<NamedCurve> {
    icl_core::baselines::baseline_curves(&config.task, held_out)
}

fn main() {
    keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(a) => train_cmd::run(a),
        Command::Bench(a) => bench_cmd::run(a),
        Command::Theory(a) => theory_cmd::run(a),
        Command::Report(a) => report_cmd::run(a),
        Command::Sweep(a) => sweep_cmd::run(a),
        Command::Merge(a) => sweep_cmd::merge(a),
        Command::Analyze(a) => sweep_cmd::analyze(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// burn's CPU backend allocates fresh buffers for every tensor and frees them all after each
/// backward pass. With glibc's defaults the large ones are unmapped on free and every page
/// faults again on the next step; keeping freed memory in the process made a training step
/// about 1.5× faster on the reference workload (measured). Both settings are needed: the mmap
/// threshold (32 MB, glibc's maximum) keeps activations on the heap, the trim threshold keeps
/// the heap from being returned.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
