//! The hash chain: each sealed event's hash is SHA-256 over the previous hash and the
//! event's canonical content. Sealing runs in the background under an advisory lock (one
//! sealer at a time across replicas), in id order, and only up to the ids that are final
//! (see `final_horizon`), so the chain's order is the ids' order and no event committed
//! late is ever skipped; verification recomputes every link.

use super::store::{StoredEvent, audit_chain, audit_log};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// Shared by the replicas of one service (each service has its own database).
const SEAL_LOCK_KEY: i64 = 0x6175_6469_7400;
/// Held shared by every statement appending audit events (a trigger, see the
/// `audit_seal_barrier` migrations), exclusively by the sealer for an instant.
pub const SEAL_BARRIER_KEY: i64 = 0x6175_6469_7401;
/// Events are read and sealed this many at a time (4 passes a second: 8,000 events/s,
/// twice what one instance writes at full load).
const SEAL_BATCH: i64 = 2000;

fn canonical(e: &StoredEvent) -> String {
    serde_json::json!([
        e.id,
        e.occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.actor_id,
        e.actor_role,
        e.action,
        e.resource_type,
        e.resource_id,
        e.patient_id,
        e.outcome,
        e.status,
        e.request_id,
        e.client_address,
    ])
    .to_string()
}

fn link(previous: &[u8], event: &StoredEvent) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(canonical(event).as_bytes());
    hasher.finalize().to_vec()
}

#[derive(Insertable)]
#[diesel(table_name = audit_chain)]
struct NewLink {
    seq: i64,
    event_id: i64,
    hash: Vec<u8>,
}

/// The highest audit id that can no longer gain a predecessor: the barrier lock is granted
/// only once every statement appending events has committed or rolled back, and any
/// statement after it draws a higher id from the sequence.
fn final_horizon(conn: &mut PgConnection) -> QueryResult<Option<i64>> {
    conn.transaction(|conn| {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SEAL_BARRIER_KEY})"))
            .execute(conn)?;
        audit_log::table
            .select(diesel::dsl::max(audit_log::id))
            .first(conn)
    })
}

/// Chains every event not sealed yet, in id order, up to the final horizon (before a
/// verification, at shutdown). Returns how many were sealed (0 when another replica holds
/// the lock).
pub fn seal_pending(conn: &mut PgConnection) -> QueryResult<usize> {
    let Some(horizon) = final_horizon(conn)? else {
        return Ok(0);
    };
    let mut sealed = 0;
    loop {
        let batch = seal_batch(conn, horizon, Wait::ForOtherSealer)?;
        sealed += batch;
        if batch < SEAL_BATCH as usize {
            return Ok(sealed);
        }
    }
}

/// One batch of `seal_pending`, for the periodic sealer: a backlog (after a bulk import,
/// or an outage) is worked off at `SEAL_BATCH` a pass rather than in one long burst that
/// would take the database from the requests.
pub fn seal_next_batch(conn: &mut PgConnection) -> QueryResult<usize> {
    match final_horizon(conn)? {
        Some(horizon) => seal_batch(conn, horizon, Wait::No),
        None => Ok(0),
    }
}

/// Whether a pass that finds another sealer at work waits for it (a verification must see
/// everything sealed) or leaves the work to it (the periodic pass).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    ForOtherSealer,
    No,
}

/// Seals up to `SEAL_BATCH` events above the last sealed one and at most `horizon`.
fn seal_batch(conn: &mut PgConnection, horizon: i64, wait: Wait) -> QueryResult<usize> {
    conn.transaction(|conn| {
        if wait == Wait::ForOtherSealer {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SEAL_LOCK_KEY})"))
                .execute(conn)?;
        } else {
            let locked: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &format!("pg_try_advisory_xact_lock({SEAL_LOCK_KEY})"),
            ))
            .get_result(conn)?;
            if !locked {
                return Ok(0);
            }
        }
        let last: Option<(i64, Vec<u8>)> = audit_chain::table
            .order(audit_chain::seq.desc())
            .select((audit_chain::seq, audit_chain::hash))
            .first(conn)
            .optional()?;
        // The highest sealed id, not the last link's: chains sealed before the barrier
        // existed may hold late commits out of id order.
        let sealed_up_to: Option<i64> = audit_chain::table
            .select(diesel::dsl::max(audit_chain::event_id))
            .first(conn)?;
        let (mut seq, mut previous) = last.unwrap_or((0, Vec::new()));
        let pending: Vec<StoredEvent> = audit_log::table
            .filter(audit_log::id.gt(sealed_up_to.unwrap_or(0)))
            .filter(audit_log::id.le(horizon))
            .order(audit_log::id.asc())
            .limit(SEAL_BATCH)
            .select(StoredEvent::as_select())
            .load(conn)?;
        let mut links = Vec::with_capacity(pending.len());
        for event in &pending {
            seq += 1;
            previous = link(&previous, event);
            links.push(NewLink {
                seq,
                event_id: event.id,
                hash: previous.clone(),
            });
        }
        diesel::insert_into(audit_chain::table)
            .values(&links)
            .execute(conn)
    })
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Verification {
    pub valid: bool,
    /// Events whose link was checked.
    pub events: i64,
}

/// Seals what is pending, then recomputes the whole chain: every link must match its
/// event and predecessor, sequence numbers must have no gaps, and every link's event must
/// still exist.
pub fn verify(conn: &mut PgConnection) -> QueryResult<Verification> {
    seal_pending(conn)?;
    // One snapshot for the count and the pages: a sealer committing meanwhile must not
    // make the chain look longer than the count.
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(verify_snapshot)
}

fn verify_snapshot(conn: &mut PgConnection) -> QueryResult<Verification> {
    let links: i64 = audit_chain::table.count().get_result(conn)?;
    let mut previous = Vec::new();
    let mut expected_seq = 0;
    let mut checked = 0;
    let mut valid = true;
    loop {
        let page: Vec<(i64, Vec<u8>, StoredEvent)> = audit_chain::table
            .inner_join(audit_log::table)
            .filter(audit_chain::seq.gt(expected_seq))
            .order(audit_chain::seq.asc())
            .limit(5000)
            .select((
                audit_chain::seq,
                audit_chain::hash,
                StoredEvent::as_select(),
            ))
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for (seq, hash, event) in page {
            expected_seq += 1;
            let recomputed = link(&previous, &event);
            if seq != expected_seq || recomputed != hash {
                valid = false;
            }
            previous = hash;
            checked += 1;
        }
        if !valid {
            break;
        }
    }
    Ok(Verification {
        valid: valid && checked == links,
        events: checked,
    })
}
