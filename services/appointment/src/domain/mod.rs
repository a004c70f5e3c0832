//! The rules of doctors' availability and appointments: what a valid profile is, which
//! slots a day offers in the doctor's time zone, when a booking is allowed, and which
//! status changes are legal. No actix, no diesel here.

pub mod appointment;
pub mod calendar;
pub mod overrides;
pub mod profile;
pub mod schedule;
pub mod time_off;
pub mod waitlist;
