//! The rules of prescriptions: what a valid prescription and medicine are, the status
//! lifecycle, duplicate therapy, and who may do what. No actix, no diesel here.

pub mod dispensing;
pub mod document;
pub mod lifecycle;
pub mod medicine;
pub mod prescription;
