//! Webhook subscriptions: what an admin registers, the target checks, and the delivery log
//! an admin reads back.

use super::EventType;
use super::schema::{outbox_events, webhook_attempts, webhook_deliveries, webhook_subscriptions};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions, check_for_backend(diesel::pg::Pg))]
pub struct Subscription {
    pub id: uuid::Uuid,
    pub url: String,
    pub events: Vec<Option<String>>,
    pub description: Option<String>,
    pub secret_sealed: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The name of a subscription the service keeps from its configuration; `None` for an
    /// admin's.
    pub kept_as: Option<String>,
}

impl Subscription {
    pub fn event_types(&self) -> Vec<String> {
        self.events.iter().flatten().cloned().collect()
    }
}

pub fn insert(
    conn: &mut PgConnection,
    url: &str,
    events: &[EventType],
    description: Option<&str>,
    secret_sealed: &[u8],
) -> QueryResult<Subscription> {
    let events: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::id.eq(uuid::Uuid::now_v7()),
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::events.eq(events),
            webhook_subscriptions::description.eq(description),
            webhook_subscriptions::secret_sealed.eq(secret_sealed),
            webhook_subscriptions::created_at.eq(Utc::now()),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
}

/// A subscription the service keeps from its configuration: its name, the variable that
/// sets its URL (shown as its description) and what it wants.
#[derive(Debug, Clone, Copy)]
pub struct Kept {
    pub name: &'static str,
    pub variable: &'static str,
    pub events: &'static [EventType],
}

/// auth-service's inbox: what e-mail is sent about.
pub const NOTIFICATIONS: Kept = Kept {
    name: "notifications",
    variable: "NOTIFICATIONS_WEBHOOK_URL",
    events: &EventType::NOTIFIED,
};

/// prescription-service's inbox: visits whose prescriptions end with them.
pub const PRESCRIPTIONS: Kept = Kept {
    name: "prescriptions",
    variable: "PRESCRIPTIONS_WEBHOOK_URL",
    events: &[
        EventType::AppointmentCancelled,
        EventType::AppointmentNoShow,
    ],
};

/// Makes sure the kept subscription `kept` exists with this URL and secret (at every
/// start; replicas starting together take turns).
pub fn keep(
    conn: &mut PgConnection,
    kept: Kept,
    url: &str,
    secret_sealed: &[u8],
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('webhook-kept-subscription'))")
            .execute(conn)?;
        let names: Vec<String> = kept.events.iter().map(|e| e.as_str().to_owned()).collect();
        let description = format!("{} (kept by the service from {})", kept.name, kept.variable);
        let updated = diesel::update(
            webhook_subscriptions::table
                .filter(webhook_subscriptions::kept_as.eq(kept.name))
                .filter(webhook_subscriptions::deleted_at.is_null()),
        )
        .set((
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::events.eq(&names),
            webhook_subscriptions::secret_sealed.eq(secret_sealed),
            webhook_subscriptions::description.eq(&description),
        ))
        .execute(conn)?;
        if updated == 0 {
            let created = insert(conn, url, kept.events, Some(&description), secret_sealed)?;
            diesel::update(webhook_subscriptions::table.find(created.id))
                .set(webhook_subscriptions::kept_as.eq(kept.name))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn list(conn: &mut PgConnection) -> QueryResult<Vec<Subscription>> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::deleted_at.is_null())
        .order(webhook_subscriptions::created_at.asc())
        .select(Subscription::as_select())
        .load(conn)
}

pub fn find(conn: &mut PgConnection, id: uuid::Uuid) -> QueryResult<Option<Subscription>> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::id.eq(id))
        .filter(webhook_subscriptions::deleted_at.is_null())
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// What `delete` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deletion {
    Deleted,
    NotFound,
    /// The service keeps it for itself (the name); only its configuration removes it.
    Kept(String),
}

/// Deleted: nothing more is sent to it (its pending deliveries are dropped), its history
/// stays. A subscription the service keeps for itself is never deleted here: without it
/// cancelled visits would leave prescriptions active and patients without mail.
pub fn delete(conn: &mut PgConnection, id: uuid::Uuid) -> QueryResult<Deletion> {
    conn.transaction(|conn| {
        let Some(found) = find(conn, id)? else {
            return Ok(Deletion::NotFound);
        };
        if let Some(kept) = found.kept_as {
            return Ok(Deletion::Kept(kept));
        }
        let deleted = diesel::update(
            webhook_subscriptions::table
                .filter(webhook_subscriptions::id.eq(id))
                .filter(webhook_subscriptions::kept_as.is_null())
                .filter(webhook_subscriptions::deleted_at.is_null()),
        )
        .set(webhook_subscriptions::deleted_at.eq(Utc::now()))
        .execute(conn)?;
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::subscription_id.eq(id))
                .filter(webhook_deliveries::status.eq("pending")),
        )
        .set(webhook_deliveries::status.eq("failed"))
        .execute(conn)?;
        Ok(if deleted > 0 {
            Deletion::Deleted
        } else {
            Deletion::NotFound
        })
    })
}

/// One attempt as the delivery log shows it (fields in the order `attempts` selects them).
#[derive(Debug, Clone, Queryable, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub event_id: uuid::Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub attempt: i32,
    /// The delivery's status now: pending (will be retried), delivered or failed
    pub status: String,
    pub response_status: Option<i16>,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

/// Every attempt to the subscription, newest first (at most `limit`).
pub fn attempts(
    conn: &mut PgConnection,
    subscription: uuid::Uuid,
    limit: i64,
) -> QueryResult<Vec<AttemptView>> {
    webhook_attempts::table
        .inner_join(webhook_deliveries::table.inner_join(outbox_events::table))
        .filter(webhook_deliveries::subscription_id.eq(subscription))
        .order((
            webhook_attempts::at.desc(),
            webhook_attempts::attempt.desc(),
        ))
        .limit(limit)
        .select((
            webhook_deliveries::event_id,
            outbox_events::type_,
            webhook_attempts::attempt,
            webhook_deliveries::status,
            webhook_attempts::response_status,
            webhook_attempts::error,
            webhook_attempts::at,
        ))
        .load(conn)
}

/// Whether a webhook may be sent to `ip`: not private, loopback, link-local (cloud
/// metadata lives at 169.254.169.254), shared, multicast, documentation or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

/// Besides loopback, unique-local, link-local, multicast and documentation space, every
/// form that embeds an IPv4 address a resolver or router may unwrap to a private one
/// (IPv4-compatible `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, 6to4 `2002::/16`,
/// Teredo `2001::/32`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`), the deprecated
/// site-local `fec0::/10`, and the discard, benchmarking and ORCHID blocks.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, third, fourth, ..] = ip.segments();
    // ::/64 holds only special forms: unspecified, loopback, IPv4-compatible, -mapped
    // and -translated.
    let embeds_ipv4 = (first, second, third, fourth) == (0, 0, 0, 0)
        || (first == 0x2002)
        || (first == 0x2001 && second == 0)
        || (first == 0x0064 && second == 0xff9b);
    !(embeds_ipv4
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || (first == 0x0100 && second == 0 && third == 0 && fourth == 0)
        || (first == 0x2001 && second == 0x0db8)
        || (first == 0x2001 && second == 0x0002 && third == 0)
        || (first == 0x2001 && (second & 0xfff0) == 0x0010)
        || (first == 0x2001 && (second & 0xfff0) == 0x0020))
}

/// A subscription's target: an absolute http(s) URL without credentials whose host
/// resolves, and (unless `allow_private`) only to public addresses.
pub async fn check_target(raw: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| "must be an absolute URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    let Some(host) = url.host_str() else {
        return Err("must name a host".into());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| "must name a host that resolves".to_owned())?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err("must name a host that resolves".into());
    }
    if !allow_private && !addresses.iter().all(|ip| is_public(*ip)) {
        return Err(
            "must not point at a private, loopback or link-local address (WEBHOOK_ALLOW_PRIVATE_URLS)"
                .into(),
        );
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_not_public() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::169.254.169.254",
            "::ffff:0:127.0.0.1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "64:ff9b:1::a00:1",
            "100::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82a::200e",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
