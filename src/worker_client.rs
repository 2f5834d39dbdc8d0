//! The page's end of the training worker: spawns it, queues messages until it says
//! Ready (earlier messages would be lost), and hands its replies to a callback.

use icl_core::protocol::{FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Trunk's no-modules shim for the `icl-worker` crate (worker outputs are not hashed).
pub const WORKER_URL: &str = "./icl-worker_loader.js";

#[derive(Clone)]
pub struct WorkerClient {
    inner: Rc<Inner>,
}

struct Inner {
    worker: web_sys::Worker,
    ready: RefCell<bool>,
    queue: RefCell<Vec<ToWorker>>,
    /// The worker reported its own panic: the error event that follows says less.
    panicked: RefCell<bool>,
}

impl WorkerClient {
    /// Spawns the worker. `on_message` receives every reply, and a synthetic fatal
    /// Error if the worker script fails to load or crashes.
    pub fn spawn(on_message: impl Fn(FromWorker) + 'static) -> Result<Self, String> {
        let worker = web_sys::Worker::new(WORKER_URL).map_err(|e| format!("cannot start the training worker: {e:?}"))?;
        let inner = Rc::new(Inner { worker, ready: RefCell::new(false), queue: RefCell::new(Vec::new()), panicked: RefCell::new(false) });
        let on_message = Rc::new(on_message);

        let weak = Rc::downgrade(&inner);
        let handler = on_message.clone();
        let onmessage = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            // A replaced (terminated) worker's late messages belong to no run any more.
            let Some(inner) = weak.upgrade() else { return };
            match FromWorker::from_json(&text) {
                Ok(message) => {
                    if let FromWorker::Error { message, fatal: true } = &message {
                        if message.starts_with(icl_core::protocol::PANICKED) {
                            // A panicked instance may keep running its training loop: stop it.
                            *inner.panicked.borrow_mut() = true;
                            inner.worker.terminate();
                        }
                    }
                    if message == FromWorker::Ready {
                        *inner.ready.borrow_mut() = true;
                        for m in inner.queue.borrow_mut().drain(..) {
                            inner.post(&m);
                        }
                    }
                    handler(message);
                }
                Err(e) => handler(FromWorker::Error { message: e, fatal: false }),
            }
        });
        inner.worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();

        let weak = Rc::downgrade(&inner);
        let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            event.prevent_default();
            // The panic's own message is already shown; and the error event of a worker
            // that was replaced meanwhile (it can arrive after the fresh one started, as
            // when an out-of-memory panic restarts the trainer at once) is not the fresh
            // run's.
            if weak.upgrade().is_none_or(|inner| *inner.panicked.borrow()) {
                return;
            }
            on_message(FromWorker::Error {
                message: format!("{}: {}. Your results so far are kept.", icl_core::protocol::CRASHED, event.message()),
                fatal: true,
            });
        });
        inner.worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        onerror.forget();
        Ok(WorkerClient { inner })
    }

    /// Stops the worker at once (a crashed one, before a fresh one replaces it).
    pub fn terminate(&self) {
        self.inner.worker.terminate();
    }

    pub fn send(&self, message: ToWorker) {
        if *self.inner.ready.borrow() {
            self.inner.post(&message);
        } else {
            self.inner.queue.borrow_mut().push(message);
        }
    }
}

impl Inner {
    fn post(&self, message: &ToWorker) {
        let _ = self.worker.post_message(&JsValue::from_str(&message.to_json()));
    }
}

/// The sweep's workers: started on demand (each loads the trainer's wasm), kept for the
/// next sweep. Worker `slot` hands its messages to `on_message(slot, message)`.
#[derive(Default)]
pub struct WorkerPool {
    workers: Vec<WorkerClient>,
}

impl WorkerPool {
    /// Starts workers until there are `n`.
    pub fn ensure(&mut self, n: usize, on_message: impl Fn(usize, FromWorker) + Clone + 'static) -> Result<(), String> {
        while self.workers.len() < n {
            let slot = self.workers.len();
            let handler = on_message.clone();
            self.workers.push(WorkerClient::spawn(move |m| handler(slot, m))?);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.workers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.workers.is_empty()
    }

    pub fn send(&self, slot: usize, message: ToWorker) {
        if let Some(w) = self.workers.get(slot) {
            w.send(message);
        }
    }
}
