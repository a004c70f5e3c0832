//! Sending patients' mail, every second on every replica: due reminders are turned into
//! mail (each claimed once, with SKIP LOCKED, in the transaction that queues its mail), and
//! queued mail is leased and handed to the SMTP server (`SMTP_URL`, through lettre). A
//! server that is down or answers "not now" leaves the mail queued for
//! `MAIL_RETRY_SECONDS`, doubled with each try: mail is late, not lost, and no request
//! ever waits for it. A permanent refusal (a 5xx, an address it cannot take) gives the
//! mail up at once, and `MAIL_MAX_ATTEMPTS` tries give it up too, said in the log.
//!
//! The log names a mail by its id, kind and the server's reply code, never its address
//! or the server's reply text (servers echo the recipient there).

use crate::db::notifications as store;
use crate::domain::notifications as mails;
use crate::notifications_config::NotificationSettings;
use crate::usecases::notifications::{Place, compose};
use common::UserId;
use common::db::{DbPool, with_conn};
use common::lifecycle::{Lifecycle, every};
use diesel::Connection;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

const PERIOD: Duration = Duration::from_secs(1);
const BATCH: i64 = 20;

struct Due<'a>(&'a store::DueReminder);

impl Place for Due<'_> {
    fn timezone(&self) -> &str {
        &self.0.timezone
    }
    fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
}

/// Starts the passes when `SMTP_URL` is set; says once that mail is off otherwise.
pub fn start(
    pool: DbPool,
    settings: NotificationSettings,
    lifecycle: Arc<Lifecycle>,
) -> anyhow::Result<()> {
    let Some(url) = &settings.smtp_url else {
        tracing::info!("SMTP_URL is not set: e-mail notifications are off");
        return Ok(());
    };
    if settings.webhook_secret.is_none() {
        tracing::warn!(
            "SMTP_URL is set but NOTIFICATIONS_WEBHOOK_SECRET is not: appointment-service's events are refused, so no appointment mail is sent"
        );
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
        .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
        .timeout(Some(Duration::from_secs(10)))
        .build();
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("MAIL_FROM: {e}"))?;
    let shared = Arc::new((transport, from, settings));
    every(PERIOD, lifecycle, move || {
        let (pool, shared) = (pool.clone(), shared.clone());
        async move {
            if let Err(error) = pass(&pool, &shared.0, &shared.1, &shared.2).await {
                tracing::warn!(error = %error, "mail pass failed; retrying");
            }
        }
    });
    Ok(())
}

async fn pass(
    pool: &DbPool,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    settings: &NotificationSettings,
) -> Result<(), common::ApiError> {
    with_conn(pool, queue_due_reminders).await?;
    let due = with_conn(pool, |conn| Ok(store::lease_due_mail(conn, BATCH)?)).await?;
    for mail in due {
        let sent = send(transport, from, &mail).await;
        let (id, attempt) = (mail.id, mail.attempts);
        match sent {
            Ok(()) => {
                tracing::info!(mail = id, kind = %mail.kind, "mail sent");
                with_conn(pool, move |conn| Ok(store::mail_sent(conn, id)?)).await?;
            }
            Err(failure) if failure.permanent || attempt >= settings.max_attempts as i32 => {
                tracing::warn!(mail = id, kind = %mail.kind, attempt, reason = %failure.reason, "mail not sent; given up");
                with_conn(pool, move |conn| Ok(store::mail_given_up(conn, id)?)).await?;
            }
            Err(failure) => {
                let after = backoff(settings.retry, attempt);
                tracing::warn!(mail = id, kind = %mail.kind, attempt, reason = %failure.reason, retry_in_seconds = after.num_seconds(), "mail not sent; will retry");
                with_conn(pool, move |conn| Ok(store::mail_retry(conn, id, after)?)).await?;
            }
        }
    }
    Ok(())
}

/// `retry` doubled for each try after the first, at most an hour.
fn backoff(retry: Duration, attempt: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(12);
    let wait = retry
        .saturating_mul(1 << doublings)
        .min(Duration::from_secs(3600));
    chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(30))
}

/// Why a mail was not taken, in words that hold no address: the server's reply code, or
/// what went wrong on the way.
#[derive(Debug)]
struct Failure {
    permanent: bool,
    reason: String,
}

impl Failure {
    fn of(error: &lettre::transport::smtp::Error) -> Self {
        let code = error
            .status()
            .map(|code| code.to_string())
            .unwrap_or_default();
        let (permanent, reason) = if error.is_permanent() {
            (true, format!("refused by the server ({code})"))
        } else if error.is_transient() {
            (false, format!("deferred by the server ({code})"))
        } else if error.is_timeout() {
            (false, "the server did not answer in time".to_owned())
        } else {
            (false, "the server could not be reached".to_owned())
        };
        Self { permanent, reason }
    }

    fn unsendable(what: &str) -> Self {
        Self {
            permanent: true,
            reason: what.to_owned(),
        }
    }
}

/// Claims the reminders that are due and queues their mail, in one transaction.
fn queue_due_reminders(conn: &mut diesel::PgConnection) -> Result<(), common::ApiError> {
    conn.transaction(|conn| {
        for due in store::claim_due_reminders(conn, BATCH)? {
            let (patient, doctor) = (UserId(due.patient_id), UserId(due.doctor_id));
            if let Some(mail) = compose(
                conn,
                patient,
                doctor,
                due.starts_at,
                &Due(&due),
                mails::reminder,
            )? {
                store::queue_mail(conn, patient, &mail)?;
            }
        }
        Ok(())
    })
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: &store::DueMail,
) -> Result<(), Failure> {
    let to: Mailbox = mail
        .email
        .parse()
        .map_err(|_| Failure::unsendable("the address is not one SMTP can take"))?;
    // MIME with its charset, so "Jürgen Müller" reads as written in every mail client (a
    // bare body has no Content-Type, which RFC 2045 reads as US-ASCII); the subject is
    // encoded by lettre; the Message-ID is under the sender's own domain.
    let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), from.email.domain());
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .message_id(Some(message_id));
    let text = SinglePart::plain(mail.body.clone());
    let message = match (&mail.calendar, &mail.calendar_method) {
        // The text and the event as alternatives of one message: mail clients show the
        // text and offer the event's "add to calendar" (RFC 6047).
        (Some(ics), Some(method)) => {
            let calendar =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|_| Failure::unsendable("the calendar part could not be built"))?;
            builder.multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(SinglePart::builder().header(calendar).body(ics.clone())),
            )
        }
        _ => builder.singlepart(text),
    }
    .map_err(|_| Failure::unsendable("the message could not be built"))?;
    transport
        .send(message)
        .await
        .map_err(|error| Failure::of(&error))?;
    Ok(())
}
