//! What a request does once the route has extracted and validated it: the transaction, the
//! domain's rules applied to what the database holds, and the audit event that commits with
//! the write. No HTTP here; routes map the results.

pub mod availability;
pub mod booking;
pub mod calendar;
pub mod changes;
pub mod events;
pub mod holds;
pub mod hours;
pub mod offers;
pub mod profiles;
pub mod suspensions;
pub mod time_off;
pub mod waitlist;
