//! Who may read an account as a FHIR resource. A caller who may not is told it does not
//! exist (404), like anywhere else.

use common::{Role, UserId};

/// An account read as a `Patient`: only a patient's, by that patient or an admin.
pub fn may_read_as_patient(caller: UserId, caller_role: Role, owner: UserId, role: Role) -> bool {
    role == Role::Patient && (caller == owner || caller_role == Role::Admin)
}

/// An account read as a `Practitioner` (a name, public): a doctor an admin has vetted. A
/// disabled one stays readable, since what they wrote still names them.
pub fn is_public_practitioner(role: Role, approved: bool) -> bool {
    role == Role::Doctor && approved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patient_reads_only_themselves_and_an_admin_any_patient() {
        let (me, other) = (UserId::new(), UserId::new());
        assert!(may_read_as_patient(me, Role::Patient, me, Role::Patient));
        assert!(!may_read_as_patient(
            me,
            Role::Patient,
            other,
            Role::Patient
        ));
        assert!(!may_read_as_patient(me, Role::Doctor, other, Role::Patient));
        assert!(may_read_as_patient(me, Role::Admin, other, Role::Patient));
        assert!(!may_read_as_patient(me, Role::Admin, other, Role::Doctor));
    }

    #[test]
    fn only_vetted_doctors_are_practitioners() {
        assert!(is_public_practitioner(Role::Doctor, true));
        assert!(!is_public_practitioner(Role::Doctor, false));
        assert!(!is_public_practitioner(Role::Patient, true));
    }
}
