//! Sending patients' mail, every second on every replica: due reminders are turned into
//! mail (each claimed once, with SKIP LOCKED, in the transaction that queues its mail), and
//! queued mail is leased and handed to the SMTP server (`SMTP_URL`, through lettre). A
//! server that is down or refuses leaves the mail queued for `MAIL_RETRY_SECONDS`: mail is
//! late, never lost, and no request ever waits for it.

use crate::db::notifications as store;
use crate::domain::notifications as mails;
use crate::notifications_config::NotificationSettings;
use crate::usecases::notifications::{Place, compose};
use common::UserId;
use common::db::{DbPool, with_conn};
use common::lifecycle::{Lifecycle, every};
use diesel::Connection;
use lettre::message::Mailbox;
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
    let retry = chrono::Duration::from_std(settings.retry).unwrap_or(chrono::Duration::seconds(30));
    for mail in due {
        let sent = send(transport, from, &mail).await;
        let id = mail.id;
        match sent {
            Ok(()) => {
                tracing::info!(mail = id, kind = %mail.kind, "mail sent");
                with_conn(pool, move |conn| Ok(store::mail_sent(conn, id)?)).await?;
            }
            Err(error) => {
                tracing::warn!(mail = id, attempt = mail.attempts, error = %error, "mail not sent; will retry");
                with_conn(pool, move |conn| Ok(store::mail_retry(conn, id, retry)?)).await?;
            }
        }
    }
    Ok(())
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
) -> anyhow::Result<()> {
    let message = Message::builder()
        .from(from.clone())
        .to(mail.email.parse()?)
        .subject(&mail.subject)
        .body(mail.body.clone())?;
    transport.send(message).await?;
    Ok(())
}
