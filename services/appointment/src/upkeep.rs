//! The calendar's upkeep, every second on every replica: lapsed holds are marked expired,
//! and freed time is offered to the waitlist. Both claim their rows with `SKIP LOCKED`, so
//! replicas share the work and none does a row twice; reads never wait for this pass (a
//! lapsed hold reads `expired` and frees its slot from its expiry on).

use crate::config::HoldSettings;
use crate::usecases::{holds, offers};
use common::db::{DbPool, with_conn};
use common::lifecycle::{Lifecycle, every};
use std::sync::Arc;
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(1);

pub fn start(pool: DbPool, settings: HoldSettings, lifecycle: Arc<Lifecycle>) {
    every(PERIOD, lifecycle, move || {
        let pool = pool.clone();
        async move {
            let pass = with_conn(&pool, move |conn| {
                let expired = holds::expire_due(conn)?;
                let offered = offers::offer_freed(conn, &settings)?;
                Ok((expired, offered))
            })
            .await;
            match pass {
                Ok((0, 0)) => {}
                Ok((expired, offered)) => tracing::info!(expired, offered, "calendar upkeep"),
                Err(error) => tracing::warn!(error = %error, "calendar upkeep failed; retrying"),
            }
        }
    });
}
