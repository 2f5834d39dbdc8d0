//! The run history's index: finished runs kept in IndexedDB (`crate::history`), listed
//! newest first, renamed, deleted, and overlaid on the ICL-error chart.
//!
//! A run's id is a fingerprint of what makes it one run (its configuration, steps, elapsed
//! time and evaluations), so saving the same run twice, or importing a file of a run that is
//! already kept, finds the entry that is there instead of adding a copy.

use icl_core::config::{Arch, RunConfig};
use icl_core::schema::{RunResult, RunStatus};
use icl_core::tasks::TaskFamily;
use serde::{Deserialize, Serialize};

/// How many runs are kept; saving one more drops the oldest.
pub const CAP: usize = 50;
/// Longest name kept (in characters); longer names are cut.
pub const NAME_MAX: usize = 60;

/// One kept run, without its data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: String,
    pub name: String,
    /// When it was kept (ms since the epoch).
    pub saved_at_ms: f64,
    /// Its settings in one line ([`summary`]).
    pub summary: String,
    /// Drawn over the ICL-error chart.
    pub overlaid: bool,
}

/// The settings of a run in one line, e.g.
/// "linear D=4 K=16 · transformer d=32 L=2 H=2 · 2000 steps · seed 0".
pub fn summary(config: &RunConfig, steps: usize) -> String {
    let task = match config.task.family {
        TaskFamily::Linear => "linear".to_string(),
        TaskFamily::SparseLinear { nonzero } => format!("sparse s={nonzero}"),
        TaskFamily::Tree { depth } => format!("tree h={depth}"),
    };
    let m = &config.model;
    let model = match m.arch {
        Arch::Transformer => format!("transformer d={} L={} H={}", m.width, m.depth, m.heads),
        Arch::LinearAttention => format!("lsa L={}", m.depth),
    };
    format!(
        "{task} D={} K={} · {model} · {steps} step{} · seed {}",
        config.task.dim,
        config.context,
        if steps == 1 { "" } else { "s" },
        config.train.seed
    )
}

/// The id of `run`: a fingerprint of its configuration, steps, elapsed time and evaluations
/// (16 hex digits). Equal for a run and its exported-then-imported copy.
pub fn run_id(run: &RunResult) -> String {
    let mut h = Fnv::new();
    h.write(serde_json::to_string(&run.config).unwrap_or_default().as_bytes());
    h.write(&(run.steps as u64).to_le_bytes());
    h.write(&run.elapsed_s.to_bits().to_le_bytes());
    h.write(&(run.evals.len() as u64).to_le_bytes());
    if let Some(e) = run.latest_eval() {
        for m in &e.curve.mean {
            h.write(&m.to_bits().to_le_bytes());
        }
    }
    format!("{:016x}", h.0)
}

/// Whether `run` is finished and worth keeping: its step budget ran out.
pub fn is_finished(run: &RunResult) -> bool {
    run.status == RunStatus::Done && run.steps > 0
}

/// A file name for exporting the run called `name`: letters, digits, `-` and `_` kept,
/// everything else a `-`, never empty.
pub fn file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('-');
    format!("{}.json", if out.is_empty() { "icl-run" } else { out })
}

/// A name as kept: trimmed, inner whitespace collapsed, at most [`NAME_MAX`] characters;
/// None when nothing is left.
pub fn clean_name(name: &str) -> Option<String> {
    let joined = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = joined.chars().take(NAME_MAX).collect();
    (!cut.is_empty()).then_some(cut)
}

/// The history: entries newest first, at most [`CAP`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    entries: Vec<HistoryEntry>,
}

impl History {
    /// The history of `entries` as read back from storage (any order): sorted newest first,
    /// duplicates of an id dropped. Entries beyond [`CAP`] are kept here; [`History::add`]
    /// trims them.
    pub fn from_entries(mut entries: Vec<HistoryEntry>) -> Self {
        entries.sort_by(newest_first);
        let mut seen = std::collections::HashSet::new();
        entries.retain(|e| seen.insert(e.id.clone()));
        History { entries }
    }

    /// Newest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&HistoryEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// A name for a new run: "Run n (seed s)", n one more than the largest "Run n" kept.
    pub fn next_name(&self, config: &RunConfig) -> String {
        let n = self
            .entries
            .iter()
            .filter_map(|e| e.name.strip_prefix("Run ")?.split(' ').next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        format!("Run {n} (seed {})", config.train.seed)
    }

    /// A new entry for `run` kept at `saved_at_ms`, named by [`History::next_name`].
    pub fn entry_for(&self, run: &RunResult, saved_at_ms: f64) -> HistoryEntry {
        HistoryEntry {
            id: run_id(run),
            name: self.next_name(&run.config),
            saved_at_ms,
            summary: summary(&run.config, run.steps),
            overlaid: false,
        }
    }

    /// Adds `entry` (replacing one with its id) and returns the ids dropped to stay within
    /// [`CAP`], oldest first.
    pub fn add(&mut self, entry: HistoryEntry) -> Vec<String> {
        self.entries.retain(|e| e.id != entry.id);
        self.entries.push(entry);
        self.entries.sort_by(newest_first);
        let mut dropped: Vec<String> = self.entries.drain(CAP.min(self.entries.len())..).map(|e| e.id).collect();
        dropped.reverse();
        dropped
    }

    /// Renames entry `id`; the name kept ([`clean_name`]), or None if there is no such entry
    /// or the name is blank.
    pub fn rename(&mut self, id: &str, name: &str) -> Option<String> {
        let name = clean_name(name)?;
        let e = self.entries.iter_mut().find(|e| e.id == id)?;
        e.name = name.clone();
        Some(name)
    }

    /// Removes entry `id`; whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        self.entries.len() != before
    }

    /// Overlays entry `id` (or stops); whether anything changed.
    pub fn set_overlaid(&mut self, id: &str, on: bool) -> bool {
        match self.entries.iter_mut().find(|e| e.id == id) {
            Some(e) if e.overlaid != on => {
                e.overlaid = on;
                true
            }
            _ => false,
        }
    }

    /// The overlaid entries in a stable order, oldest first: a run keeps its place (and its
    /// colour on the chart) when newer runs are kept or overlaid.
    pub fn overlaid(&self) -> Vec<&HistoryEntry> {
        let mut v: Vec<&HistoryEntry> = self.entries.iter().filter(|e| e.overlaid).collect();
        v.reverse();
        v
    }
}

fn newest_first(a: &HistoryEntry, b: &HistoryEntry) -> std::cmp::Ordering {
    b.saved_at_ms.total_cmp(&a.saved_at_ms).then_with(|| b.id.cmp(&a.id))
}

/// FNV-1a, 64 bits: stable across platforms and releases (unlike std's hasher).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf29ce484222325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icl_core::eval::ErrorCurve;
    use icl_core::schema::{BackendInfo, EvalPoint};

    fn run(seed: u64, steps: usize) -> RunResult {
        let mut config = RunConfig::default();
        config.train.seed = seed;
        let mut r = RunResult::new(config, BackendInfo::cpu(), "browser");
        r.steps = steps;
        r.elapsed_s = 1.5;
        r.status = RunStatus::Done;
        let curve = ErrorCurve { k: vec![0, 1, 2], mean: vec![1.0, 0.6, 0.3], se: vec![0.1, 0.1, 0.1] };
        r.evals.push(EvalPoint { step: steps, elapsed_s: 1.5, curve, shifted: None, query_exact: None });
        r
    }

    fn entry(id: &str, t: f64) -> HistoryEntry {
        HistoryEntry { id: id.into(), name: format!("n{id}"), saved_at_ms: t, summary: String::new(), overlaid: false }
    }

    #[test]
    fn history_summary_names_the_settings() {
        let r = run(7, 2000);
        let s = summary(&r.config, r.steps);
        let c = &r.config;
        assert_eq!(
            s,
            format!(
                "linear D={} K={} · transformer d={} L={} H={} · 2000 steps · seed 7",
                c.task.dim, c.context, c.model.width, c.model.depth, c.model.heads
            )
        );
        let mut lsa = c.clone();
        lsa.model = icl_core::config::ModelShape::linear_attention(3);
        lsa.task.family = TaskFamily::Tree { depth: 2 };
        let s = summary(&lsa, 1);
        assert!(s.starts_with("tree h=2 D=") && s.contains("· lsa L=3 · 1 step · seed"), "{s}");
    }

    #[test]
    fn history_ids_identify_a_run_and_survive_a_json_round_trip() {
        let a = run(1, 20);
        assert_eq!(run_id(&a), run_id(&RunResult::from_json(&a.to_json()).unwrap()));
        assert_eq!(run_id(&a).len(), 16);
        assert_ne!(run_id(&a), run_id(&run(2, 20)), "another seed is another run");
        assert_ne!(run_id(&a), run_id(&run(1, 30)));
        let mut later = a.clone();
        later.elapsed_s += 0.25;
        assert_ne!(run_id(&a), run_id(&later), "the same settings trained again");
        // What lands after the run finished (a probe) or says who made it is not part of the id.
        let mut probed = a.clone();
        probed.producer = "cli".into();
        assert_eq!(run_id(&a), run_id(&probed));
        assert!(is_finished(&a));
        let mut paused = a.clone();
        paused.status = RunStatus::Paused;
        assert!(!is_finished(&paused));
    }

    #[test]
    fn history_new_entries_are_numbered_and_listed_newest_first() {
        let mut h = History::default();
        let e1 = h.entry_for(&run(0, 20), 1000.0);
        assert_eq!(e1.name, "Run 1 (seed 0)");
        assert!(!e1.overlaid);
        assert!(h.add(e1.clone()).is_empty());
        let e2 = h.entry_for(&run(5, 20), 2000.0);
        assert_eq!(e2.name, "Run 2 (seed 5)");
        h.add(e2.clone());
        assert_eq!(h.entries().iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Run 2 (seed 5)", "Run 1 (seed 0)"]);
        // Adding an id again replaces, never duplicates.
        h.add(e1.clone());
        assert_eq!(h.len(), 2);
        assert!(h.contains(&e1.id) && h.contains(&e2.id));
        // Numbers continue after the largest one, also after a delete.
        assert!(h.remove(&e1.id));
        assert!(!h.remove(&e1.id));
        assert_eq!(h.next_name(&run(3, 1).config), "Run 3 (seed 3)");
    }

    #[test]
    fn history_keeps_the_latest_cap_entries() {
        let mut h = History::default();
        for i in 0..CAP {
            assert!(h.add(entry(&format!("{i:03}"), i as f64)).is_empty());
        }
        assert_eq!(h.add(entry("new", 1e9)), vec!["000".to_string()]);
        assert_eq!(h.len(), CAP);
        assert_eq!(h.entries()[0].id, "new");
        assert!(!h.contains("000") && h.contains("001"));
        // An entry older than all the kept ones is dropped itself.
        assert_eq!(h.add(entry("ancient", -1.0)), vec!["ancient".to_string()]);
        // Read back from storage in any order, with a duplicate.
        let back = History::from_entries(vec![entry("b", 2.0), entry("a", 1.0), entry("c", 3.0), entry("b", 2.0)]);
        assert_eq!(back.entries().iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["c", "b", "a"]);
    }

    #[test]
    fn history_rename_delete_and_overlay() {
        let mut h = History::from_entries(vec![entry("a", 1.0), entry("b", 2.0), entry("c", 3.0)]);
        assert_eq!(h.rename("a", "  my   best run "), Some("my best run".into()));
        assert_eq!(h.get("a").unwrap().name, "my best run");
        assert_eq!(h.rename("a", "   "), None, "a blank name is refused");
        assert_eq!(h.get("a").unwrap().name, "my best run");
        assert_eq!(h.rename("zzz", "x"), None);
        assert_eq!(h.rename("b", &"x".repeat(200)).unwrap().chars().count(), NAME_MAX);

        assert!(h.set_overlaid("c", true));
        assert!(!h.set_overlaid("c", true), "no change");
        assert!(h.set_overlaid("a", true));
        assert!(!h.set_overlaid("zzz", true));
        // Oldest first, whatever order they were ticked in.
        assert_eq!(h.overlaid().iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a", "c"]);
        h.add(HistoryEntry { overlaid: true, ..entry("d", 4.0) });
        assert_eq!(h.overlaid().iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a", "c", "d"]);
        assert!(h.set_overlaid("a", false));
        assert!(h.remove("c"));
        assert_eq!(h.overlaid().iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["d"]);
    }

    #[test]
    fn history_file_names_are_safe() {
        assert_eq!(file_name("Run 1 (seed 0)"), "Run-1-seed-0.json");
        assert_eq!(file_name("../../etc/passwd"), "etc-passwd.json");
        assert_eq!(file_name("  "), "icl-run.json");
        assert_eq!(file_name("café_run-2"), "café_run-2.json");
    }
}
