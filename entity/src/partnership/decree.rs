//! Team decrees (*SK*, *Surat Keputusan Bupati*): drafted, changed, moved along
//! DRAFT → IN_LEGAL_REVIEW → AWAITING_SIGNATURE → SIGNED → PUBLISHED → AMENDED / REVOKED /
//! EXPIRED, and given their appendix (the team, in order). Signing needs a number and the
//! signing and effective dates; when a decree that amends another is signed, the other becomes
//! AMENDED in the same transaction. Revoked or expired, a decree is in force until the day
//! before (in the member's calendar).

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use crate::decree::{self, DecreeStatus, Represents, TeamPosition};
use crate::kernel::audit::{self, Change};
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::validate::{check_range, text_change};
use crate::{Problem, Problems, Refusal, decree_member, validate};

/// A decree's text and dates as given: `None` leaves a field as it is (or empty, on
/// creation), `Some(None)` clears it.
#[derive(Default)]
pub struct DecreeText {
    pub number: Option<Option<String>>,
    /// Required on creation.
    pub title: Option<String>,
    pub considerations: Option<Option<String>>,
    pub legal_basis: Option<Option<String>>,
    /// The decided items (*MEMUTUSKAN*), in order; at most 50.
    pub decided_items: Option<Vec<String>>,
    pub signatory_name: Option<Option<String>>,
    pub signatory_office: Option<Option<String>>,
    pub set_place: Option<Option<String>>,
    pub set_on: Option<Option<NaiveDate>>,
    pub signed_on: Option<Option<NaiveDate>>,
    pub effective_from: Option<Option<NaiveDate>>,
    pub effective_to: Option<Option<NaiveDate>>,
    /// The decree this one changes.
    pub amends: Option<Option<Uuid>>,
}

/// [`DecreeText`] checked.
struct Checked {
    number: Option<Option<String>>,
    title: Option<String>,
    considerations: Option<Option<String>>,
    legal_basis: Option<Option<String>>,
    items: Option<serde_json::Value>,
    signatory_name: Option<Option<String>>,
    signatory_office: Option<Option<String>>,
    set_place: Option<Option<String>>,
}

fn check(p: &mut Problems, t: &DecreeText) -> Checked {
    let mut items = None;
    if let Some(list) = &t.decided_items {
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            if let Some(Some(v)) = p.check(validate::long_text(
                &["input", &format!("decidedItems.{i}")],
                Some(item),
                10_000,
            )) {
                out.push(v);
            }
        }
        if list.len() > 50 {
            p.push(&["input", "decidedItems"], Problem::TooMany { max: 50 });
        }
        items = Some(serde_json::to_value(out).unwrap_or_default());
    }
    Checked {
        number: text_change(p, "number", t.number.clone(), 120, false),
        title: t
            .title
            .as_deref()
            .and_then(|v| p.check(validate::required_text(&["input", "title"], v, 500))),
        considerations: text_change(p, "considerations", t.considerations.clone(), 50_000, true),
        legal_basis: text_change(p, "legalBasis", t.legal_basis.clone(), 50_000, true),
        items,
        signatory_name: text_change(p, "signatoryName", t.signatory_name.clone(), 200, false),
        signatory_office: text_change(p, "signatoryOffice", t.signatory_office.clone(), 200, false),
        set_place: text_change(p, "setPlace", t.set_place.clone(), 100, false),
    }
}

/// Drafts a decree of `member`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    t: DecreeText,
) -> Result<decree::Model, Outcome> {
    act.permit("createDecree", Some(member))?;
    let p = &mut spec.problems;
    if t.title.is_none() {
        p.push(&["input", "title"], Problem::Required);
    }
    let c = check(p, &t);
    let (from, to) = (t.effective_from.flatten(), t.effective_to.flatten());
    check_range(p, "effectiveTo", from, to);
    let amends = t.amends.flatten();
    crud::create::<decree::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<decree::Entity, _>(tx, p, "amendsId", amends, member, |d| d.member_id).await
        },
        |id, now| decree::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            number: Set(c.number.clone().flatten()),
            title: Set(c.title.clone().unwrap_or_default()),
            considerations: Set(c.considerations.clone().flatten()),
            legal_basis: Set(c.legal_basis.clone().flatten()),
            decided_items: Set(c.items.clone().unwrap_or_else(|| serde_json::json!([]))),
            signatory_name: Set(c.signatory_name.clone().flatten()),
            signatory_office: Set(c.signatory_office.clone().flatten()),
            set_place: Set(c.set_place.clone().flatten()),
            set_on: Set(t.set_on.flatten()),
            signed_on: Set(t.signed_on.flatten()),
            effective_from: Set(from),
            effective_to: Set(to),
            status: Set(DecreeStatus::Draft),
            amends_id: Set(amends),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a decree's text and dates if it is still at `version`; a decree cannot amend
/// itself.
pub async fn update(
    act: &Act<'_>,
    current: &decree::Model,
    version: i32,
    mut problems: Problems,
    t: DecreeText,
) -> Result<decree::Model, Outcome> {
    act.permit("updateDecree", Some(current.member_id))?;
    let p = &mut problems;
    let c = check(p, &t);
    check_range(
        p,
        "effectiveTo",
        t.effective_from.unwrap_or(current.effective_from),
        t.effective_to.unwrap_or(current.effective_to),
    );
    if t.amends == Some(Some(current.id)) {
        p.push(&["input", "amendsId"], Problem::ParentCycle);
    }
    let member = current.member_id;
    crud::update::<decree::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            check_ref::<decree::Entity, _>(tx, p, "amendsId", t.amends.flatten(), member, |d| {
                d.member_id
            })
            .await
        },
        |_| decree::ActiveModel {
            number: set(c.number.clone()),
            title: set(c.title.clone()),
            considerations: set(c.considerations.clone()),
            legal_basis: set(c.legal_basis.clone()),
            decided_items: set(c.items.clone()),
            signatory_name: set(c.signatory_name.clone()),
            signatory_office: set(c.signatory_office.clone()),
            set_place: set(c.set_place.clone()),
            set_on: set(t.set_on),
            signed_on: set(t.signed_on),
            effective_from: set(t.effective_from),
            effective_to: set(t.effective_to),
            amends_id: set(t.amends),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Moves a decree to `to` when that step is allowed (see the module's rules).
pub async fn transition(
    act: &Act<'_>,
    current: &decree::Model,
    version: i32,
    to: DecreeStatus,
) -> Result<decree::Model, Outcome> {
    act.permit("transitionDecree", Some(current.member_id))?;
    let today = crate::plans::today(&act.db.exec(), current.member_id, act.now).await?;
    crud::transition::<decree::Entity, _>(
        act,
        current,
        version,
        to,
        |d| d.status,
        async |tx, before, p| {
            if to != DecreeStatus::Signed {
                return Ok(());
            }
            if before.number.is_none() {
                p.push(
                    &["input", "to"],
                    Problem::Refused(Refusal::DecreeNeedsNumber),
                );
            }
            if before.signed_on.is_none() || before.effective_from.is_none() {
                p.push(
                    &["input", "to"],
                    Problem::Refused(Refusal::DecreeNeedsDates),
                );
            }
            if p.is_empty()
                && let Some(old) = before.amends_id
                && let Some(amended) = decree::Entity::find_by_id(old).one(tx).await?
                && amended.status.in_force()
            {
                decree::Entity::update_many()
                    .col_expr(decree::Column::Status, Expr::value(DecreeStatus::Amended))
                    .col_expr(decree::Column::Version, Expr::value(amended.version + 1))
                    .col_expr(decree::Column::UpdatedAt, Expr::value(act.now))
                    .filter(decree::Column::Id.eq(old))
                    .exec(tx)
                    .await?;
                let after = decree::Entity::find_by_id(old).one(tx).await?;
                audit::record(
                    tx,
                    act.actor,
                    act.request_id,
                    Change::of(
                        "decree",
                        "Decree",
                        "UPDATE",
                        old,
                        Some(amended.member_id),
                        Some(&amended),
                        after.as_ref(),
                    ),
                    act.now,
                )
                .await?;
            }
            Ok(())
        },
        |before, to| {
            // Revoked or expired: in force until the day before (the team's history).
            let ends = matches!(to, DecreeStatus::Revoked | DecreeStatus::Expired)
                .then(|| today.pred_opt())
                .flatten()
                .filter(|last| before.effective_to.is_none_or(|t| t > *last));
            decree::ActiveModel {
                status: Set(to),
                effective_to: ends.map(|d| Set(Some(d))).unwrap_or(NotSet),
                updated_at: Set(act.now),
                ..Default::default()
            }
        },
    )
    .await
}

/// One line of a decree's appendix: who, in which position, representing whom.
pub struct AppendixLine {
    pub name: String,
    pub position: TeamPosition,
    pub represents: Represents,
    pub person: Option<Uuid>,
    pub organisation: Option<Uuid>,
    pub role_note: Option<String>,
}

/// Replaces a decree's appendix (at most 200 lines, in order; people and organisations of its
/// member).
pub async fn set_appendix(
    act: &Act<'_>,
    current: &decree::Model,
    version: i32,
    mut problems: Problems,
    lines: Vec<AppendixLine>,
) -> Result<decree::Model, Outcome> {
    act.permit("setDecreeAppendix", Some(current.member_id))?;
    let p = &mut problems;
    if lines.len() > 200 {
        p.push(&["input", "lines"], Problem::TooMany { max: 200 });
    }
    let mut rows = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let name = p.check(validate::required_text(
            &["input", &format!("lines.{i}.name")],
            &l.name,
            200,
        ));
        let note = p
            .check(validate::optional_text(
                &["input", &format!("lines.{i}.roleNote")],
                l.role_note.as_deref(),
                200,
            ))
            .flatten();
        rows.push((name.unwrap_or_default(), note));
    }
    let member = current.member_id;
    crud::update::<decree::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            for (i, l) in lines.iter().enumerate() {
                check_ref::<crate::person::Entity, _>(
                    tx,
                    p,
                    &format!("lines.{i}.personId"),
                    l.person,
                    member,
                    |x| x.member_id,
                )
                .await?;
                check_ref::<crate::organisation::Entity, _>(
                    tx,
                    p,
                    &format!("lines.{i}.organisationId"),
                    l.organisation,
                    member,
                    |x| x.member_id,
                )
                .await?;
            }
            Ok(())
        },
        |_| decree::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, d| -> Result<(), Outcome> {
            decree_member::Entity::delete_many()
                .filter(decree_member::Column::DecreeId.eq(d.id))
                .exec(tx)
                .await?;
            for (i, (l, (name, note))) in lines.iter().zip(&rows).enumerate() {
                decree_member::Entity::insert(decree_member::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(member),
                    decree_id: Set(d.id),
                    person_id: Set(l.person),
                    name: Set(name.clone()),
                    position: Set(l.position),
                    represents: Set(l.represents),
                    organisation_id: Set(l.organisation),
                    role_note: Set(note.clone()),
                    ordinal: Set(i as i32),
                    created_at: Set(act.now),
                })
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
    )
    .await
}
