//! Admin figures from appointment-service and prescription-service (`GET /admin/stats`),
//! fetched with the admin's own token, so those services authorize the call themselves.

use common::contracts::stats::{AppointmentStats, PrescriptionStats};
use common::upstream::{Relay, Upstream};
use serde::de::DeserializeOwned;

pub struct StatsClient {
    pub appointments: Upstream,
    pub prescriptions: Upstream,
}

/// `None` (and a warning) when the service did not answer in time or refused.
async fn fetch<T: DeserializeOwned>(upstream: &Upstream, relay: &Relay) -> Option<T> {
    match upstream.get_json("/admin/stats", relay).await {
        Ok(stats) => Some(stats),
        Err(e) => {
            tracing::warn!(upstream = upstream.name(), error = ?e, "stats unavailable");
            None
        }
    }
}

impl StatsClient {
    /// Both at once; each is `None` when its service did not answer in time.
    pub async fn fetch_all(
        &self,
        relay: &Relay,
    ) -> (Option<AppointmentStats>, Option<PrescriptionStats>) {
        tokio::join!(
            fetch(&self.appointments, relay),
            fetch(&self.prescriptions, relay),
        )
    }
}
