//! How many Web Workers train a sweep at once. The site must work as plain static files
//! (no COOP/COEP, hence no wasm threads), so parallelism comes from several workers, each
//! training one point on one core.

/// Most workers a pool starts, whatever the machine claims.
pub const MAX_WORKERS: usize = 8;
/// Memory every worker needs before its model: the trainer's wasm, its heap and the runtime.
pub const WORKER_BASE_MB: f64 = 96.0;

/// The pool size and why.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSize {
    pub workers: usize,
    pub reason: String,
}

/// Sizes the pool: `requested` workers if the user chose (≥ 1); otherwise one per core but
/// one (the page and the browser keep a core), at most [`MAX_WORKERS`], and no more than a
/// quarter of the device's memory holds (`navigator.deviceMemory`, GB; 2 GB assumed where the
/// browser does not say) for the sweep's largest point, `point_mb` each plus [`WORKER_BASE_MB`].
pub fn pool_size(requested: usize, cores: Option<f64>, device_memory_gb: Option<f64>, point_mb: f64) -> PoolSize {
    if requested > 0 {
        return PoolSize { workers: requested.min(2 * MAX_WORKERS), reason: format!("{requested} chosen") };
    }
    let cores = cores.filter(|c| c.is_finite() && *c >= 1.0).unwrap_or(2.0) as usize;
    let by_cores = cores.saturating_sub(1).clamp(1, MAX_WORKERS);
    let memory_mb = device_memory_gb.filter(|m| m.is_finite() && *m > 0.0).unwrap_or(2.0) * 1024.0;
    let by_memory = ((0.25 * memory_mb) / (WORKER_BASE_MB + point_mb.max(0.0))).floor().max(1.0) as usize;
    let workers = by_cores.min(by_memory);
    let reason = if by_memory < by_cores {
        format!("auto: {workers} (memory: {} MB per worker, a quarter of {:.0} MB)", (WORKER_BASE_MB + point_mb).round(), memory_mb)
    } else {
        format!("auto: {workers} ({cores} cores, one kept for the page)")
    };
    PoolSize { workers, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_per_core_but_one_within_memory() {
        assert_eq!(pool_size(0, Some(8.0), Some(8.0), 10.0).workers, 7);
        assert_eq!(pool_size(0, Some(2.0), Some(8.0), 10.0).workers, 1);
        assert_eq!(pool_size(0, Some(64.0), Some(64.0), 10.0).workers, MAX_WORKERS);
        // Big points on a small device: memory decides, and says so.
        let p = pool_size(0, Some(16.0), Some(1.0), 200.0);
        assert_eq!(p.workers, 1);
        assert!(p.reason.contains("memory"), "{}", p.reason);
        // The user's choice wins.
        assert_eq!(pool_size(2, Some(2.0), None, 10.0).workers, 2);
        // Unknown hardware: two cores assumed, one worker.
        assert_eq!(pool_size(0, None, None, 10.0).workers, 1);
    }
}
