//! People in a member's partnership, their contact details (PERSONAL), the account that is
//! theirs, and erasure on request.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::privacy::{self, Class};
use entity::{Problem, Problems, account, person};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::account::{self as account_gql, Account};
use super::context::CtxExt;
use super::crud::{Create, acting};
use super::errors;
use super::ids;
use super::member::Member;
use super::mutation::{Outcome, Refused, UserError, maybe, user_errors};
use super::organisation::{self as org_gql, Organisation};
use super::pagination::{self, Conn, Page};
use super::policy;
use entity::partnership::person::{self as domain, PersonFields};

pub const KIND: &str = "Person";

pub struct Person(pub person::Model);

impl Person {
    fn reveal<T>(&self, ctx: &Context<'_>, field: &str, value: T) -> Option<T> {
        let class = privacy::class_of(KIND, field).unwrap_or(Class::Secret);
        ctx.viewer()
            .may_read(class, Some(self.0.member_id), None)
            .then_some(value)
    }
}

#[Object]
impl Person {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        if self.reveal(ctx, "member", ()).is_none() {
            return Ok(None);
        }
        Ok(ctx
            .loaders()
            .member
            .load_one(self.0.member_id)
            .await?
            .map(Member))
    }
    async fn name(&self, ctx: &Context<'_>) -> Option<String> {
        self.reveal(ctx, "name", self.0.name.clone())
    }
    /// Position as people write it ("Kepala Bidang IKP").
    async fn title(&self, ctx: &Context<'_>) -> Option<String> {
        self.reveal(ctx, "title", self.0.title.clone()).flatten()
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self
            .reveal(ctx, "organisation", self.0.organisation_id)
            .flatten()
        else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    /// PERSONAL: the member's admins and secretariat.
    async fn email(&self, ctx: &Context<'_>) -> Option<String> {
        self.reveal(ctx, "email", self.0.email.clone()).flatten()
    }
    /// PERSONAL: the member's admins and secretariat.
    async fn phone(&self, ctx: &Context<'_>) -> Option<String> {
        self.reveal(ctx, "phone", self.0.phone.clone()).flatten()
    }
    /// The account that belongs to this person, if any.
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        if self.reveal(ctx, "account", ()).is_none() {
            return Ok(None);
        }
        Ok(account::Entity::find()
            .filter(account::Column::PersonId.eq(self.0.id))
            .one(ctx.db())
            .await?
            .map(|a| Account::in_member(a, self.0.member_id)))
    }
    async fn erased_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "erasedAt", self.0.erased_at).flatten()
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "createdAt", self.0.created_at)
    }
    async fn updated_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "updatedAt", self.0.updated_at)
    }
    async fn version(&self, ctx: &Context<'_>) -> Option<i32> {
        self.reveal(ctx, "version", self.0.version)
    }
}

#[derive(Default)]
pub struct PersonQuery;

#[Object]
impl PersonQuery {
    /// The people of a member's partnership (its team, watchdogs and secretariat).
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Person>> {
        let (_, member) = policy::authorize_in(ctx, "people", &member_id)?;
        let page = Page::from_args(ctx, first, after, last, before)?;
        let select = person::Entity::find().filter(person::Column::MemberId.eq(member));
        Ok(pagination::page(ctx.db(), select, page, Person).await?)
    }
}

#[derive(InputObject, Serialize)]
pub struct CreatePersonInput {
    pub client_mutation_id: Option<String>,
    pub member_id: ID,
    pub name: String,
    pub title: Option<String>,
    pub organisation_id: Option<ID>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(InputObject, Serialize)]
pub struct UpdatePersonInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub title: MaybeUndefined<String>,
    pub organisation_id: MaybeUndefined<ID>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct LinkAccountInput {
    pub account_id: ID,
    /// The person to link to; null unlinks.
    pub person_id: Option<ID>,
    /// The member government in whose name the admin acts.
    pub member_id: ID,
}

#[derive(InputObject)]
pub struct ErasePersonInput {
    pub person_id: ID,
    pub reason: Option<String>,
}

#[derive(SimpleObject)]
pub struct PersonPayload {
    pub client_mutation_id: Option<String>,
    pub person: Option<Person>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct LinkAccountPayload {
    pub account: Option<Account>,
    pub user_errors: Vec<UserError>,
}

fn payload(
    result: Result<person::Model, Outcome>,
    cmid: Option<String>,
    lang: entity::Lang,
) -> Result<PersonPayload> {
    match result {
        Ok(p) => Ok(PersonPayload {
            client_mutation_id: cmid,
            person: Some(Person(p)),
            user_errors: vec![],
        }),
        Err(Outcome::Refused(Refused(p))) => Ok(PersonPayload {
            client_mutation_id: cmid,
            person: None,
            user_errors: user_errors(p, lang),
        }),
        Err(e) => Err(errors::not_done(e, lang)),
    }
}

#[derive(Default)]
pub struct PersonMutation;

#[Object]
impl PersonMutation {
    /// Adds a person to a member's partnership.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        input: CreatePersonInput,
    ) -> Result<PersonPayload> {
        let (viewer, member) = policy::authorize_in(ctx, "createPerson", &input.member_id)?;
        let mut problems = Problems::new();
        let organisation = input
            .organisation_id
            .as_ref()
            .map(|o| decode_org(&mut problems, o));
        let f = PersonFields {
            name: Some(input.name.clone()),
            title: Some(input.title.clone()),
            organisation,
            email: input.email.clone().map(Some),
            phone: input.phone.clone().map(Some),
        };
        let spec = Create {
            mutation: "createPerson",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, f).await
        })
        .await;
        payload(result, input.client_mutation_id.clone(), ctx.lang())
    }

    /// Changes a person; `version` must be the one that was read.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        input: UpdatePersonInput,
    ) -> Result<PersonPayload> {
        policy::gate(ctx, "updatePerson")?;
        let lang = ctx.lang();
        let Some(current) = find(ctx, &input.id).await? else {
            return payload(
                Err(Problems::one(&["input", "id"], Problem::NotFound).into()),
                None,
                lang,
            );
        };
        let viewer = policy::authorize(ctx, "updatePerson", Some(current.member_id))?;
        let mut problems = Problems::new();
        let organisation = match &input.organisation_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(o) => decode_org(&mut problems, o).map(Some),
        };
        let f = PersonFields {
            name: input.name.clone(),
            title: maybe(&input.title),
            organisation,
            email: maybe(&input.email),
            phone: maybe(&input.phone),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, problems, f).await
        })
        .await;
        payload(result, None, lang)
    }

    /// Links an account to the person it belongs to (or unlinks it), so that alerts about
    /// what the person is responsible for reach their account.
    async fn link_account_to_person(
        &self,
        ctx: &Context<'_>,
        input: LinkAccountInput,
    ) -> Result<LinkAccountPayload> {
        let (viewer, member) = policy::authorize_in(ctx, "linkAccountToPerson", &input.member_id)?;
        let lang = ctx.lang();
        let person_id = match &input.person_id {
            Some(p) => match ids::decode_as(p, KIND) {
                Some(u) => Some(u),
                None => {
                    return Ok(LinkAccountPayload {
                        account: None,
                        user_errors: user_errors(
                            Problems::one(&["input", "personId"], Problem::NotFound),
                            lang,
                        ),
                    });
                }
            },
            None => None,
        };
        let account_id = ids::decode_as(&input.account_id, account_gql::KIND);
        let result = acting(ctx, &viewer, async |act| {
            entity::accounts::access::link_person(act, member, account_id, person_id).await
        })
        .await;
        match result {
            Ok(a) => Ok(LinkAccountPayload {
                account: Some(Account::in_member(a, member)),
                user_errors: vec![],
            }),
            Err(Outcome::Refused(Refused(p))) => Ok(LinkAccountPayload {
                account: None,
                user_errors: user_errors(p, lang),
            }),
            Err(e) => Err(errors::not_done(e, lang)),
        }
    }

    /// Erases a person's personal data on their request (UU 27/2022): name and contact details
    /// are anonymised everywhere — the person, their account, mail records, the audit log —
    /// and the events stay without the data.
    async fn erase_person(
        &self,
        ctx: &Context<'_>,
        input: ErasePersonInput,
    ) -> Result<PersonPayload> {
        policy::gate(ctx, "erasePerson")?;
        let lang = ctx.lang();
        let Some(current) = find(ctx, &input.person_id).await? else {
            return payload(
                Err(Problems::one(&["input", "personId"], Problem::NotFound).into()),
                None,
                lang,
            );
        };
        let viewer = policy::authorize(ctx, "erasePerson", Some(current.member_id))?;
        let result = acting(ctx, &viewer, async |act| {
            domain::erase(act, &current, input.reason.as_deref()).await
        })
        .await;
        payload(result, None, lang)
    }
}

async fn find(ctx: &Context<'_>, id: &ID) -> Result<Option<person::Model>> {
    Ok(match ids::decode_as(id, KIND) {
        Some(u) => person::Entity::find_by_id(u).one(ctx.db()).await?,
        None => None,
    })
}

/// An organisation id that does not decode is one that is not there.
fn decode_org(problems: &mut Problems, id: &ID) -> Option<Uuid> {
    let found = ids::decode_as(id, org_gql::KIND);
    if found.is_none() {
        problems.push(&["input", "organisationId"], Problem::NotFound);
    }
    found
}
