//! One-dimensional minimisation, shared by GD step tuning, the probes and the theory: a
//! grid locates the basin (the objectives are smooth but not always unimodal over the whole
//! range), golden-section search refines it between the best point's neighbours. Also the
//! mixed-precision dot product every linear predictor uses.

/// w·x for f64 weights and an f32 input (prompts store f32; all arithmetic is f64).
pub fn dot(w: &[f64], x: &[f32]) -> f64 {
    w.iter().zip(x).map(|(w, &x)| w * x as f64).sum()
}

/// `n` points spaced evenly in log from `lo` to `hi` (both > 0).
pub fn log_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let ratio = (hi / lo).ln() / (n.max(2) - 1) as f64;
    (0..n).map(|i| lo * (ratio * i as f64).exp()).collect()
}

/// `n` points spaced evenly from `lo` to `hi`.
pub fn linear_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| lo + (hi - lo) * i as f64 / (n.max(2) - 1) as f64).collect()
}

/// Minimiser of `f` over the sorted `grid`: its best point, refined by golden-section search
/// between that point's neighbours until the bracket is `rel_tol` of its upper end.
/// Returns (x, f(x)); never worse than the best grid point.
pub fn minimise_on_grid(f: impl Fn(f64) -> f64, grid: &[f64], rel_tol: f64) -> (f64, f64) {
    assert!(!grid.is_empty(), "an empty grid has no minimiser");
    let values: Vec<f64> = grid.iter().map(|&x| f(x)).collect();
    let best = (0..grid.len()).min_by(|&a, &b| values[a].total_cmp(&values[b])).expect("non-empty");
    let (mut a, mut b) = (grid[best.saturating_sub(1)], grid[(best + 1).min(grid.len() - 1)]);
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    let (mut c, mut d) = (b - phi * (b - a), a + phi * (b - a));
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..300 {
        if b - a <= rel_tol * b.abs().max(f64::MIN_POSITIVE) {
            break;
        }
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - phi * (b - a);
            fc = f(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + phi * (b - a);
            fd = f(d);
        }
    }
    let mid = 0.5 * (a + b);
    let f_mid = f(mid);
    if f_mid <= values[best] { (mid, f_mid) } else { (grid[best], values[best]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_smooth_function_to_tolerance() {
        let (x, fx) = minimise_on_grid(|x| (x.ln() - 0.3f64.ln()).powi(2) + 1.0, &log_grid(1e-4, 10.0, 50), 1e-12);
        assert!((x - 0.3).abs() < 1e-6 && (fx - 1.0).abs() < 1e-12, "{x} {fx}");
        let (x, _) = minimise_on_grid(|x| (x - 0.7).powi(4), &linear_grid(0.0, 2.0, 21), 1e-12);
        assert!((x - 0.7).abs() < 1e-3, "{x}");
    }

    #[test]
    fn picks_the_global_basin_on_the_grid_and_handles_edges() {
        // Two basins: the grid chooses the deeper one.
        let f = |x: f64| (x - 1.0).powi(2) * (x - 4.0).powi(2) - 0.1 * x;
        let (x, _) = minimise_on_grid(f, &linear_grid(0.0, 5.0, 101), 1e-12);
        assert!((x - 4.0).abs() < 0.05, "{x}");
        // Minimum at the grid's end.
        let (x, _) = minimise_on_grid(|x| x, &linear_grid(1.0, 2.0, 5), 1e-12);
        assert_eq!(x, 1.0);
    }
}
