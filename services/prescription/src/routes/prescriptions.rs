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
use common::audit::{AuditContext, Outcome, PatientOfRequest, store as audit_store};
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
    let fingerprint = idempotency::fingerprint(SERVICE_NAME.as_bytes(), &body);
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
    let (stored, replayed) = with_conn(&pool, move |conn| {
        conn.transaction::<_, ApiError, _>(|conn| {
            if let Some((scope, key)) = &idempotency {
                match idempotency::begin(conn, scope, key, &fingerprint)? {
                    Lookup::Replay(stored) => return Ok((stored, true)),
                    Lookup::Mismatch => return Err(idempotency::mismatch()),
                    Lookup::New => {}
                }
            }
            prescriptions::insert(conn, &head, &first).map_err(already_prescribed)?;
            let event = audit.event(
                Some(&caller),
                "prescription.create",
                "prescription",
                Some(head.id.to_string()),
                Some(head.patient_id),
                Outcome::Success,
            );
            audit_store::append(conn, &[event])?;
            let created = StoredResponse {
                status: 201,
                body: serde_json::to_value(PrescriptionView::at(&head, first))
                    .map_err(|e| ApiError::Internal(e.into()))?,
            };
            if let Some((scope, key)) = &idempotency {
                idempotency::record(conn, scope, key, &fingerprint, &created)?;
            }
            Ok((created, false))
        })
    })
    .await?;
    Ok(if replayed {
        stored.replay()
    } else {
        HttpResponse::Created().json(stored.body)
    })
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    offset: Option<String>,
}

/// `GET /prescriptions?limit=&offset=`: the caller's own (a doctor's: those they wrote;
/// all for admins), newest first, each as its current version.
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
