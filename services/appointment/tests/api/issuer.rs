//! auth-service's issuer is its public URL, which this service learns from auth-service's
//! RFC 8414 metadata; tokens signed under the previous issuer keep working (an upgrade signs
//! nobody out), and a token naming any other issuer is refused even with a valid signature.

use crate::helpers::*;
use common::Role;
use common::auth::{DEFAULT_ISSUER, KeySource, VerifierSettings};
use std::time::Duration;
use test_support::api::Caller;

const PUBLIC_AUTH_URL: &str = "https://auth.clinic.example";

fn token_from(issuer: &str, caller: &Caller) -> String {
    let key = test_support::jwt::test_key();
    let mut claims = test_support::jwt::claims_for(caller.id, Role::Patient);
    claims["iss"] = issuer.into();
    key.sign(&key.header(), &claims)
}

#[tokio::test]
async fn tokens_of_the_discovered_issuer_and_of_the_previous_one_are_accepted_and_no_other() {
    let auth = start_auth_with(|s| s.http.public_base_url = Some(PUBLIC_AUTH_URL.into())).await;
    let auth_url = auth.address.clone();
    let app = spawn_app_with(|s| {
        s.tokens = VerifierSettings {
            issuers: vec![DEFAULT_ISSUER.into()],
            issuer_metadata_url: Some(format!("{auth_url}/.well-known/oauth-authorization-server")),
            audience: common::auth::DEFAULT_AUDIENCE.into(),
            revocations: None,
            keys: KeySource::Jwks {
                url: format!("{auth_url}/.well-known/jwks.json"),
                min_refetch: Duration::from_secs(5),
                refresh_every: Duration::from_secs(60),
            },
        };
    })
    .await;
    let patient = auth.user("patient", "Jürgen", "Müller").await;
    let issued = test_support::jwt::token_claims(&patient.token);
    assert_eq!(issued["iss"], PUBLIC_AUTH_URL);

    let listed = app.get("/appointments", &patient).await;
    let before_upgrade = Caller {
        id: patient.id,
        token: token_from(DEFAULT_ISSUER, &patient),
    };
    let from_elsewhere = Caller {
        id: patient.id,
        token: token_from("https://other-idp.example", &patient),
    };

    assert_eq!(listed.status(), 200);
    assert_eq!(
        app.get("/appointments", &before_upgrade).await.status(),
        200
    );
    assert_eq!(
        app.get("/appointments", &from_elsewhere).await.status(),
        401
    );
}
