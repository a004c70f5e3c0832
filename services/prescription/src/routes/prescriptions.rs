//! `POST /prescriptions` (doctors), `GET /prescriptions` and `GET /prescriptions/{id}`
//! (its patient, its doctor, admins; anyone else gets 404).

use super::views::PrescriptionView;
use crate::SERVICE_NAME;
use crate::clients::appointments::AppointmentClient;
use crate::db::models::{Prescription, Version};
use crate::db::prescriptions;
use crate::domain::prescription::PrescriptionForm;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{SubsecRound, Utc};
use common::audit::{AuditContext, Outcome, PatientOfRequest};
use common::auth::{AuthenticatedUser, BearerToken};
use common::db::{DbPool, with_conn};
use common::http::paged;
use common::idempotency::{self, Lookup, Scope, StoredResponse};
use common::ids::PrescriptionId;
use common::middleware::RequestId;
use common::validation::{Paging, Validator};
use common::{ApiError, Role};
use diesel::Connection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Deserialize;

fn already_prescribed(error: DieselError) -> ApiError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Conflict("this appointment already has a prescription".into())
        }
        other => other.into(),
    }
}

/// `POST /prescriptions`: the appointment is read from appointment-service with the
/// doctor's token; patient and doctor come from it, never from the body. Nothing is
/// written unless that read succeeds.
#[utoipa::path(post, path = "/prescriptions", tag = "prescriptions",
    security(("bearer" = [])),
    request_body = PrescriptionForm, params(("Idempotency-Key" = Option<String>, Header, description = "Retry safely: same key and body replays the first answer")),
    responses(
        (status = 201, description = "Version 1; patient and doctor come from the appointment", body = PrescriptionView),
        (status = 400, description = "Malformed JSON or wrong content type", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role may not do this", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The appointment is missing or not this doctor's", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled or missed appointment, or already prescribed", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "appointment-service is down or too slow; nothing was written", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    appointments: web::Data<AppointmentClient>,
    caller: AuthenticatedUser,
    token: BearerToken,
    request_id: RequestId,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Doctor])?;
    let audit = AuditContext::of(&req);
    let idempotency = idempotency::key_from(&req)?.map(|key| (Scope(caller.id.to_string()), key));
    let body = body.into_inner();
    // Only a keyed request is ever compared: no canonical JSON and HMAC for the rest.
    let fingerprint = if idempotency.is_some() {
        idempotency::fingerprint(SERVICE_NAME.as_bytes(), &body)
    } else {
        Vec::new()
    };
    let form: PrescriptionForm = serde_json::from_value(body)
        .map_err(|e| ApiError::validation("body", format!("unexpected shape: {e}")))?;
    let prescription = form.validate()?;

    // A retry is answered from the record, without asking appointment-service again.
    if let Some((scope, key)) = idempotency.clone() {
        let fingerprint = fingerprint.clone();
        match with_conn(&pool, move |conn| {
            Ok(idempotency::peek(conn, &scope, &key, &fingerprint)?)
        })
        .await?
        {
            Lookup::Replay(stored) => return Ok(stored.replay()),
            Lookup::Mismatch => return Err(idempotency::mismatch()),
            Lookup::New => {}
        }
    }

    let appointment = appointments
        .fetch(prescription.appointment_id, &token, &request_id)
        .await?;
    if appointment.doctor_id != caller.id {
        return Err(ApiError::NotFound("appointment"));
    }
    if !appointment.took_place_or_will() {
        return Err(ApiError::Conflict(format!(
            "a {} appointment cannot be prescribed for",
            appointment.status
        )));
    }

    // PostgreSQL keeps microseconds; the answer must equal what a later read returns.
    let now = Utc::now().trunc_subsecs(6);
    let head = Prescription {
        id: PrescriptionId::new(),
        appointment_id: appointment.id,
        doctor_id: appointment.doctor_id,
        patient_id: appointment.patient_id,
        status: "active".into(),
        current_version: 1,
        created_at: now,
        updated_at: now,
    };
    let first = Version {
        prescription_id: head.id,
        version: 1,
        notes: prescription.notes,
        medicines: serde_json::to_value(&prescription.medicines)
            .map_err(|e| ApiError::Internal(e.into()))?,
        created_at: now,
    };
    let keyed = idempotency.is_some();
    let work = move |conn: &mut diesel::PgConnection| -> Result<(StoredResponse, bool), ApiError> {
        if let Some((scope, key)) = &idempotency {
            match idempotency::begin(conn, scope, key, &fingerprint)? {
                Lookup::Replay(stored) => return Ok((stored, true)),
                Lookup::Mismatch => return Err(idempotency::mismatch()),
                Lookup::New => {}
            }
        }
        let event = audit.event(
            Some(&caller),
            "prescription.create",
            "prescription",
            Some(head.id.to_string()),
            Some(head.patient_id),
            Outcome::Success,
        );
        prescriptions::insert_audited(conn, &head, &first, &event).map_err(already_prescribed)?;
        let created = StoredResponse {
            status: 201,
            body: serde_json::to_value(PrescriptionView::at(&head, first))
                .map_err(|e| ApiError::Internal(e.into()))?,
        };
        if let Some((scope, key)) = &idempotency {
            idempotency::record(conn, scope, key, &fingerprint, &created)?;
        }
        Ok((created, false))
    };
    // Without a key the write is one atomic statement; with a key, the key's record must
    // commit with it.
    let (stored, replayed) = with_conn(&pool, move |conn| {
        if keyed {
            conn.transaction(work)
        } else {
            work(conn)
        }
    })
    .await?;
    Ok(if replayed {
        stored.replay()
    } else {
        HttpResponse::Created().json(stored.body)
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>)]
    offset: Option<String>,
}

/// `GET /prescriptions?limit=&offset=`: the caller's own (a doctor's: those they wrote;
/// all for admins), newest first, each as its current version.
#[utoipa::path(get, path = "/prescriptions", tag = "prescriptions",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Newest first, each as its current version; the total before paging in X-Total-Count", body = Vec<PrescriptionView>),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named in errors", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref())
        .ok_or_else(|| v.into_error())?;
    let visibility = caller.visibility();
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(prescriptions::list(conn, visibility, paging)?)
    })
    .await?;
    let views: Vec<PrescriptionView> = items
        .into_iter()
        .map(|(head, version)| PrescriptionView::at(&head, version))
        .collect();
    Ok(paged(&views, total))
}

/// `GET /prescriptions/{id}`: its current version.
#[utoipa::path(get, path = "/prescriptions/{id}", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The current version", body = PrescriptionView),
        (status = 401, description = "Missing, invalid or expired access token", body = common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Missing, or not the caller's", body = common::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    id: web::Path<PrescriptionId>,
) -> Result<web::Json<PrescriptionView>, ApiError> {
    let id = id.into_inner();
    let visibility = caller.visibility();
    let view = with_conn(&pool, move |conn| {
        let head = prescriptions::find_visible(conn, id, visibility, false)?
            .ok_or(ApiError::NotFound("prescription"))?;
        let current = prescriptions::version(conn, id, head.current_version)?;
        Ok(PrescriptionView::at(&head, current))
    })
    .await?;
    PatientOfRequest::note(&req, view.patient_id);
    Ok(web::Json(view))
}
