//! A real nats-server with JetStream for a test: Debian's binary (`NATS_SERVER`, else
//! `nats-server` on the PATH or in /usr/sbin), on a free port, its store in a directory of
//! its own; stopped on drop. And a JetStream consumer that reads what a service published.

use futures_util::StreamExt;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    pub port: u16,
    store: PathBuf,
    child: Option<Child>,
}

/// A port nothing listens on now (for a server that is started later, or never).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("find a free port: {e}"))
}

/// `nats://127.0.0.1:<port>`, for `NATS_URL`.
pub fn url(port: u16) -> String {
    format!("nats://127.0.0.1:{port}")
}

fn binary() -> String {
    if let Ok(path) = std::env::var("NATS_SERVER") {
        return path;
    }
    let sbin = "/usr/sbin/nats-server";
    let on_path = Command::new("sh")
        .args(["-c", "command -v nats-server"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    on_path.unwrap_or_else(|| sbin.to_owned())
}

impl NatsServer {
    pub async fn start() -> NatsServer {
        Self::on_port(free_port()).await
    }

    /// Starts a server on `port` and waits until it accepts connections.
    pub async fn on_port(port: u16) -> NatsServer {
        let store = std::env::temp_dir().join(format!("nats-test-{}", uuid::Uuid::new_v4()));
        let mut server = NatsServer {
            port,
            store,
            child: None,
        };
        server.restart().await;
        server
    }

    pub fn url(&self) -> String {
        url(self.port)
    }

    /// Starts (again) on the same port with the same store: what was stored survives.
    pub async fn restart(&mut self) {
        let child = Command::new(binary())
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start nats-server (apt-get install nats-server, or set NATS_SERVER): {e}")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "nats-server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the server: connections fail until `restart`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A consumer of everything on `subjects` (`healthcare.appointment.>`), once a stream
    /// takes them (the service creates its stream on its first pass).
    pub async fn consumer(&self, subjects: &str) -> StreamConsumer {
        let client = async_nats::connect(self.url())
            .await
            .unwrap_or_else(|e| panic!("connect to nats-server: {e}"));
        let jetstream = async_nats::jetstream::new(client);
        let deadline = Instant::now() + Duration::from_secs(15);
        let name = loop {
            if let Ok(name) = jetstream.stream_by_subject(subjects).await {
                break name;
            }
            assert!(Instant::now() < deadline, "no stream takes {subjects}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let stream = jetstream
            .get_stream(&name)
            .await
            .unwrap_or_else(|e| panic!("stream {name}: {e}"));
        let consumer = stream
            .create_consumer(async_nats::jetstream::consumer::pull::Config {
                filter_subject: subjects.to_owned(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("create a consumer: {e}"));
        StreamConsumer { consumer }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// One message as the consumer got it.
#[derive(Debug, Clone)]
pub struct Published {
    pub subject: String,
    /// The `Nats-Msg-Id` header.
    pub message_id: Option<String>,
    pub body: Value,
}

pub struct StreamConsumer {
    consumer:
        async_nats::jetstream::consumer::Consumer<async_nats::jetstream::consumer::pull::Config>,
}

impl StreamConsumer {
    /// The messages that arrive until there are `want` of them or `within` has passed,
    /// each acknowledged (so the next call gets only newer ones).
    pub async fn receive(&self, want: usize, within: Duration) -> Vec<Published> {
        let deadline = Instant::now() + within;
        let mut received = Vec::new();
        while received.len() < want
            && let Some(left) = deadline.checked_duration_since(Instant::now())
        {
            let mut batch = match self
                .consumer
                .fetch()
                .max_messages(want - received.len())
                .expires(left.max(Duration::from_millis(100)))
                .messages()
                .await
            {
                Ok(batch) => batch,
                Err(_) => break,
            };
            while let Some(Ok(message)) = batch.next().await {
                let _ = message.ack().await;
                received.push(Published {
                    subject: message.subject.to_string(),
                    message_id: message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
                        .map(|v| v.as_str().to_owned()),
                    body: serde_json::from_slice(&message.payload).unwrap_or(Value::Null),
                });
            }
        }
        received
    }
}
