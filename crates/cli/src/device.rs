//! Native device choice: wgpu where an adapter exists (built with `--features wgpu`),
//! else burn's flex CPU backend.

use icl_train::Device;
use clap::ValueEnum;
use icl_core::schema::BackendInfo;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum BackendArg {
    /// wgpu if this build has it and an adapter opens, else CPU.
    Auto,
    Cpu,
    Wgpu,
}

pub fn open(choice: BackendArg) -> Result<(Device, BackendInfo), String> {
    match choice {
        BackendArg::Cpu => Ok(icl_train::backend::cpu()),
        BackendArg::Wgpu => open_wgpu(),
        BackendArg::Auto if !cfg!(feature = "wgpu") => Ok(icl_train::backend::cpu()),
        BackendArg::Auto => open_wgpu().or_else(|e| {
            eprintln!("note: {e}; training on the CPU backend");
            Ok(icl_train::backend::cpu())
        }),
    }
}

#[cfg(feature = "wgpu")]
fn open_wgpu() -> Result<(Device, BackendInfo), String> {
    pollster::block_on(icl_train::backend::open_gpu(icl_core::schema::BackendKind::Wgpu, |reason| {
        eprintln!("error: the GPU device was lost ({reason})");
    }))
    .map(|(device, info, _destroy)| (device, info))
    .map_err(|e| format!("no wgpu adapter ({e})"))
}

#[cfg(not(feature = "wgpu"))]
fn open_wgpu() -> Result<(Device, BackendInfo), String> {
    Err("this icl-lab was built without wgpu (rebuild with `--features wgpu`)".into())
}
