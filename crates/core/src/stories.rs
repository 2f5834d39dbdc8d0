//! Guided presets ("stories"): one card per phenomenon or seed-paper claim. A story sets the
//! whole shareable state, says in plain words what to look for and what the theory predicts,
//! and estimates how long it takes on a backend. Its link is the state's query string, so a
//! story is also a classroom link.

use crate::config::Preset;
use crate::settings::{SharedState, Tab};
use crate::sweep::{CostModel, Experiment, ExperimentKind, PointLabels, SweepPoint, SweepPreset, plan};

/// One guided preset.
pub struct Story {
    /// Stable id: the `story=` value of its link.
    pub id: &'static str,
    pub title: &'static str,
    /// What the visitor does and looks for, in two or three plain sentences.
    pub watch: &'static str,
    /// What the theory predicts.
    pub predicts: &'static str,
    /// Changes from the page's default state (the default is the small CPU workload).
    configure: fn(&mut SharedState),
}

fn run_tab(s: &mut SharedState) {
    s.tab = Tab::Run;
}

fn experiment(s: &mut SharedState, kind: ExperimentKind) {
    s.tab = Tab::Experiments;
    s.experiment = kind;
    s.preset = SweepPreset::Quick;
}

/// Shows the curves named, on top of the default set.
fn show(s: &mut SharedState, ids: &[&str]) {
    s.hidden_curves.retain(|h| !ids.contains(&h.as_str()));
}

pub const STORIES: &[Story] = &[
    Story {
        id: "emerges",
        title: "In-context learning emerges",
        watch: "Press Train. Each prompt has its own random linear function, and the model is never told which: it must infer it from the examples in the prompt. Watch the orange curve fall below averaging, toward least squares, after a few hundred steps.",
        predicts: "A model that does regression in context approaches least squares, which is exact once k ≥ D = 4 examples (no noise). Before that it can only average.",
        configure: run_tab,
    },
    Story {
        id: "least-squares",
        title: "Transformer against least squares and ridge",
        watch: "Train, then compare the orange curve with least squares (blue) and ridge (light blue) at each k. Below k = D least squares is ill-posed and its error spikes; the transformer does not.",
        predicts: "With no noise, least squares reaches zero error from k = D on; around k ≈ D the minimum-norm solution blows up while ridge stays smooth. A trained transformer tracks the better of the two (Garg et al. 2022).",
        configure: |s| {
            run_tab(s);
            show(s, &["ols", "ridge"]);
        },
    },
    Story {
        id: "noise",
        title: "Noise and the Bayes-optimal ridge",
        watch: "The labels carry noise σ² = 0.5. Train and watch the orange curve settle onto the Bayes-optimal ridge, not onto least squares, which now overfits the noise near k = D.",
        predicts: "For Gaussian weights and noise the posterior mean is ridge with λ = σ², the lowest error any learner can reach; least squares' error diverges at k = D + 1.",
        configure: |s| {
            run_tab(s);
            s.config.task.noise_var = 0.5;
            show(s, &["ols", "ridge", "bayes_limit"]);
        },
    },
    Story {
        id: "trees",
        title: "Decision trees and the greedy tree",
        watch: "The labels now come from random depth-2 decision trees. Train and compare the orange curve with the greedy tree (CART) fitted to each prompt, and with averaging.",
        predicts: "Garg et al. found transformers beat greedy tree learning in context. Mehta & Gupta's bound says the error of tree tasks falls as a power of model size with exponent 1/(2(h+1)).",
        configure: |s| {
            run_tab(s);
            s.config.task.family = crate::tasks::TaskFamily::Tree { depth: 2 };
        },
    },
    Story {
        id: "depth-rrs",
        title: "Depth helps under randomly rotated inputs",
        watch: "Open Experiments and start the sweep: models of several depths train on isotropic (ISO) and randomly rotated structured (RRS) inputs. Compare the depth gain in the two panels.",
        predicts: "Bordelon, Letey and Pehlevan: under ISO, extra depth helps only at finite context; under RRS it keeps helping even at infinite context.",
        configure: |s| experiment(s, ExperimentKind::DepthContext),
    },
    Story {
        id: "scaling",
        title: "The scaling exponent",
        watch: "Start the sweep: transformers of growing size N = L·d train on the same task. The fitted slope of log error against log N, with its interval, is the measured exponent α.",
        predicts: "Mehta & Gupta: ε ∝ N^−α with α = 1/(2(h+1)). The verdict compares the fitted α and its interval with that value; an underpowered sweep says inconclusive.",
        configure: |s| experiment(s, ExperimentKind::Scaling),
    },
    Story {
        id: "transition",
        title: "The phase transition",
        watch: "Start the sweep: tree tasks of depth h = 1 and 2 at several context sizes. The heatmap shows where the error drops sharply as the model grows.",
        predicts: "Mehta & Gupta: a sharp transition at N_c = Θ((k·h)^{2(h+1)}); larger h and k move it to larger models.",
        configure: |s| experiment(s, ExperimentKind::Transition),
    },
    Story {
        id: "depth-width",
        title: "Depth against width",
        watch: "Start the sweep: at each fixed budget N = L·d, models trade depth for width. The best depth L* per budget is fitted against N.",
        predicts: "Mehta & Gupta: L* ∝ N^{2/3} and d* ∝ N^{1/3}, so deeper beats wider as the budget grows.",
        configure: |s| experiment(s, ExperimentKind::DepthWidth),
    },
    Story {
        id: "eta-eff",
        title: "η_eff against 1/√(Ld)",
        watch: "Start the depth-width sweep and read the η_eff verdict: each trained model's predictions are matched to one gradient-descent step, whose rate η_eff is measured per model.",
        predicts: "Mehta & Gupta: η_eff ∝ 1/√(L·d). Models that do not act like a GD step yet (cosine below 0.5) are left out, and the page says how many.",
        configure: |s| experiment(s, ExperimentKind::DepthWidth),
    },
    Story {
        id: "linear-attention",
        title: "Linear attention on its exact curve",
        watch: "Press Train: one layer of linear self-attention, the model the theory describes, trains for 1000 steps. Watch the orange curve land on the dashed exact curve for this trained object.",
        predicts: "The population-optimal one-layer linear attention has a closed-form error at every k (THEORY.md); a model trained to convergence lies on it within two standard errors.",
        configure: |s| {
            run_tab(s);
            s.config = Preset::LinearAttention.config();
            show(s, &["lsa1"]);
        },
    },
];

impl Story {
    pub fn named(id: &str) -> Option<&'static Story> {
        STORIES.iter().find(|s| s.id == id)
    }

    /// The whole state the story sets (its `story` field names it).
    pub fn state(&self) -> SharedState {
        let mut s = SharedState::default();
        (self.configure)(&mut s);
        s.story = self.id.to_string();
        s
    }

    /// The story's link, without the leading `?`.
    pub fn query(&self) -> String {
        self.state().to_query()
    }

    /// Estimated seconds to see the story through on a machine described by `cost` (a
    /// sweep on one worker; the page divides by its pool).
    pub fn seconds(&self, cost: &CostModel) -> f64 {
        let s = self.state();
        match s.tab {
            Tab::Experiments => plan(&Experiment::default_for(s.experiment), s.preset).points.iter().map(|p| cost.seconds(p)).sum(),
            _ => {
                let point = SweepPoint { id: self.id.into(), labels: PointLabels::of(&s.config), config: s.config };
                cost.seconds(&point)
            }
        }
    }

    /// Whether the story trains a sweep (the Experiments tab) rather than one run.
    pub fn is_sweep(&self) -> bool {
        self.state().tab == Tab::Experiments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_story_link_reopens_its_whole_state_without_complaint() {
        for story in STORIES {
            let state = story.state();
            assert!(state.config.validate().is_ok(), "{}", story.id);
            let (decoded, errors) = SharedState::from_query(&story.query());
            assert!(errors.is_empty(), "{}: {errors:?}", story.id);
            assert_eq!(decoded, state, "{}", story.id);
            assert!(story.query().contains(&format!("story={}", story.id)), "{}", story.id);
        }
    }

    #[test]
    fn ids_are_unique_and_texts_are_short_and_plain() {
        for (i, a) in STORIES.iter().enumerate() {
            assert!(STORIES[i + 1..].iter().all(|b| b.id != a.id), "{} twice", a.id);
            // Two or three sentences each, read aloud in a classroom.
            for text in [a.watch, a.predicts] {
                assert!((40..=330).contains(&text.chars().count()), "{}: {} characters", a.id, text.chars().count());
            }
        }
    }

    #[test]
    fn the_first_story_is_the_default_page_and_fits_the_90_second_budget() {
        // The first visit is the "emerges" story without its marker.
        let mut first = STORIES[0].state();
        first.story.clear();
        assert_eq!(first, SharedState::default());
        let s = STORIES[0].seconds(&CostModel::BROWSER_CPU);
        assert!(s < 90.0, "the first run takes {s:.0} s on the browser CPU");
    }

    #[test]
    fn sweeps_cost_more_than_single_runs() {
        let run = Story::named("emerges").unwrap().seconds(&CostModel::BROWSER_CPU);
        let sweep = Story::named("scaling").unwrap().seconds(&CostModel::BROWSER_CPU);
        assert!(sweep > 2.0 * run, "{sweep} vs {run}");
        assert!(Story::named("scaling").unwrap().is_sweep() && !Story::named("emerges").unwrap().is_sweep());
    }
}
