//! The few worker-global JS facilities the loop needs.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Milliseconds since the worker started (`performance.now()`).
pub fn now_ms() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Sends a message to the page.
pub fn post(message: &icl_core::protocol::FromWorker) {
    let _ = scope().post_message(&JsValue::from_str(&message.to_json()));
}

/// Lets the worker's event loop run (incoming messages) before continuing.
pub async fn yield_now() {
    sleep_ms(0).await
}

/// Resolves after `ms` milliseconds (at the earliest).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `obj[key]`, or undefined.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}
