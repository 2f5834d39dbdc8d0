//! Input and task covariances of the ISO / FS / RRS settings (THEORY.md §1.4–1.5).

use super::Covariance;
use crate::rng::{normal, Rng};
use nalgebra::DMatrix;

/// λ_j ∝ j^-exponent for j = 1..=dim, rescaled so that Σ_j λ_j = dim.
pub fn power_law_spectrum(dim: usize, exponent: f64) -> Vec<f64> {
    let raw: Vec<f64> = (1..=dim).map(|j| (j as f64).powf(-exponent)).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|v| v * dim as f64 / total).collect()
}

/// A Haar-distributed orthogonal matrix, row-major `[dim, dim]`:
/// Q from the QR of a Gaussian matrix, with column signs fixed by diag(R) (Mezzadri 2007).
pub fn haar_rotation(dim: usize, rng: &mut Rng) -> Vec<f64> {
    let g = DMatrix::<f64>::from_fn(dim, dim, |_, _| normal(rng));
    let qr = g.qr();
    let (q, r) = (qr.q(), qr.r());
    let mut out = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..dim {
            let sign = if r[(j, j)] < 0.0 { -1.0 } else { 1.0 };
            out[i * dim + j] = q[(i, j)] * sign;
        }
    }
    out
}

/// Σ = O diag(λ) Oᵀ and Ω = O diag(ω) Oᵀ, O = I unless the setting is rotated.
#[derive(Clone, Debug, PartialEq)]
pub struct InputCovariance {
    pub dim: usize,
    /// Eigenvalues of Σ (sum = dim).
    pub lambda: Vec<f64>,
    /// Eigenvalues of the task prior Ω (sum = dim; all 1 when μ = 0).
    pub omega: Vec<f64>,
    rotated: bool,
}

impl InputCovariance {
    pub fn new(dim: usize, setting: &Covariance) -> Self {
        let (lambda, omega, rotated) = match *setting {
            Covariance::Iso => (vec![1.0; dim], vec![1.0; dim], false),
            Covariance::Fs { nu, mu } => (power_law_spectrum(dim, nu), power_law_spectrum(dim, mu), false),
            Covariance::Rrs { nu, mu } => (power_law_spectrum(dim, nu), power_law_spectrum(dim, mu), true),
        };
        InputCovariance { dim, lambda, omega, rotated }
    }

    /// Whether each prompt draws its own rotation (RRS).
    pub fn is_rotated(&self) -> bool {
        self.rotated
    }

    /// tr(ΩΣ) = Σ_j ω_j λ_j: the variance of w·x, and the error normaliser Z.
    pub fn trace_omega_sigma(&self) -> f64 {
        self.lambda.iter().zip(&self.omega).map(|(l, o)| l * o).sum()
    }

    /// x = O Λ^{1/2} z for standard normal z.
    pub fn transform_input(&self, z: &[f64], rotation: Option<&[f64]>, out: &mut [f32]) {
        scale_rotate(z, &self.lambda, rotation, |i, v| out[i] = v as f32);
    }

    /// w = O Ω^{1/2} z for standard normal z.
    pub fn transform_task(&self, z: &[f64], rotation: Option<&[f64]>) -> Vec<f64> {
        let mut w = vec![0.0; self.dim];
        scale_rotate(z, &self.omega, rotation, |i, v| w[i] = v);
        w
    }
}

/// Writes O diag(√variances) z, element by element.
fn scale_rotate(z: &[f64], variances: &[f64], rotation: Option<&[f64]>, mut write: impl FnMut(usize, f64)) {
    let d = z.len();
    let scaled: Vec<f64> = z.iter().zip(variances).map(|(z, v)| z * v.sqrt()).collect();
    for i in 0..d {
        let v = match rotation {
            Some(o) => (0..d).map(|j| o[i * d + j] * scaled[j]).sum(),
            None => scaled[i],
        };
        write(i, v);
    }
}
