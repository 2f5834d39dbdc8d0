//! Which tabs of the app saved a run or sweep, most recent first. Each tab saves under its
//! own key (its id lives in `sessionStorage`, which a reload keeps and another tab does not
//! share), so two tabs never overwrite each other; a new tab starts from the latest save.

use serde::{Deserialize, Serialize};

/// Tabs whose saves are kept; older ones are dropped from storage.
pub const MAX_TABS: usize = 8;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedTabs {
    /// (tab id, milliseconds since the epoch of its last save), most recent first.
    tabs: Vec<(String, f64)>,
}

impl SavedTabs {
    /// The index as saved; anything unreadable counts as empty (the saves stay readable).
    pub fn parse(text: Option<&str>) -> Self {
        text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Records a save by `tab` at `now`; returns the tabs dropped to stay within [`MAX_TABS`].
    pub fn touch(&mut self, tab: &str, now: f64) -> Vec<String> {
        self.tabs.retain(|(t, _)| t != tab);
        self.tabs.insert(0, (tab.to_string(), now));
        self.tabs.split_off(self.tabs.len().min(MAX_TABS)).into_iter().map(|(t, _)| t).collect()
    }

    /// The tab whose save a fresh tab starts from: the most recent one.
    pub fn latest(&self) -> Option<&str> {
        self.tabs.first().map(|(t, _)| t.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_save_comes_first_and_old_tabs_are_dropped() {
        let mut s = SavedTabs::default();
        assert_eq!(s.latest(), None);
        assert!(s.touch("a", 1.0).is_empty());
        assert!(s.touch("b", 2.0).is_empty());
        assert_eq!(s.latest(), Some("b"));
        // Saving again moves a tab to the front without duplicating it.
        s.touch("a", 3.0);
        assert_eq!(s.latest(), Some("a"));
        assert_eq!(s.tabs.len(), 2);
        for i in 0..MAX_TABS {
            s.touch(&format!("t{i}"), 10.0 + i as f64);
        }
        assert_eq!(s.tabs.len(), MAX_TABS);
        assert_eq!(SavedTabs::parse(Some(&s.to_json())), s, "round-trips");
        // The two oldest were dropped, in the order they fell off.
        let mut fresh = SavedTabs::default();
        fresh.touch("x", 0.0);
        fresh.touch("y", 1.0);
        let dropped: Vec<String> = (0..MAX_TABS).flat_map(|i| fresh.touch(&format!("n{i}"), 2.0 + i as f64)).collect();
        assert_eq!(dropped, vec!["x".to_string(), "y".to_string()]);
        assert_eq!(SavedTabs::parse(Some("not json")), SavedTabs::default());
        assert_eq!(SavedTabs::parse(None), SavedTabs::default());
    }
}
