//! Who acts: an account with its roles in members, or the public (no account). Every
//! operation is given one; the permission policy and the privacy classes ask it.

use uuid::Uuid;

use crate::account;
use crate::privacy::Class;
use crate::role_grant::Role;

/// The account an operation runs as, with its roles; anonymous when `account` is `None`.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub account: Option<account::Model>,
    pub session_id: Option<Uuid>,
    pub roles: Vec<(Uuid, Role)>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn account_id(&self) -> Option<Uuid> {
        self.account.as_ref().map(|a| a.id)
    }

    pub fn is_signed_in(&self) -> bool {
        self.account.is_some()
    }

    /// Runs the deployment (may act in every member).
    pub fn is_operator(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.is_operator)
    }

    /// The roles held in `member`.
    pub fn roles_in(&self, member: Uuid) -> impl Iterator<Item = Role> + '_ {
        self.roles
            .iter()
            .filter(move |(m, _)| *m == member)
            .map(|(_, r)| *r)
    }

    /// Holds one of `roles` in `member` (operators hold them all).
    pub fn has(&self, member: Uuid, roles: &[Role]) -> bool {
        self.is_operator() || self.roles_in(member).any(|r| roles.contains(&r))
    }

    /// Holds any role at all in `member`.
    pub fn belongs_to(&self, member: Uuid) -> bool {
        self.is_operator() || self.roles_in(member).next().is_some()
    }

    /// Whether data of `class` about `member` may be shown; `owner` is the account the data
    /// is about (people always see their own).
    pub fn may_read(&self, class: Class, member: Option<Uuid>, owner: Option<Uuid>) -> bool {
        if owner.is_some() && owner == self.account_id() && class != Class::Secret {
            return true;
        }
        match class {
            Class::Public => true,
            Class::Internal => match member {
                Some(m) => self.belongs_to(m),
                None => self.is_operator(),
            },
            Class::Personal => match member {
                Some(m) => self.has(m, &[Role::Admin, Role::Secretariat]),
                None => self.is_operator(),
            },
            Class::Secret => false,
        }
    }

    /// How the actor is shown in the audit log.
    pub fn label(&self) -> String {
        match &self.account {
            Some(a) => a.name.clone(),
            None => "publik".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_for_admins_secretariat_and_the_person() {
        let member = Uuid::now_v7();
        let me = Uuid::now_v7();
        let mut watchdog = Actor::anonymous();
        watchdog.roles.push((member, Role::Watchdog));
        assert!(watchdog.may_read(Class::Internal, Some(member), None));
        assert!(!watchdog.may_read(Class::Personal, Some(member), None));
        let mut secretariat = Actor::anonymous();
        secretariat.roles.push((member, Role::Secretariat));
        assert!(secretariat.may_read(Class::Personal, Some(member), None));
        assert!(!secretariat.may_read(Class::Personal, Some(Uuid::now_v7()), None));
        assert!(!secretariat.may_read(Class::Secret, Some(member), None));
        assert!(!Actor::anonymous().may_read(Class::Internal, Some(member), None));
        assert!(!Actor::anonymous().may_read(Class::Personal, None, Some(me)));
    }
}
