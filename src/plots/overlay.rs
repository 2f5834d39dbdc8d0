//! Earlier runs drawn over the ICL-error chart, for comparison.

use super::line::{LineChart, Series, SeriesStyle};
use super::style::{MODEL, PALETTE, Rgb};
use icl_core::eval::ErrorCurve;

/// Palette colours for overlays, in the order they are handed out: the ones the default
/// baselines use least first, never the model's vermillion.
const ORDER: [usize; 11] = [8, 9, 11, 10, 3, 6, 4, 5, 0, 2, 7];

/// The colour of overlay `index` (repeats after 11 overlays).
pub(crate) fn overlay_color(index: usize) -> Rgb {
    PALETTE[ORDER[index % ORDER.len()]]
}

/// Adds overlay `index` (0, 1, … in order): `curve` as a thin solid line with markers in its
/// own colour, no band, labelled `label` in the legend. Overlays are listed right after the
/// current run's model curves, so a long legend never pushes them out.
pub fn add_overlay(chart: &mut LineChart, label: &str, curve: &ErrorCurve, index: usize) {
    let lead = chart.series.iter().take_while(|s| s.style.color == MODEL).count();
    let at = (lead + index).min(chart.series.len());
    chart.series.insert(
        at,
        Series {
            label: label.to_string(),
            points: curve.k.iter().zip(&curve.mean).map(|(&k, &m)| (k as f64, m)).collect(),
            band: None,
            style: SeriesStyle::solid(overlay_color(index), 1).with_markers(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::{Plot, add_shifted_model, icl_error_chart};
    use icl_core::schema::NamedCurve;

    fn curve(scale: f64) -> ErrorCurve {
        ErrorCurve { k: vec![0, 1, 2, 3], mean: vec![scale, 0.7 * scale, 0.4 * scale, 0.2 * scale], se: vec![0.05; 4] }
    }

    #[test]
    fn plots_overlays_get_their_own_legend_entries_and_colours() {
        let baselines = vec![NamedCurve { name: "least_squares".into(), curve: curve(0.9) }];
        let mut chart = icl_error_chart(Some(&curve(1.0)), &baselines, &[], false);
        add_shifted_model(&mut chart, "noisy", &curve(1.1));
        add_overlay(&mut chart, "Run 1 (seed 0)", &curve(0.8), 0);
        add_overlay(&mut chart, "baseline <run> & co", &curve(0.6), 1);
        let labels: Vec<&str> = chart.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["model", "model, OOD noisy", "Run 1 (seed 0)", "baseline <run> & co", "least squares"]);
        let (a, b) = (&chart.series[2], &chart.series[3]);
        assert_eq!(a.points, vec![(0.0, 0.8), (1.0, 0.8 * 0.7), (2.0, 0.8 * 0.4), (3.0, 0.8 * 0.2)]);
        for s in [a, b] {
            assert!(s.band.is_none() && s.style.markers && !s.style.dashed && s.style.width == 1);
            assert_ne!(s.style.color, MODEL);
        }
        assert_ne!(a.style.color, b.style.color);
        // Distinct colours for the first eleven overlays, none the model's.
        let mut cs: Vec<Rgb> = (0..11).map(overlay_color).collect();
        assert!(!cs.contains(&MODEL));
        cs.sort();
        cs.dedup();
        assert_eq!(cs.len(), 11);

        // Both names reach the drawn legend (escaped in the SVG).
        let svg = chart.to_svg(960, 600).unwrap();
        assert!(svg.contains("Run 1 (seed 0)"), "the first overlay is in the legend");
        assert!(svg.contains("baseline &lt;run&gt; &amp; co"), "the second overlay is in the legend");
    }

    #[test]
    fn plots_overlays_draw_without_a_current_run() {
        let mut chart = icl_error_chart(None, &[], &[], true);
        add_overlay(&mut chart, "only", &curve(0.5), 0);
        add_overlay(&mut chart, "later", &curve(0.4), 5);
        assert_eq!(chart.series.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(), ["only", "later"]);
        assert!(chart.to_svg(720, 400).unwrap().contains("only"));
    }
}
