//! Every version is signed when it is written, in its transaction, as a compact JWS
//! (EdDSA, `kid`) over its document (`domain::document`), with prescription-service's
//! own key; and verified by recomputing that document from what is stored now.

use crate::db::models::{Prescription, Version};
use crate::db::{prescriptions, signatures};
use crate::domain::document::{Person, SCHEMA, SignedVersion};
use chrono::{SubsecRound, Utc};
use common::ApiError;
use common::auth::Visibility;
use common::ids::PrescriptionId;
use common::signing_key::{KeyNames, Signer, open};
use diesel::PgConnection;

/// prescription-service's signing key: `PRESCRIPTION_SIGNING_KEY_FILE`, or generated under
/// `DATA_DIR`.
pub const KEY_NAMES: KeyNames = KeyNames {
    variable: "PRESCRIPTION_SIGNING_KEY_FILE",
    generated_file: "prescription-signing-key.pem",
};

/// The JWS `typ`: a signed document, never mistaken for an access token.
pub const SIGNATURE_TYPE: &str = "JOSE";

/// The document a version's signature covers.
pub fn document(head: &Prescription, version: &Version) -> SignedVersion {
    SignedVersion {
        schema: SCHEMA.to_owned(),
        prescription_id: head.id,
        appointment_id: head.appointment_id,
        version: version.version,
        status: version.status.0,
        status_reason: version.status_reason.clone(),
        override_reason: version.override_reason.clone(),
        patient: Person {
            id: head.patient_id,
            first_name: head.patient_first_name.clone(),
            last_name: head.patient_last_name.clone(),
        },
        doctor: Person {
            id: head.doctor_id,
            first_name: head.doctor_first_name.clone(),
            last_name: head.doctor_last_name.clone(),
        },
        notes: version.notes.clone(),
        medicines: version.medicines.0.clone(),
        created_at: head.created_at,
        written_at: version.created_at,
    }
}

/// Signs `version` and stores the signature, in the caller's transaction.
pub fn sign(
    conn: &mut PgConnection,
    signer: &Signer,
    head: &Prescription,
    version: &Version,
) -> Result<(), ApiError> {
    let jws = signer.sign(&document(head, version))?;
    signatures::insert(
        conn,
        &signatures::Signature {
            prescription_id: head.id,
            version: version.version,
            kid: signer.kid().to_owned(),
            jws,
            signed_at: Utc::now().trunc_subsecs(6),
        },
    )?;
    Ok(())
}

/// The compact JWS of the prescription's current version, if the caller may see it, and
/// its patient (for the audit).
pub fn current_jws(
    conn: &mut PgConnection,
    id: PrescriptionId,
    visibility: Visibility,
) -> Result<(common::UserId, String), ApiError> {
    let head = prescriptions::find_visible(conn, id, visibility, false)?
        .ok_or(ApiError::NotFound("prescription"))?;
    let signature = signatures::find(conn, id, head.current_version)?
        .ok_or(ApiError::NotFound("prescription signature"))?;
    Ok((head.patient_id, signature.jws))
}

/// Whether `number`'s stored signature verifies with one of the published keys and
/// covers that version exactly as it is stored now (an edited version, an edited
/// signature or a key no longer published: false), and the key it names (none when the
/// version has no signature).
pub fn check_signature(
    conn: &mut PgConnection,
    signer: &Signer,
    head: &Prescription,
    number: i32,
) -> Result<(bool, Option<String>), ApiError> {
    let version = prescriptions::version(conn, head.id, number)?;
    let Some(signature) = signatures::find(conn, head.id, number)? else {
        return Ok((false, None));
    };
    let expected = serde_json::to_value(document(head, &version)).map_err(anyhow::Error::from)?;
    let valid = open(&signature.jws, signer.published_keys())
        .is_some_and(|(kid, payload)| kid == signature.kid && payload == expected);
    Ok((valid, Some(signature.kid)))
}

/// Signs the versions written before signing existed (on start, a page at a time; replicas
/// doing it at once store one signature each, the first).
pub fn sign_unsigned(conn: &mut PgConnection, signer: &Signer) -> Result<usize, ApiError> {
    let mut signed = 0;
    loop {
        let page = signatures::unsigned(conn, 200)?;
        if page.is_empty() {
            return Ok(signed);
        }
        for (id, number) in page {
            let head = prescriptions::find_visible(conn, id, Visibility::Everything, false)?
                .ok_or(ApiError::NotFound("prescription"))?;
            let version = prescriptions::version(conn, id, number)?;
            sign(conn, signer, &head, &version)?;
            signed += 1;
        }
    }
}
