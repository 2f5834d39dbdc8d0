//! Which backend to train on, decided before burn touches WebGPU.
//!
//! We ask `navigator.gpu` for an adapter ourselves (through plain JS reflection, so no
//! unstable web-sys bindings are needed) to learn whether it is a software fallback such
//! as SwiftShader, which is far slower than burn's CPU backend.

use crate::js::get;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// What the browser offers.
pub enum Probe {
    /// No `navigator.gpu`, or no adapter: the reason, for the user.
    Unavailable(String),
    /// `limits`: the adapter's `maxBufferSize` and `maxStorageBufferBindingSize` (bytes).
    Adapter { description: String, fallback: bool, limits: (Option<f64>, Option<f64>) },
}

pub async fn probe() -> Probe {
    let gpu = get(&get(&js_sys::global(), "navigator"), "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Probe::Unavailable("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request = get(&gpu, "requestAdapter");
    let Some(request) = request.dyn_ref::<js_sys::Function>() else {
        return Probe::Unavailable("navigator.gpu.requestAdapter is missing".into());
    };
    let promise = match request.call0(&gpu).map(|p| p.dyn_into::<js_sys::Promise>()) {
        Ok(Ok(p)) => p,
        _ => return Probe::Unavailable("the WebGPU adapter request failed".into()),
    };
    let adapter = match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(a) if !a.is_null() && !a.is_undefined() => a,
        Ok(_) => return Probe::Unavailable("the browser refused a WebGPU adapter".into()),
        Err(e) => return Probe::Unavailable(format!("the WebGPU adapter request failed: {}", describe_error(&e))),
    };
    let info = get(&adapter, "info");
    // Newer browsers report fallback on `info`, older ones on the adapter itself.
    let fallback = get(&info, "isFallbackAdapter").as_bool().or_else(|| get(&adapter, "isFallbackAdapter").as_bool()).unwrap_or(false);
    let parts: Vec<String> = ["vendor", "architecture", "description"]
        .iter()
        .filter_map(|k| get(&info, k).as_string())
        .filter(|s| !s.is_empty())
        .collect();
    let description = if parts.is_empty() { "unknown adapter".to_string() } else { parts.join(" ") };
    let reported = get(&adapter, "limits");
    let limits = (get(&reported, "maxBufferSize").as_f64(), get(&reported, "maxStorageBufferBindingSize").as_f64());
    Probe::Adapter { description, fallback, limits }
}

pub fn describe_error(e: &JsValue) -> String {
    e.as_string().or_else(|| get(e, "message").as_string()).unwrap_or_else(|| format!("{e:?}"))
}
