//! People in a member's partnership, their contact details (PERSONAL), the account that is
//! theirs, and erasure on request.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::Refusal;
use entity::privacy::{self, Class};
use entity::{Problem, Problems, account, person, validate};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::account::{self as account_gql, Account};
use super::context::CtxExt;
use super::errors;
use super::ids;
use super::member::Member;
use super::mutation::{
    Outcome, Receipt, Refused, UserError, duplicate_or, maybe_ref, replay, update_versioned,
    user_errors, winner_of_race,
};
use super::organisation::{self as org_gql, Organisation};
use super::pagination::{self, Conn, Page};
use super::policy;
use crate::audit::{self, Change};
use crate::auth::Viewer;

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
        Err(Outcome::Raced) => Err(errors::internal("unexpected race", lang)),
        Err(Outcome::Db(e)) => Err(errors::internal(e, lang)),
    }
}

fn change(
    action: &'static str,
    before: Option<&person::Model>,
    after: Option<&person::Model>,
) -> Change {
    let any = after.or(before).expect("a change has a record");
    Change::of(
        "person",
        KIND,
        action,
        any.id,
        Some(any.member_id),
        before,
        after,
    )
}

/// Contact fields, parsed.
struct Contact {
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
}

fn parse_contact(
    problems: &mut Problems,
    email: MaybeUndefined<&String>,
    phone: MaybeUndefined<&String>,
) -> Contact {
    let email = match email {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(e) if e.trim().is_empty() => Some(None),
        MaybeUndefined::Value(e) => match super::mail::parse_address(e) {
            Some(e) => Some(Some(e)),
            None => {
                problems.push(&["input", "email"], Problem::InvalidEmail);
                None
            }
        },
    };
    let phone = match phone {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(p) if p.trim().is_empty() => Some(None),
        MaybeUndefined::Value(p) => match person::parse_phone(p) {
            Some(p) => Some(Some(p)),
            None => {
                problems.push(&["input", "phone"], Problem::Refused(Refusal::PhoneInvalid));
                None
            }
        },
    };
    Contact { email, phone }
}

/// The organisation must be the member's own.
async fn check_organisation<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    member: Uuid,
    org: Option<Uuid>,
) -> Result<(), sea_orm::DbErr> {
    if let Some(org) = org {
        let found = entity::organisation::Entity::find_by_id(org)
            .one(db)
            .await?;
        if found.is_none_or(|o| o.member_id != member) {
            problems.push(&["input", "organisationId"], Problem::NotFound);
        }
    }
    Ok(())
}

fn optional<T>(v: Option<T>) -> MaybeUndefined<T> {
    match v {
        Some(v) => MaybeUndefined::Value(v),
        None => MaybeUndefined::Undefined,
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
        let lang = ctx.lang();
        let cmid = input.client_mutation_id.clone();
        payload(create(ctx, &viewer, member, &input).await, cmid, lang)
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
        payload(update(ctx, &viewer, current, &input).await, None, lang)
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
        let request_id = ctx.meta().request_id;
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
        let result = entity::db::write(ctx.db(), async |tx| -> Result<account::Model, Outcome> {
            let not_found =
                |f: &str| Outcome::from(Problems::one(&["input", f], Problem::NotFound));
            let account_id = ids::decode_as(&input.account_id, account_gql::KIND)
                .ok_or_else(|| not_found("accountId"))?;
            let holds = entity::role_grant::Entity::find()
                .filter(entity::role_grant::Column::AccountId.eq(account_id))
                .filter(entity::role_grant::Column::MemberId.eq(member))
                .count(tx)
                .await?;
            let before = account::Entity::find_by_id(account_id)
                .one(tx)
                .await?
                .filter(|_| holds > 0)
                .ok_or_else(|| not_found("accountId"))?;
            if let Some(pid) = person_id {
                let p = person::Entity::find_by_id(pid).one(tx).await?;
                if p.is_none_or(|p| p.member_id != member || p.erased_at.is_some()) {
                    return Err(not_found("personId"));
                }
            }
            account::Entity::update_many()
                .col_expr(account::Column::PersonId, Expr::value(person_id))
                .col_expr(
                    account::Column::UpdatedAt,
                    Expr::value(ctx.app().clock.now()),
                )
                .col_expr(
                    account::Column::Version,
                    Expr::col(account::Column::Version).add(1),
                )
                .filter(account::Column::Id.eq(account_id))
                .exec(tx)
                .await
                .map_err(|e| duplicate_or(e, "personId"))?;
            let after = account::Entity::find_by_id(account_id)
                .one(tx)
                .await?
                .expect("exists");
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change::of(
                    "account",
                    "Account",
                    "LINK_PERSON",
                    account_id,
                    Some(member),
                    Some(&before),
                    Some(&after),
                ),
                ctx.app().clock.now(),
            )
            .await?;
            Ok(after)
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
            Err(Outcome::Raced) => Err(errors::internal("unexpected race", lang)),
            Err(Outcome::Db(e)) => Err(errors::internal(e, lang)),
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
        let request_id = ctx.meta().request_id;
        let now = ctx.app().clock.now();
        let result = entity::db::write(ctx.db(), async |tx| -> Result<person::Model, Outcome> {
            let Some(before) = person::Entity::find_by_id(current.id).one(tx).await? else {
                return Err(Problems::one(&["input", "personId"], Problem::NotFound).into());
            };
            let own = account::Entity::find()
                .filter(account::Column::PersonId.eq(before.id))
                .one(tx)
                .await?;
            if own.is_some_and(|a| Some(a.id) == viewer.account_id()) {
                return Err(Problems::one(
                    &["input", "personId"],
                    Problem::Refused(Refusal::CannotEraseSelf),
                )
                .into());
            }
            crate::erasure::erase_person(tx, &before, now).await?;
            super::session::end_sessions_of_person(tx, before.id, now).await?;
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change {
                    table: "person",
                    entity_type: KIND,
                    entity_id: Some(before.id),
                    member_id: Some(before.member_id),
                    action: "ERASE_PERSONAL_DATA",
                    before: None,
                    after: input
                        .reason
                        .as_ref()
                        .map(|r| json!({"reason": r.chars().take(500).collect::<String>()})),
                },
                ctx.app().clock.now(),
            )
            .await?;
            Ok(person::Entity::find_by_id(before.id)
                .one(tx)
                .await?
                .expect("exists"))
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

async fn create(
    ctx: &Context<'_>,
    viewer: &Viewer,
    member: Uuid,
    input: &CreatePersonInput,
) -> Result<person::Model, Outcome> {
    let db = ctx.db();
    let scope = super::scope(ctx);
    let receipt = Receipt::new(
        &scope,
        "createPerson",
        input.client_mutation_id.as_deref(),
        input,
    )?;
    if let Some(p) = replay::<person::Entity>(receipt.as_ref(), db).await? {
        return Ok(p);
    }
    let mut problems = Problems::new();
    let name = problems.check(validate::required_text(
        &["input", "name"],
        &input.name,
        200,
    ));
    let title = problems
        .check(validate::optional_text(
            &["input", "title"],
            input.title.as_deref(),
            200,
        ))
        .flatten();
    let org = match &input.organisation_id {
        Some(o) => match ids::decode_as(o, org_gql::KIND) {
            Some(u) => Some(u),
            None => {
                problems.push(&["input", "organisationId"], Problem::NotFound);
                None
            }
        },
        None => None,
    };
    let contact = parse_contact(
        &mut problems,
        optional(input.email.as_ref()),
        optional(input.phone.as_ref()),
    );
    let id = Uuid::now_v7();
    let request_id = ctx.meta().request_id;
    let result = entity::db::write(db, async |tx| -> Result<(), Outcome> {
        if let Some(r) = &receipt {
            r.save(tx, id).await?;
        }
        check_organisation(tx, &mut problems, member, org).await?;
        std::mem::take(&mut problems).into_result()?;
        let now = ctx.app().clock.now();
        person::Entity::insert(person::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            name: Set(name.clone().expect("validated")),
            title: Set(title.clone()),
            organisation_id: Set(org),
            email: Set(contact.email.clone().flatten()),
            phone: Set(contact.phone.clone().flatten()),
            erased_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
        let created = person::Entity::find_by_id(id).one(tx).await?;
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
    person::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Outcome::Raced)
}

async fn update(
    ctx: &Context<'_>,
    viewer: &Viewer,
    current: person::Model,
    input: &UpdatePersonInput,
) -> Result<person::Model, Outcome> {
    let mut problems = Problems::new();
    if current.erased_at.is_some() {
        return Err(
            Problems::one(&["input", "id"], Problem::Refused(Refusal::PersonErased)).into(),
        );
    }
    let name = input
        .name
        .as_deref()
        .and_then(|n| problems.check(validate::required_text(&["input", "name"], n, 200)));
    let title = match &input.title {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(t) => {
            problems.check(validate::optional_text(&["input", "title"], Some(t), 200))
        }
    };
    let org = match &input.organisation_id {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(o) => match ids::decode_as(o, org_gql::KIND) {
            Some(u) => Some(Some(u)),
            None => {
                problems.push(&["input", "organisationId"], Problem::NotFound);
                None
            }
        },
    };
    let contact = parse_contact(
        &mut problems,
        maybe_ref(&input.email),
        maybe_ref(&input.phone),
    );
    let request_id = ctx.meta().request_id;
    entity::db::write(ctx.db(), async |tx| -> Result<person::Model, Outcome> {
        if let Some(o) = org {
            check_organisation(tx, &mut problems, current.member_id, o).await?;
        }
        std::mem::take(&mut problems).into_result()?;
        let changes = person::ActiveModel {
            name: name.clone().map(Set).unwrap_or(NotSet),
            title: title.clone().map(Set).unwrap_or(NotSet),
            organisation_id: org.map(Set).unwrap_or(NotSet),
            email: contact.email.clone().map(Set).unwrap_or(NotSet),
            phone: contact.phone.clone().map(Set).unwrap_or(NotSet),
            updated_at: Set(ctx.app().clock.now()),
            ..Default::default()
        };
        let updated =
            update_versioned::<person::Entity, _>(tx, current.id, input.version, changes, "id")
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
