//! The catalogue of theory curves drawn against measured ICL error curves (UI side panel, CLI table).
//!
//! Every value is the **total** normalised error e(k) = E[(ŷ_q − y_q)²]/Z of THEORY.md §0 (query noise
//! included), for k = 0..=context; +∞ marks an infinite risk (OLS at |k − D| ≤ 1 with noise). At k = 0 every
//! learner predicts 0 and scores 1 + σ²/Z, except the constant k → ∞ floors `rrs_inf_L*` (horizontal lines).
//! Computation is deterministic (Monte Carlo curves use a fixed seed) and takes ~0.1–0.3 s natively for
//! D = 64, K = 128 (the first call also builds the cached Wick tables, ~0.1 s).

use super::{asymptotic, bordelon, iso, multistep, structured};
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use serde::{Deserialize, Serialize};

/// One theory curve over context sizes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TheoryCurve {
    /// Stable id named after THEORY.md (e.g. "zero", "avg", "ols", "bayes", "gd1", "gd2", "poly4", "lu_inf").
    pub id: String,
    /// Legend text.
    pub label: String,
    /// Context sizes k.
    pub k: Vec<usize>,
    /// Total normalised error e(k) (query noise included). +∞ where the risk is infinite; in JSON +∞ is
    /// written as `null` and read back as +∞.
    #[serde(with = "non_finite_as_null")]
    pub value: Vec<f64>,
    /// Monte Carlo standard errors (MC-based curves only).
    pub se: Option<Vec<f64>>,
    /// A `<math>` element with the formula, for the browser's side panel.
    pub formula_mathml: String,
    /// The parameters the curve was computed with, e.g. "D = 8, σ² = 0, η* = k/(k+D+1+σ²)".
    pub parameters: String,
    /// One plain-language sentence for a student.
    pub reading: String,
}

/// Serialises non-finite entries as `null` (JSON has no ∞) and reads `null` back as +∞.
mod non_finite_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let o: Vec<Option<f64>> = v.iter().map(|x| x.is_finite().then_some(*x)).collect();
        o.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let o: Vec<Option<f64>> = Vec::deserialize(d)?;
        Ok(o.into_iter().map(|x| x.unwrap_or(f64::INFINITY)).collect())
    }
}

/// Knobs of the catalogue; [`curves`] uses `CatalogueOptions::default()`.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogueOptions {
    /// Depths L for the exact multi-step curves `gdL` and `polyL` (finite D, 2 ≤ L ≤ 4). Default [2, 4].
    pub depths: Vec<usize>,
    /// Adds a `ridge` curve with this λ (ISO and sparse linear). Default None: for σ² > 0 the §5.2 table's
    /// "ridge" column (λ = σ²) is the `bayes` curve.
    pub ridge_lambda: Option<f64>,
    /// Work budget (multiply-adds) for each Monte Carlo ridge/Bayes curve; sets the sample count.
    pub mc_flops: f64,
    /// Seed of the Monte Carlo curves (deterministic).
    pub mc_seed: u64,
    /// Number K of distinct pretraining tasks: adds Lu et al.'s finite-diversity curve `lu_kappa`
    /// (κ = K/D, τ = ∞) for ISO linear tasks.
    pub task_diversity: Option<usize>,
    /// Depths for the RRS infinite-context floors `rrs_inf_L{L}` (R_L of §3.2). Default [1, 2, 4].
    pub rrs_depths: Vec<usize>,
    /// Include the proportional-limit curves (`lu_inf`, `bayes_limit`) for ISO linear tasks. Default true.
    pub limits: bool,
}

impl Default for CatalogueOptions {
    fn default() -> Self {
        CatalogueOptions {
            depths: vec![2, 4],
            ridge_lambda: None,
            mc_flops: 3e7,
            mc_seed: 20251109,
            task_diversity: None,
            rrs_depths: vec![1, 2, 4],
            limits: true,
        }
    }
}

/// Every theory curve that applies to `spec` for k = 0..=context, with default options.
///
/// Ids per setting (σ² = `noise_var`, Z = `spec.normaliser()`):
/// * linear, ISO: `zero`, `avg`, `ols`, `bayes` (exact at σ² = 0, Monte Carlo with SE otherwise), `gd1`,
///   `gd2`, `gd4`, `poly2`, `poly4`, `lu_inf`, `bayes_limit` (+ `ridge`, `lu_kappa` on request);
/// * sparse linear, ISO: `zero`, `avg`, `ols`, `gd1`, `gd2`, `gd4`, `poly2`, `poly4` (linear learners see
///   only E[wwᵀ] = (s/D)I, so they equal the ISO formulas at noise σ²D/s), + `ridge` on request;
/// * linear (or sparse) FS: `zero`, `avg`, `gd1` (optimal diagonal preconditioner);
/// * linear (or sparse with μ = 0) RRS: `zero`, `avg`, `gd1` (optimal scalar step), `rrs_inf_L1`,
///   `rrs_inf_L2`, `rrs_inf_L4` (k → ∞ floors of L scalar GD steps);
/// * trees: `zero`.
pub fn curves(spec: &TaskSpec, context: usize) -> Vec<TheoryCurve> {
    curves_with(spec, context, &CatalogueOptions::default())
}

/// [`curves`] with explicit options.
pub fn curves_with(spec: &TaskSpec, context: usize, opts: &CatalogueOptions) -> Vec<TheoryCurve> {
    let d = spec.dim;
    let s2 = spec.noise_var.max(0.0);
    let z = spec.normaliser();
    let ks: Vec<usize> = (0..=context).collect();
    let noise_floor = s2 / z;
    let mut out = Vec::new();
    let zero_par = format!("Z = {}, σ² = {}", fmt(z), fmt(s2));
    out.push(TheoryCurve {
        id: "zero".into(),
        label: "zero predictor".into(),
        k: ks.clone(),
        value: vec![1.0 + noise_floor; ks.len()],
        se: None,
        formula_mathml: math(&format!("{E}<mo>=</mo><mn>1</mn><mo>+</mo>{}", frac(SIGMA2, "<mi>Z</mi>"), E = EK)),
        parameters: zero_par,
        reading: "Predicting 0 ignores the context; any learner that uses the examples should end up below this line."
            .into(),
    });
    match (&spec.family, &spec.covariance) {
        (TaskFamily::Linear, Covariance::Iso) => iso_linear(&mut out, &ks, d, s2, None, opts),
        (TaskFamily::SparseLinear { nonzero }, Covariance::Iso) => iso_linear(&mut out, &ks, d, s2, Some(*nonzero), opts),
        (TaskFamily::Linear | TaskFamily::SparseLinear { .. }, Covariance::Fs { .. } | Covariance::Rrs { .. }) => {
            structured_linear(&mut out, spec, &ks, opts)
        }
        (TaskFamily::Tree { .. }, _) => {}
    }
    if let Some(lsa) = shared_gamma_curve(spec, &ks) {
        out.push(lsa);
    }
    out
}

/// The exact error of the app's one-layer linear attention, trained with one Γ for every k.
fn shared_gamma_curve(spec: &TaskSpec, ks: &[usize]) -> Option<TheoryCurve> {
    let kmax = *ks.last()?;
    let opt = super::linear_attention::shared_gamma_optimum(spec, kmax)?;
    let eta = opt.eta_eff(spec);
    Some(TheoryCurve {
        id: "lsa1".into(),
        label: "1-layer linear attention as trained here (one Γ for all k ≤ K)".into(),
        k: ks.to_vec(),
        value: opt.total.clone(),
        se: None,
        formula_mathml: math(&format!(
            "{EK}<mo>=</mo><msup><mi>γ</mi><mrow><mo>*</mo><mn>2</mn></mrow></msup><msub><mi>m</mi><mi>k</mi></msub><mo>−</mo><mn>2</mn><msup><mi>γ</mi><mo>*</mo></msup><mo>+</mo><mn>1</mn><mo>+</mo>{}<mo>,</mo>\
             <mspace width=\"0.5em\"/><msup><mi>γ</mi><mo>*</mo></msup><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><msub><mi>m</mi><mi>k</mi></msub><mo>=</mo>{}",
            frac(SIGMA2, "<mi>Z</mi>"),
            frac("<mi>K</mi>", "<munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover><msub><mi>m</mi><mi>k</mi></msub>"),
            frac(&format!("<mi>k</mi><mo>+</mo><mi>D</mi><mo>+</mo><mn>1</mn><mo>+</mo>{SIGMA2}"), "<mi>k</mi>")
        )),
        parameters: format!(
            "D = {}, K = {kmax}, σ² = {}; η_eff = {} at every k (ISO form shown; FS/RRS per eigen-direction)",
            spec.dim,
            fmt(spec.noise_var),
            fmt(eta)
        ),
        reading: "Exactly what the linear-attention model trained on every prefix converges to: one step size serves all k, so it sits above the per-k optimum (1 GD step) at small and large k."
            .into(),
    })
}

/// `theory --json`: `{"k": [...], "<id>": [...], "<id>_se": [...] (MC curves), ...}` with +∞ as `null`.
pub fn theory_table_json(spec: &TaskSpec, context: usize) -> serde_json::Value {
    let cs = curves(spec, context);
    let mut map = serde_json::Map::new();
    map.insert("k".into(), serde_json::json!((0..=context).collect::<Vec<_>>()));
    let num = |v: f64| if v.is_finite() { serde_json::json!(v) } else { serde_json::Value::Null };
    for c in &cs {
        map.insert(c.id.clone(), serde_json::Value::Array(c.value.iter().map(|&v| num(v)).collect()));
        if let Some(se) = &c.se {
            map.insert(format!("{}_se", c.id), serde_json::Value::Array(se.iter().map(|&v| num(v)).collect()));
        }
    }
    serde_json::Value::Object(map)
}

// ---------------------------------------------------------------------------------------------------

const EK: &str = "<mi>e</mi><mo>(</mo><mi>k</mi><mo>)</mo>";
const SIGMA2: &str = "<msup><mi>σ</mi><mn>2</mn></msup>";

fn math(body: &str) -> String {
    format!("<math display=\"block\"><mrow>{body}</mrow></math>")
}

fn frac(a: &str, b: &str) -> String {
    format!("<mfrac><mrow>{a}</mrow><mrow>{b}</mrow></mfrac>")
}

fn fmt(x: f64) -> String {
    if x == x.round() && x.abs() < 1e9 {
        return format!("{}", x as i64);
    }
    let s = format!("{x}");
    if s.len() <= 8 { s } else if x.abs() >= 1e-3 { format!("{x:.4}") } else { format!("{x:.3e}") }
}

fn iso_linear(out: &mut Vec<TheoryCurve>, ks: &[usize], d: usize, s2: f64, sparse: Option<usize>, opts: &CatalogueOptions) {
    // Sparse prior: linear learners see E[wwᵀ] = (s/D) I ⇒ ISO formulas at σ²_eff = σ²D/s, Z = s.
    let (z, s2e, zname) = match sparse {
        Some(s) => (s as f64, s2 * d as f64 / s as f64, "s"),
        None => (d as f64, s2, "D"),
    };
    let floor = s2 / z;
    let kmax = *ks.last().unwrap_or(&0);
    let base = match sparse {
        Some(s) => format!("D = {d}, s = {s}, σ² = {}", fmt(s2)),
        None => format!("D = {d}, σ² = {}", fmt(s2)),
    };
    let noise_note = if sparse.is_some() { " (sparse: σ² → σ²D/s, Z = s)" } else { "" };

    out.push(TheoryCurve {
        id: "avg".into(),
        label: "averaging ŵ = (1/k)Σ yᵢxᵢ".into(),
        k: ks.to_vec(),
        value: ks.iter().map(|&k| iso::averaging_excess(k, d, s2e) + floor).collect(),
        se: None,
        formula_mathml: math(&format!(
            "{EK}<mo>=</mo>{}<mo>+</mo>{}",
            frac(&format!("<mi>D</mi><mo>+</mo><mn>1</mn><mo>+</mo>{SIGMA2}"), "<mi>k</mi>"),
            frac(SIGMA2, "<mi>D</mi>")
        )),
        parameters: format!("{base}{noise_note}"),
        reading: "Averaging yᵢxᵢ is unbiased but very noisy: its error falls only like 1/k and stays above 1 until k > D."
            .into(),
    });

    let ols: Vec<f64> = ks.iter().map(|&k| iso::ols_excess(k, d, s2e) + floor).collect();
    out.push(TheoryCurve {
        id: "ols".into(),
        label: "least squares / min-norm".into(),
        k: ks.to_vec(),
        value: ols,
        se: None,
        formula_mathml: math(&format!(
            "<msub><mi>e</mi><mi>ex</mi></msub><mo>=</mo><mfrac><mrow><mi>D</mi><mo>−</mo><mi>k</mi></mrow><mi>D</mi></mfrac>\
             <mo>+</mo>{}<mspace width=\"0.5em\"/><mo>(</mo><mi>k</mi><mo>≤</mo><mi>D</mi><mo>−</mo><mn>2</mn><mo>)</mo><mo>,</mo>\
             <mspace width=\"0.5em\"/>{}<mspace width=\"0.5em\"/><mo>(</mo><mi>k</mi><mo>≥</mo><mi>D</mi><mo>+</mo><mn>2</mn><mo>)</mo>",
            frac(&format!("{SIGMA2}<mi>k</mi>"), "<mi>D</mi><mo>(</mo><mi>D</mi><mo>−</mo><mi>k</mi><mo>−</mo><mn>1</mn><mo>)</mo>"),
            frac(SIGMA2, "<mi>k</mi><mo>−</mo><mi>D</mi><mo>−</mo><mn>1</mn>")
        )),
        parameters: format!("{base}{noise_note}; +∞ for k ∈ {{D−1, D, D+1}} when σ² > 0; e = e_ex + σ²/{zname}"),
        reading: if s2 > 0.0 {
            "Least squares interpolates the noise: its error blows up at k ≈ D (double descent) before falling again."
        } else {
            "Without noise, least squares recovers w exactly as soon as k ≥ D examples pin it down."
        }
        .into(),
    });

    if sparse.is_none() {
        // Bayes optimum: ridge with λ = σ².
        if s2 == 0.0 {
            out.push(TheoryCurve {
                id: "bayes".into(),
                label: "Bayes optimal (posterior mean)".into(),
                k: ks.to_vec(),
                value: ks.iter().map(|&k| iso::bayes_excess_noiseless(k, d)).collect(),
                se: None,
                formula_mathml: math(&format!(
                    "{EK}<mo>=</mo><mfrac><mrow><mo>max</mo><mo>(</mo><mi>D</mi><mo>−</mo><mi>k</mi><mo>,</mo><mn>0</mn><mo>)</mo></mrow><mi>D</mi></mfrac>"
                )),
                parameters: format!("{base}; posterior mean = min-norm interpolant"),
                reading: "No learner can do better than this line: with k < D noiseless examples, D − k directions of w are still unknown."
                    .into(),
            });
        } else {
            let n = iso::ridge_default_samples(kmax, d, opts.mc_flops);
            let mc = iso::ridge_curve_mc(kmax, d, s2, s2, n, opts.mc_seed);
            out.push(TheoryCurve {
                id: "bayes".into(),
                label: "Bayes optimal (ridge λ = σ²)".into(),
                k: ks.to_vec(),
                value: mc.iter().map(|v| v.value + floor).collect(),
                se: Some(mc.iter().map(|v| v.se).collect()),
                formula_mathml: math(&format!(
                    "{EK}<mo>=</mo>{}<mi>𝔼</mi><mo>tr</mo><msup><mrow><mo>(</mo><msup><mi>X</mi><mo>⊤</mo></msup><mi>X</mi><mo>+</mo>{SIGMA2}<mi>I</mi><mo>)</mo></mrow><mrow><mo>−</mo><mn>1</mn></mrow></msup><mo>+</mo>{}",
                    frac(SIGMA2, "<mi>D</mi>"),
                    frac(SIGMA2, "<mi>D</mi>")
                )),
                parameters: format!("{base}; λ = σ²; Wishart expectation by Monte Carlo, {n} seeded paths"),
                reading: "No learner can beat the Bayes posterior mean; a transformer that reaches this line has learned the optimal in-context algorithm."
                    .into(),
            });
        }
    }
    if let Some(lam) = opts.ridge_lambda.filter(|&l| l > 0.0) {
        let n = iso::ridge_default_samples(kmax, d, opts.mc_flops);
        let mc = iso::ridge_curve_mc(kmax, d, s2e, lam, n, opts.mc_seed ^ 0x1111);
        out.push(TheoryCurve {
            id: "ridge".into(),
            label: format!("ridge λ = {}", fmt(lam)),
            k: ks.to_vec(),
            value: mc.iter().map(|v| v.value + floor).collect(),
            se: Some(mc.iter().map(|v| v.se).collect()),
            formula_mathml: math(&format!(
                "<msub><mi>e</mi><mi>ex</mi></msub><mo>=</mo><mfrac><mn>1</mn><mi>D</mi></mfrac><mi>𝔼</mi><munder><mo>∑</mo><mi>j</mi></munder>\
                 {}",
                frac("<msup><mi>λ</mi><mn>2</mn></msup><mo>+</mo><msup><mi>σ</mi><mn>2</mn></msup><msub><mi>μ</mi><mi>j</mi></msub>",
                     "<msup><mrow><mo>(</mo><msub><mi>μ</mi><mi>j</mi></msub><mo>+</mo><mi>λ</mi><mo>)</mo></mrow><mn>2</mn></msup>")
            )),
            parameters: format!("{base}{noise_note}; λ = {}; μ_j eigenvalues of XᵀX; Monte Carlo, {n} seeded paths", fmt(lam)),
            reading: "Ridge shrinks towards 0; it is optimal only when λ matches the noise-to-signal ratio.".into(),
        });
    }

    out.push(TheoryCurve {
        id: "gd1".into(),
        label: "1 GD step, optimal η per k".into(),
        k: ks.to_vec(),
        value: ks.iter().map(|&k| iso::gd1_excess(k, d, s2e) + floor).collect(),
        se: None,
        formula_mathml: math(&format!(
            "{EK}<mo>=</mo>{}<mo>+</mo>{}<mo>,</mo><mspace width=\"1em\"/><msup><mi>η</mi><mo>*</mo></msup><mo>=</mo>{}",
            frac(&format!("<mi>D</mi><mo>+</mo><mn>1</mn><mo>+</mo>{SIGMA2}"), &format!("<mi>k</mi><mo>+</mo><mi>D</mi><mo>+</mo><mn>1</mn><mo>+</mo>{SIGMA2}")),
            frac(SIGMA2, "<mi>Z</mi>"),
            frac("<mi>k</mi>", &format!("<mi>k</mi><mo>+</mo><mi>D</mi><mo>+</mo><mn>1</mn><mo>+</mo>{SIGMA2}"))
        )),
        parameters: format!("{base}{noise_note}; η* = k/(k+D+1+σ²)"),
        reading: "A single linear-attention layer trained at this context size only implements exactly one gradient step with this step size; one trained on every k shares a single step (the exact curve above)."
            .into(),
    });

    for &l in opts.depths.iter().filter(|&&l| (2..=4).contains(&l)) {
        let res: Vec<multistep::MultiStepRisk> = ks.iter().map(|&k| multistep::gd_common_exact(l, k, d, s2e)).collect();
        let eta_last = res.last().map(|r| r.eta).unwrap_or(0.0);
        out.push(TheoryCurve {
            id: format!("gd{l}"),
            label: format!("{l} GD steps, optimal common η"),
            k: ks.to_vec(),
            value: res.iter().map(|r| r.excess + floor).collect(),
            se: None,
            formula_mathml: math(&format!(
                "{EK}<mo>=</mo><munder><mo>min</mo><mi>η</mi></munder><mfrac><mn>1</mn><mi>D</mi></mfrac><mi>𝔼</mi><mo>tr</mo>\
                 <msup><mrow><mo>(</mo><mi>I</mi><mo>−</mo><mi>η</mi><mi>S</mi><mo>)</mo></mrow><mn>{}</mn></msup><mo>+</mo>\
                 {}<mi>𝔼</mi><mo>tr</mo><mo>(</mo><mi>P</mi><msup><mrow><mo>(</mo><mi>S</mi><mo>)</mo></mrow><mn>2</mn></msup><mi>S</mi><mo>)</mo><mo>+</mo>{}",
                2 * l,
                frac(SIGMA2, "<mi>k</mi><mi>D</mi>"),
                frac(SIGMA2, "<mi>Z</mi>")
            )),
            parameters: format!("{base}{noise_note}; L = {l}; exact Wishart moments (Wick); η*(k = {kmax}) = {:.6}", eta_last),
            reading: format!("{l} layers of linear attention acting as {l} gradient steps with one shared step size: depth helps at finite context."),
        });
    }
    for &l in opts.depths.iter().filter(|&&l| (2..=4).contains(&l)) {
        let res: Vec<multistep::MultiStepRisk> = ks.iter().map(|&k| multistep::gd_poly_exact(l, k, d, s2e)).collect();
        out.push(TheoryCurve {
            id: format!("poly{l}"),
            label: format!("{l} GD steps, optimal per-step rates"),
            k: ks.to_vec(),
            value: res.iter().map(|r| r.excess + floor).collect(),
            se: None,
            formula_mathml: math(&format!(
                "{EK}<mo>=</mo><mn>1</mn><mo>−</mo><msup><mi>b</mi><mo>⊤</mo></msup><msup><mi>A</mi><mrow><mo>−</mo><mn>1</mn></mrow></msup><mi>b</mi><mo>+</mo>{}<mo>,</mo>\
                 <mspace width=\"0.5em\"/><msub><mi>A</mi><mrow><mi>j</mi><mi>l</mi></mrow></msub><mo>=</mo><msub><mi>μ</mi><mrow><mi>j</mi><mo>+</mo><mi>l</mi><mo>+</mo><mn>2</mn></mrow></msub>\
                 <mo>+</mo>{}<msub><mi>μ</mi><mrow><mi>j</mi><mo>+</mo><mi>l</mi><mo>+</mo><mn>1</mn></mrow></msub><mo>,</mo><mspace width=\"0.5em\"/>\
                 <msub><mi>b</mi><mi>j</mi></msub><mo>=</mo><msub><mi>μ</mi><mrow><mi>j</mi><mo>+</mo><mn>1</mn></mrow></msub>",
                frac(SIGMA2, "<mi>Z</mi>"),
                frac(SIGMA2, "<mi>k</mi>")
            )),
            parameters: format!("{base}{noise_note}; L = {l}; ŵ = Σ_{{j<{l}}} c_j S^j h; μ_m = E tr(S^m)/D exact (rational)"),
            reading: format!("The best any {l}-step gradient method (with tuned step sizes) can do; a {l}-layer linear transformer can match it."),
        });
    }

    if sparse.is_none() && opts.limits {
        let df = d as f64;
        let rho = s2 / df;
        out.push(TheoryCurve {
            id: "lu_inf".into(),
            label: "Lu et al. limit (κ, τ → ∞)".into(),
            k: ks.to_vec(),
            value: ks.iter().map(|&k| asymptotic::lu_e_inf_total(k as f64 / df, rho)).collect(),
            se: None,
            formula_mathml: math(&format!(
                "<mi>e</mi><mo>(</mo><mi>α</mi><mo>)</mo><mo>=</mo><mi>ρ</mi><mo>+</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><mi>α</mi><mo>=</mo>{}<mo>,</mo><mspace width=\"0.5em\"/><mi>ρ</mi><mo>=</mo>{}",
                frac("<mn>1</mn><mo>+</mo><mi>ρ</mi>", "<mn>1</mn><mo>+</mo><mi>ρ</mi><mo>+</mo><mi>α</mi>"),
                frac("<mi>k</mi>", "<mi>D</mi>"),
                frac(SIGMA2, "<mi>D</mi>")
            )),
            parameters: format!("{base}; α = k/D, ρ = σ²/D = {}", fmt(rho)),
            reading: "The large-D prediction for linear attention trained on unlimited tasks: it lies just below the finite-D one-step curve."
                .into(),
        });
        out.push(TheoryCurve {
            id: "bayes_limit".into(),
            label: "Bayes risk, proportional limit".into(),
            k: ks.to_vec(),
            value: ks.iter().map(|&k| asymptotic::bayes_limit_excess(k as f64 / df, rho) + rho).collect(),
            se: None,
            formula_mathml: math(&format!(
                "<mi>e</mi><mo>=</mo><mi>q</mi><mo>+</mo><mi>ρ</mi><mo>,</mo><mspace width=\"0.5em\"/><mi>q</mi><mo>=</mo>{}",
                frac("<mi>ρ</mi><mo>+</mo><mi>q</mi>", "<mi>ρ</mi><mo>+</mo><mi>q</mi><mo>+</mo><mi>α</mi>")
            )),
            parameters: format!("{base}; α = k/D, ρ = σ²/D = {}", fmt(rho)),
            reading: "The D → ∞ approximation of the best possible error; at finite D the exact Bayes curve sits slightly above it."
                .into(),
        });
        if let Some(kk) = opts.task_diversity.filter(|&kk| kk > 0) {
            let kappa = kk as f64 / df;
            out.push(TheoryCurve {
                id: "lu_kappa".into(),
                label: format!("Lu et al., {kk} pretraining tasks (τ = ∞)"),
                k: ks.to_vec(),
                value: ks
                    .iter()
                    .map(|&k| if k == 0 { 1.0 + rho } else { asymptotic::lu_finite_kappa_total(k as f64 / df, kappa, rho) })
                    .collect(),
                se: None,
                formula_mathml: math(&format!(
                    "<mi>e</mi><mo>=</mo><mi>ρ</mi><mo>+</mo><mo>∫</mo>{}<mi>d</mi><msub><mi>μ</mi><mrow><mi>MP</mi><mo>,</mo><mn>1</mn><mo>/</mo><mi>κ</mi></mrow></msub><mo>(</mo><mi>x</mi><mo>)</mo><mo>,</mo><mspace width=\"0.5em\"/><mi>c</mi><mo>=</mo>{}",
                    frac("<mi>c</mi><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mi>c</mi><mo>)</mo>", "<msup><mrow><mo>(</mo><mi>x</mi><mo>+</mo><mi>c</mi><mo>)</mo></mrow><mn>2</mn></msup>"),
                    frac("<mn>1</mn><mo>+</mo><mi>ρ</mi>", "<mi>α</mi>")
                )),
                parameters: format!("{base}; K = {kk} tasks, κ = K/D = {}; α = k/D, ρ = σ²/D", fmt(kappa)),
                reading: "With few distinct pretraining tasks linear attention memorises them and cannot generalise in unseen directions."
                    .into(),
            });
        }
    }
}

fn structured_linear(out: &mut Vec<TheoryCurve>, spec: &TaskSpec, ks: &[usize], opts: &CatalogueOptions) {
    let d = spec.dim;
    let s2 = spec.noise_var.max(0.0);
    let cov = spec.input_covariance();
    let (nu, mu, rotated) = match spec.covariance {
        Covariance::Fs { nu, mu } => (nu, mu, false),
        Covariance::Rrs { nu, mu } => (nu, mu, true),
        Covariance::Iso => unreachable!(),
    };
    let mut omega = cov.omega.clone();
    if let TaskFamily::SparseLinear { nonzero } = spec.family {
        // E[wwᵀ] = (s/D)Ω holds for diagonal Ω (FS) and for Ω ∝ I under rotation (RRS, μ = 0).
        if rotated && omega.iter().any(|&o| (o - omega[0]).abs() > 1e-12) {
            return;
        }
        let f = nonzero.min(d) as f64 / d as f64;
        omega.iter_mut().for_each(|o| *o *= f);
    }
    let lambda = &cov.lambda;
    let z: f64 = lambda.iter().zip(&omega).map(|(l, o)| l * o).sum();
    let floor = s2 / z;
    let setting = if rotated { "RRS" } else { "FS" };
    let base = format!("{setting}, D = {d}, ν = {}, μ = {}, σ² = {}, Z = tr(ΩΣ) = {}", fmt(nu), fmt(mu), fmt(s2), fmt(z));

    out.push(TheoryCurve {
        id: "avg".into(),
        label: "averaging ŵ = (1/k)Σ yᵢxᵢ".into(),
        k: ks.to_vec(),
        value: ks.iter().map(|&k| structured::structured_averaging_excess(lambda, &omega, k, s2) + floor).collect(),
        se: None,
        formula_mathml: math(&format!(
            "<mi>Z</mi><msub><mi>e</mi><mi>ex</mi></msub><mo>=</mo><munder><mo>∑</mo><mi>j</mi></munder><msub><mi>λ</mi><mi>j</mi></msub><msub><mi>M</mi><mi>j</mi></msub>\
             <mo>−</mo><mn>2</mn><msubsup><mi>λ</mi><mi>j</mi><mn>2</mn></msubsup><msub><mi>ω</mi><mi>j</mi></msub><mo>+</mo><msub><mi>λ</mi><mi>j</mi></msub><msub><mi>ω</mi><mi>j</mi></msub><mo>,</mo>\
             <mspace width=\"0.5em\"/><msub><mi>M</mi><mi>j</mi></msub><mo>=</mo><mo>(</mo><mn>1</mn><mo>+</mo>{}<mo>)</mo><msubsup><mi>λ</mi><mi>j</mi><mn>2</mn></msubsup><msub><mi>ω</mi><mi>j</mi></msub><mo>+</mo><mi>c</mi><msub><mi>λ</mi><mi>j</mi></msub>",
            frac("<mn>1</mn>", "<mi>k</mi>")
        )),
        parameters: format!("{base}; c = (tr(ΩΣ)+σ²)/k"),
        reading: "Averaging does not correct for the unequal input variances, so its error falls only like 1/k.".into(),
    });

    let (gd1, formula, par, reading) = if rotated {
        (
            ks.iter().map(|&k| structured::rrs_gd1_excess(lambda, &omega, k, s2) + floor).collect::<Vec<_>>(),
            math(&format!(
                "<mi>Z</mi><msub><mi>e</mi><mi>ex</mi></msub><mo>=</mo><msub><mi>t</mi><mn>1</mn></msub><mo>−</mo>{}<mo>,</mo><mspace width=\"0.5em\"/>\
                 <msub><mi>t</mi><mi>M</mi></msub><mo>=</mo><mo>(</mo><mn>1</mn><mo>+</mo>{}<mo>)</mo><msub><mi>t</mi><mn>3</mn></msub><mo>+</mo>{}<msub><mi>t</mi><mn>2</mn></msub>",
                frac("<msubsup><mi>t</mi><mn>2</mn><mn>2</mn></msubsup>", "<msub><mi>t</mi><mi>M</mi></msub>"),
                frac("<mn>1</mn>", "<mi>k</mi>"),
                frac(&format!("<msub><mi>t</mi><mn>1</mn></msub><mo>+</mo>{SIGMA2}"), "<mi>k</mi>")
            )),
            format!("{base}; scalar Γ = γ*I, γ* = t₂/t_M, t_p = tr Σ^p (ω-weighted); k→∞ excess {:.5}",
                structured::rrs_gd1_excess_infinite_context(lambda, &omega)),
            "With a fresh rotation per prompt a single layer can only learn a scalar step, so even infinite context leaves an error floor.",
        )
    } else {
        (
            ks.iter().map(|&k| structured::fs_gd1_excess(lambda, &omega, k, s2) + floor).collect::<Vec<_>>(),
            math(&format!(
                "<mi>Z</mi><msub><mi>e</mi><mi>ex</mi></msub><mo>=</mo><munder><mo>∑</mo><mi>j</mi></munder>{}<mo>,</mo><mspace width=\"0.5em\"/><mi>c</mi><mo>=</mo>{}",
                frac("<msub><mi>λ</mi><mi>j</mi></msub><mo>(</mo><msub><mi>λ</mi><mi>j</mi></msub><mo>/</mo><mi>k</mi><mo>+</mo><mi>c</mi><mo>)</mo>",
                     "<mo>(</mo><mn>1</mn><mo>+</mo><mn>1</mn><mo>/</mo><mi>k</mi><mo>)</mo><msub><mi>λ</mi><mi>j</mi></msub><mo>+</mo><mi>c</mi>"),
                frac(&format!("<mo>tr</mo><mi>Σ</mi><mo>+</mo>{SIGMA2}"), "<mi>k</mi>")
            )),
            format!("{base}; diagonal Γ*, γ_j* = ω_j/((1+1/k)λ_jω_j + c) (Ω = I shown in the formula)"),
            "With a fixed input covariance one layer can learn a preconditioner that undoes Σ, so the error still goes to the noise floor.",
        )
    };
    out.push(TheoryCurve {
        id: "gd1".into(),
        label: "1-layer linear attention, optimal Γ".into(),
        k: ks.to_vec(),
        value: gd1,
        se: None,
        formula_mathml: formula,
        parameters: par,
        reading: reading.into(),
    });

    if rotated && !opts.rrs_depths.is_empty() {
        let lmax = *opts.rrs_depths.iter().max().unwrap_or(&1);
        let r = bordelon::christoffel_risk(lambda, &omega, lmax);
        for &l in opts.rrs_depths.iter().filter(|&&l| l >= 1) {
            out.push(TheoryCurve {
                id: format!("rrs_inf_L{l}"),
                label: format!("{l} scalar GD step{}, k → ∞ (R_{l})", if l == 1 { "" } else { "s" }),
                k: ks.to_vec(),
                value: vec![r[l] + floor; ks.len()],
                se: None,
                formula_mathml: math(&format!(
                    "<msub><mi>R</mi><mi>L</mi></msub><mo>=</mo><munder><mo>min</mo><mrow><mo>deg</mo><mi>q</mi><mo>≤</mo><mi>L</mi><mo>,</mo><mi>q</mi><mo>(</mo><mn>0</mn><mo>)</mo><mo>=</mo><mn>1</mn></mrow></munder>{}",
                    frac("<msub><mo>∑</mo><mi>j</mi></msub><msub><mi>ω</mi><mi>j</mi></msub><msub><mi>λ</mi><mi>j</mi></msub><mi>q</mi><msup><mrow><mo>(</mo><msub><mi>λ</mi><mi>j</mi></msub><mo>)</mo></mrow><mn>2</mn></msup>",
                         "<msub><mo>∑</mo><mi>j</mi></msub><msub><mi>ω</mi><mi>j</mi></msub><msub><mi>λ</mi><mi>j</mi></msub>")
                )),
                parameters: format!("{base}; L = {l}; R_{l} = {:.5} by Lanczos/Christoffel–Darboux", r[l]),
                reading: "In the rotated setting depth keeps helping even with unlimited context: each extra step removes more of the spectrum.".into(),
            });
        }
    }
}
