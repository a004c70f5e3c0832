//! The rules of prescriptions: what a valid prescription is and who may amend it.
//! No actix, no diesel here.

pub mod prescription;
