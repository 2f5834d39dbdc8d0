//! Keyboard shortcuts: one table, read by the page's key listener and its `?` overlay.
//! A shortcut never fires while the user types in a field or holds a modifier.

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    TrainOrPause,
    Step,
    Reset,
    Experiments,
    Help,
    Close,
}

/// The keys (as `KeyboardEvent.key` spells them), their action and the overlay's wording.
pub const SHORTCUTS: [(&str, &str, Shortcut, &str); 6] = [
    (" ", "Space", Shortcut::TrainOrPause, "Train / Pause"),
    ("s", "s", Shortcut::Step, "one training step"),
    ("r", "r", Shortcut::Reset, "Reset the model"),
    ("e", "e", Shortcut::Experiments, "the Experiments tab"),
    ("?", "?", Shortcut::Help, "this list"),
    ("Escape", "Esc", Shortcut::Close, "close this list"),
];

/// The shortcut for `key`, unless the key goes to a text field (`typing`) or comes with
/// Ctrl, Alt or Meta (the browser's own shortcuts). Letters match either case.
pub fn shortcut(key: &str, typing: bool, modifier: bool) -> Option<Shortcut> {
    if typing || modifier {
        return None;
    }
    SHORTCUTS.iter().find(|(k, ..)| *k == key || (k.len() == 1 && k.eq_ignore_ascii_case(key))).map(|&(_, _, s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions_but_never_while_typing_or_with_modifiers() {
        assert_eq!(shortcut(" ", false, false), Some(Shortcut::TrainOrPause));
        assert_eq!(shortcut("s", false, false), Some(Shortcut::Step));
        assert_eq!(shortcut("S", false, false), Some(Shortcut::Step));
        assert_eq!(shortcut("r", false, false), Some(Shortcut::Reset));
        assert_eq!(shortcut("e", false, false), Some(Shortcut::Experiments));
        assert_eq!(shortcut("?", false, false), Some(Shortcut::Help));
        assert_eq!(shortcut("Escape", false, false), Some(Shortcut::Close));
        assert_eq!(shortcut("s", true, false), None, "typing s in a field does not step");
        assert_eq!(shortcut("r", false, true), None, "Ctrl+R stays the browser's reload");
        assert_eq!(shortcut("x", false, false), None);
        assert_eq!(shortcut("Esc", false, false), None, "labels are not keys");
    }
}
