//! Encrypted between services: both services serve HTTPS (TLS_CERT_FILE, TLS_KEY_FILE),
//! prescription-service reads appointments over https:// trusting UPSTREAM_CA_FILE, and
//! answers over TLS carry HSTS.

use crate::helpers::*;
use test_support::db::TestDatabase;
use test_support::tls::TestCertificate;

#[tokio::test]
async fn prescribing_works_over_tls_end_to_end_and_answers_carry_hsts() {
    test_support::init_tracing();
    let certificate = TestCertificate::generate();
    let verifier = || common::auth::VerifierSettings::trusting(test_support::jwt::jwks());

    let appointments_db = TestDatabase::create(appointment_service::MIGRATIONS);
    let mut settings = appointment_service::Settings::for_tests(&appointments_db.url);
    settings.http.tls = Some(certificate.files());
    settings.tokens = verifier();
    let appointments = appointment_service::Application::build(settings)
        .await
        .expect("appointment-service over TLS");
    let appointments_address = format!("https://127.0.0.1:{}", appointments.port());
    let appointments_handle = appointments.handle();
    tokio::spawn(appointments.run_until_stopped());

    let db = TestDatabase::create(prescription_service::MIGRATIONS);
    let mut settings = prescription_service::Settings::for_tests(&db.url);
    settings.http.tls = Some(certificate.files());
    settings.http.upstream_ca = Some(certificate.cert.clone());
    settings.tokens = verifier();
    settings.appointment_service.url = appointments_address.clone();
    let prescriptions = prescription_service::Application::build(settings)
        .await
        .expect("prescription-service over TLS");
    let address = format!("https://127.0.0.1:{}", prescriptions.port());
    let platform = prescriptions.platform();
    tokio::spawn(prescriptions.run_until_stopped());
    let app = TestApp {
        address,
        db,
        client: certificate.client(),
        appointments_db,
        appointments_address,
        appointments_handle,
        platform,
    };

    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let read = app.get(&path, &visit.patient).await;

    assert_eq!(read.status(), 200);
    assert_eq!(
        read.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let plain = reqwest::get(app.url("/health").replacen("https://", "http://", 1)).await;
    assert!(
        plain.map_or(true, |r| !r.status().is_success()),
        "no plain HTTP on a TLS port"
    );
}

#[tokio::test]
async fn a_plain_http_service_sends_no_hsts() {
    let app = spawn_app().await;

    let res = app.client.get(app.url("/health")).send().await.unwrap();

    assert_eq!(res.status(), 200);
    assert!(!res.headers().contains_key("strict-transport-security"));
}
