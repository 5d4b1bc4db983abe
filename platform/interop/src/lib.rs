//! School data formats, pure and streaming: nothing here touches the database or the network.
//!
//! - [`siecle`]: the SIECLE "ElevesSansAdresses" export (XML or its zip), any declared encoding.
//! - [`names`]: name normalisation, the reconciliation match and usernames.
//! - [`csv_out`]: the CSV dialect French spreadsheets open without a wizard.

pub mod csv_out;
pub mod names;
pub mod siecle;
