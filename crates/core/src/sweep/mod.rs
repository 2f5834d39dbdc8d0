//! Sweeps of training runs for the paper-claim experiments. (Being written: issue 5.)
