//! The plan tree read (`entity::plans::tree`): what it decodes is the stored rows exactly, on
//! either backend, a page per parent; and each page is read by the (parent, id) index, never
//! by sorting everything the parent holds.

use entity::milestone::{self, MilestoneStatus};
use entity::plans::tree::{self, Cells, Columns, PageOf, Rows, Shape};
use entity::{commitment, organisation};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    QueryOrder, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::TestDb;
use crate::fixtures::{self, now};

const SHAPE: Shape = Shape {
    commitments: PageOf {
        limit: 20,
        after: None,
    },
    commitment_count: true,
    milestones: Some(PageOf {
        limit: 10,
        after: None,
    }),
    milestone_count: true,
    organisations: true,
};

fn after(shape: Shape, milestone: Uuid) -> Shape {
    Shape {
        milestones: Some(PageOf {
            limit: 10,
            after: Some(milestone),
        }),
        ..shape
    }
}

#[tokio::test]
async fn a_plan_tree_reads_the_stored_rows_a_page_per_parent() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let office = fixtures::organisation(&t.db, &m, "Dinas Komunikasi dan Informatika").await;
    // 25 milestones, every third one without an office, with text that JSON must escape.
    for i in 0..25 {
        milestone::ActiveModel::from(milestone::Model {
            id: Uuid::now_v7(),
            member_id: m.id,
            commitment_id: c.id,
            title: format!("Tahap {i}: \"rapat\" monev\\n\u{2013} ruang PPID"),
            deliverable: (i % 2 == 0).then(|| format!("Notulen {i}")),
            starts_on: Some("2018-09-01".parse().unwrap()),
            ends_on: (i % 4 != 0).then(|| "2019-06-30".parse().unwrap()),
            responsible_organisation_id: (i % 3 != 0).then_some(office.id),
            weight: i,
            status: MilestoneStatus::InProgress,
            progress: 40,
            ordinal: i,
            created_at: now(),
            updated_at: now(),
            version: 1,
        })
        .insert(&t.db)
        .await
        .unwrap();
    }
    let stored: Vec<milestone::Model> = milestone::Entity::find()
        .filter(milestone::Column::CommitmentId.eq(c.id))
        .order_by_asc(milestone::Column::Id)
        .all(&t.db)
        .await
        .unwrap();
    let plan = entity::action_plan::Entity::find_by_id(c.plan_id)
        .one(&t.db)
        .await
        .unwrap();

    let first = tree::read(&t.db, c.plan_id, SHAPE).await.unwrap();
    assert_eq!(first.plan, plan);
    assert_eq!(first.member.as_ref(), Some(&m));
    assert_eq!(first.commitments, (vec![c.clone()], false));
    assert_eq!(first.commitment_count, Some(1));
    assert_eq!(first.milestone_counts.get(&c.id), Some(&25));
    assert_eq!(first.milestones[&c.id], (stored[..10].to_vec(), true));
    assert_eq!(first.organisations.len(), 1);
    assert_eq!(first.organisations.get(&office.id), Some(&office));

    let second = tree::read(&t.db, c.plan_id, after(SHAPE, stored[9].id))
        .await
        .unwrap();
    assert_eq!(second.milestones[&c.id], (stored[10..20].to_vec(), true));
    let last = tree::read(&t.db, c.plan_id, after(SHAPE, stored[19].id))
        .await
        .unwrap();
    assert_eq!(last.milestones[&c.id], (stored[20..].to_vec(), false));

    // A page of commitments past the last one: no commitments, nothing below them.
    let past = Shape {
        commitments: PageOf {
            limit: 20,
            after: Some(c.id),
        },
        ..SHAPE
    };
    let empty = tree::read(&t.db, c.plan_id, past).await.unwrap();
    assert_eq!(empty.commitments, (vec![], false));
    assert!(empty.milestones.is_empty() && empty.organisations.is_empty());
    assert_eq!(empty.commitment_count, Some(1));

    // A plan that is not there: nothing.
    let none = tree::read(&t.db, Uuid::now_v7(), SHAPE).await.unwrap();
    assert!(none.plan.is_none() && none.commitments.0.is_empty());

    // Read as cells: the id and the columns asked for, each the stored value, the same pages.
    let columns = columns();
    let flat = tree::read_columns(&t.db, c.plan_id, SHAPE, &columns)
        .await
        .unwrap();
    assert_eq!(flat.plan, plan);
    assert_eq!(flat.member.as_ref(), Some(&m));
    assert_eq!((flat.more, flat.commitment_count), (false, Some(1)));
    let read = flat.commitments(&SHAPE).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(tree::cell_uuid(read[0].cells[0]), Some(c.id));
    assert_eq!(text_cell(&read[0].cells, 1), c.code);
    assert_eq!(text_cell(&read[0].cells, 2), Some(c.title.clone()));
    assert_eq!(read[0].milestone_count, Some(25));
    let cells_of = |page: &[(Cells<'_>, Option<Cells<'_>>)]| {
        page.iter()
            .map(|(m, o)| {
                (
                    tree::cell_uuid(m[0]).unwrap(),
                    text_cell(m, 1).unwrap(),
                    serde_json::from_str::<MilestoneStatus>(m[2]).unwrap(),
                    serde_json::from_str::<Option<chrono::NaiveDate>>(m[3]).unwrap(),
                    serde_json::from_str::<i32>(m[4]).unwrap(),
                    o.as_ref().map(|o| {
                        (
                            tree::cell_uuid(o[0]).unwrap(),
                            text_cell(o, 1).unwrap(),
                            serde_json::from_str::<bool>(o[2]).unwrap(),
                        )
                    }),
                )
            })
            .collect::<Vec<_>>()
    };
    let expected = |rows: &[milestone::Model]| {
        rows.iter()
            .map(|s| {
                (
                    s.id,
                    s.title.clone(),
                    s.status,
                    s.ends_on,
                    s.weight,
                    s.responsible_organisation_id
                        .map(|_| (office.id, office.name.clone(), office.contact_public)),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(cells_of(&read[0].milestones.0), expected(&stored[..10]));
    assert!(read[0].milestones.1);
    let flat = tree::read_columns(&t.db, c.plan_id, after(SHAPE, stored[19].id), &columns)
        .await
        .unwrap();
    let read = flat.commitments(&SHAPE).unwrap();
    assert_eq!(cells_of(&read[0].milestones.0), expected(&stored[20..]));
    assert!(!read[0].milestones.1);
    let flat = tree::read_columns(&t.db, c.plan_id, past, &columns)
        .await
        .unwrap();
    assert!(flat.commitments(&past).unwrap().is_empty());
    let none = tree::read_columns(&t.db, Uuid::now_v7(), SHAPE, &columns)
        .await
        .unwrap();
    assert!(none.plan.is_none() && none.commitments(&SHAPE).unwrap().is_empty());
    t.finish().await;
}

/// The columns the cell reads ask for: a few of each level, a boolean among them.
fn columns() -> Columns {
    Columns {
        commitment: vec![commitment::Column::Code, commitment::Column::Title],
        milestone: vec![
            milestone::Column::Title,
            milestone::Column::Status,
            milestone::Column::EndsOn,
            milestone::Column::Weight,
        ],
        organisation: vec![
            organisation::Column::Name,
            organisation::Column::ContactPublic,
        ],
    }
}

/// A text cell's value (`None` for SQL NULL).
fn text_cell(cells: &Cells<'_>, i: usize) -> Option<String> {
    serde_json::from_str(cells[i]).unwrap()
}

/// The query plan of the tree statement, one line per step.
async fn query_plan(t: &TestDb, statement: Statement) -> Vec<String> {
    let backend = t.db.get_database_backend();
    let explain = match backend {
        DatabaseBackend::Postgres => "EXPLAIN",
        _ => "EXPLAIN QUERY PLAN",
    };
    let sql = format!("{explain} {}", statement.sql);
    let values = statement.values.map(|v| v.0).unwrap_or_default();
    let tx = t.db.begin().await.unwrap();
    if backend == DatabaseBackend::Postgres {
        // Else PostgreSQL reads an empty table whole: the index is what is asked about.
        tx.execute_unprepared("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            .await
            .unwrap();
    }
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    rows.iter()
        .map(|r| match backend {
            DatabaseBackend::Postgres => r.try_get::<String>("", "QUERY PLAN").unwrap(),
            _ => r.try_get::<String>("", "detail").unwrap(),
        })
        .collect()
}

#[tokio::test]
async fn every_page_of_the_tree_is_read_by_its_parent_and_id_index_without_a_sort() {
    let t = TestDb::fresh().await;
    let backend = t.db.get_database_backend();
    let columns = columns();
    for (shape, rows) in [SHAPE, after(SHAPE, Uuid::now_v7())]
        .into_iter()
        .flat_map(|s| [(s, Rows::Whole), (s, Rows::Columns(&columns))])
    {
        let plan = query_plan(&t, tree::statement(backend, Uuid::now_v7(), shape, rows)).await;
        let text = plan.join("\n");
        for index in ["ix_commitment_plan_id_id", "ix_milestone_commitment_id_id"] {
            assert!(text.contains(index), "{index} is not used:\n{text}");
        }
        for sort in ["TEMP B-TREE", "Sort"] {
            assert!(!text.contains(sort), "a page is sorted:\n{text}");
        }
    }
    t.finish().await;
}
