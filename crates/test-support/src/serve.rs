//! Running a built service in the test's own runtime, and waiting for what it does in the
//! background.

use actix_web::dev::ServerHandle;
use common::platform::{Platform, Running};
use std::time::{Duration, Instant};

/// A service serving on loopback for the rest of the test.
pub struct Served {
    /// `http://127.0.0.1:<port>` (`https` when it serves TLS).
    pub address: String,
    /// Stops it from outside (a replica going away).
    pub handle: ServerHandle,
    /// Its metrics, lifecycle and audit trail.
    pub platform: Platform,
}

/// Spawns `app` on the test's runtime.
pub fn serve(app: Running) -> Served {
    let served = Served {
        address: format!("{}://127.0.0.1:{}", app.scheme(), app.port()),
        handle: app.handle(),
        platform: app.platform(),
    };
    tokio::spawn(app.run_until_stopped());
    served
}

/// Polls `check` every 100 ms until it holds or `within` has passed; whether it held.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
