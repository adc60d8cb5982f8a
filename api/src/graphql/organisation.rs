//! Organisations in a member's partnership: government offices (OPD), NGOs and the rest.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::Refusal;
use entity::organisation::{self, OrganisationKind, PartnershipRole};
use entity::validate;
use entity::{Problem, Problems};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, EntityTrait,
};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::errors;
use super::ids;
use super::member::Member;
use super::mutation::{
    Outcome, Receipt, Refused, UserError, duplicate_or, replay, settle, update_versioned,
    user_errors, winner_of_race,
};
use super::policy;
use crate::audit::{self, Change};
use crate::auth::Viewer;

pub const KIND: &str = "Organisation";

/// An organisation taking part in a partnership.
pub struct Organisation(pub organisation::Model);

impl Organisation {
    /// Whether the viewer may see the office contacts.
    fn contact(&self, ctx: &Context<'_>) -> bool {
        self.0.contact_public || ctx.viewer().belongs_to(self.0.member_id)
    }
}

#[Object]
impl Organisation {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    /// The member government whose partnership this is.
    async fn member(&self, ctx: &Context<'_>) -> Result<Member> {
        ctx.loaders()
            .member
            .load_one(self.0.member_id)
            .await?
            .map(Member)
            .ok_or_else(|| errors::not_found(ctx.lang()))
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Short name such as "Dinas Kominfo" or "BI".
    async fn acronym(&self) -> Option<&str> {
        self.0.acronym.as_deref()
    }
    async fn kind(&self) -> OrganisationKind {
        self.0.kind
    }
    /// Whether it speaks for government (an OPD) rather than civil society.
    async fn is_government(&self) -> bool {
        self.0.kind.is_government()
    }
    /// Its part in the partnership: EXECUTIVE (the Pemkab), WATCHDOG (NGOs), SUPPORTER.
    async fn partnership_role(&self) -> Option<PartnershipRole> {
        self.0.partnership_role
    }
    /// The office's contact e-mail: public when the organisation chose so, otherwise for the
    /// partnership's own people.
    async fn contact_email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact(ctx)
            .then_some(self.0.contact_email.as_deref())
            .flatten()
    }
    async fn contact_phone(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact(ctx)
            .then_some(self.0.contact_phone.as_deref())
            .flatten()
    }
    async fn address(&self, ctx: &Context<'_>) -> Option<&str> {
        self.contact(ctx)
            .then_some(self.0.address.as_deref())
            .flatten()
    }
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// Whether the office contacts are public.
    async fn contact_public(&self) -> bool {
        self.0.contact_public
    }
    /// Its contact people (PICs), for the partnership's own people.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<super::person::Person>> {
        use sea_orm::{ColumnTrait, QueryFilter};
        if !ctx.viewer().belongs_to(self.0.member_id) {
            return Ok(vec![]);
        }
        let memberships = entity::membership::Entity::find()
            .filter(entity::membership::Column::OrganisationId.eq(self.0.id))
            .filter(entity::membership::Column::IsContact.eq(true))
            .all(ctx.db())
            .await?;
        let people = ctx
            .loaders()
            .person
            .load_many(memberships.iter().map(|m| m.person_id))
            .await?;
        Ok(memberships
            .iter()
            .filter_map(|m| people.get(&m.person_id).cloned().map(super::person::Person))
            .collect())
    }
    /// The organisation it is part of (a *bidang* within a *dinas*).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(pid) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(pid)
            .await?
            .map(Organisation))
    }
    async fn created_at(&self) -> chrono::DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> chrono::DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases with every change; send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// An organisation by global id.
    async fn organisation(&self, ctx: &Context<'_>, id: ID) -> Result<Organisation> {
        let found = match ids::decode_as(&id, KIND) {
            Some(uuid) => ctx.loaders().organisation.load_one(uuid).await?,
            None => None,
        };
        found
            .map(Organisation)
            .ok_or_else(|| errors::not_found(ctx.lang()))
    }
}

#[derive(InputObject, Serialize)]
pub struct CreateOrganisationInput {
    /// Makes a retried request safe: the same id returns the organisation created the first time.
    pub client_mutation_id: Option<String>,
    pub member_id: ID,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: OrganisationKind,
    pub parent_id: Option<ID>,
    pub partnership_role: Option<PartnershipRole>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub website_url: Option<String>,
    /// Show the office contacts to the public (default: only to the partnership).
    #[graphql(default)]
    pub contact_public: bool,
}

#[derive(SimpleObject)]
pub struct CreateOrganisationPayload {
    pub client_mutation_id: Option<String>,
    pub organisation: Option<Organisation>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateOrganisationInput {
    pub id: ID,
    /// The version that was read; a newer one in the database means someone else changed it.
    pub version: i32,
    pub name: Option<String>,
    pub acronym: MaybeUndefined<String>,
    pub kind: Option<OrganisationKind>,
    pub parent_id: MaybeUndefined<ID>,
    pub partnership_role: MaybeUndefined<PartnershipRole>,
    pub contact_email: MaybeUndefined<String>,
    pub contact_phone: MaybeUndefined<String>,
    pub address: MaybeUndefined<String>,
    pub website_url: MaybeUndefined<String>,
    pub contact_public: Option<bool>,
}

#[derive(SimpleObject)]
pub struct UpdateOrganisationPayload {
    pub organisation: Option<Organisation>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject, Serialize)]
pub struct DeleteOrganisationInput {
    pub id: ID,
    pub version: i32,
}

#[derive(SimpleObject)]
pub struct DeleteOrganisationPayload {
    pub deleted_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Adds an organisation to a member's partnership.
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> Result<CreateOrganisationPayload> {
        let (viewer, member) = policy::authorize_in(ctx, "createOrganisation", &input.member_id)?;
        let lang = ctx.lang();
        let cmid = input.client_mutation_id.clone();
        let (organisation, user_errors) = settle(
            create(ctx, &viewer, member, &input).await,
            lang,
            Organisation,
        )?;
        Ok(CreateOrganisationPayload {
            client_mutation_id: cmid,
            organisation,
            user_errors,
        })
    }

    /// Changes an organisation; `version` must be the one that was read.
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganisationInput,
    ) -> Result<UpdateOrganisationPayload> {
        policy::gate(ctx, "updateOrganisation")?;
        let viewer = match member_of(ctx, &input.id).await? {
            Some(member) => policy::authorize(ctx, "updateOrganisation", Some(member))?,
            None => ctx.viewer(),
        };
        let (organisation, user_errors) =
            settle(update(ctx, &viewer, &input).await, ctx.lang(), Organisation)?;
        Ok(UpdateOrganisationPayload {
            organisation,
            user_errors,
        })
    }

    /// Removes an organisation that nothing refers to (one entered by mistake).
    async fn delete_organisation(
        &self,
        ctx: &Context<'_>,
        input: DeleteOrganisationInput,
    ) -> Result<DeleteOrganisationPayload> {
        policy::gate(ctx, "deleteOrganisation")?;
        let viewer = match member_of(ctx, &input.id).await? {
            Some(member) => policy::authorize(ctx, "deleteOrganisation", Some(member))?,
            None => ctx.viewer(),
        };
        let lang = ctx.lang();
        match delete(ctx, &viewer, &input).await {
            Ok(()) => Ok(DeleteOrganisationPayload {
                deleted_id: Some(input.id),
                user_errors: vec![],
            }),
            Err(Outcome::Refused(Refused(p))) => Ok(DeleteOrganisationPayload {
                deleted_id: None,
                user_errors: user_errors(p, lang),
            }),
            Err(Outcome::Raced) => Err(errors::internal("unexpected race", lang)),
            Err(Outcome::Db(e)) => Err(errors::internal(e, lang)),
        }
    }
}

/// The member an organisation belongs to (for its permission rule), if it exists.
async fn member_of(ctx: &Context<'_>, id: &ID) -> Result<Option<Uuid>> {
    Ok(match ids::decode_as(id, KIND) {
        Some(uuid) => ctx
            .loaders()
            .organisation
            .load_one(uuid)
            .await?
            .map(|o| o.member_id),
        None => None,
    })
}

fn change(
    action: &'static str,
    before: Option<&organisation::Model>,
    after: Option<&organisation::Model>,
) -> Change {
    let any = after.or(before).expect("a change has a record");
    Change::of(
        "organisation",
        KIND,
        action,
        any.id,
        Some(any.member_id),
        before,
        after,
    )
}

/// The parent must be an organisation of the same member, and not the organisation itself or
/// one below it.
async fn check_parent<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    member_id: Uuid,
    parent: Option<Uuid>,
    this: Option<Uuid>,
) -> Result<(), sea_orm::DbErr> {
    let mut next = parent;
    let mut depth = 0;
    while let Some(pid) = next {
        if Some(pid) == this {
            problems.push(&["input", "parentId"], Problem::ParentCycle);
            return Ok(());
        }
        match organisation::Entity::find_by_id(pid).one(db).await? {
            Some(p) if p.member_id == member_id => next = p.parent_id,
            _ if depth == 0 => {
                problems.push(&["input", "parentId"], Problem::NotFound);
                return Ok(());
            }
            _ => return Ok(()),
        }
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    Ok(())
}

fn decode_ref(problems: &mut Problems, field: &str, id: &ID, kind: &str) -> Option<Uuid> {
    let found = ids::decode_as(id, kind);
    if found.is_none() {
        problems.push(&["input", field], Problem::InvalidId);
    }
    found
}

async fn create(
    ctx: &Context<'_>,
    viewer: &Viewer,
    member: Uuid,
    input: &CreateOrganisationInput,
) -> Result<organisation::Model, Outcome> {
    let db = ctx.db();
    let scope = super::scope(ctx);
    let receipt = Receipt::new(
        &scope,
        "createOrganisation",
        input.client_mutation_id.as_deref(),
        input,
    )?;
    if let Some(m) = replay::<organisation::Entity>(receipt.as_ref(), db).await? {
        return Ok(m);
    }
    let mut problems = Problems::new();
    let name = problems.check(validate::required_text(
        &["input", "name"],
        &input.name,
        200,
    ));
    let acronym = problems
        .check(validate::optional_text(
            &["input", "acronym"],
            input.acronym.as_deref(),
            40,
        ))
        .flatten();
    let contacts = parse_contacts(
        &mut problems,
        present(input.contact_email.as_ref()),
        present(input.contact_phone.as_ref()),
        present(input.address.as_ref()),
        present(input.website_url.as_ref()),
    );
    let parent = input
        .parent_id
        .as_ref()
        .and_then(|p| decode_ref(&mut problems, "parentId", p, KIND));
    let id = Uuid::now_v7();
    let request_id = ctx.meta().request_id;
    let result = entity::db::write(db, async |tx| -> Result<(), Outcome> {
        if let Some(r) = &receipt {
            r.save(tx, id).await?;
        }
        {
            let mid = member;
            if entity::member::Entity::find_by_id(mid)
                .one(tx)
                .await?
                .is_none()
            {
                problems.push(&["input", "memberId"], Problem::NotFound);
            } else {
                check_parent(tx, &mut problems, mid, parent, None).await?;
            }
        }
        std::mem::take(&mut problems).into_result()?;
        let (member_id, name) = (member, name.expect("validated"));
        let now = ctx.app().clock.now();
        let row = organisation::ActiveModel {
            id: Set(id),
            member_id: Set(member_id),
            name_key: Set(validate::name_key(&name)),
            name: Set(name),
            acronym: Set(acronym),
            kind: Set(input.kind),
            parent_id: Set(parent),
            partnership_role: Set(input.partnership_role),
            contact_email: Set(contacts.email.clone().flatten()),
            contact_phone: Set(contacts.phone.clone().flatten()),
            address: Set(contacts.address.clone().flatten()),
            website_url: Set(contacts.website.clone().flatten()),
            contact_public: Set(input.contact_public),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        organisation::Entity::insert(row)
            .exec_without_returning(tx)
            .await
            .map_err(|e| duplicate_or(e, "name"))?;
        let created = organisation::Entity::find_by_id(id).one(tx).await?;
        audit::record(
            tx,
            viewer,
            Some(&request_id),
            change("CREATE", None, created.as_ref()),
            ctx.app().clock.now(),
        )
        .await?;
        Ok(())
    })
    .await;
    let id = winner_of_race(result, receipt.as_ref(), db, |()| id).await?;
    organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Outcome::Raced)
}

async fn update(
    ctx: &Context<'_>,
    viewer: &Viewer,
    input: &UpdateOrganisationInput,
) -> Result<organisation::Model, Outcome> {
    let db = ctx.db();
    let request_id = ctx.meta().request_id;
    let mut problems = Problems::new();
    let id = decode_ref(&mut problems, "id", &input.id, KIND);
    let name = input
        .name
        .as_deref()
        .and_then(|n| problems.check(validate::required_text(&["input", "name"], n, 200)));
    let acronym = match &input.acronym {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(a) => {
            problems.check(validate::optional_text(&["input", "acronym"], Some(a), 40))
        }
    };
    let parent = match &input.parent_id {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(p) => decode_ref(&mut problems, "parentId", p, KIND).map(Some),
    };
    let contacts = parse_contacts(
        &mut problems,
        super::mutation::maybe_ref(&input.contact_email),
        super::mutation::maybe_ref(&input.contact_phone),
        super::mutation::maybe_ref(&input.address),
        super::mutation::maybe_ref(&input.website_url),
    );
    let role = match input.partnership_role {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(r) => Some(Some(r)),
    };
    let Some(id) = id else {
        return Err(problems.into());
    };
    entity::db::write(db, async |tx| -> Result<organisation::Model, Outcome> {
        let Some(current) = organisation::Entity::find_by_id(id).one(tx).await? else {
            return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
        };
        if let Some(p) = parent {
            check_parent(tx, &mut problems, current.member_id, p, Some(id)).await?;
        }
        std::mem::take(&mut problems).into_result()?;
        let changes = organisation::ActiveModel {
            name_key: name
                .as_deref()
                .map(|n| Set(validate::name_key(n)))
                .unwrap_or(NotSet),
            name: name.map(Set).unwrap_or(NotSet),
            acronym: acronym.map(Set).unwrap_or(NotSet),
            kind: input.kind.map(Set).unwrap_or(NotSet),
            parent_id: parent.map(Set).unwrap_or(NotSet),
            partnership_role: role.map(Set).unwrap_or(NotSet),
            contact_email: contacts.email.clone().map(Set).unwrap_or(NotSet),
            contact_phone: contacts.phone.clone().map(Set).unwrap_or(NotSet),
            address: contacts.address.clone().map(Set).unwrap_or(NotSet),
            website_url: contacts.website.clone().map(Set).unwrap_or(NotSet),
            contact_public: input.contact_public.map(Set).unwrap_or(NotSet),
            updated_at: Set(ctx.app().clock.now()),
            ..Default::default()
        };
        let updated =
            update_versioned::<organisation::Entity, _>(tx, id, input.version, changes, "name")
                .await?;
        audit::record(
            tx,
            viewer,
            Some(&request_id),
            change("UPDATE", Some(&current), Some(&updated)),
            ctx.app().clock.now(),
        )
        .await?;
        Ok(updated)
    })
    .await
}

async fn delete(
    ctx: &Context<'_>,
    viewer: &Viewer,
    input: &DeleteOrganisationInput,
) -> Result<(), Outcome> {
    let db = ctx.db();
    let request_id = ctx.meta().request_id;
    let mut problems = Problems::new();
    let Some(id) = decode_ref(&mut problems, "id", &input.id, KIND) else {
        return Err(problems.into());
    };
    entity::db::write(db, async |tx| -> Result<(), Outcome> {
        let Some(current) = organisation::Entity::find_by_id(id).one(tx).await? else {
            return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
        };
        if current.version != input.version {
            return Err(Problems::one(
                &["input", "version"],
                Problem::StaleVersion {
                    current: current.version,
                },
            )
            .into());
        }
        match organisation::Entity::delete_by_id(id).exec(tx).await {
            Ok(_) => {
                audit::record(
                    tx,
                    viewer,
                    Some(&request_id),
                    change("DELETE", Some(&current), None),
                    ctx.app().clock.now(),
                )
                .await?;
                Ok(())
            }
            Err(e) if entity::db::is_foreign_key_violation(&e) => Err(Problems::one(
                &["input", "id"],
                Problem::Refused(Refusal::OrganisationInUse),
            )
            .into()),
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Office contacts, parsed.
struct Contacts {
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
    address: Option<Option<String>>,
    website: Option<Option<String>>,
}

fn parse_contacts(
    p: &mut Problems,
    email: MaybeUndefined<&String>,
    phone: MaybeUndefined<&String>,
    address: MaybeUndefined<&String>,
    website: MaybeUndefined<&String>,
) -> Contacts {
    let email = match email {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(e) => match super::mail::parse_address(e) {
            Some(e) => Some(Some(e)),
            None => {
                p.push(&["input", "contactEmail"], Problem::InvalidEmail);
                None
            }
        },
    };
    let phone = match phone {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => match entity::person::parse_phone(v) {
            Some(v) => Some(Some(v)),
            None => {
                p.push(
                    &["input", "contactPhone"],
                    Problem::Refused(Refusal::PhoneInvalid),
                );
                None
            }
        },
    };
    let address = match address {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(a) => {
            p.check(validate::optional_text(&["input", "address"], Some(a), 500))
        }
    };
    let website = match website {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(u) => {
            p.check(validate::optional_url(&["input", "websiteUrl"], Some(u)))
        }
    };
    Contacts {
        email,
        phone,
        address,
        website,
    }
}

fn present<T>(v: Option<&T>) -> MaybeUndefined<&T> {
    match v {
        Some(v) => MaybeUndefined::Value(v),
        None => MaybeUndefined::Undefined,
    }
}
