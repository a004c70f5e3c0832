//! Who may be booked as a doctor, as auth-service's revocation list says (its entries say
//! whether each named user is a doctor, approved and enabled): profiles of the others are
//! suspended, out of the directory, slots and booking, and come back when that is undone.
//! Learned by every replica from its own poll, so no request waits on auth-service.

use crate::db::profiles;
use common::{ApiError, UserId};
use diesel::PgConnection;
use std::collections::HashMap;

/// Writes `practising` (user -> may be booked) onto the profiles; answers how many changed.
pub fn apply(
    conn: &mut PgConnection,
    practising: &HashMap<UserId, bool>,
) -> Result<usize, ApiError> {
    let (mut reinstated, mut suspended) = (Vec::new(), Vec::new());
    for (user, may) in practising {
        if *may {
            reinstated.push(*user);
        } else {
            suspended.push(*user);
        }
    }
    Ok(profiles::set_suspended(conn, &suspended, &reinstated)?)
}
