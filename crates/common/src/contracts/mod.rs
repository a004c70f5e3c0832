//! What one service reads from another, as the reader needs it. Only the fields a caller
//! relies on; unknown fields are ignored so the sender can grow.

pub mod appointment;
