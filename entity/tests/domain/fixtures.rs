//! Records the tests start from, written as plain rows (the operations under test make the
//! rest).

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::event::{self, EventKind, EventStatus};
use entity::invitation::{self, Audience};
use entity::member::{self, MemberLevel};
use entity::notify::tokens::Signer;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;
use uuid::Uuid;

/// The instant the tests act at: 28 June 2018, 09.00 WIB (the Bojonegoro meeting).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 6, 28, 2, 0, 0).unwrap()
}

pub fn signer() -> Signer {
    Signer::new(b"domain-tests-only-not-a-secret-0123456789")
}

pub async fn member(db: &DatabaseConnection, slug: &str) -> member::Model {
    member::ActiveModel::from(member::Model {
        id: Uuid::now_v7(),
        slug: slug.to_owned(),
        name: "Kabupaten Bojonegoro".to_owned(),
        level: MemberLevel::Regency,
        parent_id: None,
        time_zone: "Asia/Jakarta".to_owned(),
        ogp_member_since: None,
        website_url: None,
        repository_url: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap()
}

/// A public event a week ahead with an open invitation of `capacity` seats.
pub async fn open_event(
    db: &DatabaseConnection,
    member: &member::Model,
    capacity: Option<i32>,
) -> event::Model {
    let e = event::ActiveModel::from(event::Model {
        id: Uuid::now_v7(),
        member_id: member.id,
        plan_id: None,
        kind: EventKind::CoCreationWorkshop,
        title: "Lokakarya Ko-kreasi Renaksi OGP".to_owned(),
        description: None,
        organiser_id: None,
        venue_name: Some("Kantor Bojonegoro Institute".to_owned()),
        venue_address: None,
        venue_room: None,
        online_url: None,
        starts_at: now() + Duration::days(7),
        ends_at: None,
        is_public: true,
        channel: None,
        recurrence: None,
        status: EventStatus::Planned,
        minutes: None,
        attendee_count: None,
        held_at: None,
        closed_at: None,
        sequence: 0,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap();
    invitation::ActiveModel::from(invitation::Model {
        id: Uuid::now_v7(),
        member_id: member.id,
        event_id: e.id,
        published_at: now(),
        channels: json!([]),
        audience: Audience::Open,
        capacity,
        registration_closes_at: None,
        message: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap();
    e
}

/// Rows in `E`'s table.
pub async fn count<E: EntityTrait, C: ConnectionTrait>(db: &C) -> u64
where
    E::Model: Sync,
{
    E::find().count(db).await.unwrap()
}

/// The audit records of `entity_id`, oldest first.
pub async fn audits(db: &DatabaseConnection, entity_id: Uuid) -> Vec<entity::audit_event::Model> {
    use entity::audit_event;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The templates' states of the mail recorded to `recipient`, oldest first.
pub async fn mails_to(db: &DatabaseConnection, recipient: &str) -> Vec<String> {
    use entity::mail_delivery;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    mail_delivery::Entity::find()
        .filter(mail_delivery::Column::Recipient.eq(recipient))
        .order_by_asc(mail_delivery::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            format!(
                "{}:{}",
                m.template,
                m.context["state"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// The office's account in `member`, acting: admin, secretariat and team member at once, so
/// that every rule of the member lets it through (the rules themselves are tested apart).
pub async fn team_actor(
    db: &DatabaseConnection,
    member: &member::Model,
    email: &str,
) -> entity::kernel::Actor {
    use entity::role_grant::Role;
    actor(
        db,
        email,
        false,
        member.id,
        &[Role::Admin, Role::Secretariat, Role::TeamMember],
    )
    .await
}

/// An account with `roles` in `member` (and operator of the deployment when `operator`).
pub async fn actor(
    db: &DatabaseConnection,
    email: &str,
    operator: bool,
    member: Uuid,
    roles: &[entity::role_grant::Role],
) -> entity::kernel::Actor {
    use entity::account::{self, AccountStatus};
    use entity::role_grant;
    let a = account::ActiveModel::from(account::Model {
        id: Uuid::now_v7(),
        email: email.to_owned(),
        name: "Tim Renaksi".to_owned(),
        password_hash: None,
        status: AccountStatus::Active,
        is_operator: operator,
        person_id: None,
        lang: "id".to_owned(),
        failed_logins: 0,
        locked_until: None,
        last_login_at: None,
        deactivated_at: None,
        erased_at: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap();
    for role in roles {
        role_grant::ActiveModel::from(role_grant::Model {
            id: Uuid::now_v7(),
            account_id: a.id,
            member_id: member,
            role: *role,
            granted_by: None,
            granted_at: now(),
        })
        .insert(db)
        .await
        .unwrap();
    }
    entity::kernel::Actor {
        account: Some(a),
        session_id: None,
        roles: roles.iter().map(|r| (member, *r)).collect(),
    }
}

/// A plan of `member` in co-creation, without commitments.
pub async fn plan(
    db: &DatabaseConnection,
    member: Uuid,
    title: &str,
) -> entity::action_plan::Model {
    use entity::action_plan::{self, PlanLevel, PlanStatus};
    action_plan::ActiveModel::from(action_plan::Model {
        id: Uuid::now_v7(),
        member_id: member,
        level: PlanLevel::Regional,
        part_of_id: None,
        follows_id: None,
        title: title.to_owned(),
        period_start: None,
        period_end: None,
        submission_deadline: None,
        submitted_on: None,
        document_version: None,
        status: PlanStatus::CoCreation,
        summary: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap()
}

/// A plan in co-creation with one commitment: the 2018–2020 Renaksi of `member`.
pub async fn commitment(
    db: &DatabaseConnection,
    member: &member::Model,
) -> entity::commitment::Model {
    use entity::commitment::{self, CommitmentStatus};
    let plan = plan(db, member.id, "Rencana Aksi OGP Bojonegoro 2018–2020").await;
    commitment::ActiveModel::from(commitment::Model {
        id: Uuid::now_v7(),
        member_id: member.id,
        plan_id: plan.id,
        code: Some("K1".to_owned()),
        title: "Keterbukaan informasi anggaran desa".to_owned(),
        theme: None,
        problem: None,
        baseline: None,
        objective: None,
        description: None,
        how_it_solves: None,
        ogp_values: json!([]),
        ambition: None,
        lead_organisation_id: None,
        official_in_charge: None,
        starts_on: None,
        ends_on: None,
        continues_id: None,
        status: CommitmentStatus::Draft,
        ordinal: 0,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap()
}

/// A person of `member`.
pub async fn person(
    db: &DatabaseConnection,
    member: &member::Model,
    name: &str,
) -> entity::person::Model {
    entity::person::ActiveModel::from(entity::person::Model {
        id: Uuid::now_v7(),
        member_id: member.id,
        name: name.to_owned(),
        title: None,
        organisation_id: None,
        email: None,
        phone: None,
        erased_at: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap()
}

/// An office of `member`.
pub async fn organisation(
    db: &DatabaseConnection,
    member: &member::Model,
    name: &str,
) -> entity::organisation::Model {
    use entity::organisation::{self, OrganisationKind};
    organisation::ActiveModel::from(organisation::Model {
        id: Uuid::now_v7(),
        member_id: member.id,
        name: name.to_owned(),
        name_key: name.to_lowercase(),
        acronym: None,
        kind: OrganisationKind::GovernmentOffice,
        parent_id: None,
        partnership_role: None,
        contact_email: None,
        contact_phone: None,
        address: None,
        website_url: None,
        contact_public: false,
        created_at: now(),
        updated_at: now(),
        version: 1,
    })
    .insert(db)
    .await
    .unwrap()
}
