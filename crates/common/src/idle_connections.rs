//! A connection that never sends a request is closed without an answer, as nginx does.
//! actix's own limit on the first request head (`client_request_timeout`) answers a
//! `408` and closes; a client that opened the connection for its pool (hyper opens one
//! for a waiting request, then hands that request to a connection freed meanwhile) holds
//! it idle, so the 408 arrives as an answer to nothing: hyper reports "received unexpected
//! message from connection" for the next request it puts there, and a booking fails with
//! a transport error the server caused. So actix's limit is off, and this watch shuts the
//! socket down instead: the client sees a closed idle connection, which every HTTP client
//! expects (RFC 9112 section 9.6) and none mistakes for an answer.

use actix_web::dev::{Extensions, ServiceRequest};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a new connection may wait for its first request (actix's default for the
/// head, and its keep-alive: an unused connection lives no longer than an idle one).
pub const FIRST_REQUEST_WITHIN: Duration = Duration::from_secs(5);

/// However slowly its bytes arrive, a first request head that takes longer is an attack
/// on the connection limit (slowloris), not a client.
const SLOWEST_HEAD: Duration = Duration::from_secs(30);

/// Whether the connection has carried a request (connection data, set per request).
#[derive(Debug, Clone, Default)]
pub struct ConnectionUse(Arc<AtomicBool>);

/// Notes that `req`'s connection carries a request (from the outermost middleware).
pub fn mark_used(req: &ServiceRequest) {
    if let Some(used) = req.conn_data::<ConnectionUse>() {
        used.0.store(true, Ordering::Relaxed);
    }
}

/// `HttpServer::on_connect`: starts the watch of a new connection (plain TCP or TLS).
pub fn watch(io: &dyn Any, extensions: &mut Extensions) {
    let Some(socket) = socket_of(io) else {
        return;
    };
    let used = ConnectionUse::default();
    extensions.insert(used.clone());
    actix_web::rt::spawn(async move {
        let mut waited = Duration::ZERO;
        loop {
            tokio::time::sleep(FIRST_REQUEST_WITHIN).await;
            waited += FIRST_REQUEST_WITHIN;
            if used.0.load(Ordering::Relaxed) {
                return;
            }
            // Bytes actix has not read yet are a request on its way: give it time.
            if !bytes_waiting(&socket) || waited >= SLOWEST_HEAD {
                let _ = socket.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    });
}

/// A second handle on the connection's socket (the same socket, not a copy of it).
fn socket_of(io: &dyn Any) -> Option<socket2::Socket> {
    use actix_tls::accept::rustls_0_23::TlsStream;
    use actix_web::rt::net::TcpStream;
    let tcp = io.downcast_ref::<TcpStream>().or_else(|| {
        io.downcast_ref::<TlsStream<TcpStream>>()
            .map(|tls| tls.get_ref().0)
    })?;
    socket2::SockRef::from(tcp).try_clone().ok()
}

/// Whether bytes wait in the socket (it is non-blocking, as tokio set it).
fn bytes_waiting(socket: &socket2::Socket) -> bool {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    matches!(socket.peek(&mut byte), Ok(read) if read > 0)
}
