//! The pure assessment core: content model, knowledge states, smart-random selection, scoring,
//! stages, badges and analysis. No I/O, no clock, no randomness: time and seeds are inputs.

pub mod content;
pub mod knowledge;
pub mod scoring;
pub mod select;

#[cfg(test)]
mod tests;
