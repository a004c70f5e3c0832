//! `GET /admin/stranded-appointments` (admins): upcoming visits, booked or held, with
//! doctors who may no longer be booked (approval withdrawn, account disabled), so the
//! clinic can move or cancel them.

use super::views::AppointmentView;
use crate::db::appointments::{self, ListFilter};
use crate::domain::appointment::Status;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use common::auth::{AuthenticatedUser, Visibility};
use common::db::{DbPool, with_conn};
use common::http::paged_records;
use common::problem_responses::{Forbidden, Invalid, Unauthenticated};
use common::validation::{Paging, Validator};
use common::{ApiError, Role};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StrandedQuery {
    /// 1 to 200 (default 50)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
    /// 0 or more (default 0)
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

#[utoipa::path(get, path = "/admin/stranded-appointments", operation_id = "list_stranded_appointments", tag = "admin",
    security(("bearer" = [])),
    params(StrandedQuery),
    responses(
        (status = 200, description = "Upcoming booked or held visits whose doctor may no longer be booked, by time; the total before paging in X-Total-Count", body = Vec<AppointmentView>),
        Unauthenticated, Forbidden, Invalid))]
pub async fn list(
    pool: web::Data<DbPool>,
    caller: AuthenticatedUser,
    query: web::Query<StrandedQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(&[Role::Admin])?;
    let mut v = Validator::new();
    let paging = Paging::parse(&mut v, query.limit.as_deref(), query.offset.as_deref())
        .ok_or_else(|| v.into_error())?;
    let filter = ListFilter {
        statuses: vec![Status::Booked, Status::Held],
        from: Some(Utc::now()),
        doctor_suspended: true,
        ..ListFilter::default()
    };
    let (items, total) = with_conn(&pool, move |conn| {
        Ok(appointments::list(
            conn,
            Visibility::Everything,
            &filter,
            paging,
        )?)
    })
    .await?;
    let views: Vec<AppointmentView> = items.into_iter().map(Into::into).collect();
    Ok(paged_records(&views, total, |a| a.id.to_string()))
}
