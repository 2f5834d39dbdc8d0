//! Plain-text tables of curves over k, for `theory` and `report`.

/// One column: a name and a value per row (None = not defined there).
pub struct Column {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Prints rows k = ks[i] with one column per curve, right-aligned.
pub fn print(ks: &[usize], columns: &[Column]) {
    let width = columns.iter().map(|c| c.name.len()).max().unwrap_or(6).clamp(8, 22);
    let mut line = format!("{:>4}", "k");
    for c in columns {
        line.push_str(&format!(" {:>width$}", c.name));
    }
    println!("{line}");
    for (row, k) in ks.iter().enumerate() {
        let mut line = format!("{k:>4}");
        for c in columns {
            let cell = match c.values.get(row).copied().flatten() {
                Some(v) if v.is_infinite() => "∞".to_string(),
                Some(v) => format!("{v:.5}"),
                None => "-".to_string(),
            };
            line.push_str(&format!(" {cell:>width$}"));
        }
        println!("{line}");
    }
}

/// Values of a curve given as (k, value) pairs, aligned to `ks`.
pub fn align(ks: &[usize], curve_k: &[usize], values: &[f64]) -> Vec<Option<f64>> {
    ks.iter().map(|k| curve_k.iter().position(|kk| kk == k).map(|i| values[i])).collect()
}
