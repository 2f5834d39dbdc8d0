//! The URL round trip and the refusals are tested row by row over the whole table, so a
//! row without a test cannot exist.

use super::*;
use crate::tasks::{Covariance, TaskFamily};

/// States in which every conditional row applies somewhere (sparse task, tree task,
/// structured covariance).
fn enabling_states() -> Vec<SharedState> {
    let base = SharedState::default();
    let mut sparse = base.clone();
    Setting::named("task").unwrap().parse(&mut sparse, "sparse").unwrap();
    let mut tree = base.clone();
    Setting::named("task").unwrap().parse(&mut tree, "tree").unwrap();
    let mut fs = base.clone();
    Setting::named("covariance").unwrap().parse(&mut fs, "fs").unwrap();
    vec![base, sparse, tree, fs]
}

fn applicable_state(row: &Setting) -> SharedState {
    enabling_states()
        .into_iter()
        .find(|s| (row.applies)(s))
        .unwrap_or_else(|| panic!("row {} applies in none of the test states: add one", row.name))
}

/// Texts of valid values of `row` other than its default in `s` (each leaves the whole
/// configuration valid).
fn other_values(row: &Setting, s: &SharedState) -> Vec<String> {
    let candidates: Vec<String> = match row.kind {
        Kind::Int { min, max, .. } => vec![min, max, min + (max - min) / 2, min + 1, min + 2].into_iter().map(|v| v.to_string()).collect(),
        Kind::Real { min, max, .. } => vec![min, max, 0.5 * (min + max), min + 0.25 * (max - min)].into_iter().map(|v| v.to_string()).collect(),
        Kind::Choice { options, .. } => options().into_iter().map(|(n, _)| n.to_string()).collect(),
        Kind::Flag { .. } => vec!["1".into(), "0".into()],
        Kind::List { allowed: None, .. } => vec!["ols,gd1".into(), String::new()],
        Kind::List { allowed: Some(allowed), .. } => vec![allowed()[..2].join(","), String::new()],
    };
    candidates
        .into_iter()
        .filter(|text| {
            let mut t = s.clone();
            row.parse(&mut t, text).is_ok() && row.text(&t) != row.text(s) && t.config.validate().is_ok()
        })
        .collect()
}

#[test]
fn the_default_state_is_an_empty_link_and_every_default_is_in_range() {
    assert_eq!(SharedState::default().to_query(), "");
    assert_eq!(SharedState::from_query(""), (SharedState::default(), vec![]));
    let s = SharedState::default();
    for row in SETTINGS {
        assert_eq!(row.out_of_range(&s), None, "{}", row.name);
    }
}

#[test]
fn keys_and_names_are_unique() {
    for (i, a) in SETTINGS.iter().enumerate() {
        for b in &SETTINGS[i + 1..] {
            assert_ne!(a.key, b.key);
            assert_ne!(a.name, b.name);
        }
    }
}

#[test]
fn every_row_round_trips_through_a_link() {
    for row in SETTINGS {
        let base = applicable_state(row);
        let values = other_values(row, &base);
        assert!(!values.is_empty(), "{}: no valid non-default value to test with", row.name);
        for text in values {
            let mut s = base.clone();
            row.parse(&mut s, &text).unwrap();
            let query = s.to_query();
            assert!(query.contains(&format!("{}=", row.key)), "{}={text} is not written: {query}", row.key);
            let (back, errors) = SharedState::from_query(&query);
            assert!(errors.is_empty(), "{query}: {errors:?}");
            assert_eq!(back, s, "{}={text}: the query was {query}", row.key);
        }
    }
}

#[test]
fn every_row_refuses_bad_values_by_name_and_keeps_the_rest() {
    for row in SETTINGS {
        let base = applicable_state(row);
        let bad: Vec<String> = match row.kind {
            Kind::Int { max, .. } => vec!["abc".into(), (max as u128 + 1).to_string(), "-1".into(), "2.5".into()],
            Kind::Real { min, max, .. } => vec!["abc".into(), "NaN".into(), (max * 2.0 + 1.0).to_string(), (min - 1.0).to_string()],
            Kind::Choice { .. } => vec!["no-such-option".into()],
            Kind::Flag { .. } => vec!["yes".into()],
            Kind::List { allowed: None, .. } => continue, // any list of names is a valid list
            Kind::List { allowed: Some(_), .. } => vec!["no-such-name".into()],
        };
        // The conditional rows need their enabling setting in the link too; `K` proves the rest is kept.
        let mut prefix = base.to_query();
        if !prefix.is_empty() {
            prefix.push('&');
        }
        for text in bad {
            let query = format!("{prefix}K=20&{}={}", row.key, form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>());
            let (s, errors) = SharedState::from_query(&query);
            let named: Vec<&String> = errors.iter().filter(|e| e.starts_with(&format!("{}:", row.display_name()))).collect();
            assert_eq!(named.len(), 1, "{query}: one message names {}: {errors:?}", row.key);
            assert_eq!(row.text(&s), row.text(&base), "{query}: the refused value falls back to the default");
            if row.key != "K" {
                assert_eq!(s.config.context, 20, "{query}: a good field survives");
            }
            assert!(s.config.validate().is_ok());
        }
    }
}

#[test]
fn unknown_and_inapplicable_keys_are_reported() {
    let (s, errors) = SharedState::from_query("zzz=1&s=2&K=12");
    assert_eq!(s.config.context, 12);
    assert_eq!(s.config.task.family, TaskFamily::Linear);
    assert!(errors.iter().any(|e| e.starts_with("zzz: unknown")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("s (non-zeros):") && e.contains("does not apply")), "{errors:?}");
}

#[test]
fn defaults_that_depend_on_other_settings_agree_between_link_and_form() {
    // `?task=sparse&D=2` needs no s: its default is min(3, D).
    let (s, errors) = SharedState::from_query("task=sparse&D=2");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(s.config.task.family, TaskFamily::SparseLinear { nonzero: 2 });
    // A tree chosen by link and a tree chosen in the form have the same depth.
    let (linked, _) = SharedState::from_query("task=tree");
    let mut chosen = SharedState::default();
    Setting::named("task").unwrap().parse(&mut chosen, "tree").unwrap();
    assert_eq!(linked, chosen);
    assert_eq!(chosen.config.task.family, TaskFamily::Tree { depth: TaskFamily::DEFAULT_TREE_DEPTH });
    // Likewise the spectrum.
    let (linked, _) = SharedState::from_query("cov=rrs");
    assert_eq!(linked.config.task.covariance, Covariance::rrs_default());
    assert_eq!(linked.to_query(), "cov=rrs", "default exponents are not written");
}

#[test]
fn interacting_fields_fall_back_to_a_valid_shape() {
    let (s, errors) = SharedState::from_query("d=30&H=4");
    assert!(s.config.validate().is_ok());
    assert!(errors.iter().any(|e| e.starts_with("H (heads):")), "{errors:?}");
    let (s, errors) = SharedState::from_query("task=tree&h=2&ood=sparse");
    assert_eq!(s.config.eval.shift, None);
    assert_eq!(s.config.task.family, TaskFamily::Tree { depth: 2 }, "the task itself is kept");
    assert!(errors.iter().any(|e| e.starts_with("ood (also evaluate on):") && e.contains("linear regression only")), "{errors:?}");
}

#[test]
fn percent_encoding_survives_odd_input() {
    let (s, _) = SharedState::from_query("hide=a%2Cb&x=%zz%");
    assert_eq!(s.hidden_curves, vec!["a", "b"]);
    let mut t = SharedState::default();
    t.hidden_curves = vec!["a b".into(), "ü&=".into()];
    assert_eq!(SharedState::from_query(&t.to_query()).0.hidden_curves, t.hidden_curves);
}

#[test]
fn choice_options_are_offered_only_where_they_apply() {
    let mut tree = SharedState::default();
    Setting::named("task").unwrap().parse(&mut tree, "tree").unwrap();
    let Kind::Choice { options, offered, .. } = Setting::named("ood").unwrap().kind else { unreachable!() };
    let names: Vec<&str> = options().into_iter().map(|(n, _)| n).filter(|n| offered(&tree, n)).collect();
    assert_eq!(names, ["none", "noisy", "skewed", "rotated"]);
}
