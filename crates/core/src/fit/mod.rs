//! Fits with uncertainty: power laws, logistic transitions, depth optima. (Being written: issue 3.)
