//! Each database failure a client can cause or meet, made for real on PostgreSQL, answers
//! the status its SQLSTATE calls for: the server's own errors, not strings written here.

#![expect(
    clippy::expect_used,
    reason = "a failed step should fail the test loudly, which is what a panic does"
)]

use actix_web::ResponseError;
use common::ApiError;
use common::sqlstate::SqlState;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;
use diesel::sql_types::Text;
use test_support::db::TestDatabase;

/// The error `sql` ends with on `conn`.
fn failure(conn: &mut PgConnection, sql: &str) -> diesel::result::Error {
    diesel::sql_query(sql)
        .execute(conn)
        .expect_err("the statement fails")
}

fn answer(error: diesel::result::Error) -> (Option<SqlState>, u16) {
    let state = SqlState::of(&error);
    (state, ApiError::from(error).status_code().as_u16())
}

#[test]
fn a_statement_timeout_is_57014_and_answers_503() {
    let db = TestDatabase::create_empty();
    let mut conn = db.connect();
    diesel::sql_query("SET statement_timeout = 50")
        .execute(&mut conn)
        .unwrap();
    let error = failure(&mut conn, "SELECT pg_sleep(2)");
    assert_eq!(answer(error), (Some(SqlState::QueryCanceled), 503));
}

#[test]
fn a_session_ended_by_an_administrator_answers_503() {
    let db = TestDatabase::create_empty();
    let mut victim = db.connect();
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Int4)]
        pid: i32,
    }
    let Pid { pid } = diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result(&mut victim)
        .unwrap();
    let mut admin = db.connect();
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
        .execute(&mut admin)
        .unwrap();
    let (state, status) = answer(failure(&mut victim, "SELECT 1"));
    assert!(
        matches!(
            state,
            Some(SqlState::AdminShutdown | SqlState::ConnectionException)
        ),
        "{state:?}"
    );
    assert_eq!(status, 503);
}

#[test]
fn a_nul_in_text_is_22021_and_a_nul_escape_in_json_22p05_both_answer_400() {
    let db = TestDatabase::create_empty();
    let mut conn = db.connect();
    let nul = diesel::sql_query("SELECT $1 AS t")
        .bind::<Text, _>("a\0b")
        .execute(&mut conn)
        .expect_err("PostgreSQL cannot hold a NUL");
    assert_eq!(answer(nul), (Some(SqlState::CharacterNotInRepertoire), 400));
    let json = failure(&mut conn, r#"SELECT '"\u0000"'::jsonb ->> 0"#);
    assert_eq!(answer(json), (Some(SqlState::UntranslatableCharacter), 400));
}

#[test]
fn a_unique_violation_is_409_and_an_unnamed_state_stays_a_500() {
    let db = TestDatabase::create_empty();
    let mut conn = db.connect();
    diesel::sql_query("CREATE TABLE t (k text PRIMARY KEY)")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO t VALUES ('a')")
        .execute(&mut conn)
        .unwrap();
    let duplicate = failure(&mut conn, "INSERT INTO t VALUES ('a')");
    assert_eq!(answer(duplicate), (Some(SqlState::UniqueViolation), 409));
    // 42P01 undefined_table: a bug of ours, so a 500 whose cause goes to the log.
    let missing = failure(&mut conn, "SELECT * FROM no_such_table");
    assert_eq!(answer(missing), (None, 500));
}
