//! A real SMTP server for mail tests, on a free port (or a given one, to bring it back
//! after a stop): it speaks enough of RFC 5321 for any client (EHLO, MAIL, RCPT, DATA, RSET,
//! NOOP, QUIT), keeps every message it accepts with its headers, and decodes
//! quoted-printable and base64 bodies (of each part of a multipart message too) and RFC
//! 2047 encoded-word subjects; the message as sent is kept for real mail parsers. One
//! started with `refusing_recipients` answers every RCPT as a real server does for an
//! unknown mailbox: a permanent 550 that echoes the address.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub to: Vec<String>,
    /// Decoded (RFC 2047 encoded words in UTF-8).
    pub subject: String,
    /// The text: the body, or a multipart message's first `text/plain` part, decoded.
    pub body: String,
    /// Every header line of the message as sent: (name, value), names as written.
    pub headers: Vec<(String, String)>,
    /// A multipart message's parts, decoded.
    pub parts: Vec<Part>,
    /// The message as it came over SMTP (CRLF line ends, dot-stuffing undone).
    pub raw: String,
}

#[derive(Debug, Clone, Default)]
pub struct Part {
    /// As sent, parameters included (`text/calendar; charset=utf-8; method=REQUEST`).
    pub content_type: String,
    pub body: String,
}

impl Mail {
    /// The first header `name` (any case), as sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
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
    /// The mails kept, but those with `subject` (the verification every sign-up is sent,
    /// for a test about other mail).
    pub fn mails_without(&self, subject: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|mail| mail.subject != subject)
            .collect()
    }

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
                        ..Mail::default()
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
    let (headers, body) = entity(data);
    let mut mail = Mail {
        to,
        headers,
        raw: data.join("\r\n"),
        ..Mail::default()
    };
    let content_type = mail.header("content-type").unwrap_or_default().to_owned();
    match boundary(&content_type) {
        Some(boundary) => {
            mail.parts = parts(&body, &boundary);
            mail.body = mail
                .parts
                .iter()
                .find(|p| {
                    p.content_type
                        .to_ascii_lowercase()
                        .starts_with("text/plain")
                })
                .map(|p| p.body.clone())
                .unwrap_or_default();
        }
        None => mail.body = decoded(&mail.headers, &body),
    }
    mail.subject = decode_encoded_words(mail.header("subject").unwrap_or_default());
    mail
}

/// The `boundary` parameter of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    if !content_type.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    content_type.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("boundary"))
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn parts(body: &[String], boundary: &str) -> Vec<Part> {
    let (delimiter, close) = (format!("--{boundary}"), format!("--{boundary}--"));
    let mut parts = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in body {
        if *line == delimiter || *line == close {
            if let Some(lines) = current.take() {
                let (headers, body) = entity(&lines);
                let content_type = header_of(&headers, "content-type").to_owned();
                parts.push(Part {
                    body: decoded(&headers, &body),
                    content_type,
                });
            }
            if *line == delimiter {
                current = Some(Vec::new());
            }
        } else if let Some(lines) = current.as_mut() {
            lines.push(line.clone());
        }
    }
    parts
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.as_str())
}

/// `lines` decoded by their `Content-Transfer-Encoding`.
fn decoded(headers: &[(String, String)], lines: &[String]) -> String {
    let raw = lines.join("\n");
    match header_of(headers, "content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "quoted-printable" => decode_quoted_printable(&raw),
        "base64" => decode_base64(&raw),
        _ => raw,
    }
}

/// A message or a part: its headers (folded lines unfolded) and the lines of its body.
fn entity(data: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let split = data.iter().position(String::is_empty).unwrap_or(data.len());
    let (head, body) = data.split_at(split);
    // Folded header lines (starting with white space) continue the one before.
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head {
        match (line.starts_with([' ', '\t']), headers.last_mut()) {
            (true, Some((_, value))) => value.push_str(line.trim_start()),
            _ => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
        }
    }
    (headers, body.iter().skip(1).cloned().collect())
}

fn decode_base64(text: &str) -> String {
    use base64::Engine;
    let joined: String = text.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(joined)
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// RFC 2047 `=?utf-8?B?...?=` and `=?utf-8?Q?...?=` words, with the white space between
/// two of them dropped as the RFC says.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, word) = rest.split_at(start);
        let decoded = word[2..].splitn(3, '?').collect::<Vec<_>>();
        let [_charset, encoding, tail] = decoded[..] else {
            break;
        };
        let Some(end) = tail.find("?=") else {
            break;
        };
        if !(after_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let text = &tail[..end];
        out.push_str(&match encoding.to_ascii_uppercase().as_str() {
            "B" => decode_base64(text),
            _ => decode_quoted_printable(&text.replace('_', " ")),
        });
        rest = &tail[end + 2..];
        after_word = true;
    }
    out.push_str(rest);
    out
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
