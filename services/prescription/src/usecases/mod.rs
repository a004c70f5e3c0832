//! What a request does once the route has extracted and validated it: the transaction, the
//! domain's rules applied to what the database holds, and the audit event that commits with
//! the write. No HTTP here; routes map the results.

pub mod dispensing;
pub mod prescribing;
pub mod signing;
pub mod visits;
