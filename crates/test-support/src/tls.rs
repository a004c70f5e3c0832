//! A self-signed certificate for `localhost` and 127.0.0.1, written to files as a service's
//! `TLS_CERT_FILE` and `TLS_KEY_FILE` would be, and clients that trust it.

use std::path::PathBuf;

pub struct TestCertificate {
    dir: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub pem: String,
}

impl TestCertificate {
    pub fn generate() -> Self {
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                .expect("generate a certificate");
        let dir = std::env::temp_dir().join(format!("test-tls-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("certificate folder");
        let pem = certified.cert.pem();
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, &pem).expect("write the certificate");
        std::fs::write(&key, certified.key_pair.serialize_pem()).expect("write the key");
        Self {
            dir,
            cert,
            key,
            pem,
        }
    }

    pub fn files(&self) -> common::tls::TlsFiles {
        common::tls::TlsFiles {
            cert: self.cert.clone(),
            key: self.key.clone(),
        }
    }

    /// A client that trusts this certificate (and only it).
    pub fn client(&self) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(self.pem.as_bytes()).expect("certificate");
        reqwest::Client::builder()
            .tls_certs_only([root])
            .build()
            .expect("TLS client")
    }
}

impl Drop for TestCertificate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
