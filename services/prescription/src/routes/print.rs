//! The printable page: `GET /prescriptions/{id}/pdf`, or `GET /prescriptions/{id}` with
//! `Accept: application/pdf`. Read and audited as the JSON is (one read, one audit
//! event); only the answer differs.

use super::views::PrescriptionView;
use crate::pdf;
use actix_web::mime;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use common::auth::VerifiedCaller;
use common::db::DbPool;
use common::ids::PrescriptionId;
use common::problem_responses::{NotFound, Unauthenticated};

/// `GET /prescriptions/{id}/pdf`. Declared as `application/pdf` and, for generic clients
/// (openapi-python-client reads no other binary type without configuration), as
/// `application/octet-stream`, which it answers when `Accept` prefers it.
#[utoipa::path(get, path = "/prescriptions/{id}/pdf", operation_id = "get_prescription_pdf", tag = "prescriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The current version as a one-page PDF: names, date, medicines with dosage, route, quantity and refills, status, version, and a QR code of the verify URL", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "application/octet-stream"))),
        Unauthenticated,
        NotFound))]
pub async fn pdf(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    VerifiedCaller(caller): VerifiedCaller,
    id: web::Path<PrescriptionId>,
) -> Result<HttpResponse, ApiError> {
    let view = super::prescriptions::current_view(&req, &pool, &caller, id.into_inner()).await?;
    pdf_response(&req, view).await
}

/// Whether the client prefers a PDF to JSON (`Accept: application/pdf`, or it ranked above
/// `application/json`).
pub fn wants_pdf(req: &HttpRequest) -> bool {
    common::negotiation::prefers(req, &mime::APPLICATION_PDF, &mime::APPLICATION_JSON)
}

/// The PDF answer for `view`; its QR code sends a pharmacy to the verify URL under
/// `PUBLIC_BASE_URL` (else the address this request came to).
pub async fn pdf_response(
    req: &HttpRequest,
    view: PrescriptionView,
) -> Result<HttpResponse, ApiError> {
    let base = common::http::public_base(req);
    let verify_url = format!(
        "{base}/prescriptions/{}/verify?version={}",
        view.id, view.version
    );
    let id = view.id;
    // Laying out and subsetting the fonts takes milliseconds of CPU: off the workers.
    let page = web::block(move || pdf::render(&view, &verify_url))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("rendering the PDF: {e}")))?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("rendering the PDF: {e}")))?;
    let media_type = if common::negotiation::prefers(
        req,
        &mime::APPLICATION_OCTET_STREAM,
        &mime::APPLICATION_PDF,
    ) {
        mime::APPLICATION_OCTET_STREAM
    } else {
        mime::APPLICATION_PDF
    };
    Ok(HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"prescription-{id}.pdf\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(page))
}
