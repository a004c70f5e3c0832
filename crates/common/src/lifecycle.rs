//! Graceful shutdown. On SIGTERM (or Ctrl-C) readiness turns 503 first, so load balancers
//! stop routing here; after `SHUTDOWN_DRAIN_SECONDS` the listener closes, in-flight
//! requests get up to `SHUTDOWN_TIMEOUT_SECONDS` to finish, and background tasks stop.

use actix_web::dev::Server;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    stopped: tokio::sync::Notify,
}

impl Lifecycle {
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.stopped.notify_waiters();
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Resolves once shutdown has begun (for background loops).
    pub async fn stopping(&self) {
        if !self.is_draining() {
            self.stopped.notified().await;
        }
    }
}

async fn termination_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves until a termination signal (or `lifecycle.start_draining()` from a test), then
/// drains and stops gracefully. The server must be built with `disable_signals()`.
pub async fn serve(
    server: Server,
    lifecycle: std::sync::Arc<Lifecycle>,
    drain: Duration,
) -> std::io::Result<()> {
    let handle = server.handle();
    let watcher = tokio::spawn(async move {
        tokio::select! {
            _ = termination_signal() => {}
            _ = lifecycle.stopping() => {}
        }
        lifecycle.start_draining();
        tracing::info!(
            drain_seconds = drain.as_secs(),
            "shutting down: readiness now fails"
        );
        tokio::time::sleep(drain).await;
        handle.stop(true).await;
    });
    let result = server.await;
    watcher.abort();
    tracing::info!("stopped");
    result
}

/// Runs `task` every `period` (the first time after one period) until shutdown begins.
pub fn every<F, Fut>(period: Duration, lifecycle: std::sync::Arc<Lifecycle>, mut task: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tick.tick() => task().await,
                _ = lifecycle.stopping() => break,
            }
        }
    });
}
