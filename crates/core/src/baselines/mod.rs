//! Classical in-context learners scored on the same held-out prompts as the model.
//! (Being written: see issue 4.)
