//! The plan dashboard, computed in one place so the admin screen, the monev report and the
//! digests agree: each commitment's roll-up progress, its milestones by state, what is overdue,
//! the next deadline, and where the money comes from (or that none does).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QueryResult, Statement,
};
use serde::Serialize;
use uuid::Uuid;

use crate::milestone::{self, MilestoneState, MilestoneStatus};
use crate::{action_plan, commitment};

/// Milestones by the state people see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct StateCounts {
    pub not_started: i32,
    pub in_progress: i32,
    pub completed: i32,
    pub cancelled: i32,
    pub delayed: i32,
    /// Open when the plan was over (ended, assessed or withdrawn): its final state.
    pub not_completed: i32,
}

impl StateCounts {
    pub fn add(&mut self, s: MilestoneState) {
        match s {
            MilestoneState::NotStarted => self.not_started += 1,
            MilestoneState::InProgress => self.in_progress += 1,
            MilestoneState::Completed => self.completed += 1,
            MilestoneState::Cancelled => self.cancelled += 1,
            MilestoneState::Delayed => self.delayed += 1,
            MilestoneState::NotCompleted => self.not_completed += 1,
        }
    }

    fn merge(&mut self, o: &StateCounts) {
        self.not_started += o.not_started;
        self.in_progress += o.in_progress;
        self.completed += o.completed;
        self.cancelled += o.cancelled;
        self.delayed += o.delayed;
        self.not_completed += o.not_completed;
    }

    /// The counts of a plan that is over: what was still open was not completed (nothing is
    /// "late" or "not started" any more).
    fn settled(self) -> Self {
        Self {
            not_completed: self.not_completed + self.not_started + self.in_progress + self.delayed,
            not_started: 0,
            in_progress: 0,
            delayed: 0,
            ..self
        }
    }
}

/// Where a commitment's money comes from, in whole rupiah (as text in GraphQL: amounts pass
/// GraphQL's 32-bit `Int`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "graphql",
    derive(async_graphql::SimpleObject),
    graphql(complex)
)]
pub struct FundingSummary {
    /// DPA budget lines linked.
    pub budget_lines: i32,
    /// NGO programmes linked.
    pub ngo_programmes: i32,
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub dpa_amount: i64,
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub ngo_amount: i64,
}

#[cfg(feature = "graphql")]
#[async_graphql::ComplexObject]
impl FundingSummary {
    /// Allocated from DPA lines (the line's ceiling when no amount was allocated), whole
    /// rupiah.
    async fn dpa_amount(&self) -> String {
        self.dpa_amount.to_string()
    }
    /// Allocated from NGO programmes (the programme's amount when none was allocated), whole
    /// rupiah.
    async fn ngo_amount(&self) -> String {
        self.ngo_amount.to_string()
    }
}

impl FundingSummary {
    pub fn is_funded(&self) -> bool {
        self.budget_lines + self.ngo_programmes > 0
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CommitmentRow {
    pub commitment: commitment::Model,
    pub progress: Option<f64>,
    pub counts: StateCounts,
    pub overdue: Vec<milestone::Model>,
    pub next_deadline: Option<NaiveDate>,
    pub funding: FundingSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub plan: action_plan::Model,
    pub commitments: Vec<CommitmentRow>,
    /// The mean of the commitments' progress (those that have one).
    pub progress: Option<f64>,
    pub counts: StateCounts,
    pub next_deadline: Option<NaiveDate>,
}

impl Dashboard {
    pub fn overdue(&self) -> usize {
        self.commitments.iter().map(|c| c.overdue.len()).sum()
    }

    pub fn unfunded(&self) -> impl Iterator<Item = &CommitmentRow> {
        self.commitments.iter().filter(|c| !c.funding.is_funded())
    }
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The dashboard of a plan on `today` (the member's calendar day), in a fixed number of
/// statements whatever the plan's size.
/// A plan's progress: the mean of its commitments' progress (those that have one), to one
/// decimal.
pub fn plan_progress(commitments: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let with: Vec<f64> = commitments.flatten().collect();
    (!with.is_empty()).then(|| round1(with.iter().sum::<f64>() / with.len() as f64))
}

pub async fn plan_dashboard<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    today: NaiveDate,
) -> Result<Option<Dashboard>, DbErr> {
    let Some(plan) = action_plan::Entity::find_by_id(plan_id).one(db).await? else {
        return Ok(None);
    };
    dashboard_of(db, plan, today).await.map(Some)
}

/// Per commitment: its milestones by state, the weighted roll-up and the next open end date,
/// and its funding by source, aggregated by the database (one row per commitment, whatever
/// the number of milestones). The rules are those of `milestone::Model::state`,
/// `milestone::roll_up` and `FundingSummary`; a test holds the two equal on both backends.
const AGGREGATE: &str = "
SELECT c.*,
  COALESCE(m.not_started, 0) AS agg_not_started,
  COALESCE(m.in_progress, 0) AS agg_in_progress,
  COALESCE(m.completed, 0) AS agg_completed,
  COALESCE(m.cancelled, 0) AS agg_cancelled,
  COALESCE(m.delayed, 0) AS agg_delayed,
  COALESCE(m.weighted, 0) AS agg_weighted,
  COALESCE(m.weights, 0) AS agg_weights,
  m.next_deadline AS agg_next_deadline,
  COALESCE(f.budget_lines, 0) AS agg_budget_lines,
  COALESCE(f.ngo_programmes, 0) AS agg_ngo_programmes,
  COALESCE(f.dpa_amount, 0) AS agg_dpa_amount,
  COALESCE(f.ngo_amount, 0) AS agg_ngo_amount
FROM commitment c
LEFT JOIN (
  SELECT commitment_id,
    SUM(CASE WHEN status = 'NOT_STARTED' AND NOT (ends_on IS NOT NULL AND ends_on < $2) THEN 1 ELSE 0 END) AS not_started,
    SUM(CASE WHEN status = 'IN_PROGRESS' AND NOT (ends_on IS NOT NULL AND ends_on < $2) THEN 1 ELSE 0 END) AS in_progress,
    SUM(CASE WHEN status = 'COMPLETED' THEN 1 ELSE 0 END) AS completed,
    SUM(CASE WHEN status = 'CANCELLED' THEN 1 ELSE 0 END) AS cancelled,
    SUM(CASE WHEN status IN ('NOT_STARTED', 'IN_PROGRESS') AND ends_on < $2 THEN 1 ELSE 0 END) AS delayed,
    CAST(SUM(CASE WHEN status = 'CANCELLED' OR weight <= 0 THEN 0
      ELSE weight * (CASE WHEN status = 'COMPLETED' THEN 100 WHEN progress < 0 THEN 0
                          WHEN progress > 100 THEN 100 ELSE progress END) END) AS BIGINT) AS weighted,
    CAST(SUM(CASE WHEN status = 'CANCELLED' OR weight <= 0 THEN 0 ELSE weight END) AS BIGINT) AS weights,
    MIN(CASE WHEN status IN ('NOT_STARTED', 'IN_PROGRESS') AND ends_on >= $2 THEN ends_on END) AS next_deadline
  FROM milestone
  WHERE commitment_id IN (SELECT id FROM commitment WHERE plan_id = $1)
  GROUP BY commitment_id
) m ON m.commitment_id = c.id
LEFT JOIN (
  SELECT fu.commitment_id,
    SUM(CASE WHEN fu.budget_line_id IS NOT NULL THEN 1 ELSE 0 END) AS budget_lines,
    SUM(CASE WHEN fu.ngo_programme_id IS NOT NULL THEN 1 ELSE 0 END) AS ngo_programmes,
    CAST(SUM(CASE WHEN fu.budget_line_id IS NOT NULL THEN COALESCE(fu.amount, bl.ceiling, 0) ELSE 0 END) AS BIGINT) AS dpa_amount,
    CAST(SUM(CASE WHEN fu.ngo_programme_id IS NOT NULL THEN COALESCE(fu.amount, np.amount, 0) ELSE 0 END) AS BIGINT) AS ngo_amount
  FROM funding fu
  LEFT JOIN budget_line bl ON bl.id = fu.budget_line_id
  LEFT JOIN ngo_programme np ON np.id = fu.ngo_programme_id
  WHERE fu.commitment_id IN (SELECT id FROM commitment WHERE plan_id = $1)
  GROUP BY fu.commitment_id
) f ON f.commitment_id = c.id
WHERE c.plan_id = $1
ORDER BY c.ordinal, c.id";

fn count(row: &QueryResult, col: &str) -> Result<i32, DbErr> {
    let n: i64 = row.try_get("", col)?;
    i32::try_from(n).map_err(|_| DbErr::Custom(format!("{col} out of range: {n}")))
}

/// The plan's milestones past their end date and still open, oldest first.
async fn overdue_milestones<C: ConnectionTrait>(
    db: &C,
    plan: &action_plan::Model,
    today: NaiveDate,
) -> Result<Vec<milestone::Model>, DbErr> {
    milestone::Entity::find()
        .filter(
            milestone::Column::CommitmentId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(commitment::Column::Id)
                    .from(commitment::Entity)
                    .and_where(commitment::Column::PlanId.eq(plan.id))
                    .to_owned(),
            ),
        )
        .filter(milestone::Column::Status.is_in(MilestoneStatus::OPEN))
        .filter(milestone::Column::EndsOn.lt(today))
        .order_by_asc(milestone::Column::EndsOn)
        .order_by_asc(milestone::Column::Id)
        .all(db)
        .await
}

/// The dashboard of a plan already read: two statements (the per-commitment aggregate and the
/// overdue milestones; one for a plan that is over), whatever the plan's size.
pub async fn dashboard_of<C: ConnectionTrait>(
    db: &C,
    plan: action_plan::Model,
    today: NaiveDate,
) -> Result<Dashboard, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        // SQLite numbers its parameters `?NNN`; `$1` would be a named parameter there.
        DbBackend::Sqlite => AGGREGATE.replace('$', "?"),
        _ => AGGREGATE.to_owned(),
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [plan.id.into(), today.into()],
        ))
        .await?;
    let over = plan.status.is_over();
    let overdue = if over {
        // An ended plan's open milestones are not overdue news.
        vec![]
    } else {
        overdue_milestones(db, &plan, today).await?
    };
    let mut overdue_of: HashMap<Uuid, Vec<milestone::Model>> = HashMap::new();
    for m in overdue {
        overdue_of.entry(m.commitment_id).or_default().push(m);
    }

    let mut commitments = Vec::with_capacity(rows.len());
    let mut total = StateCounts::default();
    for row in &rows {
        let c = commitment::Model::from_query_result(row, "")?;
        let mut counts = StateCounts {
            not_started: count(row, "agg_not_started")?,
            in_progress: count(row, "agg_in_progress")?,
            completed: count(row, "agg_completed")?,
            cancelled: count(row, "agg_cancelled")?,
            delayed: count(row, "agg_delayed")?,
            not_completed: 0,
        };
        if over {
            counts = counts.settled();
        }
        let weighted: i64 = row.try_get("", "agg_weighted")?;
        let weights: i64 = row.try_get("", "agg_weights")?;
        let funding = FundingSummary {
            budget_lines: count(row, "agg_budget_lines")?,
            ngo_programmes: count(row, "agg_ngo_programmes")?,
            dpa_amount: row.try_get("", "agg_dpa_amount")?,
            ngo_amount: row.try_get("", "agg_ngo_amount")?,
        };
        total.merge(&counts);
        commitments.push(CommitmentRow {
            progress: (weights > 0).then(|| round1(weighted as f64 / weights as f64)),
            counts,
            overdue: overdue_of.remove(&c.id).unwrap_or_default(),
            // Nothing of a plan that is over is due any more.
            next_deadline: if over {
                None
            } else {
                row.try_get("", "agg_next_deadline")?
            },
            funding,
            commitment: c,
        });
    }
    let progress = plan_progress(commitments.iter().map(|r| r.progress));
    let plan_deadline = plan
        .submission_deadline
        .filter(|d| plan.submitted_on.is_none() && *d >= today);
    let next_deadline = commitments
        .iter()
        .filter_map(|r| r.next_deadline)
        .chain(plan_deadline)
        .min();
    Ok(Dashboard {
        plan,
        commitments,
        progress,
        counts: total,
        next_deadline,
    })
}

/// The member's data revision: raised by the database (triggers) on every change to what a
/// dashboard reads, so an unchanged revision means an unchanged dashboard (for the same day).
pub async fn revision<C: ConnectionTrait>(db: &C, member: Uuid) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT revision FROM data_revision WHERE member_id = ?",
        _ => "SELECT revision FROM data_revision WHERE member_id = $1",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [member.into()],
        ))
        .await?;
    match row {
        Some(r) => r.try_get("", "revision"),
        None => Ok(0),
    }
}

/// Dashboards computed in this process, each kept with the member's data revision it was
/// computed at and the day it is for; served again only for the same plan, day and revision.
/// The revision is raised by database triggers on every change a dashboard depends on, from
/// any process, so a kept dashboard is never stale. Bounded: when full, it starts again.
#[derive(Default, Debug)]
pub struct Cache {
    entries: std::sync::Mutex<HashMap<(Uuid, NaiveDate), Kept>>,
}

/// A dashboard and the revision it was computed at.
type Kept = (i64, std::sync::Arc<Dashboard>);

/// Plans kept at most (a few hundred KB each for the largest plans).
const CACHE_PLANS: usize = 1_000;

impl Cache {
    pub fn get(
        &self,
        plan: Uuid,
        today: NaiveDate,
        revision: i64,
    ) -> Option<std::sync::Arc<Dashboard>> {
        let entries = self.entries.lock().expect("not poisoned");
        match entries.get(&(plan, today)) {
            Some((r, d)) if *r == revision => Some(d.clone()),
            _ => None,
        }
    }

    pub fn put(&self, plan: Uuid, today: NaiveDate, revision: i64, d: std::sync::Arc<Dashboard>) {
        let mut entries = self.entries.lock().expect("not poisoned");
        if entries.len() >= CACHE_PLANS {
            entries.clear();
        }
        entries.insert((plan, today), (revision, d));
    }
}
