//! How often a verifier asks auth-service for something it may lack (keys for an unknown
//! `kid`, the issuer of an unknown `iss`): at most once per `min_refetch`, sooner after a
//! failure (auth-service still starting, say), never once per request. Requests arriving
//! during a fetch wait for it and use its result.

use std::time::{Duration, Instant};

/// After a failed fetch, the wait before the next one.
const FAILED_FETCH_RETRY: Duration = Duration::from_millis(500);

pub(crate) struct FetchThrottle {
    min_refetch: Duration,
    /// When the last fetch happened and whether it worked.
    last_fetch: tokio::sync::Mutex<Option<(Instant, bool)>>,
}

/// The right to fetch now, held until `done` says how it went.
pub(crate) struct FetchTurn<'a>(tokio::sync::MutexGuard<'a, Option<(Instant, bool)>>);

impl FetchTurn<'_> {
    pub(crate) fn done(mut self, worked: bool) {
        *self.0 = Some((Instant::now(), worked));
    }
}

impl FetchThrottle {
    pub(crate) fn new(min_refetch: Duration) -> Self {
        Self {
            min_refetch,
            last_fetch: tokio::sync::Mutex::new(None),
        }
    }

    /// A turn to fetch, or `None` when the last fetch was too recent.
    pub(crate) async fn turn(&self) -> Option<FetchTurn<'_>> {
        let last_fetch = self.last_fetch.lock().await;
        let throttled = last_fetch.is_some_and(|(at, worked)| {
            let wait = if worked {
                self.min_refetch
            } else {
                self.min_refetch.min(FAILED_FETCH_RETRY)
            };
            at.elapsed() < wait
        });
        (!throttled).then_some(FetchTurn(last_fetch))
    }
}
