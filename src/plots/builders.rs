//! Charts built from the lab's data (loss logs, error curves, theory curves).

use super::axis::Scale;
use super::line::{LineChart, Series, SeriesStyle};
use super::style::{self, color_for, display_name};
use icl_core::eval::ErrorCurve;
use icl_core::schema::{LossLog, NamedCurve, ProbeSummary};
use icl_core::theory::TheoryCurve;

fn loss_points(log: &LossLog) -> Vec<(f64, f64)> {
    log.points.iter().map(|p| (p.step as f64, p.loss)).collect()
}

/// Training loss against step on a log y axis. `extra` adds named logs (e.g. ("eval", &log)),
/// each in its name's colour; with no extras the legend is left out.
///
/// The title is left empty (the page's card has its own caption); set `title` for exports.
pub fn loss_chart(loss: &LossLog, extra: &[(&str, &LossLog)]) -> LineChart {
    let raw = loss_points(loss);
    // Each step sees a fresh random batch, so the raw loss is noisy; a moving average over
    // about 2% of the run shows the trend, drawn over the faint raw curve.
    let window = (raw.len() / 50).max(1);
    let mut series = vec![
        Series {
            label: format!("moving average ({window} points)"),
            points: moving_average(&raw, window),
            band: None,
            style: SeriesStyle::solid(style::MODEL, 2),
        },
        Series { label: "per step".into(), points: raw, band: None, style: SeriesStyle::solid(style::MODEL_TINT, 1) },
    ];
    for (name, log) in extra {
        let mut color = color_for(name);
        if color == style::MODEL {
            color = style::PALETTE[0];
        }
        series.push(Series { label: (*name).to_string(), points: loss_points(log), band: None, style: SeriesStyle::solid(color, 2) });
    }
    LineChart {
        x_label: "training step".into(),
        y_label: "loss".into(),
        y_scale: Scale::Log,
        empty_hint: "press Train to start".into(),
        series,
        ..Default::default()
    }
}

/// Trailing mean of the last `window` y values (in log space when all are positive, so a
/// loss spanning decades is averaged geometrically); non-finite values are skipped.
pub(super) fn moving_average(points: &[(f64, f64)], window: usize) -> Vec<(f64, f64)> {
    let log = points.iter().all(|p| p.1 > 0.0);
    let f = |y: f64| if log { y.ln() } else { y };
    let mut out = Vec::with_capacity(points.len());
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, &(x, y)) in points.iter().enumerate() {
        if y.is_finite() {
            sum += f(y);
            n += 1;
        }
        if i >= window {
            let old = points[i - window].1;
            if old.is_finite() {
                sum -= f(old);
                n -= 1;
            }
        }
        if n > 0 {
            let m = sum / n as f64;
            out.push((x, if log { m.exp() } else { m }));
        }
    }
    out
}

/// Points (k, value) of an error curve.
fn curve_points(c: &ErrorCurve) -> Vec<(f64, f64)> {
    c.k.iter().zip(&c.mean).map(|(&k, &m)| (k as f64, m)).collect()
}

/// The ±1 SE band (k, mean − se, mean + se) of an error curve.
fn curve_band(c: &ErrorCurve) -> Vec<(f64, f64, f64)> {
    c.k.iter()
        .zip(&c.mean)
        .zip(&c.se)
        .map(|((&k, &m), &se)| (k as f64, m - se, m + se))
        .collect()
}

/// Theory curves as `(id, label, points)` for [`icl_error_chart`] (+∞ entries break the line).
pub fn theory_lines(curves: &[TheoryCurve]) -> Vec<(String, String, Vec<(f64, f64)>)> {
    curves
        .iter()
        .map(|c| (c.id.clone(), c.label.clone(), c.k.iter().zip(&c.value).map(|(&k, &v)| (k as f64, v)).collect()))
        .collect()
}

/// ICL error against the number k of in-context examples: the model solid with markers and its
/// ±1 SE band (listed first, drawn on top), baselines solid and thin, theory curves dashed; a
/// learner's baseline and theory curve share a colour. Log y when `y_log` (zeros are skipped).
pub fn icl_error_chart(
    model: Option<&ErrorCurve>,
    baselines: &[NamedCurve],
    theory: &[(String, String, Vec<(f64, f64)>)],
    y_log: bool,
) -> LineChart {
    let mut series = Vec::new();
    if let Some(m) = model {
        series.push(Series {
            label: "model".into(),
            points: curve_points(m),
            band: Some(curve_band(m)).filter(|_| m.se.len() == m.mean.len()),
            style: SeriesStyle::solid(style::MODEL, 2).with_markers(),
        });
    }
    for b in baselines {
        series.push(Series {
            label: display_name(&b.name),
            points: curve_points(&b.curve),
            band: None,
            style: SeriesStyle::solid(color_for(&b.name), 1),
        });
    }
    for (id, label, pts) in theory {
        let label = if label.is_empty() { format!("{} (theory)", display_name(id)) } else { label.clone() };
        series.push(Series { label, points: pts.clone(), band: None, style: SeriesStyle::dashed(color_for(id), 2) });
    }
    LineChart {
        x_label: "in-context examples k".into(),
        y_label: "normalised squared error".into(),
        y_scale: if y_log { Scale::Log } else { Scale::Linear },
        empty_hint: "press Train to measure the model's in-context error".into(),
        series,
        ..Default::default()
    }
}

/// The trained model's one-step η_eff against k (markers, ±1 SE band) beside THEORY.md
/// §4.3's competing prediction, the per-k optimal step of one GD step (= the optimal one-layer
/// linear attention at that k), η*(k) = k/(k + D + 1 + σ²), dashed. Mehta & Gupta's
/// η_eff ∝ 1/√(L·d) has a free constant and no k: a flat line at an unknown height, so the
/// page names it rather than drawing it.
pub fn eta_eff_chart(probe: &ProbeSummary, dim: usize, noise_var: f64) -> LineChart {
    let measured: Vec<(f64, f64, f64)> = probe
        .eta_by_k
        .iter()
        .enumerate()
        .filter_map(|(k, e)| {
            let se = probe.se_eta_by_k.get(k).copied().flatten().unwrap_or(0.0);
            Some((k as f64, (*e)?, se))
        })
        .collect();
    let k_max = probe.eta_by_k.len().saturating_sub(1);
    let optimum = (1..=k_max).map(|k| (k as f64, icl_core::theory::mehta_gupta::eta_eff_linear_attention(k, dim, noise_var))).collect();
    LineChart {
        x_label: "in-context examples k".into(),
        y_label: "effective step η_eff".into(),
        empty_hint: "probe the model (linear tasks only)".into(),
        series: vec![
            Series {
                label: "model: least-squares step of one GD step".into(),
                points: measured.iter().map(|&(k, e, _)| (k, e)).collect(),
                band: Some(measured.iter().map(|&(k, e, se)| (k, e - se, e + se)).collect()),
                style: SeriesStyle::solid(style::MODEL, 2).with_markers(),
            },
            Series {
                label: "η*(k) = k/(k+D+1+σ²), the per-k optimum (theory)".into(),
                points: optimum,
                band: None,
                style: SeriesStyle::dashed(color_for("gd1"), 2),
            },
        ],
        ..Default::default()
    }
}

/// Adds the model's out-of-distribution curve (Garg et al.'s shifted prompts) right after
/// the in-distribution one: the model's colour, dashed, with markers and its ±1 SE band.
pub fn add_shifted_model(chart: &mut LineChart, shift: &str, curve: &ErrorCurve) {
    let at = usize::from(chart.series.first().is_some_and(|s| s.label == "model"));
    chart.series.insert(
        at,
        Series {
            label: format!("model, OOD {shift}"),
            points: curve_points(curve),
            band: Some(curve_band(curve)).filter(|_| curve.se.len() == curve.mean.len()),
            style: SeriesStyle::dashed(style::MODEL, 2).with_markers(),
        },
    );
}

/// The line charts of a sweep analysis, one per `plot` name, in first-appearance order:
/// aggregated measurements with markers and their ±SE band, fits solid, claims dashed.
/// Per-seed markers are left out where an aggregated series exists (the band shows the spread).
pub fn sweep_charts(analysis: &icl_core::sweep::Analysis) -> Vec<(String, LineChart)> {
    use icl_core::sweep::SeriesStyle as S;
    let mut order: Vec<&str> = Vec::new();
    for s in &analysis.series {
        if !order.contains(&s.plot.as_str()) {
            order.push(&s.plot);
        }
    }
    order
        .into_iter()
        .map(|plot| {
            let members: Vec<_> = analysis.series.iter().filter(|s| s.plot == plot).collect();
            let has_measured = members.iter().any(|s| s.style == S::Measured);
            let first = members[0];
            let mut chart = LineChart {
                x_label: first.x_label.clone(),
                y_label: first.y_label.clone(),
                x_scale: if first.log_x { Scale::Log } else { Scale::Linear },
                y_scale: if first.log_y { Scale::Log } else { Scale::Linear },
                empty_hint: "points land here as the sweep runs".into(),
                ..Default::default()
            };
            for s in members {
                if s.style == S::PerSeed && has_measured {
                    continue;
                }
                let points: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y)).collect();
                let color = color_for(&s.name);
                let (style, band) = match s.style {
                    S::Measured => (
                        SeriesStyle::solid(color, 2).with_markers(),
                        Some(s.points.iter().map(|p| (p.x, p.y - p.y_err, p.y + p.y_err)).collect()),
                    ),
                    S::PerSeed => (SeriesStyle::solid(color, 1).with_markers(), None),
                    S::Fit => (SeriesStyle::solid(color, 2), None),
                    S::Claim => (SeriesStyle::dashed(color, 2), None),
                };
                chart.series.push(Series { label: s.name.clone(), points, band, style });
            }
            (plot.to_string(), chart)
        })
        .collect()
}

/// A sweep's grid (e.g. error over depth × width) as a heatmap; missing cells are NaN.
pub fn sweep_heatmap(map: &icl_core::sweep::Heatmap) -> super::Heatmap {
    let values = map.values.iter().map(|row| row.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).collect();
    let mut h = super::Heatmap::new(map.title.clone(), values);
    h.x_label = map.x_label.clone();
    h.y_label = map.y_label.clone();
    h.x_ticks = map.xs.iter().map(|x| format!("{x}")).collect();
    h.y_ticks = map.ys.iter().map(|y| format!("{y}")).collect();
    h.log_color = map.values.iter().flatten().flatten().all(|v| *v > 0.0);
    h.color_label = "ICL error".into();
    h
}
