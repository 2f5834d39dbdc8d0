//! Closed-form and asymptotic ICL risks from `shared/THEORY.md` (pure: no burn, no browser).
//!
//! Error conventions (THEORY.md §0): the app's primary metric is the **total** normalised error
//! e(k) = E[(ŷ_q − y_q)²]/Z with the query's own noise included; Z = D (dense linear), s (sparse),
//! 1 (trees), tr(ΩΣ) (FS/RRS). Most formulas below return the **excess** error e_ex = e − σ²/Z, and say so;
//! the [`catalogue`] always returns totals.
//!
//! * [`iso`] – §2.1–2.5 baselines for isotropic linear regression (zero, averaging, OLS/min-norm, ridge and
//!   Bayes by seeded Wishart Monte Carlo, one GD step);
//! * [`wishart`] – exact Wishart moments (Wick enumeration, cached), Narayana limits, MP quadrature/Stieltjes;
//! * [`multistep`] – §2.6 L-step GD: common step (`gdL`) and optimal polynomial (`polyL`), exact and limit;
//! * [`linear_attention`] – the exact optimum of the app's one-layer linear attention (one Γ for every k);
//! * [`structured`] – §2.5 FS/RRS one-layer closed forms, structured averaging, §3.2 training-time curve;
//! * [`asymptotic`] – §2.4/§3.1 proportional limits: Lu et al. e_∞, finite-κ, Bayes fixed point;
//! * [`bordelon`] – §3.2 Christoffel R_L, projection-width model, compute-optimal allocation;
//! * [`mehta_gupta`] – §4 claims as functions with free constants;
//! * [`catalogue`] – [`curves`] / [`theory_table_json`] for the UI and CLI;
//! * [`agreement`] – how a measured curve sits against a theory curve, k by k (z-scores).

pub mod agreement;
pub mod asymptotic;
pub mod bordelon;
pub mod catalogue;
pub mod iso;
pub mod linear_attention;
pub mod mehta_gupta;
pub mod multistep;
pub mod structured;
pub mod wishart;

pub use catalogue::{CatalogueOptions, TheoryCurve, curves, curves_with, theory_table_json};
pub use iso::McValue;
