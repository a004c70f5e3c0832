use super::TokenVerifier;
use crate::{ApiError, Role, UserId};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

/// The caller, proven by a valid access token. Taking it as a handler argument is what
/// makes an endpoint require authentication; `require` narrows it to roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthenticatedUser {
    pub id: UserId,
    pub role: Role,
    /// False only for a doctor an admin has not vetted yet (`require_approved`).
    pub approved: bool,
    /// The token's `email_verified` (false when it has none): see `EmailVerification`.
    pub email_verified: bool,
}

/// The caller of a route a patient needs a verified address for (booking, the waitlist,
/// printing): `AuthenticatedUser`, then `EmailVerification::check` with the service's app
/// data (none registered: not required).
#[derive(Debug, Clone, Copy)]
pub struct VerifiedCaller(pub AuthenticatedUser);

impl FromRequest for VerifiedCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let policy = req
            .app_data::<web::Data<EmailVerification>>()
            .map(|data| *data.get_ref())
            .unwrap_or_default();
        let caller = AuthenticatedUser::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            policy.check(&caller)?;
            Ok(VerifiedCaller(caller))
        })
    }
}

/// `EMAIL_VERIFICATION_REQUIRED` (app data of every service that enforces it): a patient
/// whose token says the address is unverified may not book, hold, wait or print; the rest
/// works. Read from the token alone, so no call to auth-service on the request path.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailVerification {
    pub required: bool,
}

impl EmailVerification {
    pub fn from_env() -> Result<Self, crate::config::ConfigError> {
        Ok(Self {
            required: crate::config::var_or("EMAIL_VERIFICATION_REQUIRED", false)?,
        })
    }

    /// 403 `email-unverified` for such a patient, when required.
    pub fn check(&self, caller: &AuthenticatedUser) -> Result<(), ApiError> {
        if self.required && caller.role == Role::Patient && !caller.email_verified {
            Err(ApiError::EmailUnverified)
        } else {
            Ok(())
        }
    }
}

impl AuthenticatedUser {
    /// 403 unless the caller has one of `allowed`.
    pub fn require(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("your role may not perform this action"))
        }
    }

    /// 403 unless the caller is vetted: an unapproved doctor may log in and edit their
    /// account, but not publish a profile or prescribe.
    pub fn require_approved(&self) -> Result<(), ApiError> {
        if self.approved {
            Ok(())
        } else {
            // The token says so as of when it was issued; an approval since then reaches
            // the next token, which a refresh fetches (contract part 3, section 16).
            Err(ApiError::Forbidden(
                "your account awaits approval by an admin; once approved, refresh your token (POST /auth/refresh) to act on it, no new sign-in needed",
            ))
        }
    }

    /// The caller's id when the caller is a patient: whose data an event about the
    /// caller's own account or session concerns.
    pub fn as_patient(&self) -> Option<UserId> {
        (self.role == Role::Patient).then_some(self.id)
    }
}

/// The raw bearer token of the request, for relaying the caller's identity to another
/// service. Only extract it next to `AuthenticatedUser`, which proves it valid.
#[derive(Clone)]
pub struct BearerToken(pub String);

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken([REDACTED])")
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

impl BearerToken {
    /// The request's bearer token; none is a 401.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        bearer_token(req)
            .map(BearerToken)
            .ok_or(ApiError::Unauthenticated(
                "a bearer access token is required",
            ))
    }
}

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::of(req))
    }
}

impl FromRequest for AuthenticatedUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let verifier = req.app_data::<web::Data<TokenVerifier>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let token = token.ok_or(ApiError::Unauthenticated(
                "a bearer access token is required",
            ))?;
            let verifier = verifier.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("no TokenVerifier registered in app data"))
            })?;
            let claims = verifier.verify(&token).await.map_err(|rejection| {
                tracing::info!(reason = %rejection, "access token refused");
                match rejection {
                    super::TokenRejection::Expired => {
                        ApiError::Unauthenticated("the access token has expired")
                    }
                    super::TokenRejection::Revoked => {
                        ApiError::Unauthenticated("the access token was revoked")
                    }
                    _ => ApiError::Unauthenticated("the access token is invalid"),
                }
            })?;
            let user = AuthenticatedUser {
                id: claims.sub,
                role: claims.role,
                approved: claims.approved(),
                email_verified: claims.email_verified == Some(true),
            };
            req.extensions_mut().insert(user);
            req.extensions_mut().insert(TokenNames {
                given_name: claims.given_name,
                family_name: claims.family_name,
                birthdate: claims.birthdate,
                gender: claims.gender,
            });
            Ok(user)
        })
    }
}

/// The caller as their access token describes them (OIDC `given_name`, `family_name`,
/// `birthdate`, `gender`), for what keeps who acted by name and tells patients apart; null
/// where the token does not say (issued before it could, or the person did not give it).
/// Taking it authenticates the caller as `AuthenticatedUser` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenNames {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub birthdate: Option<String>,
    pub gender: Option<String>,
}

impl TokenNames {
    /// `birthdate` as a date (one auth-service wrote is always `YYYY-MM-DD`).
    pub fn birth_date(&self) -> Option<chrono::NaiveDate> {
        let raw = self.birthdate.as_deref()?;
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
    }
}

impl FromRequest for TokenNames {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let known = req.extensions().get::<TokenNames>().cloned();
        let authenticated = AuthenticatedUser::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if let Some(names) = known {
                return Ok(names);
            }
            authenticated.await?;
            Ok(req
                .extensions()
                .get::<TokenNames>()
                .cloned()
                .unwrap_or_default())
        })
    }
}
