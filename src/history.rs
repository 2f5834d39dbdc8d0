//! The run history in IndexedDB: database "icl-lab", object store "runs" keyed by `id`,
//! one record per kept run: `{ id, name, saved_at_ms, summary, overlaid, json }` (`json`
//! is the run file, as exported). The index model lives in [`crate::state::history`].
//!
//! IndexedDB rather than localStorage: runs are large and many, and a write does not block
//! the page. Every failure comes back as a message naming what failed; a full quota says so.

use crate::state::history::{self as model, HistoryEntry};
use icl_core::schema::RunResult;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbObjectStoreParameters, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "icl-lab";
const DB_VERSION: u32 = 1;
const STORE: &str = "runs";

thread_local! {
    // One connection per page, opened on first use (closed when another tab upgrades).
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// Keeps `run` as `entry` (replacing a record with its id).
pub async fn put_run(entry: &HistoryEntry, run: &RunResult) -> Result<(), String> {
    let what = "save the run in the history";
    let (tx, store) = store(IdbTransactionMode::Readwrite, what).await?;
    store.put(&record(entry, &run.to_json())).map_err(|e| failure(&e, what))?;
    finished(&tx).await.map_err(|e| failure(&e, what))
}

/// Every kept run's entry (any order; [`model::History::from_entries`] sorts them).
pub async fn list() -> Result<Vec<HistoryEntry>, String> {
    let what = "read the run history";
    let (_tx, store) = store(IdbTransactionMode::Readonly, what).await?;
    let all = request(&store.get_all().map_err(|e| failure(&e, what))?).await.map_err(|e| failure(&e, what))?;
    Ok(all.dyn_into::<Array>().map(|a| a.iter().filter_map(|r| entry_of(&r)).collect()).unwrap_or_default())
}

/// The run file kept under `id`, as it was saved.
pub async fn get_json(id: &str) -> Result<String, String> {
    let record = get_record(id, "read the kept run").await?;
    field(&record, "json").as_string().ok_or_else(|| "The kept run has no data (it was saved by another version?).".into())
}

/// The run kept under `id`.
pub async fn get_run(id: &str) -> Result<RunResult, String> {
    RunResult::from_json(&get_json(id).await?).map_err(|e| format!("The kept run could not be read ({e})."))
}

/// Renames the run kept under `id`.
pub async fn rename(id: &str, name: &str) -> Result<(), String> {
    update(id, "rename the kept run", "name", &JsValue::from_str(name)).await
}

/// Marks the run kept under `id` as overlaid on the ICL-error chart (or not).
pub async fn set_overlaid(id: &str, on: bool) -> Result<(), String> {
    update(id, "save the overlay choice", "overlaid", &JsValue::from_bool(on)).await
}

/// Deletes the run kept under `id` (nothing if there is none).
pub async fn delete(id: &str) -> Result<(), String> {
    let what = "delete the kept run";
    let (tx, store) = store(IdbTransactionMode::Readwrite, what).await?;
    store.delete(&JsValue::from_str(id)).map_err(|e| failure(&e, what))?;
    finished(&tx).await.map_err(|e| failure(&e, what))
}

/// Sets one field of the record `id` (read, then written back in a second transaction: a
/// transaction must not wait on anything but its own requests).
async fn update(id: &str, what: &str, key: &str, value: &JsValue) -> Result<(), String> {
    let record = get_record(id, what).await?;
    Reflect::set(&record, &JsValue::from_str(key), value).map_err(|e| failure(&e, what))?;
    let (tx, store) = store(IdbTransactionMode::Readwrite, what).await?;
    store.put(&record).map_err(|e| failure(&e, what))?;
    finished(&tx).await.map_err(|e| failure(&e, what))
}

async fn get_record(id: &str, what: &str) -> Result<JsValue, String> {
    let (_tx, store) = store(IdbTransactionMode::Readonly, what).await?;
    let record = request(&store.get(&JsValue::from_str(id)).map_err(|e| failure(&e, what))?)
        .await
        .map_err(|e| failure(&e, what))?;
    if record.is_object() { Ok(record) } else { Err(format!("Could not {what}: it is no longer in the history.")) }
}

fn record(entry: &HistoryEntry, json: &str) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("id", entry.id.as_str().into());
    set("name", entry.name.as_str().into());
    set("saved_at_ms", entry.saved_at_ms.into());
    set("summary", entry.summary.as_str().into());
    set("overlaid", entry.overlaid.into());
    set("json", json.into());
    o.into()
}

fn field(record: &JsValue, key: &str) -> JsValue {
    Reflect::get(record, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The entry of a stored record; a record without a summary (written by hand, an older
/// version) gets one from its run.
fn entry_of(record: &JsValue) -> Option<HistoryEntry> {
    let id = field(record, "id").as_string()?;
    let summary = field(record, "summary").as_string().filter(|s| !s.is_empty()).or_else(|| {
        let run = RunResult::from_json(&field(record, "json").as_string()?).ok()?;
        Some(model::summary(&run.config, run.steps))
    });
    Some(HistoryEntry {
        name: field(record, "name").as_string().unwrap_or_else(|| id.clone()),
        saved_at_ms: field(record, "saved_at_ms").as_f64().unwrap_or(0.0),
        summary: summary.unwrap_or_default(),
        overlaid: field(record, "overlaid").as_bool().unwrap_or(false),
        id,
    })
}

/// A transaction on the store, and the store.
async fn store(mode: IdbTransactionMode, what: &str) -> Result<(IdbTransaction, IdbObjectStore), String> {
    let db = open(what).await?;
    let tx = match db.transaction_with_str_and_mode(STORE, mode) {
        Ok(tx) => tx,
        Err(e) => {
            // A connection closed under us (another tab upgraded the database): reopen once.
            DB.with(|d| *d.borrow_mut() = None);
            open(what).await?.transaction_with_str_and_mode(STORE, mode).map_err(|_| failure(&e, what))?
        }
    };
    let store = tx.object_store(STORE).map_err(|e| failure(&e, what))?;
    Ok((tx, store))
}

async fn open(what: &str) -> Result<IdbDatabase, String> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let unavailable = || format!("Could not {what}: this browser gives the page no IndexedDB (a private window?).");
    let factory = web_sys::window().and_then(|w| w.indexed_db().ok().flatten()).ok_or_else(unavailable)?;
    let req = factory.open_with_u32(DB_NAME, DB_VERSION).map_err(|e| failure(&e, what))?;
    let upgrade = Closure::<dyn FnMut()>::new({
        let req = req.clone();
        move || {
            if let Ok(db) = req.result().map(|r| r.unchecked_into::<IdbDatabase>()) {
                let params = IdbObjectStoreParameters::new();
                params.set_key_path(&JsValue::from_str("id"));
                // Version 1 is the first: the store is new (an error means it is there).
                let _ = db.create_object_store_with_optional_parameters(STORE, &params);
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let opened = request(&req).await;
    req.set_onupgradeneeded(None);
    drop(upgrade);
    let db: IdbDatabase = opened.map_err(|e| failure(&e, what))?.unchecked_into();
    // Another tab opening a newer version waits for this connection to close.
    let on_version_change = Closure::<dyn FnMut()>::new({
        let db = db.clone();
        move || {
            db.close();
            DB.with(|d| *d.borrow_mut() = None);
        }
    });
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget(); // lives as long as the connection: one per page
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// The result of `req` once it succeeds, or its error.
async fn request(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let (ok_req, err_req) = (req.clone(), req.clone());
    let out = settled(
        |ok, err| {
            req.set_onsuccess(ok);
            req.set_onerror(err);
        },
        move || ok_req.result().unwrap_or(JsValue::UNDEFINED),
        move || err_req.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "request failed".into()),
    )
    .await;
    out
}

/// Waits until `tx` commits; its error if it aborts (a failed request aborts it).
async fn finished(tx: &IdbTransaction) -> Result<(), JsValue> {
    let abort_tx = tx.clone();
    settled(
        |ok, err| {
            tx.set_oncomplete(ok);
            tx.set_onabort(err);
        },
        || JsValue::UNDEFINED,
        move || abort_tx.error().map(JsValue::from).unwrap_or_else(|| "the transaction was aborted".into()),
    )
    .await
    .map(|_| ())
}

/// Waits for the first of two events an IndexedDB object reports through handler slots:
/// `set(ok, err)` installs the handlers (and removes them with `None, None` afterwards);
/// `ok()` and `err()` read the outcome when the event comes.
async fn settled(
    set: impl Fn(Option<&Function>, Option<&Function>),
    ok: impl Fn() -> JsValue + 'static,
    err: impl Fn() -> JsValue + 'static,
) -> Result<JsValue, JsValue> {
    let mut handlers: Vec<Closure<dyn FnMut()>> = Vec::new();
    // The executor runs once, at once; the readers move into the handlers it makes.
    let mut readers = Some((ok, err));
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let Some((ok, err)) = readers.take() else { return };
        let on_ok = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::UNDEFINED, &ok());
        });
        let on_err = Closure::<dyn FnMut()>::new(move || {
            let _ = reject.call1(&JsValue::UNDEFINED, &err());
        });
        set(Some(on_ok.as_ref().unchecked_ref()), Some(on_err.as_ref().unchecked_ref()));
        handlers.extend([on_ok, on_err]);
    });
    let out = JsFuture::from(promise).await;
    set(None, None);
    drop(handlers);
    out
}

/// A message for a failure to do `what`; a full quota says how to make room.
fn failure(e: &JsValue, what: &str) -> String {
    let get = |k: &str| Reflect::get(e, &JsValue::from_str(k)).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let (name, message) = (get("name"), get("message"));
    if crate::storage::is_quota_error(&name) {
        format!(
            "The browser's storage for this site is full ({name}): could not {what}. Delete or export old runs \
             in History, or free this site's storage."
        )
    } else {
        let why = match (name.is_empty(), message.is_empty()) {
            (false, false) => format!("{name}: {message}"),
            (false, true) => name,
            (true, false) => message,
            (true, true) => e.as_string().unwrap_or_else(|| "unknown error".into()),
        };
        format!("Could not {what} ({why}).")
    }
}
