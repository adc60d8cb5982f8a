//! Organisations in a member's partnership: government offices (OPD), NGOs and the rest.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::organisation::{self, OrganisationKind, PartnershipRole};
use entity::{Problem, Problems};
use sea_orm::EntityTrait;
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{Create, acting};
use super::errors;
use super::ids;
use super::member::Member;
use super::mutation::{Outcome, Refused, UserError, maybe, settle, user_errors};
use super::policy;
use entity::partnership::organisation::{self as domain, OrganisationFields};

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
        let mut problems = Problems::new();
        let parent = input
            .parent_id
            .as_ref()
            .and_then(|p| decode_ref(&mut problems, "parentId", p, KIND));
        let f = OrganisationFields {
            name: Some(input.name.clone()),
            acronym: input.acronym.clone().map(Some),
            kind: Some(input.kind),
            parent: Some(parent),
            partnership_role: Some(input.partnership_role),
            contact_email: input.contact_email.clone().map(Some),
            contact_phone: input.contact_phone.clone().map(Some),
            address: input.address.clone().map(Some),
            website_url: input.website_url.clone().map(Some),
            contact_public: Some(input.contact_public),
        };
        let spec = Create {
            mutation: "createOrganisation",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, f).await
        })
        .await;
        let (organisation, user_errors) = settle(result, ctx.lang(), Organisation)?;
        Ok(CreateOrganisationPayload {
            client_mutation_id: input.client_mutation_id,
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
        let lang = ctx.lang();
        let mut problems = Problems::new();
        let id = decode_ref(&mut problems, "id", &input.id, KIND);
        let parent = match &input.parent_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(p) => decode_ref(&mut problems, "parentId", p, KIND).map(Some),
        };
        let current = match id {
            Some(id) => organisation::Entity::find_by_id(id).one(ctx.db()).await?,
            None => None,
        };
        let Some(current) = current else {
            if id.is_some() {
                problems.push(&["input", "id"], Problem::NotFound);
            }
            return Ok(UpdateOrganisationPayload {
                organisation: None,
                user_errors: user_errors(problems, lang),
            });
        };
        let viewer = policy::authorize(ctx, "updateOrganisation", Some(current.member_id))?;
        let f = OrganisationFields {
            name: input.name.clone(),
            acronym: maybe(&input.acronym),
            kind: input.kind,
            parent,
            partnership_role: maybe(&input.partnership_role),
            contact_email: maybe(&input.contact_email),
            contact_phone: maybe(&input.contact_phone),
            address: maybe(&input.address),
            website_url: maybe(&input.website_url),
            contact_public: input.contact_public,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, problems, f).await
        })
        .await;
        let (organisation, user_errors) = settle(result, lang, Organisation)?;
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
        let lang = ctx.lang();
        let mut problems = Problems::new();
        let id = decode_ref(&mut problems, "id", &input.id, KIND);
        let current = match id {
            Some(id) => organisation::Entity::find_by_id(id).one(ctx.db()).await?,
            None => None,
        };
        let Some(current) = current else {
            if id.is_some() {
                problems.push(&["input", "id"], Problem::NotFound);
            }
            return Ok(DeleteOrganisationPayload {
                deleted_id: None,
                user_errors: user_errors(problems, lang),
            });
        };
        let viewer = policy::authorize(ctx, "deleteOrganisation", Some(current.member_id))?;
        let result = acting(ctx, &viewer, async |act| {
            domain::delete(act, &current, input.version).await
        })
        .await;
        match result {
            Ok(()) => Ok(DeleteOrganisationPayload {
                deleted_id: Some(input.id),
                user_errors: vec![],
            }),
            Err(Outcome::Refused(Refused(p))) => Ok(DeleteOrganisationPayload {
                deleted_id: None,
                user_errors: user_errors(p, lang),
            }),
            Err(e) => Err(errors::not_done(e, lang)),
        }
    }
}

fn decode_ref(problems: &mut Problems, field: &str, id: &ID, kind: &str) -> Option<Uuid> {
    let found = ids::decode_as(id, kind);
    if found.is_none() {
        problems.push(&["input", field], Problem::InvalidId);
    }
    found
}
