//! Team decrees (SK): signing needs a number and dates; signing a decree that amends another
//! makes the other AMENDED in the same step, audited; a revoked decree ends the day before.

use entity::decree::{self, DecreeStatus, Represents, TeamPosition};
use entity::kernel::crud::{Act, Create};
use entity::partnership::decree::{self as ops, AppendixLine, DecreeText};
use entity::problem::FieldProblem;
use entity::{Problem, Problems, Refusal, decree_member};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::fixtures::{self, audits, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createDecree",
    client_mutation_id: None,
    input: &"d",
    problems: Problems(Vec::new()),
};

fn text(title: &str) -> DecreeText {
    DecreeText {
        title: Some(title.into()),
        decided_items: Some(vec!["Membentuk Tim Pemerintahan Terbuka.".into()]),
        ..Default::default()
    }
}

async fn walk(act: &Act<'_>, mut d: decree::Model, to: &[DecreeStatus]) -> decree::Model {
    for s in to {
        d = ops::transition(act, &d, d.version, *s).await.ok().unwrap();
    }
    d
}

#[tokio::test]
async fn signing_needs_a_number_and_dates_and_an_amendment_supersedes() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("req-sk"),
        now: now(),
    };
    let dated = |number: &str| DecreeText {
        number: Some(Some(number.into())),
        signed_on: Some(Some("2018-06-01".parse().unwrap())),
        effective_from: Some(Some("2018-06-01".parse().unwrap())),
        ..text("Tim Pemerintahan Terbuka Kabupaten Bojonegoro")
    };
    let first = ops::create(&act, m.id, SPEC, dated("188/120/KEP/412.013/2018"))
        .await
        .ok()
        .unwrap();
    let first = walk(
        &act,
        first,
        &[
            DecreeStatus::InLegalReview,
            DecreeStatus::AwaitingSignature,
            DecreeStatus::Signed,
            DecreeStatus::Published,
        ],
    )
    .await;
    // No number, no dates: cannot be signed.
    let bare = ops::create(&act, m.id, SPEC, text("Perubahan Tim"))
        .await
        .ok()
        .unwrap();
    let bare = walk(
        &act,
        bare,
        &[DecreeStatus::InLegalReview, DecreeStatus::AwaitingSignature],
    )
    .await;
    assert_eq!(
        refused(ops::transition(&act, &bare, bare.version, DecreeStatus::Signed).await).0,
        vec![
            FieldProblem::new(
                &["input", "to"],
                Problem::Refused(Refusal::DecreeNeedsNumber)
            ),
            FieldProblem::new(
                &["input", "to"],
                Problem::Refused(Refusal::DecreeNeedsDates)
            ),
        ]
    );
    // An amending decree, signed: the first becomes AMENDED, with its own audit record.
    let mut amending = dated("188/200/KEP/412.013/2018");
    amending.amends = Some(Some(first.id));
    let second = ops::create(&act, m.id, SPEC, amending).await.ok().unwrap();
    walk(
        &act,
        second,
        &[
            DecreeStatus::InLegalReview,
            DecreeStatus::AwaitingSignature,
            DecreeStatus::Signed,
        ],
    )
    .await;
    let old = decree::Entity::find_by_id(first.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (old.status, old.version),
        (DecreeStatus::Amended, first.version + 1)
    );
    let last = audits(&t.db, first.id).await.pop().unwrap();
    assert_eq!(last.after.unwrap()["status"], "AMENDED");
    assert_eq!(last.request_id.as_deref(), Some("req-sk"));
    // It cannot amend itself.
    let itself = ops::update(
        &act,
        &old,
        old.version,
        Problems::new(),
        DecreeText {
            amends: Some(Some(old.id)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        refused(itself),
        Problems::one(&["input", "amendsId"], Problem::ParentCycle)
    );
    t.finish().await;
}

#[tokio::test]
async fn a_revoked_decree_ends_the_day_before_and_the_appendix_is_replaced_whole() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let other = fixtures::member(&t.db, "semarang").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let d = ops::create(
        &act,
        m.id,
        SPEC,
        DecreeText {
            number: Some(Some("188/1/2018".into())),
            signed_on: Some(Some("2018-01-02".parse().unwrap())),
            effective_from: Some(Some("2018-01-02".parse().unwrap())),
            ..text("Tim OGP")
        },
    )
    .await
    .ok()
    .unwrap();
    let line = |name: &str, person| AppendixLine {
        name: name.into(),
        position: TeamPosition::Anggota,
        represents: Represents::Government,
        person,
        organisation: None,
        role_note: None,
    };
    let nuty = fixtures::person(&t.db, &m, "Nuty").await;
    let d = ops::set_appendix(
        &act,
        &d,
        d.version,
        Problems::new(),
        vec![line("Nuty", Some(nuty.id))],
    )
    .await
    .ok()
    .unwrap();
    let stranger = fixtures::person(&t.db, &other, "Orang Lain").await;
    let wrong = ops::set_appendix(
        &act,
        &d,
        d.version,
        Problems::new(),
        vec![
            line("Nuty", Some(nuty.id)),
            line("Orang Lain", Some(stranger.id)),
        ],
    )
    .await;
    assert_eq!(
        refused(wrong),
        Problems::one(&["input", "lines.1.personId"], Problem::NotFound)
    );
    let lines = decree_member::Entity::find()
        .filter(decree_member::Column::DecreeId.eq(d.id))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(lines, 1);
    let d = walk(
        &act,
        d,
        &[
            DecreeStatus::InLegalReview,
            DecreeStatus::AwaitingSignature,
            DecreeStatus::Signed,
            DecreeStatus::Published,
            DecreeStatus::Revoked,
        ],
    )
    .await;
    // 28 June 2018 in WIB: in force until the 27th.
    assert_eq!(d.effective_to, Some("2018-06-27".parse().unwrap()));
    t.finish().await;
}
