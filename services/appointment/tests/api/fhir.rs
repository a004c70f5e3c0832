//! FHIR R4 on appointment-service: Appointments under the native visibility, free Slots
//! that are the native listing's, a doctor's Schedule and the directory as
//! PractitionerRoles, all valid R4, with OperationOutcomes for errors.

use crate::helpers::*;
use chrono::{Duration, Weekday};
use common::Role;
use serde_json::Value;
use test_support::fhir::{assert_outcome, assert_resource, entries};

#[tokio::test]
async fn the_capability_statement_lists_the_four_resource_types_to_anyone() {
    let app = spawn_app().await;

    let types = test_support::fhir::capability_types(&app).await;

    assert_eq!(
        types,
        ["Appointment", "Slot", "Schedule", "PractitionerRole"]
    );
}

#[tokio::test]
async fn an_appointment_reads_as_valid_r4_for_its_patient_and_doctor_only() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = named_caller(Role::Patient, "Pat", "Lee");
    let start = at(next(Weekday::Mon), "10:00");
    let id = app.booked(&patient, doctor.id, start).await;
    let path = format!("/fhir/Appointment/{id}");

    let own = assert_resource(app.get(&path, &patient).await, "Appointment").await;
    let as_doctor = app.get(&path, &doctor).await;
    let stranger = app.get(&path, &caller(Role::Patient)).await;

    assert_eq!(own["status"], "booked");
    assert_eq!(own["start"], rfc3339(start));
    assert_eq!(own["end"], rfc3339(start + Duration::minutes(30)));
    assert_eq!(own["minutesDuration"], 30);
    assert_eq!(
        own["participant"][0]["actor"]["reference"],
        format!("http://127.0.0.1:9/fhir/Patient/{}", patient.id)
    );
    assert_eq!(own["participant"][0]["actor"]["display"], "Pat Lee");
    assert_eq!(
        own["participant"][1]["actor"]["reference"],
        format!("http://127.0.0.1:9/fhir/Practitioner/{}", doctor.id)
    );
    assert_eq!(as_doctor.status(), 200);
    assert_eq!(assert_outcome(stranger, 404).await, "not-found");
    let events = app.audit_events(&format!("?actor_id={}", patient.id)).await;
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "appointment.read" && e["resource_id"] == id.as_str())
    );
}

#[tokio::test]
async fn a_hold_is_pending_and_a_cancelled_visit_says_why() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let day = next(Weekday::Tue);
    let held = app.hold(&patient, doctor.id, at(day, "09:00")).await;
    assert_eq!(held.status(), 201);
    let held: Value = held.json().await.unwrap();
    let booked = app.booked(&patient, doctor.id, at(day, "11:00")).await;
    let cancel = serde_json::json!({ "reason": "feeling better" });
    let cancelled = app
        .client
        .delete(app.url(&format!("/appointments/{booked}")))
        .bearer_auth(&patient.token)
        .json(&cancel)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);

    let pending = app
        .get(
            &format!("/fhir/Appointment/{}", held["id"].as_str().unwrap()),
            &patient,
        )
        .await;
    let ended = app
        .get(&format!("/fhir/Appointment/{booked}"), &patient)
        .await;

    assert_eq!(
        assert_resource(pending, "Appointment").await["status"],
        "pending"
    );
    let ended = assert_resource(ended, "Appointment").await;
    assert_eq!(ended["status"], "cancelled");
    assert_eq!(ended["cancelationReason"]["text"], "feeling better");
}

#[tokio::test]
async fn an_appointment_search_filters_by_date_status_and_people_and_pages() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let patient = caller(Role::Patient);
    let monday = next(Weekday::Mon);
    app.booked(&patient, doctor.id, at(monday, "10:00")).await;
    app.booked(&patient, doctor.id, at(monday + Duration::days(1), "10:00"))
        .await;
    let other = caller(Role::Patient);
    app.booked(&other, doctor.id, at(monday, "11:00")).await;
    let one_day = format!(
        "/fhir/Appointment?date=ge{monday}&date=lt{}",
        monday + Duration::days(1)
    );

    let mine = assert_resource(
        app.get("/fhir/Appointment?_count=1", &patient).await,
        "Bundle",
    )
    .await;
    let counted = assert_resource(
        app.get("/fhir/Appointment?_count=0", &patient).await,
        "Bundle",
    )
    .await;
    assert_eq!(counted["total"], 2, "_count=0 answers the total alone");
    assert!(counted.get("entry").is_none(), "{counted}");
    let mine_that_day = assert_resource(app.get(&one_day, &patient).await, "Bundle").await;
    let doctors_that_day = assert_resource(app.get(&one_day, &doctor).await, "Bundle").await;
    let others = format!("/fhir/Appointment?patient=Patient/{}", other.id);
    let not_mine = assert_resource(app.get(&others, &patient).await, "Bundle").await;
    let pending = assert_resource(
        app.get("/fhir/Appointment?status=pending", &patient).await,
        "Bundle",
    )
    .await;
    let practitioner = format!(
        "/fhir/Appointment?practitioner=Practitioner/{}&patient={}",
        doctor.id, other.id
    );
    let as_admin = app.get(&practitioner, &caller(Role::Admin)).await;
    let as_admin = assert_resource(as_admin, "Bundle").await;

    assert_eq!(mine["total"], 2);
    assert_eq!(entries(&mine).len(), 1);
    assert!(
        mine["link"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["relation"] == "next")
    );
    assert_eq!(mine_that_day["total"], 1);
    assert_eq!(doctors_that_day["total"], 2);
    assert_eq!(
        not_mine["total"], 0,
        "another patient's are not this patient's to find"
    );
    assert_eq!(pending["total"], 0);
    assert_eq!(as_admin["total"], 1);
    assert_eq!(
        entries(&as_admin)[0]["participant"][0]["actor"]["reference"],
        format!("http://127.0.0.1:9/fhir/Patient/{}", other.id)
    );
}

#[tokio::test]
async fn bad_search_values_are_422_outcomes_naming_the_parameter() {
    let app = spawn_app().await;
    let patient = caller(Role::Patient);

    for (query, parameter) in [
        ("date=ge-tomorrow", "date"),
        ("status=arrived-late", "status"),
        ("practitioner=Patient/x", "practitioner"),
        ("_offset=-1", "_offset"),
    ] {
        let res = app
            .get(&format!("/fhir/Appointment?{query}"), &patient)
            .await;
        assert_eq!(res.status(), 422, "{query}");
        let outcome: Value = res.json().await.unwrap();
        assert_eq!(outcome["issue"][0]["expression"][0], parameter, "{query}");
        test_support::fhir::assert_valid_r4(&[&outcome]);
    }
}

#[tokio::test]
async fn free_slots_are_the_native_listings_and_a_booked_one_is_gone() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let day = next(Weekday::Wed);
    app.booked(&caller(Role::Patient), doctor.id, at(day, "09:30"))
        .await;
    let search = format!(
        "/fhir/Slot?schedule=Schedule/{}&start=ge{day}&start=lt{}&_count=200",
        doctor.id,
        day + Duration::days(1)
    );

    let res = app.client.get(app.url(&search)).send().await.unwrap();

    let bundle = assert_resource(res, "Bundle").await;
    let native: Vec<Value> = app.slots(doctor.id, day).await;
    let starts: Vec<Value> = entries(&bundle)
        .iter()
        .map(|s| s["start"].clone())
        .collect();
    let native_starts: Vec<Value> = native.iter().map(|s| s["start"].clone()).collect();
    assert_eq!(starts, native_starts);
    assert_eq!(bundle["total"], native.len());
    assert!(!starts.contains(&Value::from(rfc3339(at(day, "09:30")))));
    let slot = &entries(&bundle)[0];
    assert_eq!(slot["status"], "free");
    assert_eq!(
        slot["schedule"]["reference"],
        format!("Schedule/{}", doctor.id)
    );
}

#[tokio::test]
async fn a_slot_search_needs_a_known_schedule_and_serves_only_free_slots() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    let get = |path: String| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap() }
    };

    let without = get("/fhir/Slot".to_owned()).await;
    let unknown = get(format!(
        "/fhir/Slot?schedule=Schedule/{}",
        uuid::Uuid::new_v4()
    ))
    .await;
    let busy = get(format!("/fhir/Slot?schedule={}&status=busy", doctor.id)).await;
    let too_long = get(format!(
        "/fhir/Slot?schedule={}&start=ge{}&start=lt{}",
        doctor.id,
        next(Weekday::Mon),
        next(Weekday::Mon) + Duration::days(40)
    ))
    .await;

    assert_eq!(assert_outcome(without, 422).await, "invalid");
    assert_eq!(assert_outcome(unknown, 404).await, "not-found");
    assert_eq!(assert_resource(busy, "Bundle").await["total"], 0);
    assert_eq!(assert_outcome(too_long, 422).await, "invalid");
}

#[tokio::test]
async fn a_doctors_schedule_and_the_directory_as_practitioner_roles_are_public() {
    let app = spawn_app().await;
    let doctor = app.seed_doctor(Hours::default());
    app.seed_doctor_named(
        Hours::default(),
        "James",
        "Wilson",
        "Oncology",
        Some("Boston"),
    );

    let schedule = app
        .client
        .get(app.url(&format!("/fhir/Schedule/{}", doctor.id)))
        .send()
        .await
        .unwrap();
    let missing = app
        .client
        .get(app.url(&format!("/fhir/Schedule/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    let roles = app
        .client
        .get(app.url("/fhir/PractitionerRole?specialty=diag"))
        .send()
        .await
        .unwrap();
    let in_boston = app
        .client
        .get(app.url("/fhir/PractitionerRole?location=boston"))
        .send()
        .await
        .unwrap();

    let schedule = assert_resource(schedule, "Schedule").await;
    assert_eq!(schedule["id"], doctor.id.to_string());
    assert_eq!(
        schedule["actor"][0]["reference"],
        format!("http://127.0.0.1:9/fhir/Practitioner/{}", doctor.id)
    );
    assert_eq!(schedule["actor"][0]["display"], "Gregory House");
    assert_eq!(assert_outcome(missing, 404).await, "not-found");
    let roles = assert_resource(roles, "Bundle").await;
    assert_eq!(roles["total"], 1);
    let role = &entries(&roles)[0];
    assert_eq!(
        role["practitioner"]["reference"],
        format!("http://127.0.0.1:9/fhir/Practitioner/{}", doctor.id)
    );
    assert_eq!(role["specialty"][0]["text"], "Diagnostics");
    assert_eq!(role["location"][0]["display"], "Princeton");
    assert_eq!(
        role["availableTime"][0]["daysOfWeek"],
        serde_json::json!(["mon", "tue", "wed", "thu", "fri"])
    );
    let in_boston = assert_resource(in_boston, "Bundle").await;
    assert_eq!(in_boston["total"], 1);
    assert_eq!(entries(&in_boston)[0]["specialty"][0]["text"], "Oncology");
}

/// fhirpy as an integrator uses it: `count()` (which sends `_count=0`), then each
/// participant of the Appointment followed from its reference alone, to auth-service.
const FHIRPY_ACROSS_SERVICES: &str = r#"
import sys
from fhirpy import SyncFHIRClient
appointments_base, token = sys.argv[1:3]
authorization = "Bearer " + token
client = SyncFHIRClient(appointments_base, authorization=authorization)
assert client.resources("Appointment").count() == 1
appointment = client.resources("Appointment").first()
for participant in appointment["participant"]:
    base, kind, id = participant["actor"].reference.rsplit("/", 2)
    owner = SyncFHIRClient(base, authorization=authorization)
    resource = owner.reference(kind, id).to_resource()
    assert resource["resourceType"] == kind and resource["id"] == id, resource
    print(kind, resource["name"][0]["family"])
"#;

#[tokio::test]
async fn fhirpy_counts_appointments_and_follows_their_references_to_auth_service() {
    let auth = start_auth().await;
    let auth_url = auth.address.clone();
    let app = spawn_app_with(|s| {
        s.fhir_references = common::fhir::references::ReferenceBases::default()
            .served_by(&auth_url, common::fhir::references::AUTH_SERVICE_KINDS);
    })
    .await;
    let doctor = auth.user("doctor", "Jürgen", "Müller").await;
    let patient = auth.user("patient", "Anna", "Schäfer").await;
    app.seed_profile_of(
        &doctor,
        Hours::default(),
        "Jürgen",
        "Müller",
        "Cardiology",
        Some("Köln Süd"),
    );
    app.booked(&patient, doctor.id, at(next(Weekday::Wed), "10:00"))
        .await;

    let printed = test_support::python::run_script(
        FHIRPY_ACROSS_SERVICES,
        vec![app.url("/fhir"), patient.token.clone()],
    )
    .await;

    assert_eq!(printed, "Patient Schäfer\nPractitioner Müller\n");
}
