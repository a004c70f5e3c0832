//! Calls to the other services.

pub mod appointments;
