//! Which SQLSTATE a failed statement ended with, the one thing an error's answer is decided
//! by (`ApiError::from`).
//!
//! diesel 2.3 reads the SQLSTATE of every error but passes on only a `DatabaseErrorKind` for
//! the classes it names (constraint violations, serialization failures, read-only
//! transactions, lost connections) and `Unknown` for the rest, with PostgreSQL's message but
//! not its code (diesel-rs/diesel#4290 adds the code to a later release). The few states
//! outside diesel's list that a caller must not see as a 500 are recovered here from the
//! primary message PostgreSQL sends with each, and from nowhere else. Those messages are
//! the server's untranslated ones: `untranslated_messages` tells at startup whether the
//! server's `lc_messages` keeps them so.

use diesel::result::{DatabaseErrorKind as Kind, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlState {
    /// 23505
    UniqueViolation,
    /// 23503
    ForeignKeyViolation,
    /// 23502
    NotNullViolation,
    /// 23514
    CheckViolation,
    /// 23P01: an exclusion constraint (overlapping bookings).
    ExclusionViolation,
    /// 40001
    SerializationFailure,
    /// 25006
    ReadOnlyTransaction,
    /// 57014: here always the statement timeout set on every pooled connection.
    QueryCanceled,
    /// 57P01: an administrator ended the session.
    AdminShutdown,
    /// 57P02: another backend crashed and the server reset every session.
    CrashShutdown,
    /// 57P03: the server is starting, stopping or recovering.
    CannotConnectNow,
    /// 57P05: the server's `idle_session_timeout` ended a pooled connection's session.
    IdleSessionTimeout,
    /// 25P03: the server's `idle_in_transaction_session_timeout` ended the session.
    IdleInTransactionSessionTimeout,
    /// 22021: bytes that are not text in the database's encoding (a NUL).
    CharacterNotInRepertoire,
    /// 22P05: JSON text PostgreSQL cannot store (`\u0000`).
    UntranslatableCharacter,
    /// Class 08, or libpq's own report that the socket closed (which has no SQLSTATE).
    ConnectionException,
}

/// PostgreSQL's primary message for each state diesel leaves `Unknown`, as the server sends
/// it untranslated (`src/backend/...` in PostgreSQL 13-17 alike), and libpq's for a socket
/// that closed under a query.
const UNNAMED_BY_DIESEL: [(&str, SqlState); 9] = [
    (
        "canceling statement due to statement timeout",
        SqlState::QueryCanceled,
    ),
    (
        "terminating connection due to administrator command",
        SqlState::AdminShutdown,
    ),
    (
        "terminating connection because of crash of another server process",
        SqlState::CrashShutdown,
    ),
    (
        "terminating connection due to idle-session timeout",
        SqlState::IdleSessionTimeout,
    ),
    (
        "terminating connection due to idle-in-transaction timeout",
        SqlState::IdleInTransactionSessionTimeout,
    ),
    // starting up, shutting down, in recovery mode, not (yet) accepting connections
    ("the database system is ", SqlState::CannotConnectNow),
    (
        "invalid byte sequence for encoding",
        SqlState::CharacterNotInRepertoire,
    ),
    (
        "unsupported Unicode escape sequence",
        SqlState::UntranslatableCharacter,
    ),
    (
        "server closed the connection unexpectedly",
        SqlState::ConnectionException,
    ),
];

impl SqlState {
    /// The state `error` ended with, when it is a database error of a state this crate
    /// tells apart; `None` for every other error (not found, a bad row, an unknown state).
    pub fn of(error: &Error) -> Option<Self> {
        let Error::DatabaseError(kind, info) = error else {
            return None;
        };
        let named = match kind {
            Kind::UniqueViolation => Some(Self::UniqueViolation),
            Kind::ForeignKeyViolation => Some(Self::ForeignKeyViolation),
            Kind::NotNullViolation => Some(Self::NotNullViolation),
            Kind::CheckViolation => Some(Self::CheckViolation),
            Kind::ExclusionViolation => Some(Self::ExclusionViolation),
            Kind::SerializationFailure => Some(Self::SerializationFailure),
            Kind::ReadOnlyTransaction => Some(Self::ReadOnlyTransaction),
            Kind::ClosedConnection | Kind::UnableToSendCommand => Some(Self::ConnectionException),
            _ => None,
        };
        named.or_else(|| {
            let message = info.message();
            UNNAMED_BY_DIESEL
                .iter()
                .find(|(primary, _)| message.starts_with(primary))
                .map(|(_, state)| *state)
        })
    }

    /// The five characters PostgreSQL documents (Appendix A), for logs and tests.
    pub fn code(self) -> &'static str {
        match self {
            Self::UniqueViolation => "23505",
            Self::ForeignKeyViolation => "23503",
            Self::NotNullViolation => "23502",
            Self::CheckViolation => "23514",
            Self::ExclusionViolation => "23P01",
            Self::SerializationFailure => "40001",
            Self::ReadOnlyTransaction => "25006",
            Self::QueryCanceled => "57014",
            Self::AdminShutdown => "57P01",
            Self::CrashShutdown => "57P02",
            Self::CannotConnectNow => "57P03",
            Self::IdleSessionTimeout => "57P05",
            Self::IdleInTransactionSessionTimeout => "25P03",
            Self::CharacterNotInRepertoire => "22021",
            Self::UntranslatableCharacter => "22P05",
            Self::ConnectionException => "08006",
        }
    }

    /// The database is away or overloaded rather than the request or the code being wrong:
    /// the client may retry (503).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::QueryCanceled
                | Self::AdminShutdown
                | Self::CrashShutdown
                | Self::CannotConnectNow
                | Self::IdleSessionTimeout
                | Self::IdleInTransactionSessionTimeout
                | Self::ConnectionException
        )
    }

    /// Text the database cannot hold, sent by the client (400).
    pub fn is_unstorable_text(self) -> bool {
        matches!(
            self,
            Self::CharacterNotInRepertoire | Self::UntranslatableCharacter
        )
    }
}

/// Whether a server whose `lc_messages` is `setting` sends the untranslated messages the
/// states above are recognised by (C, POSIX, English, or unset).
pub fn untranslated_messages(setting: &str) -> bool {
    let setting = setting.trim();
    setting.is_empty()
        || setting == "C"
        || setting.starts_with("C.")
        || setting == "POSIX"
        || setting.starts_with("en_")
        || setting == "en"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(message: &str) -> Error {
        Error::DatabaseError(Kind::Unknown, Box::new(message.to_owned()))
    }

    #[test]
    fn a_kind_diesel_names_is_its_state_whatever_the_message_says() {
        let error = Error::DatabaseError(Kind::UniqueViolation, Box::new("doppelt".to_owned()));
        assert_eq!(SqlState::of(&error), Some(SqlState::UniqueViolation));
    }

    #[test]
    fn an_unknown_kind_is_recognised_by_its_primary_message_only_at_the_start() {
        let timeout = unknown("canceling statement due to statement timeout");
        assert_eq!(SqlState::of(&timeout), Some(SqlState::QueryCanceled));
        assert!(SqlState::QueryCanceled.is_transient());
        let quoted = unknown("value \"canceling statement due to statement timeout\" is odd");
        assert_eq!(SqlState::of(&quoted), None);
        assert_eq!(SqlState::of(&Error::NotFound), None);
    }

    #[test]
    fn english_and_c_locales_keep_the_messages_and_others_do_not() {
        for setting in ["", "C", "C.UTF-8", "POSIX", "en_US.UTF-8", "en"] {
            assert!(untranslated_messages(setting), "{setting}");
        }
        for setting in ["de_DE.UTF-8", "fr_FR", "ja_JP.UTF-8"] {
            assert!(!untranslated_messages(setting), "{setting}");
        }
    }
}
