//! OGP member governments: who takes part (a nation, a province, a regency, a city).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::member::{self, MemberLevel};
use entity::validate;
use entity::{Problem, Problems};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::errors;
use super::ids;
use super::loaders::OrganisationFilter;
use super::mutation::{
    Outcome, Receipt, UserError, duplicate_or, maybe_ref, present, replay, settle,
    update_versioned, winner_of_race,
};
use super::organisation::Organisation;
use super::pagination::{self, ChildPageKey, Conn, Page, TotalCount};
use super::policy;
use super::scalars::Date;
use crate::audit::{self, Change};
use crate::auth::Viewer;

pub const KIND: &str = "Member";

/// An OGP member government.
pub struct Member(pub member::Model);

#[Object]
impl Member {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    /// Short name used in public URLs.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn level(&self) -> MemberLevel {
        self.0.level
    }
    /// The government this one is part of (Bojonegoro → Indonesia).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        let Some(pid) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(ctx.loaders().member.load_one(pid).await?.map(Member))
    }
    /// IANA time zone in which dates are shown and periods are counted.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// When it joined OGP (day precision where known).
    async fn ogp_member_since(&self) -> Option<Date> {
        self.0.ogp_member_since.map(Date)
    }
    /// The member's OGP website (MR 2.1).
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }
    /// The public document repository (MR 2.2).
    async fn repository_url(&self) -> Option<&str> {
        self.0.repository_url.as_deref()
    }
    /// Heads of region (Bupati, Wali Kota, Gubernur) and their terms.
    async fn heads_of_region(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::partnership::HeadOfRegionTerm>> {
        super::partnership::heads_of_region(ctx, self.0.id).await
    }
    /// The decrees (SK) the viewer may see.
    async fn decrees(&self, ctx: &Context<'_>) -> Result<Vec<super::decree::Decree>> {
        super::decree::decrees_of(ctx, self.0.id).await
    }
    /// The partnership team as it stood on a day (today by default): the decree in force and
    /// its appendix.
    async fn team(&self, ctx: &Context<'_>, on: Option<Date>) -> Result<super::decree::TeamOnDate> {
        let day = match on {
            Some(d) => d.0,
            None => super::visibility::today(ctx, self.0.id).await,
        };
        super::decree::team_on(ctx, self.0.id, day).await
    }
    /// The team's secretariat.
    async fn secretariat(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::partnership::Secretariat>> {
        super::partnership::secretariat_of(ctx, self.0.id).await
    }
    /// Youth ambassadors (*Duta OGP*).
    async fn ambassadors(&self, ctx: &Context<'_>) -> Result<Vec<super::partnership::Ambassador>> {
        super::partnership::ambassadors_of(ctx, self.0.id).await
    }
    /// The partnership's website and social-media accounts (planned ones for its own people).
    async fn online_channels(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::channel::OnlineChannel>> {
        super::channel::channels_of(ctx, self.0.id).await
    }
    /// Memberships in organisations and bodies (the partnership's own people).
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        body: Option<entity::membership::Body>,
    ) -> Result<Vec<super::partnership::Membership>> {
        policy::authorize(ctx, "memberships", Some(self.0.id))?;
        super::partnership::memberships_of(ctx, self.0.id, body).await
    }
    /// The organisations taking part in this member's partnership.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        kind: Option<entity::organisation::OrganisationKind>,
    ) -> Result<Conn<Organisation>> {
        let page = Page::from_args(ctx, first, after, last, before)?;
        let filter = OrganisationFilter { kind };
        let Page::Forward { limit, after } = page else {
            return Err(errors::bad_input(match ctx.lang() {
                entity::Lang::Id => "Daftar bertingkat hanya mendukung first/after.".into(),
                entity::Lang::En => "Nested lists support first/after only.".into(),
            }));
        };
        let key = ChildPageKey {
            parent: self.0.id,
            limit,
            after,
            filter: filter.clone(),
        };
        let (rows, more) = ctx
            .loaders()
            .organisations_by_member
            .load_one(key)
            .await?
            .unwrap_or_default();
        let counter = ctx.loaders().organisation_count_by_member.clone();
        let parent = self.0.id;
        let total = TotalCount::new(move || {
            let counter = counter.clone();
            let filter = filter.clone();
            async move { Ok(counter.load_one((parent, filter)).await?.unwrap_or(0)) }
        });
        Ok(pagination::child_connection::<
            entity::organisation::Entity,
            _,
        >(rows, more, after, total, Organisation))
    }
    /// One of this member's organisations; another member's id is not found here.
    async fn organisation(&self, ctx: &Context<'_>, id: ID) -> Result<Organisation> {
        let found = match ids::decode_as(&id, super::organisation::KIND) {
            Some(oid) => ctx.loaders().organisation.load_one(oid).await?,
            None => None,
        };
        match found {
            Some(o) if o.member_id == self.0.id => Ok(Organisation(o)),
            _ => Err(errors::not_found(ctx.lang())),
        }
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

/// The member a scoped query or mutation names: an id that is not a member's reads as not
/// found.
pub fn decode_scope(ctx: &Context<'_>, id: &ID) -> Result<Uuid> {
    ids::decode_as(id, KIND).ok_or_else(|| errors::not_found(ctx.lang()))
}

#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    /// Every member government served here.
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        level: Option<MemberLevel>,
    ) -> Result<Conn<Member>> {
        let page = Page::from_args(ctx, first, after, last, before)?;
        let mut select = member::Entity::find();
        if let Some(level) = level {
            select = select.filter(member::Column::Level.eq(level));
        }
        Ok(pagination::page(ctx.db(), select, page, Member).await?)
    }

    /// A member by global id or by slug (`bojonegoro`).
    async fn member(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Member> {
        let found = match (id, slug) {
            (Some(id), _) => match ids::decode_as(&id, KIND) {
                Some(uuid) => ctx.loaders().member.load_one(uuid).await?,
                None => None,
            },
            (None, Some(slug)) => {
                member::Entity::find()
                    .filter(member::Column::Slug.eq(slug.trim().to_lowercase()))
                    .one(ctx.db())
                    .await?
            }
            (None, None) => {
                return Err(errors::bad_input(match ctx.lang() {
                    entity::Lang::Id => "Sebutkan id atau slug.".into(),
                    entity::Lang::En => "Give an id or a slug.".into(),
                }));
            }
        };
        found
            .map(Member)
            .ok_or_else(|| errors::not_found(ctx.lang()))
    }
}

#[derive(InputObject, Serialize)]
pub struct CreateMemberInput {
    /// Makes a retried request safe: the same id returns the member created the first time.
    pub client_mutation_id: Option<String>,
    pub name: String,
    /// Defaults to one made from the name.
    pub slug: Option<String>,
    pub level: MemberLevel,
    pub parent_id: Option<ID>,
    /// Defaults to Asia/Jakarta.
    pub time_zone: Option<String>,
    pub ogp_member_since: Option<Date>,
    /// The member's OGP website (MR 2.1).
    pub website_url: Option<String>,
    /// The public document repository (MR 2.2).
    pub repository_url: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateMemberPayload {
    pub client_mutation_id: Option<String>,
    pub member: Option<Member>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateMemberInput {
    pub id: ID,
    /// The version that was read; a newer one in the database means someone else changed it.
    pub version: i32,
    pub name: Option<String>,
    pub slug: Option<String>,
    pub level: Option<MemberLevel>,
    pub parent_id: MaybeUndefined<ID>,
    pub time_zone: Option<String>,
    pub ogp_member_since: MaybeUndefined<Date>,
    pub website_url: MaybeUndefined<String>,
    pub repository_url: MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct UpdateMemberPayload {
    pub member: Option<Member>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct MemberMutation;

/// Fields common to create and update, once parsed.
struct MemberFields {
    name: Option<String>,
    slug: Option<String>,
    level: Option<MemberLevel>,
    parent: Option<Option<Uuid>>,
    time_zone: Option<String>,
}

async fn check_parent<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    level: MemberLevel,
    parent: Option<Uuid>,
    this: Option<Uuid>,
) -> Result<(), sea_orm::DbErr> {
    let Some(mut pid) = parent else { return Ok(()) };
    let Some(p) = member::Entity::find_by_id(pid).one(db).await? else {
        problems.push(&["input", "parentId"], Problem::NotFound);
        return Ok(());
    };
    if p.level.rank() <= level.rank() {
        problems.push(&["input", "parentId"], Problem::ParentLevel);
    }
    // Walk up: the parent may not be this member or below it.
    for _ in 0..16 {
        if Some(pid) == this {
            problems.push(&["input", "parentId"], Problem::ParentCycle);
            break;
        }
        match member::Entity::find_by_id(pid).one(db).await? {
            Some(m) => match m.parent_id {
                Some(next) => pid = next,
                None => break,
            },
            None => break,
        }
    }
    Ok(())
}

fn parse_fields(
    problems: &mut Problems,
    name: Option<&str>,
    slug: Option<&str>,
    level: Option<MemberLevel>,
    parent: MaybeUndefined<&ID>,
    time_zone: Option<&str>,
) -> MemberFields {
    let name =
        name.and_then(|n| problems.check(validate::required_text(&["input", "name"], n, 200)));
    let slug = slug.and_then(|s| problems.check(validate::slug(&["input", "slug"], s)));
    let parent = match parent {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => match ids::decode_as(id, KIND) {
            Some(uuid) => Some(Some(uuid)),
            None => {
                problems.push(&["input", "parentId"], Problem::InvalidId);
                None
            }
        },
    };
    let time_zone = time_zone.and_then(|tz| {
        problems
            .check(validate::time_zone(&["input", "timeZone"], tz))
            .map(|tz| tz.name().to_owned())
    });
    MemberFields {
        name,
        slug,
        level,
        parent,
        time_zone,
    }
}

#[Object]
impl MemberMutation {
    /// Adds a member government.
    async fn create_member(
        &self,
        ctx: &Context<'_>,
        input: CreateMemberInput,
    ) -> Result<CreateMemberPayload> {
        let viewer = policy::authorize(ctx, "createMember", None)?;
        let lang = ctx.lang();
        let cmid = input.client_mutation_id.clone();
        let (member, user_errors) =
            settle(create_member(ctx, &viewer, &input).await, lang, Member)?;
        Ok(CreateMemberPayload {
            client_mutation_id: cmid,
            member,
            user_errors,
        })
    }

    /// Changes a member government; `version` must be the one that was read.
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        input: UpdateMemberInput,
    ) -> Result<UpdateMemberPayload> {
        policy::gate(ctx, "updateMember")?;
        let viewer = match ids::decode_as(&input.id, KIND) {
            Some(member) => policy::authorize(ctx, "updateMember", Some(member))?,
            None => ctx.viewer(),
        };
        let lang = ctx.lang();
        let (member, user_errors) =
            settle(update_member(ctx, &viewer, &input).await, lang, Member)?;
        Ok(UpdateMemberPayload {
            member,
            user_errors,
        })
    }
}

fn change(
    action: &'static str,
    before: Option<&member::Model>,
    after: Option<&member::Model>,
) -> Change {
    let any = after.or(before).expect("a change has a record");
    Change::of("member", KIND, action, any.id, Some(any.id), before, after)
}

async fn create_member(
    ctx: &Context<'_>,
    viewer: &Viewer,
    input: &CreateMemberInput,
) -> Result<member::Model, Outcome> {
    let db = ctx.db();
    let request_id = ctx.meta().request_id;
    let scope = super::scope(ctx);
    let receipt = Receipt::new(
        &scope,
        "createMember",
        input.client_mutation_id.as_deref(),
        input,
    )?;
    if let Some(m) = replay::<member::Entity>(receipt.as_ref(), db).await? {
        return Ok(m);
    }
    let mut problems = Problems::new();
    let f = parse_fields(
        &mut problems,
        Some(&input.name),
        input.slug.as_deref(),
        Some(input.level),
        present(input.parent_id.as_ref()),
        Some(input.time_zone.as_deref().unwrap_or("Asia/Jakarta")),
    );
    let website = url_change(
        &mut problems,
        "websiteUrl",
        present(input.website_url.as_ref()),
    );
    let repository = url_change(
        &mut problems,
        "repositoryUrl",
        present(input.repository_url.as_ref()),
    );
    let id = Uuid::now_v7();
    let result = entity::db::write(db, async |tx| -> Result<(), Outcome> {
        if let Some(r) = &receipt {
            r.save(tx, id).await?;
        }
        check_parent(tx, &mut problems, input.level, f.parent.flatten(), None).await?;
        std::mem::take(&mut problems).into_result()?;
        let name = f.name.clone().expect("validated");
        let now = ctx.app().clock.now();
        let row = member::ActiveModel {
            id: Set(id),
            slug: Set(f.slug.clone().unwrap_or_else(|| validate::slugify(&name))),
            name: Set(name),
            level: Set(input.level),
            parent_id: Set(f.parent.flatten()),
            time_zone: Set(f.time_zone.clone().expect("validated")),
            ogp_member_since: Set(input.ogp_member_since.map(|d| d.0)),
            website_url: Set(website.clone().flatten()),
            repository_url: Set(repository.clone().flatten()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        member::Entity::insert(row)
            .exec_without_returning(tx)
            .await
            .map_err(|e| duplicate_or(e, "slug"))?;
        let created = member::Entity::find_by_id(id).one(tx).await?;
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
    member::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Outcome::Raced)
}

async fn update_member(
    ctx: &Context<'_>,
    viewer: &Viewer,
    input: &UpdateMemberInput,
) -> Result<member::Model, Outcome> {
    let db = ctx.db();
    let request_id = ctx.meta().request_id;
    let Some(id) = ids::decode_as(&input.id, KIND) else {
        return Err(Problems::one(&["input", "id"], Problem::InvalidId).into());
    };
    let mut problems = Problems::new();
    let f = parse_fields(
        &mut problems,
        input.name.as_deref(),
        input.slug.as_deref(),
        input.level,
        maybe_ref(&input.parent_id),
        input.time_zone.as_deref(),
    );
    let website = url_change(&mut problems, "websiteUrl", maybe_ref(&input.website_url));
    let repository = url_change(
        &mut problems,
        "repositoryUrl",
        maybe_ref(&input.repository_url),
    );
    entity::db::write(db, async |tx| -> Result<member::Model, Outcome> {
        let Some(current) = member::Entity::find_by_id(id).one(tx).await? else {
            return Err(Problems::one(&["input", "id"], Problem::NotFound).into());
        };
        let level = f.level.unwrap_or(current.level);
        let parent = f.parent.unwrap_or(current.parent_id);
        check_parent(tx, &mut problems, level, parent, Some(id)).await?;
        std::mem::take(&mut problems).into_result()?;
        let changes = member::ActiveModel {
            name: f.name.clone().map(Set).unwrap_or(NotSet),
            slug: f.slug.clone().map(Set).unwrap_or(NotSet),
            level: f.level.map(Set).unwrap_or(NotSet),
            parent_id: f.parent.map(Set).unwrap_or(NotSet),
            time_zone: f.time_zone.clone().map(Set).unwrap_or(NotSet),
            ogp_member_since: match input.ogp_member_since {
                MaybeUndefined::Undefined => NotSet,
                MaybeUndefined::Null => Set(None),
                MaybeUndefined::Value(d) => Set(Some(d.0)),
            },
            website_url: website.clone().map(Set).unwrap_or(NotSet),
            repository_url: repository.clone().map(Set).unwrap_or(NotSet),
            updated_at: Set(ctx.app().clock.now()),
            ..Default::default()
        };
        let updated =
            update_versioned::<member::Entity, _>(tx, id, input.version, changes, "slug").await?;
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

/// A clearable URL field: `None` = unchanged.
fn url_change(
    problems: &mut Problems,
    field: &str,
    v: MaybeUndefined<&String>,
) -> Option<Option<String>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(u) => {
            problems.check(validate::optional_url(&["input", field], Some(u)))
        }
    }
}
