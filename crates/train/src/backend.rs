//! Choosing a burn device: wgpu/WebGPU where a usable adapter exists, else burn's flex
//! CPU backend. The selection policy lives in the callers (worker, CLI); this module
//! only opens devices and describes them.

use burn::prelude::Device;
use icl_core::schema::BackendInfo;

/// burn's pure-Rust CPU backend (also runs in wasm).
pub fn cpu() -> (Device, BackendInfo) {
    (Device::flex(), BackendInfo::cpu())
}

#[cfg(any(feature = "wgpu", feature = "webgpu"))]
mod gpu {
    use super::*;
    use burn::tensor::wgpu::{WgpuSetup, wgpu};
    use icl_core::schema::BackendKind;

    /// Describes the adapter a wgpu setup runs on.
    pub fn describe(setup: &WgpuSetup, kind: BackendKind) -> BackendInfo {
        let info = setup.adapter.get_info();
        let mut name = info.name.trim().to_string();
        if name.is_empty() {
            name = [info.vendor.to_string(), format!("{:?}", info.device_type)].join(" ");
        }
        BackendInfo {
            kind,
            adapter: format!("{name} ({:?})", setup.backend),
            fallback_adapter: info.device_type == wgpu::DeviceType::Cpu,
            trial: None,
        }
    }

    /// Opens the default wgpu adapter asynchronously (the only way in a browser).
    /// `on_lost` is called if the device is later lost (driver reset, tab in background
    /// too long, GPU removed), so the caller can say so and fall back.
    /// Also returns `destroy`, which destroys the device as a driver reset would (a test
    /// hook: the lost callback then fires as it would in the field).
    pub async fn open(
        kind: BackendKind,
        on_lost: impl Fn(String) + Send + Sync + 'static,
    ) -> Result<(Device, BackendInfo, GpuDestroy), String> {
        let (device, setup) = Device::wgpu_options()
            .init_with_setup_async()
            .await
            .map_err(|e| format!("{e}"))?;
        setup.device.set_device_lost_callback(move |reason, message| on_lost(format!("{reason:?}: {message}")));
        let raw = setup.device.clone();
        let destroy: GpuDestroy = std::sync::Arc::new(move || raw.destroy());
        Ok((device, describe(&setup, kind), destroy))
    }

    /// Destroys an open wgpu device ([`open`]'s test hook).
    pub type GpuDestroy = std::sync::Arc<dyn Fn() + Send + Sync>;
}

#[cfg(any(feature = "wgpu", feature = "webgpu"))]
pub use gpu::{GpuDestroy, open as open_gpu};
