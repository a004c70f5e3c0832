//! A deadline for reading a request's body. The request head is bounded (a connection
//! without a request is closed: `idle_connections`) and so is idle keep-alive (actix),
//! but not the body: a client that
//! declares a megabyte and sends a byte a second holds a connection and a worker's
//! attention for as long as it likes. The body stream here ends with an error at the
//! deadline, which the extractors answer with a 408 problem.

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_util::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// How long a request's body may take to arrive (app data; from `HttpSettings`).
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// The message the payload error carries, by which the extractors recognise it.
pub const TIMED_OUT: &str = "the request body did not arrive in time";

struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                TIMED_OUT,
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Makes `req`'s body end with a timeout error once `within` has passed.
pub fn apply(req: &mut ServiceRequest, within: Duration) {
    let inner = req.take_payload();
    let deadline = Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(within)),
    };
    req.set_payload(Payload::from(
        Box::pin(deadline) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
}

/// Whether a payload error is this deadline's.
pub fn is_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}
