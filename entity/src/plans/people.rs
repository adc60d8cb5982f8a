//! The people responsible for a commitment or a milestone (*penanggung jawab*).

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::kernel::edit::check_ref;
use crate::{Problems, responsibility};

/// Each of `people` must be a person of `member` (NOT_FOUND on `input.personIds.<i>`).
pub async fn check<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    member: Uuid,
    people: &[Uuid],
) -> Result<(), DbErr> {
    for (i, p) in people.iter().enumerate() {
        check_ref::<crate::person::Entity, _>(
            db,
            problems,
            &format!("personIds.{i}"),
            Some(*p),
            member,
            |m| m.member_id,
        )
        .await?;
    }
    Ok(())
}

/// The person ids responsible for a commitment or, without one, a milestone.
pub async fn responsible_ids<C: ConnectionTrait>(
    db: &C,
    commitment: Option<Uuid>,
    milestone: Option<Uuid>,
) -> Result<Vec<Uuid>, DbErr> {
    let q = match (commitment, milestone) {
        (Some(c), _) => {
            responsibility::Entity::find().filter(responsibility::Column::CommitmentId.eq(c))
        }
        (None, Some(m)) => {
            responsibility::Entity::find().filter(responsibility::Column::MilestoneId.eq(m))
        }
        (None, None) => return Ok(vec![]),
    };
    Ok(q.all(db).await?.into_iter().map(|r| r.person_id).collect())
}

/// What people are responsible for.
#[derive(Clone, Copy, Debug)]
pub enum Of {
    Commitment(Uuid),
    Milestone(Uuid),
}

/// Replaces the people responsible for `of` with `people`.
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    of: Of,
    people: &[Uuid],
) -> Result<(), DbErr> {
    use sea_orm::ActiveValue::Set;
    let (commitment, milestone) = match of {
        Of::Commitment(c) => (Some(c), None),
        Of::Milestone(m) => (None, Some(m)),
    };
    let del = responsibility::Entity::delete_many();
    match of {
        Of::Commitment(c) => del.filter(responsibility::Column::CommitmentId.eq(c)),
        Of::Milestone(m) => del.filter(responsibility::Column::MilestoneId.eq(m)),
    }
    .exec(db)
    .await?;
    for person in people {
        responsibility::Entity::insert(responsibility::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(member),
            commitment_id: Set(commitment),
            milestone_id: Set(milestone),
            person_id: Set(*person),
            role: Set(None),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
