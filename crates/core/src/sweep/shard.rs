//! Splitting a plan over independent jobs (Slurm `--array`, GNU parallel, several browsers).

use super::{SweepPlan, SweepPoint};

/// Assigns every point to one of `count` shards, balancing estimated cost
/// ([`SweepPoint::cost_units`]) by the longest-processing-time rule: points in order of
/// decreasing cost (ties by id) each go to the currently cheapest shard (ties to the lowest
/// index). Deterministic, so every job computes the same assignment; returns the shard of
/// each point, in plan order.
fn assignment(plan: &SweepPlan, count: usize) -> Vec<usize> {
    let n = plan.points.len();
    let mut order: Vec<usize> = (0..n).collect();
    let costs: Vec<f64> = plan.points.iter().map(SweepPoint::cost_units).collect();
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]).then_with(|| plan.points[a].id.cmp(&plan.points[b].id)));
    let mut load = vec![0.0f64; count.max(1)];
    let mut out = vec![0; n];
    for i in order {
        let s = (0..load.len()).min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b))).unwrap_or(0);
        load[s] += costs[i];
        out[i] = s;
    }
    out
}

/// The points of shard `index` of `count`, in plan order. **Indices are 1-based**
/// (`1..=count`), like the CLI's `--shard I/N`, GNU parallel's `{#}` and a Slurm array declared
/// `--array=1-N`. The shards of one plan are disjoint and together hold every point exactly
/// once, for any `count ≥ 1` (with more shards than points some are empty). The assignment
/// depends only on the plan, so it is stable across runs and machines. `index = 0`,
/// `index > count` or `count = 0` give an empty shard.
pub fn shard(plan: &SweepPlan, index: usize, count: usize) -> Vec<SweepPoint> {
    if count == 0 || index == 0 || index > count {
        return Vec::new();
    }
    let a = assignment(plan, count);
    plan.points.iter().zip(a).filter(|(_, s)| *s + 1 == index).map(|(p, _)| p.clone()).collect()
}

/// Estimated cost of each of `count` shards, shard 1 first (for logs and tests).
pub fn shard_costs(plan: &SweepPlan, count: usize) -> Vec<f64> {
    let mut load = vec![0.0; count];
    if count == 0 {
        return load;
    }
    for (p, s) in plan.points.iter().zip(assignment(plan, count)) {
        load[s] += p.cost_units();
    }
    load
}

/// Parses the CLI's `--shard I/N`: 1-based index I in `1..=N`, returned as `(I, N)` for
/// [`shard`]. For a Slurm array pass `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT` with
/// `--array=1-N`; with GNU parallel, `{#}/N`.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text.split_once('/').ok_or_else(|| format!("--shard wants I/N (1-based, I in 1..=N), got \"{text}\""))?;
    let i: usize = i.trim().parse().map_err(|_| format!("--shard: \"{i}\" is not a shard index"))?;
    let n: usize = n.trim().parse().map_err(|_| format!("--shard: \"{n}\" is not a shard count"))?;
    if n == 0 {
        return Err("--shard: the shard count must be at least 1".into());
    }
    if i == 0 || i > n {
        return Err(format!("--shard: index {i} is out of range for {n} shards (1-based: 1..={n})"));
    }
    Ok((i, n))
}
