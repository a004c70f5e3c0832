//! The rules of accounts and sessions: what a valid registration is, how passwords are
//! hashed, how tokens are made, when a login is rate limited, what presenting a refresh
//! token means. No actix, no diesel here.

pub mod account;
pub mod directory;
pub mod notifications;
pub mod passwords;
pub mod patient_details;
pub mod rate_limit;
pub mod refresh;
pub mod tokens;
