//! An Ed25519 key pair made once per test process. Services under test trust its public
//! key (`jwks()`), and `token_for` mints the tokens their callers present. `forged_*`
//! helpers produce the attacks a verifier must refuse.

use common::auth::{AccessClaims, DEFAULT_ISSUER, Jwk};
use common::{Role, UserId};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::sync::OnceLock;

#[derive(Clone)]
pub struct TestKey {
    pub signing_key: SigningKey,
    pub pem: String,
    pub jwk: Jwk,
}

impl TestKey {
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("OS randomness");
        let signing_key = SigningKey::from_bytes(&seed);
        let pem = signing_key
            .to_pkcs8_pem(LineEnding::LF)
            .expect("encode PKCS#8")
            .to_string();
        let jwk = Jwk::ed25519(&signing_key.verifying_key().to_bytes());
        Self {
            signing_key,
            pem,
            jwk,
        }
    }

    pub fn sign(&self, header: &Header, claims: &serde_json::Value) -> String {
        let key = EncodingKey::from_ed_pem(self.pem.as_bytes()).expect("test key");
        jsonwebtoken::encode(header, claims, &key).expect("sign test token")
    }

    /// An Ed25519 signature over `input`, for tokens whose header jsonwebtoken cannot write.
    pub fn sign_raw(&self, input: &[u8]) -> Vec<u8> {
        use ed25519_dalek::Signer;
        self.signing_key.sign(input).to_bytes().to_vec()
    }

    /// The public half as SPKI PEM (what `openssl pkey -pubout` writes).
    pub fn public_pem(&self) -> String {
        self.signing_key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("encode SPKI")
    }

    pub fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.jwk.kid.clone());
        header.typ = Some("at+jwt".to_owned());
        header
    }
}

/// The key test services trust.
pub fn test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(TestKey::generate)
}

/// The public keys to configure a service under test with.
pub fn jwks() -> Vec<Jwk> {
    vec![test_key().jwk.clone()]
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn claims_for(user: UserId, role: Role) -> serde_json::Value {
    serde_json::to_value(AccessClaims {
        sub: user,
        role,
        iat: now(),
        exp: now() + 900,
        jti: uuid::Uuid::new_v4().to_string(),
        iss: DEFAULT_ISSUER.to_owned(),
        aud: common::auth::DEFAULT_AUDIENCE.to_owned(),
        client_id: Some(common::auth::FIRST_PARTY_CLIENT_ID.to_owned()),
        given_name: None,
        family_name: None,
        approved: (role == Role::Doctor).then_some(true),
        birthdate: None,
        gender: None,
        email_verified: Some(true),
    })
    .expect("claims")
}

/// A token for a doctor who signed up and awaits an admin's approval.
pub fn unapproved_doctor_token(user: UserId) -> String {
    let key = test_key();
    let mut claims = claims_for(user, Role::Doctor);
    claims["approved"] = serde_json::Value::Bool(false);
    key.sign(&key.header(), &claims)
}

/// A valid access token for `user` acting as `role`.
pub fn token_for(user: UserId, role: Role) -> String {
    let key = test_key();
    key.sign(&key.header(), &claims_for(user, role))
}

/// `header.payload.signature` with any header and payload, signed with nothing: for
/// `alg: none` and tampering tests.
pub fn unsigned(
    header: &serde_json::Value,
    payload: &serde_json::Value,
    signature: &str,
) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        signature
    )
}

/// The claims a token carries, read without verifying it (the services verify).
pub fn token_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
