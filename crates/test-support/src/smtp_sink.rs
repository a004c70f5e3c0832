//! A real SMTP server for mail tests, on a free port (or a given one, to bring it back
//! after a stop): it speaks enough of RFC 5321 for any client (EHLO, MAIL, RCPT, DATA, RSET,
//! NOOP, QUIT), keeps every message it accepts, and decodes quoted-printable bodies. One
//! started with `refusing_recipients` answers every RCPT as a real server does for an
//! unknown mailbox: a permanent 550 that echoes the address.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::on_port(0).await
    }

    /// A server that refuses every recipient for good, counting how often it was asked.
    pub async fn refusing_recipients() -> SmtpSink {
        Self::listen(0, true).await
    }

    /// Listens on `port` (0: any free one).
    pub async fn on_port(port: u16) -> SmtpSink {
        Self::listen(port, false).await
    }

    async fn listen(port: u16, refuse: bool) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("bind the SMTP sink: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
        let mails = Arc::new(Mutex::new(Vec::new()));
        let shared = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, shared.clone(), refuse));
            }
        });
        SmtpSink { port, mails, task }
    }

    /// `smtp://127.0.0.1:<port>`, for `SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// What it accepted; a refusing server keeps each refused recipient as a mail with
    /// that recipient and no content.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Stops listening (connections refused from now on).
    pub fn stop(&self) {
        self.task.abort();
    }
}

async fn session(socket: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>, refuse: bool) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(&reply("220 sink ESMTP")).await.is_err() {
        return;
    }
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or(&line).to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250 sink",
            "MAIL" => {
                to.clear();
                "250 OK"
            }
            "RCPT" if refuse => {
                let refused = address(&line);
                let answer = format!("550 5.1.1 <{refused}>: Recipient address rejected");
                if let Ok(mut all) = mails.lock() {
                    all.push(Mail {
                        to: vec![refused],
                        subject: String::new(),
                        body: String::new(),
                    });
                }
                if write.write_all(&reply(&answer)).await.is_err() {
                    return;
                }
                continue;
            }
            "RCPT" => {
                to.push(address(&line));
                "250 OK"
            }
            "DATA" => {
                if write.write_all(&reply("354 go ahead")).await.is_err() {
                    return;
                }
                let mut data = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line == "." {
                        break;
                    }
                    data.push(line.strip_prefix('.').map_or(line.clone(), str::to_owned));
                }
                if let Ok(mut all) = mails.lock() {
                    all.push(parse(std::mem::take(&mut to), &data));
                }
                "250 queued"
            }
            "QUIT" => {
                let _ = write.write_all(&reply("221 bye")).await;
                return;
            }
            _ => "250 OK",
        };
        if write.write_all(&reply(answer)).await.is_err() {
            return;
        }
    }
}

fn reply(text: &str) -> Vec<u8> {
    format!("{text}\r\n").into_bytes()
}

fn address(line: &str) -> String {
    line.split(['<', '>']).nth(1).unwrap_or_default().to_owned()
}

fn parse(to: Vec<String>, data: &[String]) -> Mail {
    let split = data.iter().position(String::is_empty).unwrap_or(data.len());
    let (head, body) = data.split_at(split);
    let header = |name: &str| {
        head.iter()
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .map(|l| l[name.len() + 1..].trim().to_owned())
            .unwrap_or_default()
    };
    let raw = body.iter().skip(1).cloned().collect::<Vec<_>>().join("\n");
    let body = if header("content-transfer-encoding").eq_ignore_ascii_case("quoted-printable") {
        decode_quoted_printable(&raw)
    } else {
        raw
    };
    Mail {
        to,
        subject: header("subject"),
        body,
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'=', Some(hex)) => match u8::from_str_radix(&String::from_utf8_lossy(hex), 16) {
                Ok(byte) => {
                    out.push(byte);
                    i += 3;
                }
                Err(_) => {
                    out.push(b'=');
                    i += 1;
                }
            },
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
