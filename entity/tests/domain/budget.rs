//! Budget sync: DPA lines and NGO programmes of the member, amounts read as people type them,
//! and a commitment's funding linked and unlinked with its audit record.

use entity::budget::{self as ops, Fund, LineFields, ProgrammeFields};
use entity::kernel::crud::{Act, Create};
use entity::{Problem, Problems, Refusal, funding};
use sea_orm::EntityTrait;

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createBudgetLine",
    client_mutation_id: None,
    input: &"b",
    problems: Problems(Vec::new()),
};

#[tokio::test]
async fn lines_and_programmes_fund_a_commitment_and_are_unlinked_with_a_record() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let team = fixtures::team_actor(&t.db, &m, "bappeda@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let kominfo = fixtures::organisation(&t.db, &m, "Dinas Kominfo").await;
    let line = |ceiling: &str| LineFields {
        organisation: Some(kominfo.id),
        organisation_named: true,
        fiscal_year: Some(2018),
        program_name: Some("Program Pengelolaan Informasi Publik".into()),
        ceiling: Some(ceiling.into()),
        ..Default::default()
    };
    assert_eq!(
        refused(ops::create_line(&act, m.id, SPEC, line("lima juta")).await),
        Problems::one(
            &["input", "ceiling"],
            Problem::Refused(Refusal::AmountInvalid)
        )
    );
    let dpa = ops::create_line(&act, m.id, SPEC, line("150.000.000"))
        .await
        .ok()
        .unwrap();
    assert_eq!(dpa.ceiling, 150_000_000);
    let bi = fixtures::organisation(&t.db, &m, "Bojonegoro Institute").await;
    let programme = ops::create_programme(
        &act,
        m.id,
        SPEC,
        ProgrammeFields {
            organisation: Some(bi.id),
            organisation_named: true,
            title: Some("Sekolah Anggaran Desa".into()),
            amount: Some(Some("25,000,000".into())),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(programme.amount, Some(25_000_000));
    let c = ops::add_funding(
        &act,
        &c,
        Problems::new(),
        Fund {
            budget_line: Some(dpa.id),
            ngo_programme: None,
            milestone: None,
            amount: Some("50.000.000".into()),
        },
    )
    .await
    .ok()
    .unwrap();
    ops::add_funding(
        &act,
        &c,
        Problems::new(),
        Fund {
            budget_line: None,
            ngo_programme: Some(programme.id),
            milestone: None,
            amount: None,
        },
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(count::<funding::Entity, _>(&t.db).await, 2);
    let link = funding::Entity::find().all(&t.db).await.unwrap();
    let of_line = link
        .iter()
        .find(|f| f.budget_line_id == Some(dpa.id))
        .unwrap();
    assert_eq!(of_line.amount, Some(50_000_000));
    assert!(ops::remove_funding(&act, &c, dpa.id).await.ok().unwrap());
    assert!(
        !ops::remove_funding(&act, &c, dpa.id).await.ok().unwrap(),
        "gone already"
    );
    assert_eq!(count::<funding::Entity, _>(&t.db).await, 1);
    let removed = audits(&t.db, of_line.id).await;
    assert_eq!(removed.last().map(|a| a.action.as_str()), Some("DELETE"));
    t.finish().await;
}
