//! The calendar's upkeep, every second on every replica: what auth-service said of who may
//! be booked as a doctor is written onto the profiles (when it changed), lapsed holds are
//! marked expired, and freed time is offered to the waitlist. Both claim their rows with `SKIP LOCKED`, so
//! replicas share the work and none does a row twice; reads never wait for this pass (a
//! lapsed hold reads `expired` and frees its slot from its expiry on).

use crate::config::HoldSettings;
use crate::usecases::{holds, offers, suspensions};
use common::auth::revocations::Revocations;
use common::db::{DbPool, with_conn};
use common::lifecycle::{Lifecycle, every};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(1);

pub fn start(
    pool: DbPool,
    settings: HoldSettings,
    lifecycle: Arc<Lifecycle>,
    revocations: Arc<Revocations>,
) {
    // The generation of auth-service's answer on who may be booked last written here.
    let applied = Arc::new(AtomicU64::new(0));
    every(PERIOD, lifecycle, move || {
        let (pool, revocations, applied) = (pool.clone(), revocations.clone(), applied.clone());
        async move {
            let pass = with_conn(&pool, move |conn| {
                // The map is cloned only when it changed, not every second.
                let suspensions =
                    if revocations.practising_generation() != applied.load(Ordering::Relaxed) {
                        let (generation, practising) = revocations.practising();
                        let changed = suspensions::apply(conn, &practising)?;
                        applied.store(generation, Ordering::Relaxed);
                        changed
                    } else {
                        0
                    };
                let expired = holds::expire_due(conn)?;
                let offered = offers::offer_freed(conn, &settings)?;
                Ok((suspensions, expired, offered))
            })
            .await;
            match pass {
                Ok((0, 0, 0)) => {}
                Ok((suspensions, expired, offered)) => {
                    tracing::info!(suspensions, expired, offered, "calendar upkeep")
                }
                Err(error) => tracing::warn!(error = %error, "calendar upkeep failed; retrying"),
            }
        }
    });
}
