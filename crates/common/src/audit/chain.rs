//! The keyed hash chain: each sealed event's link is HMAC-SHA256, under a key the database
//! does not hold, over the previous link and the event's canonical content. Sealing runs
//! in the background under an advisory lock (one sealer at a time across replicas), in id
//! order, and only up to the ids that are final (see `final_horizon`), so the chain's
//! order is the ids' order and no event committed late is ever skipped.
//!
//! Every seal pass and every verification also records a checkpoint: the number of links
//! and the last one's hash, MACed together with the previous checkpoint's MAC, and logged.
//! Verification recomputes every link and checks every checkpoint against the chain, so an
//! edit, a recomputation or a truncation below any checkpoint is found; a tail deleted
//! together with its checkpoints is found by a replica that wrote or saw one of them
//! (it remembers the newest), and by the copy in the service log.

use super::key::AuditKey;
use super::store::{StoredEvent, audit_chain, audit_checkpoints, audit_log};
use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// Shared by the replicas of one service (each service has its own database).
const SEAL_LOCK_KEY: i64 = 0x6175_6469_7400;
/// Held shared by every statement appending audit events (a trigger, see the
/// `audit_seal_barrier` migrations), exclusively by the sealer for an instant.
pub const SEAL_BARRIER_KEY: i64 = 0x6175_6469_7401;
/// Events are read and sealed this many at a time (4 passes a second: 8,000 events/s,
/// twice what one instance writes at full load).
const SEAL_BATCH: i64 = 2000;
/// Links and checkpoints are read this many at a time when verifying.
const VERIFY_PAGE: i64 = 5000;

fn canonical(e: &StoredEvent) -> String {
    let mut content = serde_json::json!([
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
    ]);
    // Only where present, so events stored before the columns existed hash as they did.
    if let Some(fields) = content.as_array_mut() {
        if let Some(ids) = &e.returned_ids {
            fields.push(serde_json::json!(ids));
        }
        if let Some(recorded) = e.recorded_at {
            let at = recorded.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            fields.push(serde_json::json!({ "recorded_at": at }));
        }
    }
    content.to_string()
}

/// How far an event's own time may lie before the database's stamp (a request's events
/// wait in the buffer, a transaction runs its statements) or after it (clock skew
/// between the service and the database) before verification calls it forged.
const EARLIEST_BEFORE_RECORDED: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
const LATEST_AFTER_RECORDED: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// Why an event's time cannot be its own: it claims a time its recording contradicts.
fn time_against_order(e: &StoredEvent) -> Option<String> {
    let recorded = e.recorded_at?;
    if e.occurred_at < recorded - EARLIEST_BEFORE_RECORDED {
        Some(format!(
            "event {} claims a time {} s before the database recorded it (backdated)",
            e.id,
            (recorded - e.occurred_at).num_seconds()
        ))
    } else if e.occurred_at > recorded + LATEST_AFTER_RECORDED {
        Some(format!(
            "event {} claims a time {} s after the database recorded it",
            e.id,
            (e.occurred_at - recorded).num_seconds()
        ))
    } else {
        None
    }
}

/// Why a checkpoint was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Seal,
    Verify,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Seal => "seal",
            Reason::Verify => "verify",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_chain)]
struct NewLink {
    seq: i64,
    event_id: i64,
    hash: Vec<u8>,
    keyed: bool,
}

#[derive(Insertable)]
#[diesel(table_name = audit_checkpoints)]
struct NewCheckpoint<'a> {
    links: i64,
    head: &'a [u8],
    reason: &'a str,
    created_at: DateTime<Utc>,
    key_id: &'a str,
    mac: &'a [u8],
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_checkpoints, check_for_backend(diesel::pg::Pg))]
struct StoredCheckpoint {
    id: i64,
    links: i64,
    head: Vec<u8>,
    reason: String,
    created_at: DateTime<Utc>,
    key_id: String,
    mac: Vec<u8>,
}

/// A checkpoint just written, to record once its transaction committed.
struct Taken {
    reference: CheckpointRef,
    known: Known,
    head: Vec<u8>,
    reason: Reason,
}

/// The newest checkpoint this process wrote or verified: it must still be there next time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    id: i64,
    mac: Vec<u8>,
}

/// The checkpoint a verification checked up to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CheckpointRef {
    pub id: i64,
    /// Links the chain had when it was taken.
    pub events: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// Events whose link was checked.
    pub events: i64,
    /// Checkpoints whose signature and head were checked.
    pub checkpoints: i64,
    /// The newest checkpoint that checked out: when valid, the one this verification took;
    /// when not, how far the trail can still be trusted.
    pub checkpoint: Option<CheckpointRef>,
    /// What failed first, by position only (never an event's content).
    pub failure: Option<String>,
}

/// What this process knows of the checkpoints: the newest it wrote or verified, and one
/// it found gone (kept until a restart: every later verification reports it).
#[derive(Debug, Default, Clone)]
struct Memory {
    newest: Option<Known>,
    gone: Option<i64>,
}

/// A service's chain: its key and what it remembers of the checkpoints.
#[derive(Debug)]
pub struct Chain {
    key: AuditKey,
    memory: Mutex<Memory>,
}

impl Chain {
    pub fn new(key: AuditKey) -> Self {
        Self {
            key,
            memory: Mutex::new(Memory::default()),
        }
    }

    fn link(&self, previous: &[u8], event: &StoredEvent, keyed: bool) -> Vec<u8> {
        let content = canonical(event);
        if keyed {
            self.key.mac(&[previous, content.as_bytes()])
        } else {
            // Links sealed before the chain was keyed.
            let mut hasher = Sha256::new();
            hasher.update(previous);
            hasher.update(content.as_bytes());
            hasher.finalize().to_vec()
        }
    }

    /// What a checkpoint's MAC covers: the previous checkpoint's MAC, so none can be taken
    /// out of the middle, and everything the row says.
    fn checkpoint_message(
        &self,
        previous_mac: &[u8],
        links: i64,
        head: &[u8],
        reason: &str,
        created_at: DateTime<Utc>,
    ) -> [Vec<u8>; 6] {
        let at = created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        [
            previous_mac.to_vec(),
            links.to_be_bytes().to_vec(),
            head.to_vec(),
            reason.as_bytes().to_vec(),
            at.into_bytes(),
            self.key.id().as_bytes().to_vec(),
        ]
    }

    fn remembered(&self) -> Memory {
        self.memory
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether the newest checkpoint this process knows of is still in the database;
    /// once one is found gone, it is remembered as such and never replaced.
    fn check_memory(&self, conn: &mut PgConnection) -> QueryResult<()> {
        let Memory { newest, gone } = self.remembered();
        let Some(newest) = newest else { return Ok(()) };
        if gone.is_some() {
            return Ok(());
        }
        let present: i64 = audit_checkpoints::table
            .filter(audit_checkpoints::id.eq(newest.id))
            .filter(audit_checkpoints::mac.eq(&newest.mac))
            .count()
            .get_result(conn)?;
        if present == 0 {
            tracing::error!(
                checkpoint = newest.id,
                "an audit checkpoint this instance wrote or saw is gone: the newest audit events were removed"
            );
            self.memory.lock().unwrap_or_else(|p| p.into_inner()).gone = Some(newest.id);
        }
        Ok(())
    }

    /// After the checkpoint's transaction committed: log it (the copy outside the
    /// database, enough to prove a later truncation) and remember it (only committed
    /// checkpoints, or a verification would miss one still being written).
    fn record(&self, taken: &Taken) {
        tracing::info!(
            checkpoint = taken.reference.id,
            events = taken.reference.events,
            head = %hex(&taken.head),
            mac = %hex(&taken.known.mac),
            reason = taken.reason.as_str(),
            "audit checkpoint"
        );
        let mut memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if memory.newest.as_ref().is_none_or(|k| k.id < taken.known.id) {
            memory.newest = Some(taken.known.clone());
        }
    }

    /// Writes a checkpoint of the chain's current head, signed and linked to the previous
    /// checkpoint. Call with the seal lock held, so checkpoints and links are written in
    /// one order, then `record` what it returns once the transaction committed.
    fn checkpoint(&self, conn: &mut PgConnection, reason: Reason) -> QueryResult<Taken> {
        self.check_memory(conn)?;
        let head: Option<(i64, Vec<u8>)> = audit_chain::table
            .order(audit_chain::seq.desc())
            .select((audit_chain::seq, audit_chain::hash))
            .first(conn)
            .optional()?;
        let (links, head) = head.unwrap_or((0, Vec::new()));
        let previous_mac: Vec<u8> = audit_checkpoints::table
            .order(audit_checkpoints::id.desc())
            .select(audit_checkpoints::mac)
            .first(conn)
            .optional()?
            .unwrap_or_default();
        // PostgreSQL keeps microseconds: sign what will be read back.
        let created_at = Utc::now().trunc_subsecs(6);
        let message =
            self.checkpoint_message(&previous_mac, links, &head, reason.as_str(), created_at);
        let mac = self.key.mac(&message.each_ref().map(Vec::as_slice));
        let id: i64 = diesel::insert_into(audit_checkpoints::table)
            .values(&NewCheckpoint {
                links,
                head: &head,
                reason: reason.as_str(),
                created_at,
                key_id: self.key.id(),
                mac: &mac,
            })
            .returning(audit_checkpoints::id)
            .get_result(conn)?;
        Ok(Taken {
            reference: CheckpointRef {
                id,
                events: links,
                at: created_at,
            },
            known: Known { id, mac },
            head,
            reason,
        })
    }

    /// Chains every event not sealed yet, in id order, up to the final horizon (before a
    /// verification, at shutdown). Returns how many were sealed.
    pub fn seal_pending(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        let Some(horizon) = final_horizon(conn)? else {
            return Ok(0);
        };
        let mut sealed = 0;
        loop {
            let batch = self.seal_batch(conn, horizon, Wait::ForOtherSealer)?;
            sealed += batch;
            if batch < SEAL_BATCH as usize {
                return Ok(sealed);
            }
        }
    }

    /// One batch of `seal_pending`, for the periodic sealer: a backlog (after a bulk
    /// import, or an outage) is worked off at `SEAL_BATCH` a pass rather than in one long
    /// burst that would take the database from the requests.
    pub fn seal_next_batch(&self, conn: &mut PgConnection) -> QueryResult<usize> {
        match final_horizon(conn)? {
            Some(horizon) => self.seal_batch(conn, horizon, Wait::No),
            None => Ok(0),
        }
    }

    /// Seals up to `SEAL_BATCH` events above the last sealed one and at most `horizon`,
    /// and checkpoints the new head when there was anything to seal.
    fn seal_batch(&self, conn: &mut PgConnection, horizon: i64, wait: Wait) -> QueryResult<usize> {
        let (sealed, taken) = conn.transaction(|conn| -> QueryResult<(usize, Option<Taken>)> {
            if !seal_lock(conn, wait)? {
                return Ok((0, None));
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
            if pending.is_empty() {
                return Ok((0, None));
            }
            let mut links = Vec::with_capacity(pending.len());
            for event in &pending {
                seq += 1;
                previous = self.link(&previous, event, true);
                links.push(NewLink {
                    seq,
                    event_id: event.id,
                    hash: previous.clone(),
                    keyed: true,
                });
            }
            let sealed = diesel::insert_into(audit_chain::table)
                .values(&links)
                .execute(conn)?;
            Ok((sealed, Some(self.checkpoint(conn, Reason::Seal)?)))
        })?;
        if let Some(taken) = taken {
            self.record(&taken);
        }
        Ok(sealed)
    }

    /// Seals what is pending and checkpoints the head, then recomputes the whole chain:
    /// every link must match its event and predecessor with no gaps, every checkpoint must
    /// carry a valid signature over its predecessor and match the chain at its length,
    /// and the newest checkpoint this process knows of must still be there.
    pub fn verify(&self, conn: &mut PgConnection) -> QueryResult<Verification> {
        self.seal_pending(conn)?;
        let taken = conn.transaction(|conn| {
            seal_lock(conn, Wait::ForOtherSealer)?;
            self.checkpoint(conn, Reason::Verify)
        })?;
        self.record(&taken);
        // Read before the snapshot starts, so whatever it names is visible in it.
        let memory = self.remembered();
        // One snapshot for the counts and the pages: a sealer committing meanwhile must
        // not make the chain look longer than the count.
        conn.build_transaction()
            .repeatable_read()
            .read_only()
            .run(|conn| {
                let mut report = Report::default();
                let links = self.verify_links(conn, &mut report)?;
                self.verify_checkpoints(conn, links, &memory, &mut report)?;
                Ok(Verification {
                    valid: report.failure.is_none(),
                    events: report.events,
                    checkpoints: report.checkpoints,
                    checkpoint: report.last_good,
                    failure: report.failure,
                })
            })
    }

    /// Recomputes every link; returns how many links the chain has.
    fn verify_links(&self, conn: &mut PgConnection, report: &mut Report) -> QueryResult<i64> {
        let links: i64 = audit_chain::table.count().get_result(conn)?;
        let mut previous = Vec::new();
        let mut expected_seq = 0;
        let mut keyed_seen = false;
        loop {
            let page: Vec<(i64, Vec<u8>, bool, StoredEvent)> = audit_chain::table
                .inner_join(audit_log::table)
                .filter(audit_chain::seq.gt(expected_seq))
                .order(audit_chain::seq.asc())
                .limit(VERIFY_PAGE)
                .select((
                    audit_chain::seq,
                    audit_chain::hash,
                    audit_chain::keyed,
                    StoredEvent::as_select(),
                ))
                .load(conn)?;
            if page.is_empty() {
                break;
            }
            for (seq, hash, keyed, event) in page {
                expected_seq += 1;
                let failure = if seq != expected_seq {
                    Some(format!("link {expected_seq} is missing"))
                } else if keyed_seen && !keyed {
                    // Once keyed, always keyed: an unkeyed link later is a forgery.
                    Some(format!("link {seq} is not keyed"))
                } else if self.link(&previous, &event, keyed) != hash {
                    Some(format!(
                        "link {seq} does not match its event or its predecessor"
                    ))
                } else {
                    time_against_order(&event)
                };
                if let Some(failure) = failure {
                    report.fail(failure);
                    return Ok(links);
                }
                keyed_seen |= keyed;
                previous = hash;
                report.events += 1;
            }
        }
        if report.events != links {
            report.fail("a link points at no event".to_owned());
        }
        Ok(links)
    }

    /// Checks each checkpoint's signature over its predecessor and that the chain still
    /// holds the head it signed.
    fn verify_checkpoints(
        &self,
        conn: &mut PgConnection,
        links: i64,
        memory: &Memory,
        report: &mut Report,
    ) -> QueryResult<()> {
        if report.failure.is_some() {
            return Ok(());
        }
        if let Some(id) = memory.gone {
            report.fail(format!("checkpoint {id}, written or seen by this instance, is gone: the newest events were removed"));
            return Ok(());
        }
        let known = memory.newest.as_ref();
        let mut previous_mac = Vec::new();
        let mut after = 0;
        let mut known_found = known.is_none();
        loop {
            let page: Vec<StoredCheckpoint> = audit_checkpoints::table
                .filter(audit_checkpoints::id.gt(after))
                .order(audit_checkpoints::id.asc())
                .limit(VERIFY_PAGE)
                .select(StoredCheckpoint::as_select())
                .load(conn)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let seqs: Vec<i64> = page.iter().map(|c| c.links).collect();
            let heads: std::collections::HashMap<i64, Vec<u8>> = audit_chain::table
                .filter(audit_chain::seq.eq_any(&seqs))
                .select((audit_chain::seq, audit_chain::hash))
                .load::<(i64, Vec<u8>)>(conn)?
                .into_iter()
                .collect();
            for checkpoint in page {
                let id = checkpoint.id;
                if checkpoint.key_id != self.key.id() {
                    report.fail(format!("checkpoint {id} was signed with another key ({}); set AUDIT_KEY_FILE to that key", checkpoint.key_id));
                    return Ok(());
                }
                let message = self.checkpoint_message(
                    &previous_mac,
                    checkpoint.links,
                    &checkpoint.head,
                    &checkpoint.reason,
                    checkpoint.created_at,
                );
                if !self
                    .key
                    .verifies(&message.each_ref().map(Vec::as_slice), &checkpoint.mac)
                {
                    report.fail(format!("checkpoint {id} is not signed by the audit key or a checkpoint before it is missing"));
                    return Ok(());
                }
                if checkpoint.links > links {
                    report.fail(format!("the chain is shorter than checkpoint {id} ({} events): events were removed", checkpoint.links));
                    return Ok(());
                }
                let head_holds = match checkpoint.links {
                    0 => checkpoint.head.is_empty(),
                    seq => heads.get(&seq) == Some(&checkpoint.head),
                };
                if !head_holds {
                    report.fail(format!(
                        "the chain no longer holds the head checkpoint {id} signed"
                    ));
                    return Ok(());
                }
                if known.is_some_and(|k| k.id == id && k.mac == checkpoint.mac) {
                    known_found = true;
                }
                report.checkpoints += 1;
                report.last_good = Some(CheckpointRef {
                    id,
                    events: checkpoint.links,
                    at: checkpoint.created_at,
                });
                previous_mac = checkpoint.mac;
            }
        }
        if !known_found {
            let id = known.map_or(0, |k| k.id);
            report.fail(format!("checkpoint {id}, written or seen by this instance, is gone: the newest checkpoints were removed"));
        }
        Ok(())
    }
}

#[derive(Default)]
struct Report {
    events: i64,
    checkpoints: i64,
    last_good: Option<CheckpointRef>,
    failure: Option<String>,
}

impl Report {
    /// Records the first failure.
    fn fail(&mut self, failure: String) {
        self.failure.get_or_insert(failure);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a pass that finds another sealer at work waits for it (a verification must see
/// everything sealed) or leaves the work to it (the periodic pass).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    ForOtherSealer,
    No,
}

/// Takes the seal lock for the transaction; false when `Wait::No` and another holds it.
fn seal_lock(conn: &mut PgConnection, wait: Wait) -> QueryResult<bool> {
    if wait == Wait::ForOtherSealer {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({SEAL_LOCK_KEY})"))
            .execute(conn)?;
        return Ok(true);
    }
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "pg_try_advisory_xact_lock({SEAL_LOCK_KEY})"
    )))
    .get_result(conn)
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
