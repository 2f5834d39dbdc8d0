//! Axes: robust range selection from finite data, tick placement for linear and log scales,
//! tick label formatting, and a plotters coordinate ([`AxisCoord`]) that uses exactly these ticks.
//!
//! Everything works in "axis space" t: t = v on a linear axis, t = log10(v) on a log axis.

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Scale of one axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    #[default]
    Linear,
    Log,
}

impl Scale {
    pub fn is_log(self) -> bool {
        self == Scale::Log
    }

    /// Whether `v` can be placed on this axis (finite, and positive on a log axis).
    pub fn accepts(self, v: f64) -> bool {
        v.is_finite() && (self == Scale::Linear || v > 0.0)
    }

    /// Value to axis space.
    pub fn fwd(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log => v.log10(),
        }
    }

    /// Axis space to value.
    pub fn inv(self, t: f64) -> f64 {
        match self {
            Scale::Linear => t,
            Scale::Log => 10f64.powf(t),
        }
    }
}

/// Largest magnitude kept on a linear axis (so spans and paddings never overflow).
const LIN_LIMIT: f64 = 1e300;

/// How an axis range is chosen from data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RangeOpts {
    pub scale: Scale,
    /// Fraction of the span added on each side.
    pub pad: f64,
    /// Start a linear axis at 0 when all data are ≥ 0 and the minimum is close to 0.
    pub snap_zero: bool,
    /// Cap isolated extreme values on a linear axis (only with enough data).
    pub robust: bool,
    /// Range when there is no usable data.
    pub fallback: (f64, f64),
}

impl RangeOpts {
    pub fn new(scale: Scale) -> Self {
        RangeOpts {
            scale,
            pad: 0.04,
            snap_zero: false,
            robust: false,
            fallback: match scale {
                Scale::Linear => (0.0, 1.0),
                Scale::Log => (0.1, 1.0),
            },
        }
    }
}

/// A finite, non-degenerate range (lo < hi; both > 0 on a log axis) covering the usable values.
/// Values that cannot be shown on the axis (NaN, ±∞, non-positive on log) are ignored.
pub(crate) fn auto_range(values: &[f64], o: RangeOpts) -> (f64, f64) {
    let mut t: Vec<f64> = values
        .iter()
        .copied()
        .filter(|&v| o.scale.accepts(v))
        .map(|v| o.scale.fwd(v.clamp(-LIN_LIMIT, LIN_LIMIT)))
        .filter(|t| t.is_finite())
        .collect();
    if t.is_empty() {
        return o.fallback;
    }
    t.sort_by(|a, b| a.total_cmp(b));
    let mut lo = t[0];
    let mut hi = t[t.len() - 1];

    // Isolated spikes (e.g. least squares at k ≈ D) would flatten everything else on a
    // linear axis: cap the range a little above the bulk of the data instead.
    if o.robust && o.scale == Scale::Linear && t.len() >= 10 {
        let q = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
        let (q10, q90) = (q(0.1), q(0.9));
        let bulk = (q90 - q10).max(q90.abs().max(q10.abs()) * 0.05);
        let few = |n: usize| n * 100 <= 3 * t.len();
        if bulk > 0.0 {
            let cap = q90 + 1.5 * bulk;
            if hi - q90 > 20.0 * bulk && few(t.iter().filter(|&&v| v > cap).count()) {
                hi = cap;
            }
            let floor = q10 - 1.5 * bulk;
            if q10 - lo > 20.0 * bulk && few(t.iter().filter(|&&v| v < floor).count()) {
                lo = floor;
            }
        }
    }

    // Degenerate: a single value (or a span lost in rounding).
    let mag = lo.abs().max(hi.abs());
    if hi - lo <= mag * 1e-12 || hi - lo < 1e-300 {
        let c = 0.5 * (lo + hi);
        let half = match o.scale {
            Scale::Log => 0.3,
            Scale::Linear if c == 0.0 => 1.0,
            Scale::Linear => c.abs() * 0.1,
        };
        lo = c - half;
        hi = c + half;
    } else {
        let span = hi - lo;
        let snapped = o.snap_zero && o.scale == Scale::Linear && lo >= 0.0 && lo <= 0.3 * hi;
        if snapped {
            lo = 0.0;
        } else {
            lo -= span * o.pad;
        }
        hi += span * o.pad;
    }
    if o.scale == Scale::Log {
        // Keep 10^t representable.
        lo = lo.max(-307.0);
        hi = hi.min(307.0);
    }
    let (lo, hi) = (o.scale.inv(lo), o.scale.inv(hi));
    if lo.is_finite() && hi.is_finite() && lo < hi && (o.scale == Scale::Linear || lo > 0.0) {
        (lo, hi)
    } else {
        o.fallback
    }
}

/// Whether a caller-given range is usable on this scale.
pub(crate) fn valid_range(r: (f64, f64), scale: Scale) -> bool {
    r.0.is_finite() && r.1.is_finite() && r.0 < r.1 && (scale == Scale::Linear || r.0 > 0.0)
}

/// How tick values are written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum TickFormat {
    /// Evenly spaced ticks `step` apart.
    Linear { step: f64 },
    /// Ticks of the form m·10^k; `pow`: all written as powers of ten (the axis reaches beyond
    /// 10⁻⁴..10⁴, where plain decimals get long), else as plain decimals.
    Log { pow: bool },
}

/// One axis: its range, its ticks (major ones labelled, minor ones only drawn as light grid lines).
#[derive(Clone, Debug)]
pub(crate) struct AxisSpec {
    pub lo: f64,
    pub hi: f64,
    pub scale: Scale,
    pub major: Vec<f64>,
    pub minor: Vec<f64>,
    pub format: TickFormat,
}

impl AxisSpec {
    /// Ticks for `lo..hi` with at most about `max_labels` labels. `integer`: data are whole
    /// numbers (e.g. k), so a linear step never goes below 1.
    pub fn new(lo: f64, hi: f64, scale: Scale, max_labels: usize, integer: bool) -> Self {
        let max_labels = max_labels.clamp(2, 24);
        let (major, minor, format) = match scale {
            Scale::Linear => {
                let (major, step) = linear_ticks(lo, hi, max_labels, integer);
                (major, Vec::new(), TickFormat::Linear { step })
            }
            Scale::Log => {
                let (major, minor, format) = log_ticks(lo, hi, max_labels);
                let format = match format {
                    TickFormat::Log { .. } => {
                        let outside = |v: &f64| !(-4..=4).contains(&((v.log10() + 1e-9).floor() as i64));
                        TickFormat::Log { pow: major.iter().any(outside) }
                    }
                    f => f,
                };
                (major, minor, format)
            }
        };
        AxisSpec { lo, hi, scale, major, minor, format }
    }

    pub fn label(&self, v: f64) -> String {
        match self.format {
            TickFormat::Linear { step } => format_linear(v, step, &self.major),
            TickFormat::Log { pow } => format_log(v, pow),
        }
    }

    pub fn labels(&self) -> Vec<String> {
        self.major.iter().map(|&v| self.label(v)).collect()
    }

    /// Axis-space bounds.
    pub fn t_range(&self) -> (f64, f64) {
        (self.scale.fwd(self.lo), self.scale.fwd(self.hi))
    }
}

/// A plotters coordinate over an [`AxisSpec`] in axis space (values are t = fwd(v), so a log
/// axis is linear in t): key points are the major ticks (labels, bold grid lines), or major +
/// minor ticks for the light grid; labels are written from the value inv(t).
#[derive(Clone, Debug)]
pub(crate) struct AxisCoord(pub AxisSpec);

impl Ranged for AxisCoord {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, t: &f64, limit: (i32, i32)) -> i32 {
        let (a, b) = self.0.t_range();
        let f = (*t - a) / (b - a);
        let f = if f.is_nan() { 0.0 } else { f.clamp(-8.0, 9.0) };
        (limit.0 as f64 + f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let s = self.0.scale;
        let mut v: Vec<f64> = self.0.major.iter().map(|&x| s.fwd(x)).collect();
        if hint.weight().allow_light_points() {
            v.extend(self.0.minor.iter().map(|&x| s.fwd(x)));
        }
        v
    }

    fn range(&self) -> Range<f64> {
        let (a, b) = self.0.t_range();
        a..b
    }
}

impl ValueFormatter<f64> for AxisCoord {
    fn format_ext(&self, t: &f64) -> String {
        let v = self.0.scale.inv(*t);
        // Snap to the tick it came from (undo log10/pow round-off).
        let v = self.0.major.iter().copied().find(|m| (m - v).abs() <= m.abs() * 1e-9).unwrap_or(v);
        self.0.label(v)
    }
}

/// A "nice" step (1, 2, 2.5, 5 × 10^e) close to `raw`.
fn nice_step(raw: f64, integer: bool) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let e = raw.log10().floor();
    let b = 10f64.powf(e);
    let m = raw / b;
    let mut step = if m <= 1.0 {
        b
    } else if m <= 2.0 {
        2.0 * b
    } else if m <= 2.5 && (!integer || (2.5 * b).fract() == 0.0) {
        2.5 * b
    } else if m <= 5.0 {
        5.0 * b
    } else {
        10.0 * b
    };
    if integer && step < 1.0 {
        step = 1.0;
    }
    step
}

fn linear_ticks(lo: f64, hi: f64, max_labels: usize, integer: bool) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return (vec![lo], 1.0);
    }
    let mut target = max_labels;
    loop {
        let step = nice_step(span / target.max(1) as f64, integer);
        let first = (lo / step).ceil();
        let last = (hi / step).floor();
        let n = last - first + 1.0;
        if n <= max_labels as f64 || target <= 1 {
            let n = n.clamp(0.0, 64.0) as usize;
            let ticks: Vec<f64> = (0..n)
                .map(|i| {
                    let v = (first + i as f64) * step;
                    if v.abs() < step * 1e-9 { 0.0 } else { v }
                })
                .filter(|v| *v >= lo - span * 1e-9 && *v <= hi + span * 1e-9)
                .collect();
            return (ticks, step);
        }
        target -= 1;
    }
}

fn log_ticks(lo: f64, hi: f64, max_labels: usize) -> (Vec<f64>, Vec<f64>, TickFormat) {
    let (a, b) = (lo.log10(), hi.log10());
    if !(a.is_finite() && b.is_finite() && a < b) {
        return (vec![lo], Vec::new(), TickFormat::Log { pow: false });
    }
    let eps = 1e-9;
    let d0 = (a - eps).ceil() as i64;
    let d1 = (b + eps).floor() as i64;
    let n_dec = (d1 - d0 + 1).max(0) as usize;
    let in_range = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let dec = |k: i64| 10f64.powi(k as i32);

    if n_dec >= 4 {
        // Decades, every `stride`-th labelled (a nice stride, aligned to its multiples).
        let need = n_dec.div_ceil(max_labels).max(1) as i64;
        let stride = [1, 2, 3, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]
            .into_iter()
            .find(|&s| s >= need)
            .unwrap_or(need);
        let minor_stride = match stride {
            1..=5 => 1,
            s if s % 5 == 0 => s / 5,
            s if s % 2 == 0 => s / 2,
            _ => 0,
        };
        let mut major = Vec::new();
        let mut minor = Vec::new();
        for k in d0..=d1 {
            if k.rem_euclid(stride) == 0 {
                major.push(dec(k));
            } else if minor_stride > 0 && k.rem_euclid(minor_stride) == 0 {
                minor.push(dec(k));
            }
        }
        if major.len() < 2 {
            // Stride alignment left too few labels: label the ends instead.
            major = vec![dec(d0), dec(d1)];
            minor.retain(|v| !major.contains(v));
        }
        if stride == 1 && b - a <= 12.0 {
            for k in (d0 - 1)..=d1 {
                for m in 2..=9 {
                    let v = m as f64 * dec(k);
                    if in_range(v) {
                        minor.push(v);
                    }
                }
            }
        }
        return (major, minor, TickFormat::Log { pow: false });
    }

    // At most a few decades: label 1-2-5 (or finer) multiples of powers of ten when they fit.
    let multiples = |ms: &[u32]| -> Vec<f64> {
        let mut v = Vec::new();
        for k in (d0 - 1)..=(d1 + 1) {
            for &m in ms {
                let x = m as f64 * dec(k);
                if in_range(x) {
                    v.push(x);
                }
            }
        }
        v
    };
    let all: Vec<f64> = multiples(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let with_minor = |major: Vec<f64>| {
        let minor = all.iter().copied().filter(|v| !major.contains(v)).collect();
        (major, minor, TickFormat::Log { pow: false })
    };
    for ms in [&[1u32, 2, 5][..], &[1, 2, 3, 5], &[1, 2, 3, 4, 5, 6, 7, 8, 9]] {
        let major = multiples(ms);
        if major.len() > max_labels {
            break;
        }
        if major.len() >= 3 {
            return with_minor(major);
        }
    }
    let decades = multiples(&[1]);
    if decades.len() >= 2 {
        return with_minor(decades);
    }
    let one_two_five = multiples(&[1, 2, 5]);
    if one_two_five.len() >= 2 && one_two_five.len() <= max_labels {
        return with_minor(one_two_five);
    }
    // Very narrow: evenly spaced ticks read better.
    let (major, step) = linear_ticks(lo, hi, max_labels.min(6), false);
    (major, Vec::new(), TickFormat::Linear { step })
}

fn superscript(n: i64) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            c => c,
        })
        .collect()
}

/// "m×10ⁿ" with `digits` decimals in m ("10ⁿ" when m = 1 and `collapse_one`).
fn sci(v: f64, digits: usize, collapse_one: bool) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let mut e = v.abs().log10().floor() as i64;
    let mut m = v / 10f64.powi(e as i32);
    // Rounding may carry m to 10.
    let p = 10f64.powi(digits as i32);
    if ((m.abs() * p).round() / p) >= 10.0 {
        m /= 10.0;
        e += 1;
    }
    let ms = format!("{:.*}", digits, m);
    let one = |m: &str| m == "1" || (digits > 0 && m.trim_end_matches('0').trim_end_matches('.') == "1");
    if collapse_one && one(&ms) {
        format!("10{}", superscript(e))
    } else if collapse_one && ms.strip_prefix('-').is_some_and(one) {
        format!("−10{}", superscript(e))
    } else {
        format!("{}×10{}", ms.replace('-', "−"), superscript(e))
    }
}

/// Tick label on a log axis: plain decimals ("0.001", "20"), or with `pow` powers of ten
/// ("10⁻⁶", "2×10⁶", "10⁰").
pub(crate) fn format_log(v: f64, pow: bool) -> String {
    if !(v.is_finite() && v > 0.0) {
        return String::new();
    }
    let k = (v.log10() + 1e-9).floor() as i64;
    let m = v / 10f64.powi(k as i32);
    let m_int = (m - m.round()).abs() < 1e-6;
    if !pow {
        let dec = if k < 0 { (-k) as usize + usize::from(!m_int) } else { usize::from(!m_int) };
        format!("{:.*}", dec, v)
    } else if m_int && m.round() == 1.0 {
        format!("10{}", superscript(k))
    } else {
        sci(v, usize::from(!m_int), true)
    }
}

/// Tick label on a linear axis with ticks `step` apart; `all` are the axis's ticks (for the style).
pub(crate) fn format_linear(v: f64, step: f64, all: &[f64]) -> String {
    let v = if v.abs() < step.abs() * 1e-9 { 0.0 } else { v };
    let max = all.iter().fold(v.abs(), |m, x| m.max(x.abs()));
    let step_int = step >= 1.0 && step.fract() == 0.0;
    // Whole numbers with thousands: 20k, 1.5M (steps, sizes).
    if step_int && max >= 1e4 && max < 1e15 {
        if v == 0.0 {
            return "0".into();
        }
        let (div, suffix) = if max >= 1e12 {
            (1e12, "T")
        } else if max >= 1e9 {
            (1e9, "G")
        } else if max >= 1e6 {
            (1e6, "M")
        } else {
            (1e3, "k")
        };
        let dec = decimals_for(step / div);
        return format!("{:.*}{}", dec, v / div, suffix).replace('-', "−");
    }
    if max >= 1e5 || (max < 1e-3 && max > 0.0) {
        let e = max.log10().floor();
        let digits = (e - step.log10().floor()).clamp(0.0, 6.0) as usize;
        return sci(v, digits, false);
    }
    format!("{:.*}", decimals_for(step), v).replace('-', "−")
}

/// Decimals needed to distinguish multiples of `step`.
fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    for d in 0..=12usize {
        let s = step * 10f64.powi(d as i32);
        if (s - s.round()).abs() < 1e-6 * s.max(1.0) {
            return d;
        }
    }
    12
}

/// Compact value text (for heatmap cells and colour bars): 3 significant digits.
pub(crate) fn format_sig(v: f64) -> String {
    if v.is_nan() {
        return "–".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return sci(v, 1, true);
    }
    let e = a.log10().floor() as i32;
    let dec = (2 - e).clamp(0, 6) as usize;
    let s = format!("{:.*}", dec, v);
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_ranges_are_finite_and_padded() {
        let o = RangeOpts::new(Scale::Linear);
        assert_eq!(auto_range(&[], o), (0.0, 1.0));
        assert_eq!(auto_range(&[f64::NAN, f64::INFINITY], o), (0.0, 1.0));
        let (lo, hi) = auto_range(&[2.0], o);
        assert!(lo < 2.0 && hi > 2.0);
        let (lo, hi) = auto_range(&[0.0], o);
        assert!(lo < 0.0 && hi > 0.0);
        let (lo, hi) = auto_range(&[-1e308, 1e308], o);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
        let (lo, hi) = auto_range(&[1e9, 1e9], o);
        assert!(lo < 1e9 && hi > 1e9);

        let lg = RangeOpts::new(Scale::Log);
        let (lo, hi) = auto_range(&[0.0, -1.0, 1e-3, 10.0], lg);
        assert!(lo > 0.0 && lo < 1e-3 && hi > 10.0);
        let (lo, hi) = auto_range(&[5e-324, 1e308], lg);
        assert!(lo > 0.0 && hi.is_finite() && lo < hi);
        assert_eq!(auto_range(&[0.0, -2.0], lg), (0.1, 1.0));
        let (lo, hi) = auto_range(&[0.5], lg);
        assert!(lo < 0.5 && hi > 0.5);
    }

    #[test]
    fn plots_robust_range_caps_a_spike_and_snaps_to_zero() {
        let mut v: Vec<f64> = (0..40).map(|i| 1.0 - i as f64 / 50.0).collect();
        v.push(500.0);
        let o = RangeOpts { robust: true, snap_zero: true, ..RangeOpts::new(Scale::Linear) };
        let (lo, hi) = auto_range(&v, o);
        assert_eq!(lo, 0.0);
        assert!(hi < 5.0, "{hi}");
        // Without a spike nothing is cut.
        let (_, hi) = auto_range(&v[..40], o);
        assert!(hi >= 1.0);
    }

    #[test]
    fn plots_linear_ticks_are_nice() {
        let a = AxisSpec::new(0.0, 40.0, Scale::Linear, 6, true);
        assert_eq!(a.major, vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(a.labels(), vec!["0", "10", "20", "30", "40"]);
        let a = AxisSpec::new(0.0, 3.0, Scale::Linear, 10, true);
        assert!(a.major.iter().all(|v| v.fract() == 0.0));
        let a = AxisSpec::new(0.0, 1.05, Scale::Linear, 6, false);
        assert_eq!(a.labels(), vec!["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let a = AxisSpec::new(0.0, 20000.0, Scale::Linear, 5, true);
        assert_eq!(a.labels(), vec!["0", "5k", "10k", "15k", "20k"]);
        let a = AxisSpec::new(-2e-5, 2e-5, Scale::Linear, 5, false);
        assert!(a.labels().iter().any(|l| l.contains("×10⁻⁵")), "{:?}", a.labels());
        let a = AxisSpec::new(-1.0, 1.0, Scale::Linear, 5, false);
        assert!(a.labels().contains(&"0.0".to_string()), "{:?}", a.labels());
        assert!(a.labels().iter().all(|l| !l.starts_with('-')));
    }

    #[test]
    fn plots_log_ticks_are_readable() {
        let a = AxisSpec::new(1e-4, 2.0, Scale::Log, 8, false);
        assert_eq!(a.labels(), vec!["0.0001", "0.001", "0.01", "0.1", "1"]);
        assert!(!a.minor.is_empty());
        let a = AxisSpec::new(1e-30, 1e30, Scale::Log, 7, false);
        assert!(a.major.len() <= 7 && a.major.len() >= 2, "{:?}", a.major);
        assert!(a.labels().iter().any(|l| l.contains('⁻')));
        // Within one decade: 1-2-5 or finer, never empty.
        let a = AxisSpec::new(0.2, 0.9, Scale::Log, 8, false);
        assert!(a.major.len() >= 2, "{:?}", a.major);
        let a = AxisSpec::new(0.30, 0.33, Scale::Log, 8, false);
        assert!(a.major.len() >= 2, "{:?}", a.major);
        assert_eq!(format_log(1e-6, true), "10⁻⁶");
        assert_eq!(format_log(1.0, true), "10⁰");
        assert_eq!(format_log(2e6, true), "2×10⁶");
        assert_eq!(format_log(0.05, false), "0.05");
        assert_eq!(format_log(300.0, false), "300");
        // One style per axis.
        let a = AxisSpec::new(500.0, 3e6, Scale::Log, 8, false);
        assert_eq!(a.labels(), vec!["10³", "10⁴", "10⁵", "10⁶"]);
        // A few decades with room: 1-2-5 labels.
        let a = AxisSpec::new(0.03, 40.0, Scale::Log, 12, false);
        assert_eq!(a.labels(), vec!["0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10", "20"]);
        let a = AxisSpec::new(0.03, 40.0, Scale::Log, 5, false);
        assert_eq!(a.labels(), vec!["0.1", "1", "10"]);
        // Enormous ranges: a nice stride, and not hundreds of grid lines.
        let a = AxisSpec::new(1e-300, 1e300, Scale::Log, 8, false);
        assert!(a.major.len() <= 8 && a.minor.len() <= 40, "{} {}", a.major.len(), a.minor.len());
        assert!(a.labels().contains(&"10⁰".to_string()), "{:?}", a.labels());
    }

    #[test]
    fn plots_sig_format() {
        assert_eq!(format_sig(0.12345), "0.123");
        assert_eq!(format_sig(12.0), "12");
        assert_eq!(format_sig(-3.5), "−3.5");
        assert_eq!(format_sig(f64::NAN), "–");
        assert_eq!(format_sig(1e-7), "10⁻⁷");
        assert_eq!(format_sig(1.23e-7), "1.2×10⁻⁷");
    }
}
