//! Seeded randomness. Every random draw in the lab comes from a [`Rng`] built from an
//! explicit seed, so runs, held-out sets and sweeps are reproducible on any machine.

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

/// The generator used everywhere (ChaCha12: portable, identical natively and in wasm).
pub type Rng = rand::rngs::StdRng;

/// A generator for `seed`, decorrelated from other purposes by `stream`
/// (e.g. training prompts and held-out prompts of one run use different streams).
pub fn seeded(seed: u64, stream: u64) -> Rng {
    // SplitMix64-style mixing so nearby (seed, stream) pairs give unrelated states.
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Rng::seed_from_u64(z ^ (z >> 31))
}

/// One standard normal draw.
pub fn normal(rng: &mut Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// Well-known streams.
pub mod stream {
    pub const TRAIN: u64 = 1;
    pub const HELD_OUT: u64 = 2;
    pub const MODEL_INIT: u64 = 3;
    pub const PROBE: u64 = 4;
    pub const MONTE_CARLO: u64 = 5;
    pub const HELD_OUT_SHIFTED: u64 = 6;
}
