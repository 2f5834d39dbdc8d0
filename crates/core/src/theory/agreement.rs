//! How a measured ICL-error curve sits against a theory curve, k by k: the gap in units of
//! its standard error (the measurement's, and a Monte Carlo curve's own). Computed from the
//! values, never typed: the page shows it under each theory curve, and a curve the model
//! should land on (the linear-attention layer's exact optimum) is judged by it.

use super::TheoryCurve;
use crate::eval::ErrorCurve;

/// |z| at or below this counts as agreement (two standard errors).
pub const Z_AGREE: f64 = 2.0;

#[derive(Clone, Debug, PartialEq)]
pub struct CurveAgreement {
    /// The k at which both curves are finite and the standard error is positive.
    pub compared: usize,
    /// Of those, the k with |z| ≤ [`Z_AGREE`].
    pub within: usize,
    /// The largest |z| and its k.
    pub worst: (usize, f64),
    /// The median standard error relative to the theory value: how fine the comparison is
    /// (a wide one agrees with almost anything).
    pub relative_se: f64,
}

impl CurveAgreement {
    /// The measured `curve` against `theory` at every k both have; None if no k compares.
    pub fn of(curve: &ErrorCurve, theory: &TheoryCurve) -> Option<Self> {
        let mut zs = Vec::new();
        let mut relative = Vec::new();
        for (i, &k) in curve.k.iter().enumerate() {
            let Some(j) = theory.k.iter().position(|&tk| tk == k) else { continue };
            let (m, t) = (curve.mean[i], theory.value[j]);
            let theory_se = theory.se.as_ref().map_or(0.0, |s| s[j]);
            let se = curve.se[i].hypot(theory_se);
            if !(m.is_finite() && t.is_finite() && se.is_finite() && se > 0.0) {
                continue;
            }
            zs.push((k, (m - t) / se));
            if t > 0.0 {
                relative.push(se / t);
            }
        }
        let worst = zs.iter().map(|&(k, z)| (k, z.abs())).fold(None, |w: Option<(usize, f64)>, (k, z)| match w {
            Some((_, wz)) if wz >= z => w,
            _ => Some((k, z)),
        })?;
        relative.sort_by(f64::total_cmp);
        Some(CurveAgreement {
            compared: zs.len(),
            within: zs.iter().filter(|(_, z)| z.abs() <= Z_AGREE).count(),
            worst,
            relative_se: relative.get(relative.len() / 2).copied().unwrap_or(f64::NAN),
        })
    }

    /// Within two standard errors at every k compared.
    pub fn everywhere(&self) -> bool {
        self.within == self.compared
    }

    /// One sentence for the page.
    pub fn describe(&self) -> String {
        let (k, z) = self.worst;
        let fineness = format!("one SE is about {:.1}% of the error", 100.0 * self.relative_se);
        if self.everywhere() {
            format!("The run's latest ICL error is within 2 SE of this curve at every k ({} of {}; largest |z| = {z:.1}, at k = {k}; {fineness}).", self.within, self.compared)
        } else {
            format!("The run's latest ICL error is within 2 SE of this curve at {} of {} k; it departs most at k = {k} (|z| = {z:.1}; {fineness}).", self.within, self.compared)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theory(value: Vec<f64>, se: Option<Vec<f64>>) -> TheoryCurve {
        TheoryCurve {
            id: "t".into(),
            label: String::new(),
            k: (0..value.len()).collect(),
            value,
            se,
            formula_mathml: String::new(),
            parameters: String::new(),
            reading: String::new(),
        }
    }

    fn measured(mean: Vec<f64>, se: f64) -> ErrorCurve {
        ErrorCurve { k: (0..mean.len()).collect(), se: vec![se; mean.len()], mean }
    }

    #[test]
    fn a_curve_on_the_theory_agrees_everywhere_and_one_off_it_names_where() {
        let t = theory(vec![1.0, 0.8, 0.6, 0.5], None);
        let on = CurveAgreement::of(&measured(vec![1.01, 0.79, 0.61, 0.5], 0.01), &t).unwrap();
        assert!(on.everywhere() && on.compared == 4, "{on:?}");
        assert!(on.describe().contains("every k (4 of 4"), "{}", on.describe());
        let off = CurveAgreement::of(&measured(vec![1.0, 0.8, 0.7, 0.5], 0.01), &t).unwrap();
        assert_eq!((off.within, off.compared, off.worst.0), (3, 4, 2));
        assert!((off.worst.1 - 10.0).abs() < 1e-9);
        assert!(off.describe().contains("3 of 4 k") && off.describe().contains("k = 2"), "{}", off.describe());
    }

    #[test]
    fn a_monte_carlo_curves_own_error_widens_the_comparison_and_infinities_are_skipped() {
        let t = theory(vec![f64::INFINITY, 0.8, 0.6], Some(vec![0.0, 0.03, 0.03]));
        let a = CurveAgreement::of(&measured(vec![1.0, 0.85, 0.65], 0.04), &t).unwrap();
        // |0.05| / hypot(0.04, 0.03) = 1: within; k = 0 (infinite theory) is not compared.
        assert_eq!((a.compared, a.within), (2, 2));
        assert!((a.worst.1 - 1.0).abs() < 1e-9);
        assert!(CurveAgreement::of(&measured(vec![1.0], 0.0), &theory(vec![1.0], None)).is_none(), "no SE, nothing to judge");
    }
}
