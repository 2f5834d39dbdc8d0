//! [`SharedState`] ⇄ URL query string, generated from the settings table. Decoding never
//! fails as a whole: each bad field is refused with a message naming it and keeps its
//! default, so a mangled link still opens a working page.

use super::{SETTINGS, Setting, SharedState};

impl SharedState {
    /// `key=value&…` without the leading `?`. Only settings that apply and differ from
    /// their defaults are written, so links stay short.
    pub fn to_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for row in SETTINGS.iter().filter(|row| (row.applies)(self) && !row.is_default(self)) {
            out.append_pair(row.key, &row.text(self));
        }
        out.finish()
    }

    /// Whether `query` (with or without `?`) names `key`, whatever its value.
    pub fn query_has(query: &str, key: &str) -> bool {
        form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).any(|(k, _)| k == key)
    }

    /// Decodes a query string (with or without `?`). Returns the state and one message per
    /// refused field; unknown keys are reported too (a typo should not pass silently).
    pub fn from_query(query: &str) -> (SharedState, Vec<String>) {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).into_owned().collect();
        let mut s = SharedState::default();
        let mut errors = Vec::new();
        // The last occurrence of a key wins, as in most web frameworks.
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        for row in SETTINGS {
            let Some(text) = get(row.key) else { continue };
            if !(row.applies)(&s) {
                errors.push(format!("{}: does not apply to these settings, ignored", row.display_name()));
                continue;
            }
            if let Err(e) = row.parse(&mut s, text) {
                errors.push(format!("{}: {e} (using the default)", row.display_name()));
            }
        }
        // Each unknown key is reported once; a set keeps a long link of typos linear.
        let mut reported = std::collections::HashSet::new();
        for (key, _) in &pairs {
            if Setting::keyed(key).is_none() && reported.insert(key.as_str()) {
                errors.push(format!("{key}: unknown setting, ignored"));
            }
        }
        errors.extend(s.fall_back_to_valid());
        (s, errors)
    }

    /// Settings interact (heads must divide width, s ≤ D, a shift must fit the task): each
    /// refused field falls back to its default, then the model shape, then everything.
    /// Returns a message per change.
    pub fn fall_back_to_valid(&mut self) -> Vec<String> {
        let mut messages = Vec::new();
        for problem in self.config.problems() {
            let row = Setting::named(&problem.field);
            let name = row.map_or(problem.field.clone(), Setting::display_name);
            messages.push(format!("{name}: {} (using the default)", problem.message));
            if let Some(row) = row {
                row.reset(self);
            }
        }
        if self.config.validate().is_err() {
            // The shape as a whole is reset: name every model field that changes with it.
            let before = self.clone();
            self.config.model = SharedState::default().config.model;
            for row in SETTINGS.iter().filter(|row| row.text(&before) != row.text(self)) {
                if !messages.iter().any(|m| m.starts_with(&format!("{}:", row.display_name()))) {
                    messages.push(format!(
                        "{}: {} does not fit the other model settings, so the whole model shape is reset: now {}",
                        row.display_name(),
                        row.text(&before),
                        row.text(self)
                    ));
                }
            }
            if let Err(e) = self.config.validate() {
                messages.push(format!("settings still invalid ({e}); using the default workload"));
                self.config = SharedState::default().config;
            }
        }
        messages
    }
}
