//! Encrypted between services: both services serve HTTPS (TLS_CERT_FILE, TLS_KEY_FILE),
//! prescription-service reads appointments over https:// trusting UPSTREAM_CA_FILE, and
//! answers over TLS carry HSTS.

use crate::helpers::*;
use test_support::db::TestDatabase;
use test_support::tls::TestCertificate;

#[tokio::test]
async fn prescribing_works_over_tls_end_to_end_and_answers_carry_hsts() {
    let certificate = TestCertificate::generate();
    let db = TestDatabase::create(prescription_service::MIGRATIONS);
    let app = spawn_app_from(
        db,
        certificate.client(),
        |appointments| appointments.http.tls = Some(certificate.files()),
        |prescriptions| {
            prescriptions.http.tls = Some(certificate.files());
            prescriptions.http.upstream_ca = Some(certificate.cert.clone());
        },
    )
    .await;
    assert!(app.appointments_address.starts_with("https://"));

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
