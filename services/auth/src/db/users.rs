use super::models::{NewUser, User};
use super::schema::users;
use chrono::Utc;
use common::validation::Paging;
use common::{Role, UserId};
use diesel::prelude::*;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

pub fn insert(conn: &mut PgConnection, user: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(User::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: UserId) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The account with this email in any case. Both sides go through PostgreSQL's `lower()`,
/// the function the unique index uses, so what registers can always log in as typed.
/// Locks the account's row until the transaction ends: what is counted per account and
/// then written (the reset mail cap) is decided by one request at a time.
pub fn lock(conn: &mut PgConnection, id: UserId) -> QueryResult<()> {
    users::table
        .find(id)
        .select(users::id)
        .for_no_key_update()
        .first::<UserId>(conn)
        .map(|_| ())
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(lower(users::email).eq(lower(email.into_sql::<diesel::sql_types::Text>())))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// `None` leaves a column; for the nullable details `Some(None)` empties it.
pub struct ProfileUpdate<'a> {
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub email_notifications: Option<bool>,
    pub birth_date: Option<Option<chrono::NaiveDate>>,
    pub sex: Option<Option<&'a str>>,
    pub phone: Option<Option<&'a str>>,
    pub email_verified: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct ProfileChangeset<'a> {
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    email: Option<&'a str>,
    email_notifications: Option<bool>,
    birth_date: Option<Option<chrono::NaiveDate>>,
    sex: Option<Option<&'a str>>,
    phone: Option<Option<&'a str>>,
    email_verified: Option<bool>,
    updated_at: chrono::DateTime<Utc>,
}

/// What an admin changes about an account.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct AccessChange {
    pub disabled: Option<bool>,
    pub role: Option<Role>,
    pub approved: Option<bool>,
}

/// Applies `change` and returns the account, locked row first (`None`: no such account).
pub fn update_access(
    conn: &mut PgConnection,
    id: UserId,
    change: &AccessChange,
) -> QueryResult<Option<User>> {
    if change.disabled.is_none() && change.role.is_none() && change.approved.is_none() {
        return find(conn, id);
    }
    diesel::update(users::table.find(id))
        .set((change.clone(), users::updated_at.eq(Utc::now())))
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
}

pub fn update_profile(
    conn: &mut PgConnection,
    id: UserId,
    update: ProfileUpdate<'_>,
) -> QueryResult<Option<User>> {
    diesel::update(users::table.find(id))
        .set(ProfileChangeset {
            first_name: update.first_name,
            last_name: update.last_name,
            email: update.email,
            email_notifications: update.email_notifications,
            birth_date: update.birth_date,
            sex: update.sex,
            phone: update.phone,
            email_verified: update.email_verified,
            updated_at: Utc::now(),
        })
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
}

pub fn set_password_hash(conn: &mut PgConnection, id: UserId, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
}

/// Which users a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub approved: Option<bool>,
}

/// A page of users (oldest first) and the total matching before paging.
pub fn list(
    conn: &mut PgConnection,
    filter: UserFilter,
    paging: Paging,
) -> QueryResult<(Vec<User>, i64)> {
    let mut page = users::table.select(User::as_select()).into_boxed();
    let mut count = users::table.count().into_boxed();
    if let Some(role) = filter.role {
        page = page.filter(users::role.eq(role));
        count = count.filter(users::role.eq(role));
    }
    if let Some(approved) = filter.approved {
        page = page.filter(users::approved.eq(approved));
        count = count.filter(users::approved.eq(approved));
    }
    let total = count.get_result(conn)?;
    let items = page
        .order((users::created_at.asc(), users::id.asc()))
        .limit(paging.limit)
        .offset(paging.offset)
        .load(conn)?;
    Ok((items, total))
}

/// Users per role, for admin analytics.
pub fn count_by_role(conn: &mut PgConnection) -> QueryResult<Vec<(Role, i64)>> {
    users::table
        .group_by(users::role)
        .select((users::role, diesel::dsl::count_star()))
        .load(conn)
}
