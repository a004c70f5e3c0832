//! What one service reads from another, as the reader needs it. Unknown fields are ignored
//! so the sender can grow; unknown enum values become an `Unknown` the reader refuses.

pub mod appointment;
pub mod events;
pub mod stats;
