//! Wishart moments and the Marchenko–Pastur law (THEORY.md §2.4, §2.6).
//!
//! Conventions: X ∈ R^{k×D} has iid N(0,1) entries, W = XᵀX, S = W/k. The *normalised* moment is
//! μ_m = E tr(S^m)/D (so μ_0 = μ_1 = 1). The Marchenko–Pastur law μ_MP,γ is the limit spectral law
//! of S as D, k → ∞ with γ = D/k (unit variance; atom 1 − 1/γ at 0 when γ > 1).

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};
use std::sync::OnceLock;

/// Largest m for which the Wick table is available (m = 8 ↔ L = 4 GD steps).
pub const MAX_WICK_ORDER: usize = 8;

/// Wick/Isserlis table of E tr(W^m): `count[a][i]` is the number of perfect matchings of the 2m
/// Gaussian factors of tr((XᵀX)^m) inducing `a` connected components on the m row indices and `i`
/// on the m column indices, so that E tr(W^m) = Σ_{a,i} count[a][i] · k^a · D^i (THEORY.md §2.6).
/// Factor 2t carries (a_t, i_t) and factor 2t+1 carries (a_t, i_{t+1 mod m}).
#[derive(Clone, Debug, PartialEq)]
pub struct WickTable {
    pub m: usize,
    pub count: Vec<Vec<u64>>,
}

impl WickTable {
    /// Enumerates all (2m−1)!! matchings (2,027,025 for m = 8). Independent of k and D; use
    /// [`wick_table`] for the cached copy.
    pub fn enumerate(m: usize) -> WickTable {
        assert!((1..=MAX_WICK_ORDER).contains(&m), "Wick table supports 1 ≤ m ≤ {MAX_WICK_ORDER}");
        // Component labels of the m row (column) indices packed one byte each into a u64; merging two
        // classes relabels bytes with a branch-free SWAR replace.
        let mut init = 0u64;
        for t in 0..m {
            init |= (t as u64) << (8 * t);
        }
        // Bytes ≥ m are filled with 0xFF so they never match a label.
        for t in m..8 {
            init |= 0xFFu64 << (8 * t);
        }
        let n = 2 * m;
        let full: u32 = (1u32 << n) - 1;
        let row_of: Vec<u32> = (0..n).map(|f| 8 * (f / 2) as u32).collect();
        let col_shift: Vec<u32> = (0..n).map(|f| 8 * col_of(f, m) as u32).collect();
        let mut hist = [[0u64; MAX_WICK_ORDER + 1]; MAX_WICK_ORDER + 1];
        struct Ctx<'a> {
            full: u32,
            row: &'a [u32],
            col: &'a [u32],
            hist: &'a mut [[u64; MAX_WICK_ORDER + 1]; MAX_WICK_ORDER + 1],
        }
        fn rec(c: &mut Ctx, used: u32, lr: u64, lc: u64, nr: usize, nc: usize) {
            if used == c.full {
                c.hist[nr][nc] += 1;
                return;
            }
            let f = (!used).trailing_zeros() as usize;
            let mut rest = c.full & !used & !(1u32 << f);
            while rest != 0 {
                let g = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let (lr2, mr) = merge_packed(lr, c.row[f], c.row[g]);
                let (lc2, mc) = merge_packed(lc, c.col[f], c.col[g]);
                rec(c, used | (1 << f) | (1 << g), lr2, lc2, nr - mr as usize, nc - mc as usize);
            }
        }
        let mut ctx = Ctx { full, row: &row_of, col: &col_shift, hist: &mut hist };
        rec(&mut ctx, 0, init, init, m, m);
        let count = (0..=m).map(|a| hist[a][..=m].to_vec()).collect();
        WickTable { m, count }
    }

    /// E tr(W^m) exactly, as an integer.
    pub fn expectation(&self, k: u64, d: u64) -> BigInt {
        let mut total = BigInt::zero();
        let (kb, db) = (BigInt::from(k), BigInt::from(d));
        for (a, row) in self.count.iter().enumerate() {
            for (i, &c) in row.iter().enumerate() {
                if c != 0 {
                    total += BigInt::from(c) * num_traits::pow(kb.clone(), a) * num_traits::pow(db.clone(), i);
                }
            }
        }
        total
    }

    /// Number of matchings enumerated, (2m−1)!!.
    pub fn total(&self) -> u64 {
        self.count.iter().flatten().sum()
    }
}

fn col_of(f: usize, m: usize) -> usize {
    if f % 2 == 0 { f / 2 } else { (f / 2 + 1) % m }
}

/// Merges the classes of the bytes at bit offsets `sx`, `sy` of a packed label word: every byte equal to
/// the label at `sy` becomes the label at `sx`. Returns the new word and whether two classes merged.
#[inline(always)]
fn merge_packed(v: u64, sx: u32, sy: u32) -> (u64, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let lx = (v >> sx) & 0xFF;
    let ly = (v >> sy) & 0xFF;
    if lx == ly {
        return (v, false);
    }
    let t = v ^ (ly * ONES);
    // 0x80 in every byte of t that is zero (exact, no borrow propagation).
    let z = !(((t & LOW7) + LOW7) | t | LOW7);
    let mask = (z >> 7) * 0xFF;
    ((v & !mask) | ((lx * ONES) & mask), true)
}

static WICK: [OnceLock<WickTable>; MAX_WICK_ORDER] = [const { OnceLock::new() }; MAX_WICK_ORDER];

/// Cached Wick table for order m (1 ≤ m ≤ 8). The first call for m = 8 enumerates ~2·10⁶ matchings
/// (tens of milliseconds natively); later calls are free.
pub fn wick_table(m: usize) -> &'static WickTable {
    assert!((1..=MAX_WICK_ORDER).contains(&m), "Wick table supports 1 ≤ m ≤ {MAX_WICK_ORDER}");
    WICK[m - 1].get_or_init(|| WickTable::enumerate(m))
}

/// E tr(W^m) for W = XᵀX, X ∈ R^{k×D} iid N(0,1), exact (E tr W⁰ = D).
pub fn wishart_trace_moment(m: usize, k: u64, d: u64) -> BigInt {
    if m == 0 { BigInt::from(d) } else { wick_table(m).expectation(k, d) }
}

/// Exact normalised moment μ_m = E tr(S^m)/D with S = W/k (μ_0 = 1). Requires k ≥ 1, D ≥ 1.
pub fn wishart_moment_exact(m: usize, k: u64, d: u64) -> BigRational {
    assert!(k >= 1 && d >= 1);
    if m == 0 {
        return BigRational::one();
    }
    let num = wishart_trace_moment(m, k, d);
    let den = num_traits::pow(BigInt::from(k), m) * BigInt::from(d);
    BigRational::new(num, den)
}

/// μ_m = E tr(S^m)/D in f64 (the exact integer E tr(W^m) rounded once, divided by k^m·D).
pub fn wishart_moment_f64(m: usize, k: u64, d: u64) -> f64 {
    if m == 0 {
        return 1.0;
    }
    let num = wishart_trace_moment(m, k, d).to_f64().unwrap_or(f64::INFINITY);
    num / ((k as f64).powi(m as i32) * d as f64)
}

/// μ_0..=μ_mmax exactly.
pub fn wishart_moments_exact(mmax: usize, k: u64, d: u64) -> Vec<BigRational> {
    (0..=mmax).map(|m| wishart_moment_exact(m, k, d)).collect()
}

/// Proportional-limit (Marchenko–Pastur / Narayana) moment: μ_m → Σ_{r=0}^{m−1} γ^r C(m,r)C(m−1,r)/(r+1),
/// γ = D/k. μ_0 = 1.
pub fn mp_moment(m: usize, gamma: f64) -> f64 {
    if m == 0 {
        return 1.0;
    }
    (0..m).map(|r| gamma.powi(r as i32) * binom(m, r) * binom(m - 1, r) / (r as f64 + 1.0)).sum()
}

pub(crate) fn binom(n: usize, r: usize) -> f64 {
    if r > n {
        return 0.0;
    }
    let mut v = 1.0;
    for i in 0..r {
        v = v * (n - i) as f64 / (i + 1) as f64;
    }
    v
}

/// Quadrature rule for the Marchenko–Pastur law with ratio γ (unit variance):
/// ∫ f dμ_MP,γ ≈ `atom`·f(0) + Σ_i `weights[i]`·f(`nodes[i]`).
///
/// The bulk density √((b−x)(x−a))/(2πγx) on [a,b] = [(1∓√γ)²] is integrated with the
/// Chebyshev-U (trapezoid in θ, x = (a+b)/2 − (b−a)/2·cos θ) rule, which is spectrally accurate for
/// smooth f, including γ = 1 where the density has an x^{−1/2} edge (then a node at x = 0 carries the
/// trapezoid endpoint weight, so f must be finite at 0). `atom` = max(1 − 1/γ, 0).
#[derive(Clone, Debug)]
pub struct MpQuadrature {
    pub gamma: f64,
    pub atom: f64,
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
}

impl MpQuadrature {
    pub fn new(gamma: f64, n: usize) -> Self {
        assert!(gamma > 0.0 && n >= 2);
        let sg = gamma.sqrt();
        let (a, b) = ((1.0 - sg).powi(2), (1.0 + sg).powi(2));
        let (c, h) = ((a + b) / 2.0, (b - a) / 2.0);
        let mut nodes = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        let step = std::f64::consts::PI / (n as f64 + 1.0);
        for i in 1..=n {
            let th = i as f64 * step;
            let x = c - h * th.cos();
            // dx = h sin θ dθ, √((b−x)(x−a)) = h sin θ.
            let w = step * h * h * th.sin().powi(2) / (2.0 * std::f64::consts::PI * gamma * x);
            nodes.push(x);
            weights.push(w);
        }
        if a <= 1e-14 * b {
            // γ = 1: the θ-integrand (1 + cos θ)·f(x)/(2πγ)·h is even, periodic and non-zero at θ = 0,
            // so the trapezoid rule needs the endpoint x = 0 with half weight.
            nodes.push(0.0);
            weights.push(0.5 * step * h * h * 2.0 / h / (2.0 * std::f64::consts::PI * gamma));
        }
        let atom = (1.0 - 1.0 / gamma).max(0.0);
        MpQuadrature { gamma, atom, nodes, weights }
    }

    /// ∫ f dμ_MP (atom included).
    pub fn integrate(&self, f: impl Fn(f64) -> f64) -> f64 {
        let bulk: f64 = self.nodes.iter().zip(&self.weights).map(|(&x, &w)| w * f(x)).sum();
        if self.atom > 0.0 { bulk + self.atom * f(0.0) } else { bulk }
    }
}

/// Default number of bulk nodes used by the MP integrals in this module (accuracy ≲ 1e-9 for the
/// smooth integrands of §2.4/§3.1 unless γ ≈ 1 with a near-singular integrand).
pub const MP_NODES: usize = 4000;

/// Stieltjes transform m(z) = ∫ dμ_MP,γ(x)/(x − z) for real z < 0:
/// m(z) = [1 − γ − z − √((1 − γ − z)² − 4γz)]/(2γz).
pub fn mp_stieltjes(z: f64, gamma: f64) -> f64 {
    assert!(z < 0.0, "mp_stieltjes: z must be negative");
    let b = 1.0 - gamma - z;
    (b - (b * b - 4.0 * gamma * z).sqrt()) / (2.0 * gamma * z)
}

/// Exact rational from an f64 (exact binary value).
pub(crate) fn rat(x: f64) -> BigRational {
    BigRational::from_float(x).expect("finite value")
}

pub(crate) fn to_f64(r: &BigRational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}
