//! Signed prescriptions: every version's compact JWS verifies against the service's JWKS
//! with an independent verifier (the jsonwebtoken crate as a client), fails after one
//! altered byte, and `/verify` notices a version edited in the database.

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::Role;
use diesel::RunQueryDsl;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

async fn jwks(app: &TestApp) -> Vec<Value> {
    let res = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["keys"]
        .as_array()
        .unwrap()
        .clone()
}

async fn jws(app: &TestApp, path: &str, who: &Caller) -> String {
    let res = app.get(&format!("{path}/jws"), who).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/jose");
    res.text().await.unwrap()
}

/// Verifies `jws` as any relying party would: the key named by `kid` from the JWKS,
/// EdDSA only, no token claims required.
fn verified(jws: &str, keys: &[Value]) -> Option<Value> {
    let header = jsonwebtoken::decode_header(jws).ok()?;
    assert_eq!(header.alg, Algorithm::EdDSA);
    let kid = header.kid?;
    let jwk = keys.iter().find(|k| k["kid"] == kid.as_str())?;
    let key = DecodingKey::from_ed_components(jwk["x"].as_str()?).ok()?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(jws, &key, &validation)
        .ok()
        .map(|d| d.claims)
}

async fn verification(app: &TestApp, path: &str) -> Value {
    // Anyone may ask: no token.
    let res = app
        .client
        .get(format!("{}{path}/verify", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn each_version_is_signed_and_verifies_against_the_jwks_independently() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    let keys = jwks(&app).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "OKP");
    assert_eq!(keys[0]["crv"], "Ed25519");

    let first = jws(&app, &path, &visit.patient).await;
    let payload = verified(&first, &keys).expect("the JWS verifies");
    let shown: Value = app.get(&path, &visit.doctor).await.json().await.unwrap();
    assert_eq!(payload["prescription_id"], shown["id"]);
    assert_eq!(payload["version"], 1);
    assert_eq!(payload["status"], "active");
    assert_eq!(payload["medicines"], shown["medicines"]);
    assert_eq!(payload["patient"]["id"], visit.patient.id.to_string());
    assert_eq!(payload["doctor"]["id"], visit.doctor.id.to_string());

    // One byte of the payload changed: no verifier accepts it.
    let mut parts: Vec<String> = first.split('.').map(str::to_owned).collect();
    let mut body = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
    let at = body.iter().position(|b| *b == b'1').unwrap();
    body[at] = b'2';
    parts[1] = URL_SAFE_NO_PAD.encode(&body);
    assert!(verified(&parts.join("."), &keys).is_none());

    assert_eq!(
        app.put(&path, &visit.doctor, &json!({ "notes": "after meals" }))
            .await
            .status(),
        200
    );
    let second = verified(&jws(&app, &path, &visit.doctor).await, &keys).unwrap();
    assert_eq!(second["version"], 2);
    assert_eq!(second["notes"], "after meals");
    assert_eq!(app.count("prescription_signatures"), 2, "one per version");
    let check = verification(&app, &path).await;
    assert_eq!(check["valid"], true);
    assert_eq!(check["version"], 2);
    assert_eq!(check["kid"], keys[0]["kid"]);
}

#[tokio::test]
async fn verify_answers_false_once_a_version_is_edited_in_the_database() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    assert_eq!(verification(&app, &path).await["valid"], true);

    let id = path.trim_start_matches("/prescriptions/");
    let mut conn = app.db.connect();
    diesel::sql_query(
        "ALTER TABLE prescription_versions DISABLE TRIGGER prescription_versions_append_only",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "UPDATE prescription_versions SET medicines = jsonb_set(medicines, '{0,dosage}', '\"5000 mg\"') \
         WHERE prescription_id = $1::uuid",
    )
    .bind::<diesel::sql_types::Text, _>(id)
    .execute(&mut conn)
    .unwrap();

    let check = verification(&app, &path).await;
    assert_eq!(check["valid"], false);
    assert_eq!(check["version"], 1);
    let unknown = app
        .client
        .get(format!(
            "{}/prescriptions/{}/verify",
            app.address,
            uuid::Uuid::new_v4()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn only_its_patient_doctor_and_admins_get_the_jws() {
    let app = spawn_app().await;
    let visit = app.visit().await;
    let path = app.prescribed(&visit).await;
    jws(&app, &path, &caller(Role::Admin)).await;
    assert_problem(
        app.get(&format!("{path}/jws"), &caller(Role::Doctor)).await,
        404,
    )
    .await;
    assert_problem(
        app.get(&format!("{path}/jws"), &caller(Role::Patient))
            .await,
        404,
    )
    .await;
    let anonymous = app
        .client
        .get(format!("{}{path}/jws", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn after_a_key_rotation_earlier_signatures_still_verify_and_new_ones_use_the_new_key() {
    let old = test_support::jwt::TestKey::generate();
    let new = test_support::jwt::TestKey::generate();
    let retired = std::env::temp_dir().join(format!("retired-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&retired, old.public_pem()).unwrap();
    let db = test_support::db::TestDatabase::create(prescription_service::MIGRATIONS);
    let db_url = db.url.clone();
    let before = spawn_app_from(
        db,
        reqwest::Client::new(),
        |_| {},
        |s| {
            s.signing.key =
                common::signing_key::KeySource::Pem(common::config::Secret::new(old.pem.clone()))
        },
    )
    .await;
    let visit = before.visit().await;
    let path = before.prescribed(&visit).await;
    let signed_before = jws(&before, &path, &visit.doctor).await;

    // The same database, restarted with the new key and the old one retired.
    let after = spawn_app_from(
        test_support::db::TestDatabase::create_empty(),
        reqwest::Client::new(),
        |_| {},
        |s| {
            s.database.url = common::config::Secret::new(db_url.clone());
            s.signing.key =
                common::signing_key::KeySource::Pem(common::config::Secret::new(new.pem.clone()));
            s.signing.retired = vec![retired.clone()];
        },
    )
    .await;
    let keys = jwks(&after).await;
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, [new.jwk.kid.as_str(), old.jwk.kid.as_str()]);
    assert!(verified(&signed_before, &keys).is_some());
    let check = verification(&after, &path).await;
    assert_eq!(check["valid"], true);
    assert_eq!(check["kid"], old.jwk.kid.as_str());

    assert_eq!(
        after
            .put(&path, &visit.doctor, &json!({ "notes": "rotated" }))
            .await
            .status(),
        200
    );
    let header = jsonwebtoken::decode_header(jws(&after, &path, &visit.doctor).await).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new.jwk.kid.as_str()));
    let _ = std::fs::remove_file(retired);
}
