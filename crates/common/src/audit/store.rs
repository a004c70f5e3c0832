//! Writing and reading the `audit_log` and `audit_chain` tables (created by the same
//! migration in every service; their schema is `crate::schema`).

use super::event::AuditEvent;
use crate::{Role, UserId};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

pub(crate) use crate::schema::{audit_chain, audit_checkpoints, audit_log};

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
struct NewRow<'a> {
    occurred_at: DateTime<Utc>,
    actor_id: Option<UserId>,
    actor_role: Option<&'a str>,
    action: &'a str,
    resource_type: &'a str,
    resource_id: Option<&'a str>,
    patient_id: Option<UserId>,
    outcome: &'a str,
    status: Option<i16>,
    request_id: Option<&'a str>,
    client_address: Option<&'a str>,
    returned_ids: Option<Vec<Option<&'a str>>>,
}

impl<'a> From<&'a AuditEvent> for NewRow<'a> {
    fn from(e: &'a AuditEvent) -> Self {
        Self {
            occurred_at: e.occurred_at,
            actor_id: e.actor_id,
            actor_role: e.actor_role.map(Role::as_str),
            action: &e.action,
            resource_type: &e.resource_type,
            resource_id: e.resource_id.as_deref(),
            patient_id: e.patient_id,
            outcome: e.outcome.as_str(),
            status: e.status.and_then(|s| i16::try_from(s).ok()),
            request_id: e.request_id.as_deref(),
            client_address: e.client_address.as_deref(),
            returned_ids: e
                .returned_ids
                .as_ref()
                .map(|ids| ids.iter().map(|id| Some(id.as_str())).collect()),
        }
    }
}

/// Appends events; inside a write's transaction they commit or vanish with it.
pub fn append(conn: &mut PgConnection, events: &[AuditEvent]) -> QueryResult<usize> {
    let rows: Vec<NewRow<'_>> = events.iter().map(NewRow::from).collect();
    diesel::insert_into(audit_log::table)
        .values(&rows)
        .execute(conn)
}

/// One stored event, as listed and as hashed.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct StoredEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_role: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<UserId>,
    pub outcome: String,
    pub status: Option<i16>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
    /// A list read: the ids of the records it returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub returned_ids: Option<Vec<Option<String>>>,
    /// When the database took it, stamped by the database (null for events recorded
    /// before stamping existed); `occurred_at` far from it means a forged insert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_id: Option<UserId>,
    pub resource_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn filtered<'a>(filter: &Filter) -> audit_log::BoxedQuery<'a, diesel::pg::Pg> {
    let mut query = audit_log::table.into_boxed();
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor));
    }
    // A resource was read by a request naming it, or by a list that returned it.
    if let Some(resource) = &filter.resource_id {
        query = query.filter(
            audit_log::resource_id
                .eq(resource.clone())
                .or(audit_log::returned_ids.contains(vec![Some(resource.clone())])),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::occurred_at.lt(to));
    }
    query
}

/// Newest first, with the total before paging.
pub fn list(
    conn: &mut PgConnection,
    filter: &Filter,
    paging: crate::validation::Paging,
) -> QueryResult<(Vec<StoredEvent>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .order(audit_log::id.desc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select(StoredEvent::as_select())
        .load(conn)?;
    Ok((items, total))
}
