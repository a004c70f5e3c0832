//! Many clients at once, spread over replicas that share one database.

use futures_util::future::join_all;
use resilience::api::{self, Account};
use resilience::{Service, System};
use serde_json::json;

fn tally(statuses: &[u16]) -> (usize, usize, Vec<u16>) {
    let won = statuses.iter().filter(|s| (200..300).contains(*s)).count();
    let conflicts = statuses.iter().filter(|s| **s == 409).count();
    let other = statuses
        .iter()
        .copied()
        .filter(|s| !(200..300).contains(s) && *s != 409)
        .collect();
    (won, conflicts, other)
}

/// `count` patients, signed up eight at a time: the scene, not the race, so it should not
/// queue fifty argon2 hashes on a loaded two-core machine at once.
async fn patients(auth_url: &str, count: usize) -> Vec<Account> {
    use futures_util::StreamExt;
    futures_util::stream::iter(0..count)
        .map(|_| api::account(auth_url, "patient"))
        .buffered(8)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_patients_booking_one_slot_over_two_replicas_make_exactly_one_appointment() {
    let mut system = System::start().await;
    let replica = system.start_replica(Service::Appointment).await;
    let auth_url = system.auth.url();
    let doctor = api::doctor(&auth_url, &system.appointment.url()).await;
    let patients = patients(&auth_url, 50).await;
    let replicas = [system.appointment.url(), system.replicas[replica].url()];
    let slot = api::slot(3, 4);

    let answers = join_all(
        patients
            .iter()
            .enumerate()
            .map(|(i, patient)| api::book_idempotently(&replicas[i % 2], patient, &doctor, slot)),
    )
    .await;

    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    let (won, conflicts, other) = tally(&statuses);
    assert_eq!((won, conflicts), (1, 49), "unexpected answers: {other:?}");
    assert_eq!(
        system.count(Service::Appointment, "appointments"),
        1,
        "one row in the database"
    );
    let winner = answers.iter().find(|(status, _)| *status == 201).unwrap();
    assert_eq!(winner.1["doctor_id"], json!(doctor.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reschedules_into_one_slot_leave_exactly_one_there() {
    let mut system = System::start().await;
    let replica = system.start_replica(Service::Appointment).await;
    let auth_url = system.auth.url();
    let doctor = api::doctor(&auth_url, &system.appointment.url()).await;
    let patients = patients(&auth_url, 12).await;
    let replicas = [system.appointment.url(), system.replicas[replica].url()];
    let mut booked = Vec::new();
    for (i, patient) in patients.iter().enumerate() {
        let (status, body) =
            api::book(&replicas[0], patient, &doctor, api::slot(4, i as i64)).await;
        assert_eq!(status, 201, "{body}");
        booked.push(body["id"].as_str().unwrap().to_owned());
    }
    let target = api::slot(4, 18);

    let answers = join_all(
        patients
            .iter()
            .zip(&booked)
            .enumerate()
            .map(|(i, (patient, id))| {
                let url = format!("{}/appointments/{id}", replicas[i % 2]);
                async move {
                    api::client()
                        .put(url)
                        .bearer_auth(&patient.access_token)
                        .json(&json!({ "appointment_time": target.to_rfc3339() }))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16()
                }
            }),
    )
    .await;

    let (won, conflicts, other) = tally(&answers);
    assert_eq!((won, conflicts), (1, 11), "unexpected answers: {other:?}");
    let at_target = system.query_scalar(
        Service::Appointment,
        &format!(
            "SELECT count(*) FROM appointments WHERE appointment_time = '{}' AND status = 'booked'",
            target.to_rfc3339()
        ),
    );
    assert_eq!(at_target, "1");
    assert_eq!(system.count(Service::Appointment, "appointments"), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_over_two_replicas_have_one_winner() {
    let mut system = System::start().await;
    let replica = system.start_replica(Service::Auth).await;
    let replicas = [system.auth.url(), system.replicas[replica].url()];
    let patient = api::account(&replicas[0], "patient").await;

    let answers = join_all((0..20).map(|i| {
        let url = format!("{}/auth/refresh", replicas[i % 2]);
        let body = json!({ "refresh_token": patient.refresh_token });
        async move { api::post(&url, None, &body).await }
    }))
    .await;

    let winners: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "answers: {answers:?}");
    assert!(
        answers
            .iter()
            .all(|(status, _)| *status == 200 || *status == 401),
        "the losers are refused, nothing fails: {answers:?}"
    );
    // The winner's access token is a real one.
    let token = winners[0].1["access_token"].as_str().unwrap();
    let (status, body) = api::get(&format!("{}/users/profile", replicas[1]), Some(token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], json!(patient.id));
}
