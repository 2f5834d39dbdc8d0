//! Out-of-distribution prompts (Garg et al. 2022 §4): a model trained on one task is
//! scored, beside its in-distribution curve, on prompts from a shifted task. A shift is a
//! small named edit of the training [`TaskSpec`], so the shifted prompts keep D and K and
//! are normalised by the shifted task's own Z (THEORY.md §0): the zero predictor still
//! scores 1 there, and the two curves share one axis.

use super::{Covariance, TaskFamily, TaskSpec};
use serde::{Deserialize, Serialize};

/// Spectrum exponent ν of the skewed covariance (stronger than the FS default 1.5, so a
/// model trained on FS ν = 1.5 still meets a shift).
const SKEW_NU: f64 = 2.0;
/// Label-noise variance added by the noisy shift (in units where Var(w·x) = Z).
const EXTRA_NOISE: f64 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistributionShift {
    /// Labels get extra noise of variance 1.
    Noisy,
    /// Inputs get a fixed power-law covariance (FS, ν = 2).
    Skewed,
    /// Inputs get a structured covariance under a fresh random rotation per prompt (RRS).
    Rotated,
    /// Only a quarter of w's coordinates are non-zero (linear tasks).
    Sparse,
    /// Every coordinate of w is non-zero (sparse tasks).
    Dense,
}

impl DistributionShift {
    pub const ALL: [DistributionShift; 5] = [Self::Noisy, Self::Skewed, Self::Rotated, Self::Sparse, Self::Dense];

    /// The short name used in URLs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Noisy => "noisy",
            Self::Skewed => "skewed",
            Self::Rotated => "rotated",
            Self::Sparse => "sparse",
            Self::Dense => "dense",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// What the shift does, for legends and menus.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Noisy => "noisy labels (σ² + 1)",
            Self::Skewed => "skewed inputs (FS, ν = 2)",
            Self::Rotated => "rotated structured inputs (RRS)",
            Self::Sparse => "sparse w (D/4 non-zero)",
            Self::Dense => "dense w",
        }
    }

    /// The shifted task, or why this shift does not apply to `train` (a shift that would
    /// change nothing, or a family it has no meaning for).
    pub fn apply(self, train: &TaskSpec) -> Result<TaskSpec, String> {
        let mut t = train.clone();
        let (nu, mu) = match train.covariance {
            Covariance::Iso => (Covariance::DEFAULT_NU, Covariance::DEFAULT_MU),
            Covariance::Fs { nu, mu } | Covariance::Rrs { nu, mu } => (nu, mu),
        };
        match self {
            Self::Noisy => t.noise_var += EXTRA_NOISE,
            Self::Skewed => t.covariance = Covariance::Fs { nu: SKEW_NU, mu },
            Self::Rotated => t.covariance = Covariance::Rrs { nu, mu },
            Self::Sparse => match train.family {
                TaskFamily::Linear => t.family = TaskFamily::SparseLinear { nonzero: (train.dim / 4).max(1) },
                _ => return Err("the sparse shift applies to linear regression only".into()),
            },
            Self::Dense => match train.family {
                TaskFamily::SparseLinear { .. } => t.family = TaskFamily::Linear,
                _ => return Err("the dense shift applies to sparse regression only".into()),
            },
        }
        if t == *train {
            return Err(format!("“{}” changes nothing for this task", self.describe()));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_edit_only_what_they_name() {
        let train = TaskSpec::linear(8, 0.0);
        assert_eq!(DistributionShift::Noisy.apply(&train).unwrap().noise_var, 1.0);
        let skewed = DistributionShift::Skewed.apply(&train).unwrap();
        assert_eq!(skewed.covariance, Covariance::Fs { nu: 2.0, mu: 0.0 });
        assert_eq!((skewed.dim, &skewed.family), (8, &TaskFamily::Linear));
        assert_eq!(DistributionShift::Sparse.apply(&train).unwrap().family, TaskFamily::SparseLinear { nonzero: 2 });
        assert!(DistributionShift::Dense.apply(&train).is_err());
        let tree = TaskSpec { family: TaskFamily::Tree { depth: 2 }, ..train.clone() };
        assert!(DistributionShift::Sparse.apply(&tree).is_err());
        assert!(DistributionShift::Rotated.apply(&tree).is_ok());
        let fs2 = TaskSpec { covariance: Covariance::Fs { nu: 2.0, mu: 0.0 }, ..train };
        assert!(DistributionShift::Skewed.apply(&fs2).unwrap_err().contains("changes nothing"));
    }

    #[test]
    fn names_round_trip() {
        for s in DistributionShift::ALL {
            assert_eq!(DistributionShift::from_name(s.name()), Some(s));
        }
    }
}
