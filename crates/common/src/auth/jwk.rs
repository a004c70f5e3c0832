use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An Ed25519 public key as a JSON Web Key (RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
}

impl Jwk {
    /// The key's JWK; its `kid` is the RFC 7638 thumbprint, so it is stable for a key and
    /// needs no bookkeeping.
    pub fn ed25519(public_key: &[u8; 32]) -> Self {
        let x = URL_SAFE_NO_PAD.encode(public_key);
        let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Self {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x,
            kid,
            alg: Some("EdDSA".into()),
            key_use: Some("sig".into()),
        }
    }

    pub fn is_ed25519(&self) -> bool {
        self.kty == "OKP" && self.crv == "Ed25519"
    }
}

/// `GET /.well-known/jwks.json`. Keys are parsed one by one when read, so a key of a type
/// we do not use does not hide the others.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JwkSet {
    #[schema(value_type = Vec<Jwk>)]
    pub keys: Vec<serde_json::Value>,
}

impl JwkSet {
    pub fn from_keys(keys: &[Jwk]) -> Self {
        Self {
            keys: keys
                .iter()
                .filter_map(|k| serde_json::to_value(k).ok())
                .collect(),
        }
    }

    pub fn ed25519_keys(&self) -> Vec<Jwk> {
        self.keys
            .iter()
            .filter_map(|v| serde_json::from_value::<Jwk>(v.clone()).ok())
            .filter(Jwk::is_ed25519)
            .collect()
    }
}
