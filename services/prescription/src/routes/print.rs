//! `GET /prescriptions/{id}` with `Accept: application/pdf`: the printable page. Read and
//! audited as the JSON is (one read, one audit event); only the answer differs.

use super::views::PrescriptionView;
use crate::pdf;
use actix_web::http::header::{Accept, Header, Quality};
use actix_web::mime;
use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;

/// Whether the client prefers a PDF to JSON (`Accept: application/pdf`, or it ranked above
/// `application/json`).
pub fn wants_pdf(req: &HttpRequest) -> bool {
    let Ok(accept) = Accept::parse(req) else {
        return false;
    };
    let quality = |wanted: &mime::Mime| {
        accept
            .iter()
            .filter(|ranged| ranged.item == *wanted)
            .map(|ranged| ranged.quality)
            .max()
            .unwrap_or(Quality::ZERO)
    };
    let pdf = quality(&mime::APPLICATION_PDF);
    pdf > Quality::ZERO && pdf >= quality(&mime::APPLICATION_JSON)
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
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"prescription-{id}.pdf\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(page))
}
