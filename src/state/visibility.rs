//! Training pauses while the tab is hidden and resumes at the same step when it is shown
//! again (a hidden tab's timers are throttled, and a visitor who switches away does not
//! expect the fan to keep spinning). Only a run the page paused is resumed: a run the user
//! paused stays paused. Sweeps keep running (they are batch jobs left to finish).

/// What the page should do on a visibility change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisibilityAction {
    Nothing,
    Pause,
    Resume,
}

/// The page's memory of a pause it made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HiddenPause {
    /// The step at which the page paused the run because the tab was hidden.
    pub paused_at: Option<usize>,
    /// The step at which the run resumed when the tab was shown again (for the indicator).
    pub resumed_at: Option<usize>,
}

impl HiddenPause {
    /// The tab was hidden while the run was (or was not) training at `step`.
    pub fn hidden(&mut self, training: bool, step: usize) -> VisibilityAction {
        if training && self.paused_at.is_none() {
            self.paused_at = Some(step);
            self.resumed_at = None;
            VisibilityAction::Pause
        } else {
            VisibilityAction::Nothing
        }
    }

    /// The tab is visible again; `step` is where the run stands now.
    pub fn shown(&mut self, step: usize) -> VisibilityAction {
        match self.paused_at.take() {
            Some(_) => {
                self.resumed_at = Some(step);
                VisibilityAction::Resume
            }
            None => VisibilityAction::Nothing,
        }
    }

    /// The user took over (pressed Train, Pause, Step or Reset): forget the page's pause.
    pub fn user_acted(&mut self) {
        *self = HiddenPause::default();
    }

    /// The indicator's text, if there is something to say.
    pub fn indicator(&self) -> Option<String> {
        match (self.paused_at, self.resumed_at) {
            (Some(step), _) => Some(format!("Paused at step {step} while this tab is hidden; training resumes when you come back.")),
            (None, Some(step)) => Some(format!("Training was paused while this tab was hidden and resumed at step {step}.")),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VisibilityAction::*;

    #[test]
    fn a_training_run_pauses_when_hidden_and_resumes_when_shown() {
        let mut h = HiddenPause::default();
        assert_eq!(h.hidden(true, 120), Pause);
        assert!(h.indicator().unwrap().contains("step 120"));
        assert_eq!(h.hidden(true, 120), Nothing, "a second hide does not pause twice");
        assert_eq!(h.shown(121), Resume);
        assert!(h.indicator().unwrap().contains("resumed at step 121"));
        assert_eq!(h.shown(121), Nothing, "shown twice resumes once");
    }

    #[test]
    fn a_run_the_user_paused_stays_paused() {
        let mut h = HiddenPause::default();
        assert_eq!(h.hidden(false, 40), Nothing);
        assert_eq!(h.shown(40), Nothing);
        assert_eq!(h.indicator(), None);
        // The page paused it, but the user pressed Reset meanwhile: nothing resumes.
        assert_eq!(h.hidden(true, 50), Pause);
        h.user_acted();
        assert_eq!(h.shown(50), Nothing);
    }
}
