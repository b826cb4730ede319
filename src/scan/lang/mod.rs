//! Language front ends (tree-sitter). Each turns one source file into `Candidate`s.

use super::candidate::Extractor;

/// Every extractor, in a fixed order.
pub fn extractors() -> Vec<Box<dyn Extractor>> {
    Vec::new()
}
