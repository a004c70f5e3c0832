//! Patients' mail as the running services send and log it, wired by the shared secret
//! alone: a mail server that refuses the recipient gets one try, the mail is given up and
//! said so, and no log line of any service holds the patient's address (servers echo it
//! in their refusal).

use resilience::api;
use resilience::{Service, System};
use std::time::{Duration, Instant};
use test_support::smtp_sink::SmtpSink;

const SECRET: &str = "whsec_dGVzdCBub3RpZmljYXRpb25zIHNlY3JldCBvZiAzMiBieXRlcw==";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_mail_is_given_up_once_and_no_log_holds_the_patients_address() {
    let smtp = SmtpSink::refusing_recipients().await;
    let system = System::builder()
        .env(Some(Service::Auth), "SMTP_URL", &smtp.url())
        .env(Some(Service::Auth), "MAIL_RETRY_SECONDS", "1")
        .env(Some(Service::Auth), "NOTIFICATIONS_WEBHOOK_SECRET", SECRET)
        // No NOTIFICATIONS_WEBHOOK_URL: the shared secret alone wires appointment-service
        // to auth-service's inbox under AUTH_SERVICE_URL.
        .env(
            Some(Service::Appointment),
            "NOTIFICATIONS_WEBHOOK_SECRET",
            SECRET,
        )
        .start()
        .await;

    let visit = api::visit(
        &system.auth.url(),
        &system.appointment.url(),
        api::slot(3, 4),
    )
    .await;

    // The doctor's and the patient's sign-up verification mails and the booking's
    // confirmation, each given up.
    let deadline = Instant::now() + Duration::from_secs(20);
    while system.auth.log_text().matches("given up").count() < 3 {
        assert!(
            Instant::now() < deadline,
            "not every mail was given up:\n{}",
            system.auth.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let refused = smtp.mails();
    assert_eq!(
        refused.len(),
        3,
        "each asked once, never again: {refused:?}"
    );
    let to_patient = refused
        .iter()
        .filter(|mail| mail.to == vec![visit.patient.email.clone()])
        .count();
    assert_eq!(to_patient, 2, "{refused:?}");
    let auth_log = system.auth.log_text();
    assert!(
        auth_log.contains("refused by the server (550)"),
        "{auth_log}"
    );
    for process in [&system.auth, &system.appointment, &system.prescription] {
        let log = process.log_text();
        assert!(
            !log.contains(&visit.patient.email),
            "the patient's address is in {}",
            process.log_path().display()
        );
    }
}
