//! Charts built from the lab's data (loss logs, error curves, theory curves).

use super::axis::Scale;
use super::line::{LegendPos, LineChart, Series, SeriesStyle};
use super::style::{self, color_for, display_name};
use icl_core::eval::ErrorCurve;
use icl_core::schema::{LossLog, NamedCurve};
use icl_core::theory::TheoryCurve;

fn loss_points(log: &LossLog) -> Vec<(f64, f64)> {
    log.points.iter().map(|p| (p.step as f64, p.loss)).collect()
}

/// Training loss against step on a log y axis. `extra` adds named logs (e.g. ("eval", &log)),
/// each in its name's colour; with no extras the legend is left out.
///
/// The title is left empty (the page's card has its own caption); set `title` for exports.
pub fn loss_chart(loss: &LossLog, extra: &[(&str, &LossLog)]) -> LineChart {
    let mut series = vec![Series {
        label: "training loss".into(),
        points: loss_points(loss),
        band: None,
        style: SeriesStyle::solid(style::MODEL, 2),
    }];
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
        legend: if extra.is_empty() { LegendPos::None } else { LegendPos::Auto },
        empty_hint: "press Train to start".into(),
        series,
        ..Default::default()
    }
}

/// Points (k, value) of an error curve.
pub fn curve_points(c: &ErrorCurve) -> Vec<(f64, f64)> {
    c.k.iter().zip(&c.mean).map(|(&k, &m)| (k as f64, m)).collect()
}

/// The ±1 SE band (k, mean − se, mean + se) of an error curve.
pub fn curve_band(c: &ErrorCurve) -> Vec<(f64, f64, f64)> {
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
