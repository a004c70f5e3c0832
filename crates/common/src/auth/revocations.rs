//! Revoked sessions: after a password change, `logout {"all": true}` or an admin disabling
//! an account, every access token of that user issued before `not_before` is refused by
//! every service, instead of living out its 15 minutes.
//!
//! auth-service is the source: `GET /auth/revocations?since=` answers
//! `{subjects: [{sub, not_before}], as_of}` to callers presenting the shared
//! `REVOCATIONS_TOKEN`. Each verifier polls it every `REVOCATION_REFRESH_SECONDS`, keeps what
//! it has when a poll fails, and refuses a token whose `iat` is before its subject's
//! `not_before`.

use crate::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::RwLock;

/// One revoked subject: tokens issued before `not_before` are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Revocation {
    pub sub: UserId,
    pub not_before: DateTime<Utc>,
    /// Whether the subject may be booked as a doctor now (a doctor, approved, not
    /// disabled): appointment-service hides the profile of one who may not. Absent from a
    /// revocation made locally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practising: Option<bool>,
}

/// `GET /auth/revocations` answer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevocationList {
    pub subjects: Vec<Revocation>,
    /// Ask with `since` = this next time.
    pub as_of: DateTime<Utc>,
}

/// A verifier's copy of the list.
#[derive(Debug, Default)]
pub struct Revocations {
    not_before: RwLock<HashMap<UserId, i64>>,
    as_of: RwLock<Option<DateTime<Utc>>>,
    /// Whether each subject the list named may be booked as a doctor, and a count of the
    /// polls that changed it (so a service applies it only when it changed).
    practising: RwLock<(u64, HashMap<UserId, bool>)>,
}

impl Revocations {
    /// Adds what a poll (or a local revocation) reported; a later `not_before` wins.
    pub fn merge(&self, revocations: &[Revocation]) {
        if let Ok(mut map) = self.not_before.write() {
            for r in revocations {
                let at = r.not_before.timestamp();
                let entry = map.entry(r.sub).or_insert(at);
                *entry = (*entry).max(at);
            }
        }
    }

    /// Records who may be booked as a doctor, as a poll reported it; a real change moves
    /// the generation on.
    fn merge_practising(&self, revocations: &[Revocation]) {
        let changes: Vec<(UserId, bool)> = revocations
            .iter()
            .filter_map(|r| r.practising.map(|p| (r.sub, p)))
            .collect();
        if changes.is_empty() {
            return;
        }
        if let Ok(mut guard) = self.practising.write() {
            let (generation, map) = &mut *guard;
            let mut changed = false;
            for (sub, practising) in changes {
                changed |= map.insert(sub, practising) != Some(practising);
            }
            if changed {
                *generation += 1;
            }
        }
    }

    /// Who may and may not be booked as a doctor, as far as the list said, and the
    /// generation of that answer (it grows whenever the answer changes).
    pub fn practising(&self) -> (u64, HashMap<UserId, bool>) {
        self.practising
            .read()
            .map(|guard| guard.clone())
            .unwrap_or_default()
    }

    /// The generation alone, to ask cheaply whether `practising` changed.
    pub fn practising_generation(&self) -> u64 {
        self.practising.read().map(|guard| guard.0).unwrap_or(0)
    }

    /// Whether a token of `sub` issued at `iat` (seconds) has been revoked.
    pub fn refuses(&self, sub: UserId, iat: i64) -> bool {
        self.not_before
            .read()
            .ok()
            .and_then(|map| map.get(&sub).copied())
            .is_some_and(|not_before| iat < not_before)
    }

    /// Where the next poll starts (`None`: from the beginning).
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        self.as_of.read().ok().and_then(|a| *a)
    }

    pub fn mark_polled(&self, as_of: DateTime<Utc>) {
        if let Ok(mut at) = self.as_of.write() {
            *at = Some(as_of);
        }
    }

    /// Merges a fetched list and remembers where it ended.
    pub fn apply(&self, list: &RevocationList) {
        self.merge(&list.subjects);
        self.merge_practising(&list.subjects);
        self.mark_polled(list.as_of);
    }
}

/// Where a verifier polls the list.
#[derive(Debug, Clone)]
pub struct RevocationSource {
    pub url: String,
    /// The shared `REVOCATIONS_TOKEN`, if auth-service requires one.
    pub token: Option<crate::config::Secret>,
    pub refresh_every: std::time::Duration,
}

impl RevocationSource {
    /// One poll: what changed since the last one. A failure keeps the list as it is.
    pub async fn poll(&self, client: &reqwest::Client, into: &Revocations) {
        let mut url = self.url.clone();
        if let Some(since) = into.as_of() {
            // An overlap of a few seconds: a revocation committed just before the last
            // `as_of` cannot fall between two polls.
            let since = since - chrono::Duration::seconds(5);
            url = format!(
                "{url}?since={}",
                since
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                    .replace('+', "%2B")
            );
        }
        let mut request = client.get(&url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let fetched = async {
            request
                .send()
                .await?
                .error_for_status()?
                .json::<RevocationList>()
                .await
        }
        .await;
        match fetched {
            Ok(list) => into.apply(&list),
            Err(e) => {
                tracing::warn!(url = %self.url, error = %e, "polling revocations failed; keeping the list")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_issued_before_not_before_are_refused_and_later_ones_kept() {
        let list = Revocations::default();
        let user = UserId::new();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        list.merge(&[Revocation {
            sub: user,
            not_before: at,
            practising: None,
        }]);
        assert!(list.refuses(user, 1_799_999_999));
        assert!(!list.refuses(user, 1_800_000_000));
        assert!(!list.refuses(UserId::new(), 0));
        let earlier = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        list.merge(&[Revocation {
            sub: user,
            not_before: earlier,
            practising: None,
        }]);
        assert!(list.refuses(user, 1_799_999_999), "a later not_before wins");
    }

    #[test]
    fn who_may_be_booked_changes_its_generation_only_when_it_changes() {
        let list = Revocations::default();
        let doctor = UserId::new();
        let entry = |practising| RevocationList {
            subjects: vec![Revocation {
                sub: doctor,
                not_before: DateTime::from_timestamp(0, 0).unwrap(),
                practising: Some(practising),
            }],
            as_of: Utc::now(),
        };
        list.apply(&entry(false));
        let (first, map) = list.practising();
        assert_eq!(map.get(&doctor), Some(&false));
        list.apply(&entry(false));
        assert_eq!(list.practising().0, first, "nothing changed");
        list.apply(&entry(true));
        let (second, map) = list.practising();
        assert!(second > first);
        assert_eq!(map.get(&doctor), Some(&true));
    }
}
