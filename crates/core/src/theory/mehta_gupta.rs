//! Mehta & Gupta 2025 (arXiv 2511.06232) claims as hypotheses with free constants (THEORY.md §4).
//!
//! None of these is a built-in truth: each function states the definition used so that a fitted
//! curve can be drawn next to measurements. Caveats from THEORY.md §4.0, which the UI should show:
//! * "model size" N = L·d is not a parameter count; a transformer block has ≈12d² weights, so
//!   P ≈ 12·L·d² ([`transformer_params`]); the shape exponents depend on which is held fixed;
//! * the task "hierarchy depth" h is undefined for linear/sparse regression: the caller declares it;
//! * ε = C N^{−α} has no floor, but no learner beats the Bayes risk at finite k, so the testable form
//!   is ε = ε_∞ + C N^{−α} with ε_∞ ≥ Bayes(k);
//! * η_eff = Θ(1/√(Ld)) is ill-defined; for trained linear attention the step is set by the data
//!   (η* = k/(k+D+1+σ²), independent of L and d): see [`eta_eff_claim`] and [`eta_eff_linear_attention`];
//! * N_c = Θ((k h)^{2(h+1)}) is astronomically large for h ≥ 3: only its k-dependence is testable.

/// Claimed exponent α(h) = 1/(2(h+1)) for declared hierarchy depth h (0.25, 0.1667, 0.125, 0.1 for h = 1..4).
pub fn claimed_exponent(h: usize) -> f64 {
    1.0 / (2.0 * (h as f64 + 1.0))
}

/// Power law with floor ε(N) = ε_∞ + C·N^{−α} (the testable form, §4.1).
pub use crate::fit::power_law_with_floor;

/// Error ratio per 10× in N under ε ∝ N^{−α}: 10^{−α}.
pub fn error_ratio_per_decade(alpha: f64) -> f64 {
    10f64.powf(-alpha)
}

/// Factor in N needed to halve the error under ε ∝ N^{−α}: 2^{1/α}.
pub fn n_factor_to_halve(alpha: f64) -> f64 {
    2f64.powf(1.0 / alpha)
}

/// Claimed critical scale N_c = c·(k·h)^{2(h+1)} (c = 1 gives the "unit constant" values of §5.7).
pub fn claimed_critical_scale(k: usize, h: usize, c: f64) -> f64 {
    c * (k as f64 * h as f64).powf(2.0 * (h as f64 + 1.0))
}

/// Claimed slope β of ln N_c against ln k at fixed h: 2(h+1) (§4.4).
pub fn claimed_critical_slope(h: usize) -> f64 {
    2.0 * (h as f64 + 1.0)
}

/// Logistic transition in natural-log N (§4.4): ε(N) = ε_lo + (ε_hi − ε_lo)/(1 + exp((ln N − ln N_c)/w)),
/// w a width in e-folds.
pub fn logistic_transition(n: f64, e_hi: f64, e_lo: f64, n_c: f64, w: f64) -> f64 {
    e_lo + (e_hi - e_lo) / (1.0 + ((n.ln() - n_c.ln()) / w).exp())
}

/// Claimed optimal depth L* = c·N^{2/3} (N = L·d). Table 3's pair (64 at N = 2·10⁶) implies c ≈ 0.0040
/// ([`implied_depth_constant`]).
pub fn claimed_optimal_depth(n: f64, c: f64) -> f64 {
    c * n.powf(2.0 / 3.0)
}

/// Claimed optimal width d* = N/L* = N^{1/3}/c (consistent with [`claimed_optimal_depth`]).
pub fn claimed_optimal_width(n: f64, c: f64) -> f64 {
    n.powf(1.0 / 3.0) / c
}

/// Constant c with L* = c N^{2/3} passing through (N, L*).
pub fn implied_depth_constant(n: f64, l_star: f64) -> f64 {
    l_star / n.powf(2.0 / 3.0)
}

/// Parameter count of a standard transformer stack, P ≈ 12·L·d² (4d² attention + 8d² MLP per block,
/// embeddings excluded).
pub fn transformer_params(l: f64, d: f64) -> f64 {
    12.0 * l * d * d
}

/// Which budget the shape optimum is taken under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeBudget {
    /// N = L·d (the paper's "model size").
    DepthTimesWidth,
    /// P = 12·L·d² (parameters).
    Params,
}

/// Exponents (e_L, e_d) with L* ∝ budget^{e_L}, d* ∝ budget^{e_d} for ε = A L^{−a} + B d^{−b}:
/// under L·d: (b/(a+b), a/(a+b)); under 12Ld²: (b/(2a+b), a/(2a+b)). The claim (2/3, 1/3) corresponds to
/// b = 2a under L·d and then reads (1/2, 1/4) under P.
pub fn shape_exponents(a: f64, b: f64, budget: ShapeBudget) -> (f64, f64) {
    match budget {
        ShapeBudget::DepthTimesWidth => (b / (a + b), a / (a + b)),
        ShapeBudget::Params => (b / (2.0 * a + b), a / (2.0 * a + b)),
    }
}

/// Exponent of a pure power law implied by an error ratio over a scale ratio: ln(err_ratio)/ln(scale_ratio)
/// (e.g. "4× better at 16× depth" → 0.5).
pub fn exponent_from_ratio(error_ratio: f64, scale_ratio: f64) -> f64 {
    error_ratio.ln() / scale_ratio.ln()
}

/// Claimed effective in-context learning rate η_eff = c/√(L·d) (free constant c). Operational
/// definition (§4.3): the no-intercept slope of the model's ŷ on the one-step GD feature x_q·h.
pub fn eta_eff_claim(l: f64, d: f64, c: f64) -> f64 {
    c / (l * d).sqrt()
}

/// Competing theory for η_eff of a trained one-layer linear attention: η* = k/(k + D + 1 + σ²),
/// independent of L and d (§2.5, §4.0 item 6).
pub fn eta_eff_linear_attention(k: usize, dim: usize, noise_var: f64) -> f64 {
    super::iso::gd1_optimal_step(k, dim, noise_var)
}
