//! Password hashing with argon2id (m = 19456 KiB, t = 2, p = 1; PHC strings).
//!
//! Each hash takes ~27 ms of CPU and 19 MiB of memory, so it runs on the blocking pool
//! and at most one per core at a time: a burst of logins queues instead of stalling the
//! async workers or multiplying memory.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, phc::PasswordHash};
use common::ApiError;
use common::config::Secret;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown, so that answer costs what a wrong
    /// password costs and timing does not reveal which emails have accounts.
    dummy_hash: String,
}

fn hash_now(password: &[u8]) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2 hashing failed: {e}")))
}

fn verify_now(password: &[u8], hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password, &parsed).is_ok())
        .unwrap_or(false)
}

impl Passwords {
    pub fn new() -> Result<Self, ApiError> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("no OS randomness: {e}")))?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: hash_now(&random)?,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(|e| ApiError::Internal(e.into()))
    }

    pub async fn hash(&self, password: Secret) -> Result<String, ApiError> {
        self.run(move || hash_now(password.expose().as_bytes()))
            .await?
    }

    /// `None` (no such account) still spends one verification, and answers false.
    pub async fn verify(&self, password: Secret, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let matches = self
            .run(move || verify_now(password.expose().as_bytes(), &hash))
            .await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let passwords = Passwords::new().unwrap();
        let hash = passwords.hash(Secret::new("Correct1horse")).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            passwords
                .verify(Secret::new("Correct1horse"), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify(Secret::new("Wrong1horse"), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify(Secret::new("Correct1horse"), None)
                .await
                .unwrap()
        );
    }
}
