//! Optional TLS, for deployments that encrypt between services as well as at the edge:
//! the service serves HTTPS when `TLS_CERT_FILE` and `TLS_KEY_FILE` are set, and trusts
//! `UPSTREAM_CA_FILE` (besides the system's roots) when it calls another service over
//! `https://`. aws-lc-rs is the one crypto provider (reqwest's too).

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};

/// The certificate chain and private key the service serves HTTPS with (PEM files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Makes aws-lc-rs the process's rustls provider for the server's configuration; a
/// second call, or one after another provider was installed, changes nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// The server side: the chain and key from `files`, HTTP/1.1 only.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<rustls::ServerConfig> {
    install_crypto_provider();
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .with_context(|| format!("reading TLS_CERT_FILE {}", files.cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing TLS_CERT_FILE {}", files.cert.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "TLS_CERT_FILE {} holds no certificate",
        files.cert.display()
    );
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("reading TLS_KEY_FILE {}", files.key.display()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("TLS_CERT_FILE and TLS_KEY_FILE do not make a usable certificate")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The extra roots in `path` (PEM), for calls to services whose certificates a private
/// CA issued.
pub fn upstream_roots(path: &Path) -> anyhow::Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path)
        .with_context(|| format!("reading UPSTREAM_CA_FILE {}", path.display()))?;
    let roots = reqwest::Certificate::from_pem_bundle(&pem)
        .with_context(|| format!("parsing UPSTREAM_CA_FILE {}", path.display()))?;
    anyhow::ensure!(
        !roots.is_empty(),
        "UPSTREAM_CA_FILE {} holds no certificate",
        path.display()
    );
    Ok(roots)
}
