//! The worker's checkpoint store: IndexedDB database "icl-lab-checkpoints", object store
//! "checkpoints", one blob (a `Uint8Array`, [`icl_core::checkpoint`]'s bytes) per key.
//!
//! IndexedDB is reached through `js_sys::Reflect` rather than web-sys: the worker's web-sys
//! feature set is fixed, because changing it rebuilds wgpu and all of burn for wasm.

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const DB_NAME: &str = "icl-lab-checkpoints";
const STORE: &str = "checkpoints";

thread_local! {
    static DB: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Saves `bytes` under `key` (replacing what was there).
pub async fn put(key: &str, bytes: &[u8]) -> Result<(), String> {
    let what = "save the checkpoint";
    let (tx, store) = store("readwrite", what).await?;
    let data = Uint8Array::from(bytes); // a copy in JS memory
    call(&store, "put", &[data.into(), key.into()]).map_err(|e| failure(&e, what))?;
    finished(&tx).await.map_err(|e| failure(&e, what))
}

/// The blob saved under `key`, if any.
pub async fn get(key: &str) -> Result<Option<Vec<u8>>, String> {
    let what = "read the checkpoint";
    let (_tx, store) = store("readonly", what).await?;
    let found = request(&call(&store, "get", &[key.into()]).map_err(|e| failure(&e, what))?)
        .await
        .map_err(|e| failure(&e, what))?;
    if found.is_undefined() || found.is_null() {
        return Ok(None);
    }
    Ok(Some(Uint8Array::new(&found).to_vec()))
}

/// Deletes what is saved under `key` (nothing if there is none).
pub async fn delete(key: &str) -> Result<(), String> {
    let what = "delete the old checkpoint";
    let (tx, store) = store("readwrite", what).await?;
    call(&store, "delete", &[key.into()]).map_err(|e| failure(&e, what))?;
    finished(&tx).await.map_err(|e| failure(&e, what))
}

/// A transaction on the store and the store in it.
async fn store(mode: &str, what: &str) -> Result<(JsValue, JsValue), String> {
    let db = db().await.map_err(|e| failure(&e, what))?;
    let tx = call(&db, "transaction", &[STORE.into(), mode.into()]).map_err(|e| failure(&e, what))?;
    let store = call(&tx, "objectStore", &[STORE.into()]).map_err(|e| failure(&e, what))?;
    Ok((tx, store))
}

/// The open database (opened, and created on first use, once per worker).
async fn db() -> Result<JsValue, JsValue> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = Reflect::get(&js_sys::global(), &"indexedDB".into())?;
    if factory.is_undefined() || factory.is_null() {
        return Err(JsValue::from_str("IndexedDB is not available in this browser"));
    }
    let open = call(&factory, "open", &[DB_NAME.into(), 1.into()])?;
    let opening = open.clone();
    let upgrade = Closure::once_into_js(move || {
        let db = Reflect::get(&opening, &"result".into()).unwrap_or(JsValue::UNDEFINED);
        let _ = call(&db, "createObjectStore", &[STORE.into()]);
    });
    Reflect::set(&open, &"onupgradeneeded".into(), &upgrade)?;
    let db = request(&open).await?;
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// `target.method(...args)`.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    f.apply(target, &args.iter().collect::<Array>())
}

/// Waits for the handlers `ok` / `fail` of `target`: resolves with `target[value]`, or
/// rejects with `target.error`.
async fn settled(target: &JsValue, ok: &str, fail: &[&str], value: &str) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        let (t, value) = (target.clone(), value.to_string());
        let on_ok = Closure::once_into_js(move || {
            let v = if value.is_empty() { JsValue::UNDEFINED } else { Reflect::get(&t, &value.into()).unwrap_or(JsValue::UNDEFINED) };
            let _ = resolve.call1(&JsValue::UNDEFINED, &v);
        });
        let _ = Reflect::set(target, &ok.into(), &on_ok);
        let t = target.clone();
        let on_fail: Function = Closure::<dyn FnMut()>::new(move || {
            let e = Reflect::get(&t, &"error".into()).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::UNDEFINED, &e);
        })
        .into_js_value()
        .unchecked_into();
        for f in fail {
            let _ = Reflect::set(target, &(*f).into(), &on_fail);
        }
    });
    JsFuture::from(promise).await
}

async fn request(req: &JsValue) -> Result<JsValue, JsValue> {
    settled(req, "onsuccess", &["onerror"], "result").await
}

async fn finished(tx: &JsValue) -> Result<(), JsValue> {
    settled(tx, "oncomplete", &["onerror", "onabort"], "").await.map(|_| ())
}

/// "Could not {what}: …", saying so plainly when the site's storage quota is full.
fn failure(e: &JsValue, what: &str) -> String {
    let name = Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    let message = Reflect::get(e, &"message".into()).ok().and_then(|n| n.as_string()).or_else(|| e.as_string()).unwrap_or_default();
    if icl_core::protocol::is_quota_error(&name) {
        format!(
            "Could not {what}: the browser's storage for this site is full ({name}). Training goes on and every result \
             is kept in this tab, but a reload would restart the model; export the run to keep it, or free this site's storage."
        )
    } else {
        format!("Could not {what} ({name} {message}). Training goes on; a reload would restart the model.")
    }
}
