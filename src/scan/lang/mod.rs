//! Language front ends (tree-sitter). Each turns one source file into `Candidate`s.

pub mod common;
pub mod flow;
pub mod go;
pub mod java;
pub mod javascript;
mod js_plan;
pub mod python;
pub mod rust;

use super::candidate::Extractor;

/// Every extractor, in a fixed order.
pub fn extractors() -> Vec<Box<dyn Extractor>> {
    vec![
        Box::new(python::PythonExtractor),
        Box::new(go::GoExtractor),
        Box::new(java::JavaExtractor),
        Box::new(javascript::JavaScriptExtractor),
        Box::new(javascript::TypeScriptExtractor),
        Box::new(javascript::TsxExtractor),
        Box::new(rust::RustExtractor),
    ]
}
