//! auth-service, black-box: the real service in-process on port 0, a fresh database each.

mod analytics;
mod bootstrap;
mod health;
mod helpers;
mod jwks;
mod login;
mod profile;
mod rate_limit;
mod register;
mod sessions;
mod token_attacks;
mod token_grant;
mod users;
