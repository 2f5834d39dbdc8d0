//! The one rule that turns a fitted value and its interval into a verdict on a claim.

use crate::fit::Interval;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// The claim survived a test that could have refuted it.
    Consistent,
    /// The data exclude every value the claim allows.
    Inconsistent,
    /// Too few points, a failed fit, or an interval too wide to decide.
    Inconclusive,
}

impl VerdictStatus {
    pub fn name(self) -> &'static str {
        match self {
            VerdictStatus::Consistent => "consistent",
            VerdictStatus::Inconsistent => "inconsistent",
            VerdictStatus::Inconclusive => "inconclusive",
        }
    }
}

/// A judged claim, in words for the UI and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub claim: String,
    pub status: VerdictStatus,
    /// E.g. "α̂ = 0.21 [0.15, 0.27] (95% CI, bootstrap ∪ t, 6 sizes × 2 seeds)".
    pub measured: String,
    /// E.g. "α = 1/(2(h+1)) = 0.25 for h = 1".
    pub predicted: String,
    /// Why this status (which step of the rule decided) and the caveats.
    pub explanation: String,
}

/// The set of values a claim allows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Prediction {
    /// Exactly this value (an exponent, a slope).
    Value(f64),
    /// Any value above this one.
    Above(f64),
    /// Any value below this one.
    Below(f64),
}

impl Prediction {
    pub fn describe(&self) -> String {
        match self {
            Prediction::Value(x) => format!("= {}", fmt_num(*x)),
            Prediction::Above(x) => format!("> {}", fmt_num(*x)),
            Prediction::Below(x) => format!("< {}", fmt_num(*x)),
        }
    }
}

/// A fitted value, its 95% interval (bounds may be infinite for a one-sided bound) and the
/// number of distinct x values (sizes, budgets, contexts, k) the fit rests on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub estimate: f64,
    pub interval: Interval,
    pub levels: usize,
}

/// z of a two-sided 95% normal interval.
pub const Z95: f64 = 1.959964;

impl Evidence {
    /// `estimate ± z·se`, a normal 95% interval.
    pub fn normal(estimate: f64, se: f64, levels: usize) -> Self {
        Evidence { estimate, interval: Interval { lo: estimate - Z95 * se, hi: estimate + Z95 * se, level: 0.95 }, levels }
    }

    /// `estimate ± t(dof)·se`, a Student-t 95% interval (a fitted coefficient).
    pub fn student(estimate: f64, se: f64, dof: usize, levels: usize) -> Self {
        let t = crate::fit::t_quantile_975(dof);
        Evidence { estimate, interval: Interval { lo: estimate - t * se, hi: estimate + t * se, level: 0.95 }, levels }
    }

    /// `self − other` for independent estimates with standard errors `se` and `other_se`.
    pub fn minus(&self, se: f64, other: &Evidence, other_se: f64) -> Self {
        Evidence::normal(self.estimate - other.estimate, se.hypot(other_se), self.levels.min(other.levels))
    }
}

/// The verdict rule, defined once and used for every claim:
///
/// 1. **Inconclusive** if the fit failed, rests on fewer than `min_levels` distinct x values,
///    or has no usable interval.
/// 2. **Inconsistent** if the 95% interval and the claimed set are disjoint (the point claim
///    lies outside the interval; a one-sided claim lies entirely beyond it).
/// 3. Point claim x inside the interval: **Consistent** if the interval is narrow enough to
///    have refuted it, width ≤ `max_rel_width`·|x| (default 1: e.g. an α interval narrower
///    than 0.25 for the claimed 0.25, which excludes 0 and doubling); otherwise
///    **Inconclusive** ("too wide to decide").
/// 4. One-sided claim: **Consistent** if the whole interval lies inside the claimed half-line,
///    otherwise **Inconclusive** (the interval straddles the threshold).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerdictRule {
    pub min_levels: usize,
    pub max_rel_width: f64,
}

impl VerdictRule {
    pub const DEFAULT_REL_WIDTH: f64 = 1.0;

    pub fn new(min_levels: usize) -> Self {
        VerdictRule { min_levels, max_rel_width: Self::DEFAULT_REL_WIDTH }
    }

    /// Status and the reason, in words.
    pub fn judge(&self, evidence: Option<&Evidence>, prediction: Prediction) -> (VerdictStatus, String) {
        use VerdictStatus::*;
        let Some(ev) = evidence else {
            return (Inconclusive, "the fit failed or there are too few points for it".into());
        };
        if ev.levels < self.min_levels {
            return (
                Inconclusive,
                format!("the fit rests on {} distinct values; the rule asks for at least {}", ev.levels, self.min_levels),
            );
        }
        let (lo, hi) = (ev.interval.lo, ev.interval.hi);
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return (Inconclusive, "the fit gave no usable interval".into());
        }
        let iv = format!("[{}, {}]", fmt_num(lo), fmt_num(hi));
        let excluded = match prediction {
            Prediction::Value(x) => x < lo || x > hi,
            Prediction::Above(t) => hi <= t,
            Prediction::Below(t) => lo >= t,
        };
        if excluded {
            return (Inconsistent, format!("the 95% interval {iv} excludes the claimed value(s) {}", prediction.describe()));
        }
        match prediction {
            Prediction::Value(x) => {
                let max_w = self.max_rel_width * x.abs();
                if hi - lo <= max_w {
                    (Consistent, format!("the 95% interval {iv} contains {} and is narrow enough (width ≤ {}) to have excluded it", fmt_num(x), fmt_num(max_w)))
                } else {
                    (Inconclusive, format!("the 95% interval {iv} contains {} but is too wide to decide (width {} > {})", fmt_num(x), fmt_num(hi - lo), fmt_num(max_w)))
                }
            }
            Prediction::Above(t) | Prediction::Below(t) => {
                let inside = match prediction {
                    Prediction::Above(_) => lo > t,
                    _ => hi < t,
                };
                if inside {
                    (Consistent, format!("the whole 95% interval {iv} lies {}", prediction.describe()))
                } else {
                    (Inconclusive, format!("the 95% interval {iv} straddles {}", fmt_num(t)))
                }
            }
        }
    }
}

/// The smallest interval containing both (a conservative union of, e.g., a bootstrap and a
/// Student-t interval).
pub(crate) fn hull(a: Interval, b: Option<Interval>) -> Interval {
    match b {
        Some(b) if b.lo.is_finite() || b.hi.is_finite() => Interval { lo: a.lo.min(b.lo), hi: a.hi.max(b.hi), level: a.level },
        _ => a,
    }
}

/// Numbers for verdict texts: 3 significant digits, scientific outside [10⁻³, 10⁵).
pub(crate) fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() { "n/a".into() } else if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{x:.2e}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}
