//! A model's parameters to and from an [`icl_core::checkpoint::Checkpoint`], and Adam's state
//! as burn's own record bytes (burnpack).
//!
//! Parameters are read with one asynchronous transfer (a synchronous read panics in wasm
//! on WebGPU) and written back under their saved burn `ParamId`s, since Adam's saved state
//! is keyed by them.

use crate::models::IclModel;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::prelude::*;
use burn::tensor::TensorData;
use icl_core::checkpoint::{Checkpoint, ParamMeta};

/// Every float parameter in visiting order: its id and shape, and its values flattened
/// (`[n]` each).
fn flat_params(model: &IclModel) -> (Vec<ParamMeta>, Vec<Tensor<1>>) {
    struct Collect(Vec<ParamMeta>, Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let value = param.val(); // [shape…]
            let shape = value.dims().to_vec();
            let n: usize = shape.iter().product();
            self.0.push(ParamMeta { id: param.id.val(), shape });
            self.1.push(value.detach().reshape([n])); // [n]
        }
    }
    let mut collect = Collect(Vec::new(), Vec::new());
    model.visit(&mut collect);
    (collect.0, collect.1)
}

/// The parameters' ids, shapes and values (one asynchronous read of all of them).
pub async fn read_params(model: &IclModel) -> Result<(Vec<ParamMeta>, Vec<f32>), String> {
    let (metas, values) = flat_params(model);
    if values.is_empty() {
        return Ok((metas, Vec::new()));
    }
    let all = Tensor::cat(values, 0); // [Σ n]
    let data = all.into_data_async().await.map_err(|e| format!("reading the weights failed: {e:?}"))?;
    let weights = data.try_into_vec::<f32>().map_err(|e| format!("reading the weights failed: {e:?}"))?;
    Ok((metas, weights))
}

/// `model` with the checkpoint's parameter values and ids, or a message if the checkpoint
/// was written for another shape of model.
pub fn load_params(model: IclModel, checkpoint: &Checkpoint, device: &Device) -> Result<IclModel, String> {
    struct Load<'a> {
        checkpoint: &'a Checkpoint,
        device: &'a Device,
        next: usize,
        offset: usize,
        error: Option<String>,
    }
    impl ModuleMapper for Load<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let index = self.next;
            self.next += 1;
            let shape = param.val().dims().to_vec();
            let meta = match self.checkpoint.params.get(index) {
                Some(m) if m.shape == shape => m,
                found => {
                    self.error.get_or_insert_with(|| match found {
                        Some(m) => format!("parameter {index} has shape {:?} in the checkpoint, {shape:?} in the model", m.shape),
                        None => format!("the checkpoint has {index} parameters, the model more"),
                    });
                    return param;
                }
            };
            let n: usize = shape.iter().product();
            let Some(values) = self.checkpoint.weights.get(self.offset..self.offset + n) else {
                self.error.get_or_insert_with(|| "the checkpoint has fewer weights than its parameter list".into());
                return param;
            };
            self.offset += n;
            let tensor = Tensor::<D>::from_data(TensorData::new(values.to_vec(), shape), self.device); // [shape…]
            param.transform_for_load(tensor, ParamId::from(meta.id))
        }
    }
    let mut load = Load { checkpoint, device, next: 0, offset: 0, error: None };
    let model = model.map(&mut load);
    if let Some(e) = load.error {
        return Err(format!("the checkpoint does not fit this model: {e}"));
    }
    if load.next != checkpoint.params.len() || load.offset != checkpoint.weights.len() {
        return Err(format!(
            "the checkpoint does not fit this model: it has {} parameters, the model {}",
            checkpoint.params.len(),
            load.next
        ));
    }
    Ok(model)
}
