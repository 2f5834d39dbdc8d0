//! Preflight: before a model is allocated, its memory estimate
//! ([`RunConfig::memory_estimate`]) is compared with what the device offers: a WebGPU
//! adapter's `maxBufferSize` and `maxStorageBufferBindingSize`, and a memory budget (the
//! wasm heap on the browser's CPU path, the machine's RAM natively). A model that cannot fit
//! is refused with the numbers and the largest batch that would fit, instead of failing
//! halfway through allocation (or taking the tab down).

use crate::config::{MemoryEstimate, RunConfig};

/// What a device can hold.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceLimits {
    /// How messages name the device ("the browser's CPU backend", "this WebGPU adapter").
    pub name: String,
    /// All the run's memory together.
    pub memory_bytes: f64,
    /// The largest single buffer (WebGPU `maxBufferSize`); None: no such limit.
    pub max_buffer_bytes: Option<f64>,
    /// The largest buffer one shader may bind (`maxStorageBufferBindingSize`).
    pub max_binding_bytes: Option<f64>,
}

const MB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * MB;

impl DeviceLimits {
    /// burn's CPU backend in a browser tab: a wasm32 heap addresses 4 GiB at most, which
    /// also holds the trainer, the held-out prompts and the allocator's slack; 2 GiB is
    /// what a run may count on.
    pub fn browser_cpu() -> Self {
        DeviceLimits { name: "the browser's CPU backend (a wasm heap of at most 4 GiB)".into(), memory_bytes: 2.0 * GIB, max_buffer_bytes: None, max_binding_bytes: None }
    }

    /// A WebGPU adapter with its reported limits; the memory budget is a guess (browsers do
    /// not report VRAM): 2 GiB.
    pub fn webgpu(max_buffer_bytes: Option<f64>, max_binding_bytes: Option<f64>) -> Self {
        DeviceLimits { name: "this WebGPU adapter".into(), memory_bytes: 2.0 * GIB, max_buffer_bytes, max_binding_bytes }
    }

    /// Native CPU: three quarters of the machine's RAM.
    pub fn native_cpu(total_ram_bytes: f64) -> Self {
        DeviceLimits { name: format!("this machine ({:.1} GiB of RAM)", total_ram_bytes / GIB), memory_bytes: 0.75 * total_ram_bytes, max_buffer_bytes: None, max_binding_bytes: None }
    }

    /// Why `estimate` does not fit, if it does not.
    fn refusal(&self, estimate: &MemoryEstimate) -> Option<String> {
        let total = estimate.total_bytes();
        if total > self.memory_bytes {
            return Some(format!("it needs about {} in all, more than the {} budget", mb(total), mb(self.memory_bytes)));
        }
        for (limit, what) in [(self.max_buffer_bytes, "maxBufferSize"), (self.max_binding_bytes, "maxStorageBufferBindingSize")] {
            if let Some(limit) = limit.filter(|l| estimate.largest_buffer_bytes > *l) {
                return Some(format!("its largest buffer is about {}, more than the adapter's {what} of {}", mb(estimate.largest_buffer_bytes), mb(limit)));
            }
        }
        None
    }
}

fn mb(bytes: f64) -> String {
    if bytes >= GIB { format!("{:.1} GiB", bytes / GIB) } else { format!("{:.0} MB", (bytes / MB).max(1.0)) }
}

/// Checks `config` against `limits`: Ok with the estimate, or a message with the numbers and
/// the largest batch that would fit (activations grow with the batch; the rest does not).
pub fn preflight(config: &RunConfig, limits: &DeviceLimits) -> Result<MemoryEstimate, String> {
    let estimate = config.memory_estimate();
    let Some(why) = limits.refusal(&estimate) else { return Ok(estimate) };
    let fits = |batch: usize| {
        let mut c = config.clone();
        c.train.batch = batch;
        limits.refusal(&c.memory_estimate()).is_none()
    };
    // The estimate grows with the batch: the largest batch that fits, by bisection.
    let advice = if fits(1) {
        let (mut lo, mut hi) = (1, config.train.batch);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) { lo = mid } else { hi = mid }
        }
        format!("The largest batch that fits is {lo}")
    } else {
        "No batch fits: reduce the width, depth or context K".to_string()
    };
    Err(format!(
        "This model is too big for {}: {why} (parameters {}, gradients and Adam state {}, activations {} at batch {}). {advice}.",
        limits.name,
        mb(estimate.parameter_bytes),
        mb(estimate.optimizer_bytes),
        mb(estimate.activation_bytes),
        config.train.batch,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;

    fn huge() -> RunConfig {
        let mut c = Preset::Reference.config();
        (c.model.width, c.model.depth, c.model.heads, c.train.batch, c.context) = (1024, 1, 8, 2048, 128);
        assert!(c.validate().is_ok(), "a valid configuration, within the parameter bound");
        c
    }

    #[test]
    fn the_presets_fit_every_device() {
        for p in Preset::ALL {
            for limits in [DeviceLimits::browser_cpu(), DeviceLimits::webgpu(Some(256.0 * MB), Some(128.0 * MB)), DeviceLimits::native_cpu(8.0 * GIB)] {
                assert!(preflight(&p.config(), &limits).is_ok(), "{} on {}", p.name(), limits.name);
            }
        }
    }

    #[test]
    fn a_model_too_big_is_refused_with_its_numbers_and_the_largest_batch_that_fits() {
        let c = huge();
        let e = preflight(&c, &DeviceLimits::browser_cpu()).unwrap_err();
        assert!(e.contains("too big for the browser's CPU backend") && e.contains("2.0 GiB budget") && e.contains("at batch 2048"), "{e}");
        let batch: usize = e.split("largest batch that fits is ").nth(1).unwrap().trim_end_matches('.').parse().unwrap();
        let mut fitting = c.clone();
        fitting.train.batch = batch;
        assert!(preflight(&fitting, &DeviceLimits::browser_cpu()).is_ok(), "the advised batch fits");
        fitting.train.batch = batch + 1;
        assert!(preflight(&fitting, &DeviceLimits::browser_cpu()).is_err(), "and is the largest");
    }

    #[test]
    fn a_buffer_over_the_adapter_limit_is_refused_by_name() {
        let mut c = Preset::Reference.config();
        c.train.batch = 512;
        let e = preflight(&c, &DeviceLimits::webgpu(Some(32.0 * MB), Some(16.0 * MB))).unwrap_err();
        assert!(e.contains("maxBufferSize of 32 MB"), "{e}");
        let e = preflight(&c, &DeviceLimits::webgpu(None, Some(16.0 * MB))).unwrap_err();
        assert!(e.contains("maxStorageBufferBindingSize of 16 MB"), "{e}");
    }

    #[test]
    fn nothing_fits_says_so() {
        let c = huge();
        let tiny = DeviceLimits { name: "a tiny device".into(), memory_bytes: MB, max_buffer_bytes: None, max_binding_bytes: None };
        assert!(preflight(&c, &tiny).unwrap_err().contains("No batch fits"));
    }
}
