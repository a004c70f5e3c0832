use crate::{Role, UserId};

/// Whose records a caller may see: patients their own, doctors those they are the doctor
/// of, admins everything, pharmacists a prescription they name by its id and nothing in
/// any list. Services apply it inside their queries, never after loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Everything,
    AsPatient(UserId),
    AsDoctor(UserId),
    /// A pharmacist: whatever a printed prescription's id names, one at a time; lists and
    /// searches answer nothing.
    ByIdOnly,
}

impl Visibility {
    pub fn of(user: UserId, role: Role) -> Self {
        match role {
            Role::Admin => Self::Everything,
            Role::Patient => Self::AsPatient(user),
            Role::Doctor => Self::AsDoctor(user),
            Role::Pharmacist => Self::ByIdOnly,
        }
    }
}

impl super::AuthenticatedUser {
    pub fn visibility(&self) -> Visibility {
        Visibility::of(self.id, self.role)
    }
}
