//! A generated partnership of any size, for the N+1 tests and the benchmark: members with
//! organisations, plans, commitments, milestones (statuses, dates and weights spread
//! deterministically) and DPA budget lines funding some of the commitments. Not demo data:
//! names say they are generated.

use chrono::{Days, NaiveDate};
use entity::action_plan::{self, PlanLevel, PlanStatus};
use entity::budget_line::{self, DpaVersion};
use entity::commitment::{self, CommitmentStatus, OgpValue};
use entity::member::{self, MemberLevel};
use entity::milestone::{self, MilestoneStatus};
use entity::organisation::{self, OrganisationKind};
use entity::{db, funding};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait};
use uuid::Uuid;

/// How much to generate.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub members: usize,
    pub organisations_per_member: usize,
    pub plans_per_member: usize,
    pub commitments_per_plan: usize,
    pub milestones_per_commitment: usize,
    /// Every n-th commitment is funded by a DPA budget line (0: none).
    pub funded_every: usize,
}

impl Shape {
    /// The benchmark's data set: 20 members, 500 organisations, 100 plans, 2,000 commitments,
    /// 20,000 milestones.
    pub const BENCHMARK: Shape = Shape {
        members: 20,
        organisations_per_member: 25,
        plans_per_member: 5,
        commitments_per_plan: 20,
        milestones_per_commitment: 10,
        funded_every: 2,
    };
}

/// What was generated, for the caller to query.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    pub members: Vec<Uuid>,
    pub plans: Vec<Uuid>,
    pub commitments: usize,
    pub milestones: usize,
    pub organisations: usize,
}

/// Rows per INSERT: under SQLite's bound-variable limit for the widest table.
const CHUNK: usize = 1000;

async fn insert_chunks<A>(db: &DatabaseConnection, rows: Vec<A>) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait + Send + 'static,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        db::write(db, async |tx| {
            A::Entity::insert_many(chunk)
                .exec_without_returning(tx)
                .await
                .map(|_| ())
        })
        .await?;
    }
    Ok(())
}

/// Generates `shape` under new members named `{prefix} 1…n`. The plans are IMPLEMENTING (so
/// the public sees them) with the 2018–2020 period of Bojonegoro's second plan.
pub async fn generate(
    db: &DatabaseConnection,
    prefix: &str,
    shape: Shape,
) -> Result<Generated, DbErr> {
    // Benchmark data, stamped with the machine's time: no domain date depends on it.
    let now = entity::clock::real_now();
    let start = NaiveDate::from_ymd_opt(2018, 9, 1).expect("a date");
    let mut out = Generated::default();
    let mut members = vec![];
    let mut orgs = vec![];
    let mut plans = vec![];
    let mut commitments = vec![];
    let mut milestones = vec![];
    let mut lines = vec![];
    let mut fundings = vec![];
    let slug = prefix.to_lowercase().replace(' ', "-");
    for m in 0..shape.members {
        let member_id = Uuid::now_v7();
        out.members.push(member_id);
        members.push(member::ActiveModel {
            id: Set(member_id),
            slug: Set(format!("{slug}-{}", m + 1)),
            name: Set(format!("{prefix} {}", m + 1)),
            level: Set(MemberLevel::Regency),
            parent_id: Set(None),
            time_zone: Set("Asia/Jakarta".into()),
            ogp_member_since: Set(NaiveDate::from_ymd_opt(2016, 4, 1)),
            website_url: Set(None),
            repository_url: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        });
        let org_ids: Vec<Uuid> = (0..shape.organisations_per_member)
            .map(|_| Uuid::now_v7())
            .collect();
        for (o, id) in org_ids.iter().enumerate() {
            let name = format!("Organisasi {} {}", m + 1, o + 1);
            orgs.push(organisation::ActiveModel {
                id: Set(*id),
                member_id: Set(member_id),
                name_key: Set(name.to_lowercase()),
                name: Set(name),
                acronym: Set(None),
                kind: Set(if o % 3 == 0 {
                    OrganisationKind::GovernmentOffice
                } else {
                    OrganisationKind::Ngo
                }),
                parent_id: Set(None),
                partnership_role: Set(None),
                contact_email: Set(None),
                contact_phone: Set(None),
                address: Set(None),
                website_url: Set(None),
                contact_public: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
        }
        out.organisations += org_ids.len();
        let line_id = Uuid::now_v7();
        if shape.funded_every > 0 && !org_ids.is_empty() {
            lines.push(budget_line::ActiveModel {
                id: Set(line_id),
                member_id: Set(member_id),
                organisation_id: Set(org_ids[0]),
                fiscal_year: Set(2019),
                dpa_version: Set(DpaVersion::Original),
                program_code: Set(Some("2.16.01".into())),
                program_name: Set("Program Informasi dan Komunikasi Publik".into()),
                activity_code: Set(None),
                activity_name: Set(None),
                sub_activity_code: Set(None),
                ceiling: Set(250_000_000),
                realisation: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
        }
        for p in 0..shape.plans_per_member {
            let plan_id = Uuid::now_v7();
            out.plans.push(plan_id);
            plans.push(action_plan::ActiveModel {
                id: Set(plan_id),
                member_id: Set(member_id),
                level: Set(PlanLevel::Regional),
                part_of_id: Set(None),
                follows_id: Set(None),
                title: Set(format!("Rencana Aksi {} ({})", p + 1, m + 1)),
                period_start: Set(Some(start)),
                period_end: Set(NaiveDate::from_ymd_opt(2020, 8, 31)),
                submission_deadline: Set(NaiveDate::from_ymd_opt(2018, 8, 31)),
                submitted_on: Set(NaiveDate::from_ymd_opt(2018, 8, 30)),
                document_version: Set(None),
                status: Set(PlanStatus::Implementing),
                summary: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
            for c in 0..shape.commitments_per_plan {
                let commitment_id = Uuid::now_v7();
                out.commitments += 1;
                commitments.push(commitment::ActiveModel {
                    id: Set(commitment_id),
                    member_id: Set(member_id),
                    plan_id: Set(plan_id),
                    code: Set(Some(format!("GEN{:04}", c + 1))),
                    title: Set(format!("Komitmen {}", c + 1)),
                    theme: Set(None),
                    problem: Set(None),
                    baseline: Set(None),
                    objective: Set(None),
                    description: Set(None),
                    how_it_solves: Set(None),
                    ogp_values: Set(serde_json::json!([OgpValue::AccessToInformation])),
                    ambition: Set(None),
                    lead_organisation_id: Set(org_ids.get(c % org_ids.len().max(1)).copied()),
                    official_in_charge: Set(None),
                    starts_on: Set(Some(start)),
                    ends_on: Set(NaiveDate::from_ymd_opt(2020, 6, 30)),
                    continues_id: Set(None),
                    status: Set(CommitmentStatus::InProgress),
                    ordinal: Set(c as i32),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                });
                if shape.funded_every > 0 && c % shape.funded_every == 0 {
                    fundings.push(funding::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        member_id: Set(member_id),
                        commitment_id: Set(commitment_id),
                        milestone_id: Set(None),
                        budget_line_id: Set(Some(line_id)),
                        ngo_programme_id: Set(None),
                        amount: Set(Some(10_000_000)),
                        created_at: Set(now),
                    });
                }
                for k in 0..shape.milestones_per_commitment {
                    out.milestones += 1;
                    let n = c * shape.milestones_per_commitment + k;
                    let (status, progress) = match n % 4 {
                        0 => (MilestoneStatus::NotStarted, 0),
                        1 => (MilestoneStatus::InProgress, 40),
                        2 => (MilestoneStatus::Completed, 100),
                        _ => (MilestoneStatus::InProgress, 70),
                    };
                    let ends = start + Days::new(30 * (n as u64 % 24) + 29);
                    milestones.push(milestone::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        member_id: Set(member_id),
                        commitment_id: Set(commitment_id),
                        title: Set(format!("Kegiatan {}.{}", c + 1, k + 1)),
                        deliverable: Set(Some("Laporan kegiatan".into())),
                        starts_on: Set(Some(start)),
                        ends_on: Set(Some(ends)),
                        responsible_organisation_id: Set(org_ids
                            .get(n % org_ids.len().max(1))
                            .copied()),
                        weight: Set(1 + (k % 3) as i32),
                        status: Set(status),
                        progress: Set(progress),
                        ordinal: Set(k as i32),
                        created_at: Set(now),
                        updated_at: Set(now),
                        version: Set(1),
                    });
                }
            }
        }
    }
    insert_chunks(db, members).await?;
    insert_chunks(db, orgs).await?;
    insert_chunks(db, lines).await?;
    insert_chunks(db, plans).await?;
    insert_chunks(db, commitments).await?;
    insert_chunks(db, fundings).await?;
    insert_chunks(db, milestones).await?;
    Ok(out)
}
