//! The Renaksi matrix: a plan written to XLSX and CSV reads back as the same commitments and
//! milestones (every row unchanged), an empty plan would get every row created, and a changed
//! cell is the one change found.

use chrono::NaiveDate;
use entity::commitment::{self, OgpValue};
use entity::milestone::{self, MilestoneStatus};
use entity::sheets::read::read;
use entity::sheets::renaksi::{self, Action, Existing};
use entity::sheets::table::Value;
use entity::sheets::write;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use crate::TestDb;
use crate::fixtures::{self, now};

fn day(s: &str) -> Option<NaiveDate> {
    Some(s.parse().unwrap())
}

#[tokio::test]
async fn a_plan_written_out_reads_back_unchanged_and_each_edit_is_found() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let kominfo = fixtures::organisation(&t.db, &m, "Dinas Komunikasi dan Informatika").await;
    let bappeda = fixtures::organisation(&t.db, &m, "Bappeda").await;
    let mut am = c.clone().into_active_model();
    am.ogp_values = Set(json!(["ACCESS_TO_INFORMATION", "CIVIC_PARTICIPATION"]));
    am.lead_organisation_id = Set(Some(kominfo.id));
    am.starts_on = Set(day("2018-08-01"));
    am.ends_on = Set(day("2020-07-31"));
    let c = am.update(&t.db).await.unwrap();
    for (i, (title, weight)) in [("Daftar informasi publik desa", 2), ("Portal APBDes", 3)]
        .into_iter()
        .enumerate()
    {
        milestone::ActiveModel::from(milestone::Model {
            id: Uuid::now_v7(),
            member_id: m.id,
            commitment_id: c.id,
            title: title.into(),
            deliverable: Some(format!("Keluaran {i}")),
            starts_on: day("2018-09-01"),
            ends_on: day("2019-06-30"),
            responsible_organisation_id: Some(bappeda.id),
            weight,
            status: MilestoneStatus::NotStarted,
            progress: 0,
            ordinal: i as i32,
            created_at: now(),
            updated_at: now(),
            version: 1,
        })
        .insert(&t.db)
        .await
        .unwrap();
    }
    // A second commitment without milestones still gets its row.
    let mut k2 = c.clone().into_active_model();
    k2.id = Set(Uuid::now_v7());
    k2.code = Set(Some("K2".into()));
    k2.title = Set("Musrenbang terbuka".into());
    k2.ogp_values = Set(json!([]));
    let k2: commitment::Model = k2.insert(&t.db).await.unwrap();
    let orgs = vec![kominfo.clone(), bappeda.clone()];

    let existing = Existing::load(&t.db, c.plan_id).await.unwrap();
    let rows = renaksi::rows(&existing, &orgs);
    assert_eq!(rows.len(), 3);
    for (name, file) in [
        (
            "renaksi.xlsx",
            write::xlsx("Renaksi", renaksi::COLUMNS, &rows).unwrap(),
        ),
        ("renaksi.csv", write::csv(renaksi::COLUMNS, &rows)),
    ] {
        let (format, sheets) = read(name, &file).unwrap();
        let matrix = renaksi::parse(format, &sheets, &orgs).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(matrix.commitments.len(), 2);
        let k1 = &matrix.commitments[0];
        assert_eq!(k1.code, "K1");
        assert_eq!(
            k1.ogp_values,
            Some(vec![
                OgpValue::AccessToInformation,
                OgpValue::CivicParticipation
            ])
        );
        assert_eq!(k1.lead, Some(kominfo.id));
        assert_eq!(k1.ends_on, day("2020-07-31"));
        assert_eq!(k1.milestones[1].title, "Portal APBDes");
        assert_eq!(k1.milestones[1].weight, Some(3));
        assert_eq!(k1.milestones[1].responsible, Some(bappeda.id));
        let verdicts = renaksi::verdicts(&matrix, &existing);
        assert_eq!(verdicts.len(), 4);
        assert!(
            verdicts.iter().all(|v| v.action == Action::Unchanged),
            "{name}: {verdicts:?}"
        );
        assert_eq!(verdicts[3].existing, Some(k2.id));

        // Into an empty plan, every row is made.
        let empty = Existing {
            commitments: vec![],
            milestones: vec![],
        };
        assert!(
            renaksi::verdicts(&matrix, &empty)
                .iter()
                .all(|v| v.action == Action::Create)
        );
    }

    // One weight changed, one milestone added: those two, on their rows.
    let mut edited = rows.clone();
    edited[1][10] = Value::Number(5.0);
    let mut extra = edited[1].clone();
    extra[6] = Value::Text("Evaluasi portal".into());
    edited.insert(2, extra);
    let file = write::xlsx("Renaksi", renaksi::COLUMNS, &edited).unwrap();
    let (format, sheets) = read("renaksi.xlsx", &file).unwrap();
    let matrix = renaksi::parse(format, &sheets, &orgs).unwrap();
    let verdicts = renaksi::verdicts(&matrix, &existing);
    let changed: Vec<(usize, &Action)> = verdicts
        .iter()
        .filter(|v| v.action != Action::Unchanged)
        .map(|v| (v.row, &v.action))
        .collect();
    assert_eq!(
        changed,
        vec![(3, &Action::Change(vec!["weight"])), (4, &Action::Create)]
    );
    t.finish().await;
}

#[tokio::test]
async fn bad_cells_are_named_and_nothing_is_read() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let orgs = vec![fixtures::organisation(&t.db, &m, "Bappeda").await];
    let row = |code: &str, values: &str, org: &str, title: &str| {
        vec![
            Value::Text(code.into()),
            Value::Text("Keterbukaan anggaran".into()),
            Value::Text(values.into()),
            Value::Text(org.into()),
            Value::Empty,
            Value::Empty,
            Value::Text(title.into()),
        ]
    };
    let rows = vec![
        row("K1", "Transparansi", "Bappeda", "Rapat"),
        row("K2", "Keadilan", "Dinas Rahasia", "Rapat"),
        row("K1", "Transparansi", "Bappeda", "Lagi"),
        row("K3", "Akuntabilitas", "Bappeda", "Rapat"),
        row("", "", "", "Rapat"),
    ];
    let file = write::xlsx("Renaksi", renaksi::COLUMNS, &rows).unwrap();
    let (format, sheets) = read("renaksi.xlsx", &file).unwrap();
    let problems = renaksi::parse(format, &sheets, &orgs).err().unwrap();
    let got: Vec<(String, &str)> = problems
        .iter()
        .map(|p| (p.cell.clone().unwrap(), p.issue.code()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("C3".into(), "NOT_ON_LIST"),
            ("D3".into(), "NOT_FOUND"),
            ("A4".into(), "DUPLICATE"),
            ("G6".into(), "DUPLICATE"),
        ]
    );
    assert_eq!(
        problems[1].describe(entity::i18n::Lang::Id),
        "Renaksi!D3: Organisasi \"Dinas Rahasia\" tidak terdaftar di anggota ini."
    );
    t.finish().await;
}

/// A second plan of the member, empty.
async fn empty_plan(db: &sea_orm::DatabaseConnection, member: Uuid) -> entity::action_plan::Model {
    fixtures::plan(db, member, "Renaksi salinan").await
}

fn matrix_of(rows: &[Vec<Value>], orgs: &[entity::organisation::Model]) -> renaksi::Matrix {
    let file = write::xlsx("Renaksi", renaksi::COLUMNS, rows).unwrap();
    let (format, sheets) = read("renaksi.xlsx", &file).unwrap();
    renaksi::parse(format, &sheets, orgs).unwrap_or_else(|p| panic!("{p:?}"))
}

#[tokio::test]
async fn an_import_writes_every_row_through_the_operations_or_nothing() {
    use entity::kernel::crud::Act;
    use entity::sheets::renaksi::ImportError;
    use fixtures::count;
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("import-test"),
        now: now(),
    };
    let orgs = vec![fixtures::organisation(&t.db, &m, "Bappeda").await];
    let plan = empty_plan(&t.db, m.id).await;
    let row = |code: &str, title: &str, start: &str, end: &str, weight: f64| {
        vec![
            Value::Text(code.into()),
            Value::Text(format!("Komitmen {code}")),
            Value::Text("Akses Informasi, Akuntabilitas".into()),
            Value::Text("Bappeda".into()),
            Value::Date(start.parse().unwrap()),
            Value::Date("2020-07-31".parse().unwrap()),
            Value::Text(title.into()),
            Value::Text(format!("Keluaran {title}")),
            Value::Date(start.parse().unwrap()),
            Value::Date(end.parse().unwrap()),
            Value::Number(weight),
            Value::Text("Bappeda".into()),
        ]
    };
    let rows = vec![
        row("K1", "Rapat", "2018-08-01", "2018-09-30", 2.0),
        row("K1", "Portal", "2018-10-01", "2019-03-31", 3.0),
        row("K2", "Musrenbang", "2019-01-01", "2019-06-30", 1.0),
    ];
    let matrix = matrix_of(&rows, &orgs);

    // A dry run answers and writes nothing.
    let audits_before = count::<entity::audit_event::Entity, _>(&t.db).await;
    let dry = renaksi::import(&act, &plan, &matrix, true).await.unwrap();
    assert_eq!((dry.created, dry.changed, dry.unchanged), (5, 0, 0));
    assert_eq!(count::<commitment::Entity, _>(&t.db).await, 0);

    // The real run: every field, and an audit record per row.
    let done = renaksi::import(&act, &plan, &matrix, false).await.unwrap();
    assert_eq!(done.created, 5);
    let existing = Existing::load(&t.db, plan.id).await.unwrap();
    assert_eq!(existing.commitments.len(), 2);
    assert_eq!(existing.milestones.len(), 3);
    let k1 = &existing.commitments[0];
    assert_eq!(k1.code.as_deref(), Some("K1"));
    assert_eq!(k1.title, "Komitmen K1");
    assert_eq!(
        k1.ogp_values,
        json!(["ACCESS_TO_INFORMATION", "PUBLIC_ACCOUNTABILITY"])
    );
    assert_eq!(k1.lead_organisation_id, Some(orgs[0].id));
    assert_eq!(k1.starts_on, day("2018-08-01"));
    let portal = &existing.milestones[1];
    assert_eq!(portal.title, "Portal");
    assert_eq!(portal.deliverable.as_deref(), Some("Keluaran Portal"));
    assert_eq!(portal.ends_on, day("2019-03-31"));
    assert_eq!(portal.weight, 3);
    assert_eq!(portal.responsible_organisation_id, Some(orgs[0].id));
    assert_eq!(
        count::<entity::audit_event::Entity, _>(&t.db).await,
        audits_before + 5
    );
    // Read back from what it wrote, the file is unchanged; imported twice, nothing moves.
    let written = matrix_of(&renaksi::rows(&existing, &orgs), &orgs);
    assert!(
        renaksi::verdicts(&written, &existing)
            .iter()
            .all(|v| v.action == Action::Unchanged)
    );
    assert_eq!(written.commitments[0].milestones.len(), 2);
    let again = renaksi::import(&act, &plan, &matrix, false).await.unwrap();
    assert_eq!((again.created, again.changed, again.unchanged), (0, 0, 5));

    // One row breaks a milestone's rule (it ends before it starts) among good changes:
    // refused at its cell, and nothing of the file is written.
    let mut bad = rows.clone();
    bad[0][10] = Value::Number(4.0);
    bad.push(row("K3", "Terbalik", "2019-06-30", "2019-01-01", 1.0));
    let refused = renaksi::import(&act, &plan, &matrix_of(&bad, &orgs), false)
        .await
        .unwrap_err();
    let ImportError::Sheet(problems) = refused else {
        panic!("refused by rule: {refused:?}")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].cell.as_deref(), Some("J5"));
    assert_eq!(problems[0].issue.rule_code(), "END_BEFORE_START");
    let after = Existing::load(&t.db, plan.id).await.unwrap();
    assert_eq!(after.commitments.len(), 2);
    assert_eq!(after.milestones[0].weight, 2);
    assert_eq!(
        count::<entity::audit_event::Entity, _>(&t.db).await,
        audits_before + 5
    );

    // A watchdog may read the plan, not import into it.
    let watchdog = fixtures::actor(
        &t.db,
        "pemantau@bi.or.id",
        false,
        m.id,
        &[entity::role_grant::Role::Watchdog],
    )
    .await;
    let as_watchdog = Act {
        actor: &watchdog,
        ..act
    };
    assert!(matches!(
        renaksi::import(&as_watchdog, &plan, &matrix, true).await,
        Err(ImportError::Outcome(entity::kernel::edit::Outcome::Denied(
            _
        )))
    ));
    t.finish().await;
}

/// The fields of a problem refused, as `(field, code)`.
fn refused<T>(answer: &Result<T, entity::kernel::edit::Outcome>) -> Vec<(String, String)> {
    match answer {
        Err(entity::kernel::edit::Outcome::Refused(r)) => {
            r.0.0
                .iter()
                .map(|p| (p.field.join("."), format!("{:?}", p.problem.code())))
                .collect()
        }
        Ok(_) => panic!("not refused"),
        Err(_) => panic!("not a refusal"),
    }
}

/// The import's new rows are made together (`create_many`) and decided as `create` decides
/// one: the same record and audit record, a reference to another member's organisation
/// refused at its field while the other rows are written, and the statements an import takes
/// do not grow with its rows.
#[tokio::test]
async fn rows_made_together_are_made_as_one_at_a_time() {
    use entity::kernel::crud::{Act, Create};
    use entity::plans::milestone::{self as m_ops, NewMilestone};
    use fixtures::count;
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let other = fixtures::member(&t.db, "semarang").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let own = fixtures::organisation(&t.db, &m, "Bappeda").await;
    let foreign = fixtures::organisation(&t.db, &other, "Bappeda Kota Semarang").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("together"),
        now: now(),
    };
    let new = |title: &str, org: Uuid, start: &str, end: &str| NewMilestone {
        title: title.into(),
        deliverable: Some("Notulen rapat".into()),
        starts_on: day(start),
        ends_on: day(end),
        responsible_organisation: Some(org),
        weight: Some(3),
    };
    let input = json!({});
    let spec = Create {
        mutation: "createMilestone",
        client_mutation_id: None,
        input: &input,
        problems: entity::Problems::new(),
    };
    let alone = m_ops::create(
        &act,
        &c,
        spec,
        new("Satu", own.id, "2018-08-01", "2018-09-30"),
    )
    .await
    .unwrap_or_else(|_| panic!("made alone"));
    let answers = entity::db::write(&t.db, async |tx| {
        entity::db::within(tx, async |db| {
            let inner = Act { db, ..act };
            m_ops::create_many(
                &inner,
                vec![
                    (&c, new("Dua", own.id, "2018-08-01", "2018-09-30")),
                    (&c, new("Asing", foreign.id, "2018-08-01", "2018-09-30")),
                    (&c, new("Terbalik", own.id, "2018-09-30", "2018-08-01")),
                    (&c, new("", own.id, "2018-08-01", "2018-09-30")),
                ],
            )
            .await
        })
        .await
    })
    .await
    .unwrap_or_else(|_| panic!("the batch is written"));
    assert_eq!(answers.len(), 4);
    let Ok(together) = &answers[0] else {
        panic!("the good row is made: {:?}", refused(&answers[0]))
    };
    assert_eq!(
        refused(&answers[1]),
        [("input.responsibleOrganisationId".into(), "NotFound".into())]
    );
    assert_eq!(
        refused(&answers[2]),
        [("input.endsOn".into(), "EndBeforeStart".into())]
    );
    assert_eq!(
        refused(&answers[3]),
        [("input.title".into(), "Required".into())]
    );
    assert_eq!(count::<milestone::Entity, _>(&t.db).await, 2);
    // The same record but for its id and title, as stored.
    let stored = milestone::Entity::find_by_id(together.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&stored, together);
    let same = milestone::Model {
        id: alone.id,
        title: alone.title.clone(),
        ..stored.clone()
    };
    assert_eq!(same, alone);
    // The same audit record but for the record's id and title.
    let (a, b) = (
        fixtures::audits(&t.db, alone.id).await,
        fixtures::audits(&t.db, together.id).await,
    );
    assert_eq!((a.len(), b.len()), (1, 1));
    let strip = |e: &entity::audit_event::Model| {
        let mut after = e.after.clone().unwrap();
        after["id"] = json!(null);
        after["title"] = json!(null);
        (
            e.action.clone(),
            e.entity_type.clone(),
            e.actor_id,
            e.member_id,
            after,
        )
    };
    assert_eq!(strip(&a[0]), strip(&b[0]));

    // An import of 5 commitments and one of 50 (4 milestones each) take as many statements.
    let orgs = vec![own.clone()];
    let mut statements = vec![];
    for n in [5, 50] {
        let rows: Vec<Vec<Value>> = (0..n)
            .flat_map(|i| {
                (0..4).map(move |j| {
                    vec![
                        Value::Text(format!("K{i}")),
                        Value::Text(format!("Komitmen {i}")),
                        Value::Text("Akses Informasi".into()),
                        Value::Text("Bappeda".into()),
                        Value::Date("2018-08-01".parse().unwrap()),
                        Value::Date("2020-07-31".parse().unwrap()),
                        Value::Text(format!("Kegiatan {j}")),
                        Value::Text("Laporan".into()),
                        Value::Date("2018-08-01".parse().unwrap()),
                        Value::Date("2019-07-31".parse().unwrap()),
                        Value::Number(1.0),
                        Value::Text("Bappeda".into()),
                    ]
                })
            })
            .collect();
        let matrix = matrix_of(&rows, &orgs);
        let plan = empty_plan(&t.db, m.id).await;
        let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut db = t.db.clone();
        let seen = counter.clone();
        db.set_metric_callback(move |_| {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let counted = Act {
            db: (&db).into(),
            ..act
        };
        let done = renaksi::import(&counted, &plan, &matrix, false)
            .await
            .unwrap();
        assert_eq!(done.created, n * 5);
        let e = Existing::load(&t.db, plan.id).await.unwrap();
        assert_eq!((e.commitments.len(), e.milestones.len()), (n, n * 4));
        statements.push(counter.load(std::sync::atomic::Ordering::Relaxed));
    }
    assert_eq!(
        statements[0], statements[1],
        "5 and 50 commitments: {statements:?}"
    );
    assert!(statements[0] <= 16, "{statements:?} statements");
    t.finish().await;
}
