//! The public side of news posts (*berita*): which are public, counting a reading, and the
//! satisfaction poll "Bagaimana Tanggapan Anda?" — its figures and one vote per visitor.
//! Used by the GraphQL API and by the public pages alike. Writing posts: [`posts`].

pub mod posts;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::kernel::audit::{self, Change};
use crate::poll_vote;
use crate::publication::{self, PublicationStatus, Satisfaction, percentages};

/// Votes one client may send a minute, through the API and the page's form together.
pub const VOTES_PER_MINUTE: u32 = 30;

/// What a visitor's token is keyed with (by the deployment's signer) before
/// [`visitor_hash`].
pub const VISITOR_PURPOSE: &str = "poll-visitor";

/// Published, and its publication time has come.
pub fn is_public(p: &publication::Model, now: DateTime<Utc>) -> bool {
    p.status == PublicationStatus::Published && p.published_at.is_some_and(|t| t <= now)
}

/// The member's posts that became public in `[since, until)` (`until` not after now), in the
/// order they did: what a digest of that period lists.
pub async fn published_between<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<publication::Model>, DbErr> {
    use sea_orm::QueryOrder;
    publication::Entity::find()
        .filter(publication::Column::MemberId.eq(member))
        .filter(publication::Column::Status.eq(PublicationStatus::Published))
        .filter(publication::Column::PublishedAt.gte(since))
        .filter(publication::Column::PublishedAt.lt(until))
        .order_by_asc(publication::Column::PublishedAt)
        .all(db)
        .await
}

/// Counts one reading of post `id` if it is public at `now` (in the database, so no increment
/// is lost whatever the number of processes); the new count, `None` if it is not public.
pub async fn record_view(
    db: &DatabaseConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    crate::db::write(db, async |tx| -> Result<Option<i64>, DbErr> {
        let done = publication::Entity::update_many()
            .col_expr(
                publication::Column::Views,
                Expr::col(publication::Column::Views).add(1),
            )
            .filter(publication::Column::Id.eq(id))
            .filter(publication::Column::Status.eq(PublicationStatus::Published))
            .filter(publication::Column::PublishedAt.lte(now))
            .exec(tx)
            .await?;
        if done.rows_affected == 0 {
            return Ok(None);
        }
        Ok(publication::Entity::find_by_id(id)
            .one(tx)
            .await?
            .map(|p| p.views))
    })
    .await
}

/// One answer of a poll with its votes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub choice: Satisfaction,
    pub count: i64,
    /// Whole percent, summing to 100 over the answers; `None` before the first vote.
    pub percent: Option<i64>,
}

/// A post's poll as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollFigures {
    pub question: String,
    pub total: i64,
    pub answers: Vec<Answer>,
}

/// The poll of `post` (one statement), `None` when it has none.
pub async fn poll<C: ConnectionTrait>(
    db: &C,
    post: &publication::Model,
) -> Result<Option<PollFigures>, DbErr> {
    let Some(question) = post.poll_question.clone() else {
        return Ok(None);
    };
    let rows: Vec<(Satisfaction, i64)> = poll_vote::Entity::find()
        .select_only()
        .column(poll_vote::Column::Choice)
        .column_as(poll_vote::Column::Id.count(), "n")
        .filter(poll_vote::Column::PublicationId.eq(post.id))
        .group_by(poll_vote::Column::Choice)
        .into_tuple()
        .all(db)
        .await?;
    let counts: Vec<i64> = Satisfaction::ALL
        .iter()
        .map(|c| rows.iter().find(|(k, _)| k == c).map_or(0, |(_, n)| *n))
        .collect();
    let shares = percentages(&counts);
    Ok(Some(PollFigures {
        question,
        total: counts.iter().sum(),
        answers: Satisfaction::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| Answer {
                choice: *c,
                count: counts[i],
                percent: shares.as_ref().map(|s| s[i]),
            })
            .collect(),
    }))
}

/// Why a vote was not counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteRefused {
    /// The post is not public.
    NoSuchPost,
    /// The post has no poll.
    NoPoll,
    /// This visitor has voted on this post already.
    AlreadyVoted,
}

/// The stored form of a visitor's token: SHA-256 of `keyed` (the token keyed with the
/// deployment's secret by the caller), so the stored value says nothing about the token.
pub fn visitor_hash(keyed: &str) -> String {
    Sha256::digest(keyed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Counts `visitor`'s answer to the poll of `post` (one vote per visitor and post).
pub async fn vote(
    db: &DatabaseConnection,
    post: &publication::Model,
    visitor: &str,
    choice: Satisfaction,
    now: DateTime<Utc>,
) -> Result<Result<(), VoteRefused>, DbErr> {
    if !is_public(post, now) {
        return Ok(Err(VoteRefused::NoSuchPost));
    }
    if post.poll_question.is_none() {
        return Ok(Err(VoteRefused::NoPoll));
    }
    let inserted = crate::db::write(db, async |tx| -> Result<(), DbErr> {
        let v = poll_vote::Model {
            id: Uuid::now_v7(),
            member_id: post.member_id,
            publication_id: post.id,
            visitor_hash: visitor.to_owned(),
            choice,
            created_at: now,
        };
        poll_vote::Entity::insert(poll_vote::ActiveModel::from(v.clone()))
            .exec_without_returning(tx)
            .await?;
        // As the public; the visitor's hash is SECRET and stays out of the audit log.
        audit::record(
            tx,
            &crate::kernel::Actor::anonymous(),
            None,
            Change::of(
                "poll_vote",
                "PollVote",
                "CREATE",
                v.id,
                Some(v.member_id),
                None,
                Some(&v),
            ),
            now,
        )
        .await
    })
    .await;
    match inserted {
        Ok(_) => Ok(Ok(())),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(Err(VoteRefused::AlreadyVoted)),
        Err(e) => Err(e),
    }
}
