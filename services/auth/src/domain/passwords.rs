//! Password hashing with argon2id (m = 19456 KiB, t = 2, p = 1; PHC strings).
//!
//! Each hash takes ~25 ms of CPU and 19 MiB of working memory. It runs on a few dedicated
//! threads (one per core), each reusing one 19 MiB buffer: a burst of logins queues
//! instead of stalling the async workers, and memory stays flat instead of growing with
//! every thread the allocator ever handed a fresh 19 MiB block to.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use common::ApiError;
use common::config::Secret;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

enum Work {
    Hash(Secret),
    Verify(Secret, String),
}

enum Done {
    Hashed(Result<String, String>),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Done>,
}

pub struct Passwords {
    jobs: mpsc::Sender<Job>,
    /// Verified against when the email is unknown, so that answer costs what a wrong
    /// password costs and timing does not reveal which emails have accounts.
    dummy_hash: String,
    /// New hashes (sign-ups, password changes) may occupy all workers but one, so a burst
    /// of sign-ups queues behind itself and logins always find a free worker.
    hash_slots: tokio::sync::Semaphore,
}

fn hash_with(memory: &mut [Block], password: &[u8]) -> Result<String, String> {
    let params = Params::DEFAULT;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no OS randomness: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, &mut *memory)
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Recomputes with the stored salt and parameters; compares in constant time.
fn verify_with(memory: &mut [Block], password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = if params.block_count() == memory.len() {
        argon.hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut *memory)
    } else {
        // Hashes made with other parameters (older settings) still verify.
        argon.hash_password_into(password, salt.as_ref(), &mut out)
    };
    computed.is_ok() && Output::new(&out).is_ok_and(|output| output == expected)
}

fn work_loop(jobs: Arc<Mutex<mpsc::Receiver<Job>>>, mut memory: Vec<Block>) {
    loop {
        let job = match jobs.lock() {
            Ok(mut receiver) => receiver.blocking_recv(),
            Err(_) => None,
        };
        let Some(job) = job else {
            return;
        };
        let done = match job.work {
            Work::Hash(password) => {
                Done::Hashed(hash_with(&mut memory, password.expose().as_bytes()))
            }
            Work::Verify(password, stored) => Done::Verified(verify_with(
                &mut memory,
                password.expose().as_bytes(),
                &stored,
            )),
        };
        let _ = job.reply.send(done);
    }
}

impl Passwords {
    /// Starts one hashing thread per core; they end when `Passwords` is dropped.
    pub fn new() -> Result<Self, ApiError> {
        let (sender, receiver) = mpsc::channel(1024);
        let receiver = Arc::new(Mutex::new(receiver));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // The dummy hash is made with the first worker's buffer, which then moves to it:
        // no third 19 MiB buffer, not even for a moment (peak memory counts).
        let mut first = vec![Block::default(); Params::DEFAULT.block_count()];
        let mut random = [0u8; 32];
        getrandom::fill(&mut random)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("no OS randomness: {e}")))?;
        let dummy_hash = hash_with(&mut first, &random)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2 hashing failed: {e}")))?;
        let mut first = Some(first);
        for index in 0..cores {
            let receiver = receiver.clone();
            let memory = first
                .take()
                .unwrap_or_else(|| vec![Block::default(); Params::DEFAULT.block_count()]);
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || work_loop(receiver, memory))
                .map_err(|e| ApiError::Internal(e.into()))?;
        }
        Ok(Self {
            jobs: sender,
            dummy_hash,
            hash_slots: tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1)),
        })
    }

    async fn run(&self, work: Work) -> Result<Done, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { work, reply })
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("password workers are gone")))?;
        answer
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("password worker dropped a job")))
    }

    pub async fn hash(&self, password: Secret) -> Result<String, ApiError> {
        let _slot = self
            .hash_slots
            .acquire()
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("password workers are gone")))?;
        match self.run(Work::Hash(password)).await? {
            Done::Hashed(Ok(hash)) => Ok(hash),
            Done::Hashed(Err(e)) => Err(ApiError::Internal(anyhow::anyhow!(
                "argon2 hashing failed: {e}"
            ))),
            Done::Verified(_) => Err(ApiError::Internal(anyhow::anyhow!(
                "mismatched password job"
            ))),
        }
    }

    /// `None` (no such account) still spends one verification, and answers false.
    pub async fn verify(&self, password: Secret, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        match self.run(Work::Verify(password, hash)).await? {
            Done::Verified(matches) => Ok(known && matches),
            Done::Hashed(_) => Err(ApiError::Internal(anyhow::anyhow!(
                "mismatched password job"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher as _;

    #[tokio::test]
    async fn a_login_is_not_queued_behind_a_burst_of_sign_ups() {
        let passwords = std::sync::Arc::new(Passwords::new().unwrap());
        let stored = passwords.hash(Secret::new("Str0ngPassword")).await.unwrap();
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut sign_ups = Vec::new();
        for _ in 0..6 {
            let (passwords, finished) = (passwords.clone(), finished.clone());
            sign_ups.push(tokio::spawn(async move {
                passwords
                    .hash(Secret::new("Another1Password"))
                    .await
                    .unwrap();
                finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;

        let ok = passwords
            .verify(Secret::new("Str0ngPassword"), Some(stored))
            .await
            .unwrap();

        let hashed_before_the_login = finished.load(std::sync::atomic::Ordering::SeqCst);
        assert!(ok);
        // Queued behind the burst (one queue for all work), the login would finish with
        // the last sign-ups: 5 or 6 done. How many finish meanwhile otherwise depends on
        // how busy the machine is, so only "not behind the burst" is asserted.
        assert!(
            hashed_before_the_login < 5,
            "the login waited for {hashed_before_the_login} sign-ups"
        );
        for sign_up in sign_ups {
            sign_up.await.unwrap();
        }
    }

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

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify_and_vice_versa() {
        let passwords = Passwords::new().unwrap();
        let theirs = Argon2::default()
            .hash_password(b"Interop1pw")
            .unwrap()
            .to_string();
        let ours = passwords.hash(Secret::new("Interop1pw")).await.unwrap();
        assert!(
            passwords
                .verify(Secret::new("Interop1pw"), Some(theirs))
                .await
                .unwrap()
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2::PasswordVerifier::verify_password(&Argon2::default(), b"Interop1pw", &parsed)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn other_parameters_still_verify() {
        let passwords = Passwords::new().unwrap();
        let light = Params::new(8 * 1024, 1, 1, None).unwrap();
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, light)
            .hash_password(b"Legacy1pw")
            .unwrap()
            .to_string();
        assert!(
            passwords
                .verify(Secret::new("Legacy1pw"), Some(hash))
                .await
                .unwrap()
        );
    }
}
