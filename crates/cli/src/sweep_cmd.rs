//! `icl-lab sweep`, `merge`, `analyze`: paper-claim experiments as sweeps of training runs.
//! A sweep can be split over a job array (`--shard I/N`); each shard writes its own file,
//! resumes where it stopped, and `merge` joins the files in any order.

use crate::device::{self, BackendArg};
use icl_core::sweep::{self, Analysis, Experiment, ExperimentKind, PointResult, SweepPreset, SweepResult, VerdictStatus};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The experiment (scaling, depth_width, transition, learning_curve, …; see `--help` of `analyze`).
    pub experiment: String,
    #[arg(long, default_value = "quick")]
    pub preset: String,
    /// Directory for the result files (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Run only shard I of N (1-based, e.g. `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`).
    #[arg(long)]
    pub shard: Option<String>,
    /// A JSON experiment (an `Experiment`, e.g. from a sweep file) instead of the default one.
    #[arg(long)]
    pub experiment_json: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendArg,
    /// Print the plan and its estimated cost, train nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Points trained at once, each on its own thread (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Directory holding `sweep-*.json` shard files.
    pub dir: PathBuf,
    /// Where to write the merged sweep (default DIR/merged.json).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// A sweep file (a shard or merged).
    pub file: PathBuf,
    /// Print the whole analysis (series, fits, verdicts) as JSON.
    #[arg(long)]
    pub json: bool,
}

fn experiment_from(args: &SweepArgs) -> Result<Experiment, String> {
    if let Some(path) = &args.experiment_json {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return serde_json::from_str(&text).map_err(|e| format!("{}: not an experiment ({e})", path.display()));
    }
    let kind = ExperimentKind::from_name(&args.experiment)
        .ok_or_else(|| format!("unknown experiment “{}” (one of {})", args.experiment, ExperimentKind::names()))?;
    Ok(Experiment::default_for(kind))
}

pub fn run(args: SweepArgs) -> Result<(), String> {
    let experiment = experiment_from(&args)?;
    let preset = SweepPreset::from_name(&args.preset).ok_or_else(|| format!("unknown preset “{}” (one of {})", args.preset, SweepPreset::names()))?;
    let plan = sweep::plan(&experiment, preset);
    let (index, count) = match &args.shard {
        Some(s) => sweep::parse_shard(s)?,
        None => (1, 1),
    };
    let points = sweep::shard(&plan, index, count);
    eprintln!("{}", plan.description);
    eprintln!(
        "shard {index}/{count}: {} of {} points · estimated {:.0} s on a native CPU, {:.0} s on a GPU server",
        points.len(),
        plan.points.len(),
        sweep::CostEstimate::of(&points).native_cpu_s,
        sweep::CostEstimate::of(&points).gpu_server_s
    );
    if args.dry_run {
        for p in &points {
            eprintln!("  {} · {} parameters · {} steps", p.id, p.config.param_count(), p.config.train.steps);
        }
        return Ok(());
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let file = args.out.join(format!("sweep-{}-{}-shard{index}of{count}.json", experiment.kind().name(), preset.name()));
    let result = match std::fs::read_to_string(&file) {
        Ok(text) => {
            let r = SweepResult::from_json(&text).map_err(|e| format!("{}: {e} (move it away to start over)", file.display()))?;
            eprintln!("resuming: {} points already done in {}", r.done(), file.display());
            r
        }
        Err(_) => SweepResult::new(&plan),
    };
    let (device, backend) = device::open(args.backend)?;
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let todo: Vec<&sweep::SweepPoint> = points
        .iter()
        .filter(|p| !result.points.iter().any(|r| r.id == p.id && r.status == icl_core::schema::RunStatus::Done))
        .collect();
    eprintln!("{} points to train on {jobs} job(s)", todo.len());
    let start = Instant::now();
    let queue = std::sync::Mutex::new(todo.into_iter().enumerate());
    let shared = std::sync::Mutex::new((result, 0usize));
    let failure = std::sync::Mutex::new(None::<String>);
    let total = points.len();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                    let Some((_, point)) = next else { break };
                    if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                        break;
                    }
                    let t = Instant::now();
                    let run = match crate::train_cmd::train(&point.config, &device, backend.clone(), true, jobs == 1) {
                        Ok(run) => run,
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                f.get_or_insert(format!("{}: {e}", point.id));
                            }
                            break;
                        }
                    };
                    let done = PointResult::from_run(point, &run);
                    let metric = sweep::point_metric(&done.final_curve, point.config.context).map_or("-".into(), |(m, se)| format!("{m:.4} ± {se:.4}"));
                    // Results land in any order; the file is rewritten after each, under the lock.
                    let Ok(mut guard) = shared.lock() else { break };
                    let (result, finished) = &mut *guard;
                    result.insert(done);
                    *finished += 1;
                    eprintln!(
                        "[{finished} done, {total} in shard] {} · {} parameters · metric {metric} · {:.1} s (total {:.0} s)",
                        point.id,
                        point.config.param_count(),
                        t.elapsed().as_secs_f64(),
                        start.elapsed().as_secs_f64()
                    );
                    if let Err(e) = write_atomically(&file, &result.to_json()) {
                        if let Ok(mut f) = failure.lock() {
                            f.get_or_insert(e);
                        }
                        break;
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let (result, _) = shared.into_inner().map_err(|_| "a training job panicked".to_string())?;
    eprintln!("wrote {} in {:.0} s", file.display(), start.elapsed().as_secs_f64());
    print_analysis(&sweep::analyze(&result));
    print_power(&result);
    Ok(())
}

fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub fn merge(args: MergeArgs) -> Result<(), String> {
    let out = args.out.unwrap_or_else(|| args.dir.join("merged.json"));
    let mut parts = Vec::new();
    let entries = std::fs::read_dir(&args.dir).map_err(|e| format!("cannot read {}: {e}", args.dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("sweep-") && n.ends_with(".json")))
        .collect();
    files.sort();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        parts.push(SweepResult::from_json(&text).map_err(|e| format!("{}: {e}", f.display()))?);
    }
    if parts.is_empty() {
        return Err(format!("no sweep-*.json files in {}", args.dir.display()));
    }
    let merged = sweep::merge(&parts)?;
    write_atomically(&out, &merged.to_json())?;
    eprintln!("merged {} files: {} of {} points → {}", files.len(), merged.points.len(), merged.plan_points, out.display());
    print_analysis(&sweep::analyze(&merged));
    print_power(&merged);
    Ok(())
}

pub fn analyze(args: AnalyzeArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let result = SweepResult::from_json(&text).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let analysis = sweep::analyze(&result);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&analysis).expect("JSON"));
    } else {
        print_analysis(&analysis);
        print_power(&result);
    }
    Ok(())
}

/// Synthetic sweeps per law in the power analysis (the page uses fewer).
const POWER_REPS: usize = 400;

/// The power of this sweep's design, and of the full preset's, calibrated on its points.
fn print_power(result: &SweepResult) {
    let mut presets = vec![result.preset];
    if result.preset != SweepPreset::Full {
        presets.push(SweepPreset::Full);
    }
    for preset in presets {
        let Some(p) = sweep::power::sweep_power(result, preset, POWER_REPS, 200) else { continue };
        let cost = sweep::plan(&result.experiment, preset).estimate;
        println!(
            "# power of the {} design: {:.0}% ({}; estimated {:.0} s on browser CPU, {:.0} s native CPU): {}",
            preset.name(),
            100.0 * p.power(),
            if p.decides() { "decides at 80%" } else { "cannot decide at 80%" },
            cost.browser_cpu_s,
            cost.native_cpu_s,
            p.describe()
        );
    }
}

fn print_analysis(a: &Analysis) {
    println!("# {} — {} of {} points used; metric: {}", a.title, a.points_used, a.points_planned, a.metric);
    for note in &a.notes {
        println!("# note: {note}");
    }
    for v in &a.verdicts {
        let status = match v.status {
            VerdictStatus::Consistent => "CONSISTENT",
            VerdictStatus::Inconsistent => "INCONSISTENT",
            VerdictStatus::Inconclusive => "INCONCLUSIVE",
        };
        println!("{status:<13} {}\n              measured:  {}\n              predicted: {}\n              {}", v.claim, v.measured, v.predicted, v.explanation);
    }
}
