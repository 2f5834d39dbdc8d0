//! The worker's run slot as one state machine: who owns the run (nobody yet, the slot while
//! idle, the training driver, a probe) and what the page wants (paused, running, a number of
//! steps). Messages and the driver's chunks are events; the transitions are pure code, tested
//! natively, generic over the run so no burn type is needed here.

use icl_core::protocol::StopReason;

/// What a slot needs to know of the run it holds.
pub trait RunProgress {
    fn steps(&self) -> usize;
    fn budget_spent(&self) -> bool;
}

/// What the page wants the run to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    Paused,
    Running,
    /// Train this many more steps, then pause (turned into `Until` once the step is known).
    More(usize),
    /// Train until this step, then pause.
    Until(usize),
}

#[derive(Debug)]
enum Owner<R> {
    /// No run: none configured yet, or a Configure is being built.
    Empty,
    /// The slot holds the run; nothing is using it.
    Idle(R),
    /// The training driver owns it.
    Driving,
    /// A probe owns it.
    Probing,
}

/// What the worker must start after an event.
#[derive(Debug, PartialEq)]
pub enum Action<R> {
    Nothing,
    /// Start a driver future for `run` of this generation.
    Drive(R, u64),
    /// Start a probe future for `run` of this generation.
    Probe(R, u64),
}

/// The driver's instruction before each chunk.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Train at most this many steps, then ask again.
    Train(usize),
    /// Stop, hand the run back, and tell the page why.
    Stop(StopReason),
    /// The page configured a new run: drop this one silently.
    Discard,
}

#[derive(Debug)]
pub struct Slot<R> {
    generation: u64,
    owner: Owner<R>,
    want: Want,
}

impl<R> Default for Slot<R> {
    fn default() -> Self {
        Slot { generation: 0, owner: Owner::Empty, want: Want::Paused }
    }
}

impl<R: RunProgress> Slot<R> {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn want(&self) -> Want {
        self.want
    }

    /// A Configure arrived: every earlier run is discarded. Returns the new generation, which
    /// the builder hands back with [`configured`](Self::configured).
    pub fn configure(&mut self) -> u64 {
        self.generation += 1;
        self.owner = Owner::Empty;
        self.want = Want::Paused;
        self.generation
    }

    /// The run of `generation` is built. A stale one (a newer Configure came) is dropped.
    pub fn configured(&mut self, generation: u64, run: R) -> Action<R> {
        if generation != self.generation {
            return Action::Nothing;
        }
        self.owner = Owner::Idle(run);
        self.kick()
    }

    pub fn run(&mut self) -> Action<R> {
        self.want = Want::Running;
        self.kick()
    }

    /// Train `n` more steps (at least one), then pause.
    pub fn step(&mut self, n: usize) -> Action<R> {
        self.want = Want::More(n.max(1));
        self.kick()
    }

    pub fn pause(&mut self) {
        self.want = Want::Paused;
    }

    /// The run while the slot holds it idle (configured and not training), for an edit that
    /// trains nothing (a rollback); None while it is being built, trained or probed.
    pub fn idle_mut(&mut self) -> Option<&mut R> {
        match &mut self.owner {
            Owner::Idle(run) => Some(run),
            _ => None,
        }
    }

    /// A probe wants the model: only while it is idle (configured and paused).
    pub fn probe(&mut self) -> Result<Action<R>, &'static str> {
        match std::mem::replace(&mut self.owner, Owner::Probing) {
            Owner::Idle(run) => Ok(Action::Probe(run, self.generation)),
            other => {
                self.owner = other;
                Err("probes run on a configured, paused model")
            }
        }
    }

    /// The probe of `generation` is done with the run.
    pub fn probe_done(&mut self, generation: u64, run: R) -> Action<R> {
        if generation != self.generation || !matches!(self.owner, Owner::Probing) {
            return Action::Nothing;
        }
        self.owner = Owner::Idle(run);
        self.kick()
    }

    /// Asked by the driver before each chunk, with the run it owns.
    pub fn next_chunk(&mut self, generation: u64, run: &R) -> Chunk {
        if generation != self.generation {
            return Chunk::Discard;
        }
        if let Want::More(n) = self.want {
            self.want = Want::Until(run.steps() + n);
        }
        match self.want {
            Want::Paused => Chunk::Stop(StopReason::Paused),
            _ if run.budget_spent() => Chunk::Stop(StopReason::Budget),
            Want::Until(target) if run.steps() >= target => {
                self.want = Want::Paused;
                Chunk::Stop(StopReason::Paused)
            }
            Want::Until(target) => Chunk::Train(target - run.steps()),
            _ => Chunk::Train(usize::MAX),
        }
    }

    /// The driver of `generation` stopped (paused, budget spent, diverged, failed) and hands
    /// the run back. A stale driver's run is dropped.
    pub fn driver_stopped(&mut self, generation: u64, run: R, reason: Option<StopReason>) -> Action<R> {
        if generation != self.generation {
            return Action::Nothing;
        }
        if reason != Some(StopReason::Paused) {
            // Budget spent, diverged or failed: a later Run must not restart it by itself.
            self.want = Want::Paused;
        }
        self.owner = Owner::Idle(run);
        self.kick()
    }

    /// Hands the idle run to a driver when the page wants training.
    fn kick(&mut self) -> Action<R> {
        if self.want == Want::Paused {
            return Action::Nothing;
        }
        match std::mem::replace(&mut self.owner, Owner::Driving) {
            Owner::Idle(run) => Action::Drive(run, self.generation),
            other => {
                // Empty, already driving, or probing: the driver picks the wish up (or the
                // probe hands the run back and kicks again).
                self.owner = other;
                Action::Nothing
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Fake {
        steps: usize,
        budget: usize,
    }

    impl RunProgress for Fake {
        fn steps(&self) -> usize {
            self.steps
        }
        fn budget_spent(&self) -> bool {
            self.steps >= self.budget
        }
    }

    fn run(steps: usize) -> Fake {
        Fake { steps, budget: 100 }
    }

    #[test]
    fn run_pause_and_resume_hand_the_run_back_and_forth() {
        let mut s = Slot::default();
        let g = s.configure();
        assert_eq!(s.configured(g, run(0)), Action::Nothing, "configured runs wait, paused");
        let Action::Drive(r, g2) = s.run() else { panic!("Run starts a driver") };
        assert_eq!((r.steps, g2), (0, g));
        assert_eq!(s.run(), Action::Nothing, "one driver at a time");
        assert_eq!(s.next_chunk(g, &r), Chunk::Train(usize::MAX));
        s.pause();
        assert_eq!(s.next_chunk(g, &r), Chunk::Stop(StopReason::Paused));
        assert_eq!(s.driver_stopped(g, run(10), Some(StopReason::Paused)), Action::Nothing);
        let Action::Drive(r, _) = s.run() else { panic!("resume") };
        assert_eq!(r.steps, 10, "the same run resumes");
    }

    #[test]
    fn step_trains_exactly_n_more_then_pauses() {
        let mut s = Slot::default();
        let g = s.configure();
        s.configured(g, run(5));
        let Action::Drive(r, _) = s.step(3) else { panic!() };
        assert_eq!(s.next_chunk(g, &r), Chunk::Train(3));
        assert_eq!(s.next_chunk(g, &run(7)), Chunk::Train(1), "the target is fixed when the step is known");
        assert_eq!(s.next_chunk(g, &run(8)), Chunk::Stop(StopReason::Paused));
        assert_eq!(s.want(), Want::Paused);
        s.driver_stopped(g, run(8), Some(StopReason::Paused));
        // Step while training moves the target from the current step.
        let Action::Drive(r, _) = s.run() else { panic!() };
        assert_eq!(s.next_chunk(g, &r), Chunk::Train(usize::MAX));
        assert_eq!(s.step(2), Action::Nothing);
        assert_eq!(s.next_chunk(g, &run(20)), Chunk::Train(2));
    }

    #[test]
    fn the_budget_stops_and_a_new_configure_discards() {
        let mut s = Slot::default();
        let g = s.configure();
        s.configured(g, Fake { steps: 0, budget: 4 });
        let Action::Drive(_, _) = s.run() else { panic!() };
        assert_eq!(s.next_chunk(g, &Fake { steps: 4, budget: 4 }), Chunk::Stop(StopReason::Budget));
        assert_eq!(s.driver_stopped(g, Fake { steps: 4, budget: 4 }, Some(StopReason::Budget)), Action::Nothing, "a spent run is not restarted");
        // A Configure while a driver runs: the driver's next question discards it, and its run
        // coming back is dropped.
        let Action::Drive(_, _) = s.run() else { panic!() };
        let g2 = s.configure();
        assert_eq!(s.next_chunk(g, &run(1)), Chunk::Discard);
        assert_eq!(s.driver_stopped(g, run(1), None), Action::Nothing);
        // A stale build is dropped too; the current one waits.
        assert_eq!(s.configured(g, run(0)), Action::Nothing);
        let _ = s.run();
        let Action::Drive(_, g3) = s.configured(g2, run(0)) else { panic!("a Run sent before the build finished starts it") };
        assert_eq!(g3, g2);
    }

    #[test]
    fn probes_need_an_idle_model_and_give_it_back() {
        let mut s: Slot<Fake> = Slot::default();
        assert!(s.probe().is_err(), "nothing configured");
        let g = s.configure();
        s.configured(g, run(3));
        let Ok(Action::Probe(r, pg)) = s.probe() else { panic!() };
        assert!(s.probe().is_err(), "one probe at a time");
        assert_eq!(s.run(), Action::Nothing, "a Run during a probe waits for it");
        let Action::Drive(r2, _) = s.probe_done(pg, r) else { panic!("then training starts") };
        assert_eq!(r2.steps, 3);
        assert!(s.probe().is_err(), "no probe while training");
    }
}
