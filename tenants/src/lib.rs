//! Tenant identity and isolation.
//!
//! An establishment (organisation) is the tenant. Everything a tenant owns is reached through a
//! [`TenantScope`], which can only be built from a checked [`Membership`] or from an operator's
//! [`OperatorGrant`]: a repository function that takes a scope cannot be called for a tenant the
//! caller was never checked against.

mod provisioning;

pub use provisioning::{
    EmailListError, EstablishmentKind, InvalidEmail, Uai, UaiError, campaign_code, invitation_code,
    is_valid_email, normalize_campaign_code, normalize_email, parse_email_list,
};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id of an establishment, the unit of isolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub Uuid);

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A member's role in an establishment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    #[serde(rename = "ADMIN")]
    Admin,
    #[serde(rename = "MEMBER")]
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Member => "MEMBER",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "ADMIN" => Some(Role::Admin),
            "MEMBER" => Some(Role::Member),
            _ => None,
        }
    }
}

/// An active membership, as read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub id: Uuid,
    pub tenant: TenantId,
    pub user_id: Uuid,
    pub role: Role,
}

/// Proof that an operator (platform staff) acts on one establishment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperatorGrant {
    pub operator_id: Uuid,
    pub tenant: TenantId,
}

/// Who acts inside a tenant scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Member {
        user_id: Uuid,
        role: Role,
    },
    Operator {
        user_id: Uuid,
    },
    /// Someone holding an invitation link: may read that invitation and join.
    Invitee {
        user_id: Option<Uuid>,
    },
    /// A student taking part in one of the establishment's campaigns: reaches the campaign
    /// (through the code registry) and their own participations only.
    /// Before signing in, a visitor of the landing page (no user).
    Participant {
        user_id: Option<Uuid>,
    },
    /// The platform itself (demo seeding, scheduled jobs).
    System,
}

/// The capability every tenant-owned query requires.
///
/// Fields are private and there is no public constructor taking a bare id: a scope comes from a
/// membership the store returned, from an operator grant, or from the platform itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantScope {
    tenant: TenantId,
    actor: Actor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this action is reserved to the establishment's administrators")]
pub struct NotAdmin;

impl TenantScope {
    pub fn for_member(membership: &Membership) -> Self {
        TenantScope {
            tenant: membership.tenant,
            actor: Actor::Member {
                user_id: membership.user_id,
                role: membership.role,
            },
        }
    }

    pub fn for_operator(grant: OperatorGrant) -> Self {
        TenantScope {
            tenant: grant.tenant,
            actor: Actor::Operator {
                user_id: grant.operator_id,
            },
        }
    }

    /// For accepting an invitation: the tenant comes from the invitation link's registry, and
    /// the invitation's code is checked before anything is written.
    pub fn for_invitee(tenant: TenantId, user_id: Option<Uuid>) -> Self {
        TenantScope {
            tenant,
            actor: Actor::Invitee { user_id },
        }
    }

    /// For a student joining or taking a campaign: the tenant comes from the campaign-code
    /// registry (or the student's own assessment), never from the request.
    pub fn for_participant(tenant: TenantId, user_id: Option<Uuid>) -> Self {
        TenantScope {
            tenant,
            actor: Actor::Participant { user_id },
        }
    }

    /// For work the platform does on its own (seeding, provisioning, jobs), never for a request.
    pub fn system(tenant: TenantId) -> Self {
        TenantScope {
            tenant,
            actor: Actor::System,
        }
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The user behind the action, if it is a person.
    pub fn user_id(&self) -> Option<Uuid> {
        match self.actor {
            Actor::Member { user_id, .. } | Actor::Operator { user_id } => Some(user_id),
            Actor::Invitee { user_id } | Actor::Participant { user_id } => user_id,
            Actor::System => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(
            self.actor,
            Actor::Member {
                role: Role::Admin,
                ..
            } | Actor::Operator { .. }
                | Actor::System
        )
    }

    pub fn require_admin(&self) -> Result<(), NotAdmin> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(NotAdmin)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership(role: Role) -> Membership {
        Membership {
            id: Uuid::now_v7(),
            tenant: TenantId(Uuid::now_v7()),
            user_id: Uuid::now_v7(),
            role,
        }
    }

    #[test]
    fn members_cannot_act_as_admins() {
        let scope = TenantScope::for_member(&membership(Role::Member));
        assert_eq!(scope.require_admin(), Err(NotAdmin));
        let scope = TenantScope::for_member(&membership(Role::Admin));
        assert_eq!(scope.require_admin(), Ok(()));
    }

    #[test]
    fn scope_keeps_the_membership_tenant() {
        let m = membership(Role::Member);
        let scope = TenantScope::for_member(&m);
        assert_eq!(scope.tenant(), m.tenant);
        assert_eq!(scope.user_id(), Some(m.user_id));
    }

    #[test]
    fn invitees_are_not_admins() {
        let scope = TenantScope::for_invitee(TenantId(Uuid::now_v7()), None);
        assert!(!scope.is_admin());
        assert_eq!(scope.user_id(), None);
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Admin, Role::Member] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("OWNER"), None);
    }
}
