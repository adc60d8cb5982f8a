//! The scheduler: each member's daily and weekly digests and its daily deadline alerts.
//!
//! Every worker process runs this loop (apalis's cron would run every tick in every process,
//! and never backfills). A tick is a row in `schedule_tick`, claimed once with a lease; the
//! work records mail under per-recipient dedupe keys, so even a tick run twice (its process
//! died before marking it done) sends each message once. After downtime the missed digest
//! periods are caught up from the last done tick, at most `TERBUKA_CATCH_UP_DAYS` back; a
//! first start handles the current period only, never years of history.
//!
//! Times: a day is the member's calendar day (Asia/Jakarta for Bojonegoro); work for a day is
//! due at `TERBUKA_DIGEST_HOUR` local time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use entity::{member, schedule_tick};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::WorkerState;

/// The schedules a member has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    DailyDigest,
    WeeklyDigest,
    Alerts,
}

impl Schedule {
    fn name(self, member: Uuid) -> String {
        match self {
            Schedule::DailyDigest => format!("digest:daily:{member}"),
            Schedule::WeeklyDigest => format!("digest:weekly:{member}"),
            Schedule::Alerts => format!("alerts:{member}"),
        }
    }

    /// The first day of the period `day` falls in.
    fn period_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Schedule::WeeklyDigest => {
                day - Days::new(u64::from(day.weekday().num_days_from_monday()))
            }
            _ => day,
        }
    }

    fn step(self) -> Days {
        match self {
            Schedule::WeeklyDigest => Days::new(7),
            _ => Days::new(1),
        }
    }
}

/// One claimed period of one schedule of one member.
#[derive(Clone, Debug)]
pub struct Tick {
    pub schedule: Schedule,
    pub member: member::Model,
    /// The local date the period starts on (a Monday for weekly digests).
    pub period: NaiveDate,
    pub key: String,
}

/// The periods of `schedule` due at `now` that are not done yet: from the one after the last
/// done (at most `catch_up_days` back), or — on a first start — the current one only.
pub fn due_periods(
    schedule: Schedule,
    last_done: Option<NaiveDate>,
    now: DateTime<Utc>,
    tz: Tz,
    hour: u32,
    catch_up_days: i64,
) -> Vec<NaiveDate> {
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    // Today's work is due once the local hour has come.
    let latest_day = if local.time().hour() >= hour {
        today
    } else {
        today - Days::new(1)
    };
    let current = schedule.period_of(latest_day);
    // Alerts look at today only: their thresholds cover the days a process was down.
    if schedule == Schedule::Alerts {
        return match last_done {
            Some(d) if d >= current => vec![],
            _ => vec![current],
        };
    }
    let floor = schedule.period_of(latest_day - Days::new(catch_up_days.max(0) as u64));
    let mut from = match last_done {
        Some(d) => d + schedule.step(),
        None => current,
    };
    if from < floor {
        from = floor;
    }
    let mut out = vec![];
    while from <= current {
        out.push(from);
        from = from + schedule.step();
    }
    out
}

/// Claims the tick `key` for `owner`: a new row, or a row not done whose claim ran out or
/// whose holder stopped beating. `true` when this process now holds it.
pub async fn claim(
    db: &DatabaseConnection,
    key: &str,
    schedule: &str,
    period: NaiveDate,
    owner: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool, DbErr> {
    use schedule_tick::Column as C;
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let inserted = schedule_tick::Entity::insert(schedule_tick::ActiveModel {
        key: Set(key.to_owned()),
        schedule: Set(schedule.to_owned()),
        period: Set(period),
        claimed_by: Set(owner.to_owned()),
        claimed_until: Set(until),
        done_at: Set(None),
        mails: Set(0),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::column(C::Key).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    if inserted > 0 {
        return Ok(true);
    }
    let taken = schedule_tick::Entity::update_many()
        .col_expr(C::ClaimedBy, Expr::value(owner.to_owned()))
        .col_expr(C::ClaimedUntil, Expr::value(until))
        .filter(C::Key.eq(key))
        .filter(C::DoneAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(C::ClaimedUntil.lt(now))
                .add(entity::worker_beat::holder_is_dead(C::ClaimedBy, now)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected > 0)
}

async fn last_done(db: &DatabaseConnection, schedule: &str) -> Result<Option<NaiveDate>, DbErr> {
    use schedule_tick::Column as C;
    Ok(schedule_tick::Entity::find()
        .filter(C::Schedule.eq(schedule))
        .filter(C::DoneAt.is_not_null())
        .order_by_desc(C::Period)
        .one(db)
        .await?
        .map(|t| t.period))
}

/// What a scheduler pass did.
#[derive(Debug, Default)]
pub struct Pass {
    /// The mail recorded (to queue).
    pub recorded: Vec<Uuid>,
    /// A due tick was held by another process: look again soon (if that process died, its
    /// tick is free once it has stopped beating).
    pub held_elsewhere: bool,
}

/// What a claimed tick does: records its mail and returns the records. The schedule decides
/// only when (digests and alerts each say what theirs are; see `crate::tick_work`).
pub type Work = for<'a> fn(
    &'a WorkerState,
    &'a Tick,
    DateTime<Utc>,
) -> std::pin::Pin<
    Box<dyn Future<Output = Result<Vec<Uuid>, DbErr>> + Send + 'a>,
>;

/// Runs every due tick of every member once, each by `work`.
pub async fn run_due(state: &WorkerState, work: Work) -> Result<Pass, DbErr> {
    let now = state.clock.now();
    let config = &state.config;
    let mut queued = vec![];
    let mut held_elsewhere = false;
    for m in member::Entity::find().all(&state.db).await? {
        let tz = m.tz();
        for schedule in [
            Schedule::Alerts,
            Schedule::DailyDigest,
            Schedule::WeeklyDigest,
        ] {
            let name = schedule.name(m.id);
            let last = last_done(&state.db, &name).await?;
            for period in due_periods(
                schedule,
                last,
                now,
                tz,
                config.digest_hour,
                config.catch_up_days,
            ) {
                let key = format!("{name}:{period}");
                if !claim(
                    &state.db,
                    &key,
                    &name,
                    period,
                    &config.worker_id,
                    // Leases run on real time (the domain clock may be set or frozen).
                    entity::clock::real_now(),
                    config.tick_lease,
                )
                .await?
                {
                    held_elsewhere = true;
                    continue;
                }
                let tick = Tick {
                    schedule,
                    member: m.clone(),
                    period,
                    key: key.clone(),
                };
                let recorded = work(state, &tick, now).await?;
                schedule_tick::Entity::update_many()
                    // Real time: when this process finished the tick (an operational record).
                    .col_expr(
                        schedule_tick::Column::DoneAt,
                        Expr::value(entity::clock::real_now()),
                    )
                    .col_expr(
                        schedule_tick::Column::Mails,
                        Expr::value(recorded.len() as i32),
                    )
                    .filter(schedule_tick::Column::Key.eq(key.clone()))
                    .filter(schedule_tick::Column::ClaimedBy.eq(config.worker_id.clone()))
                    .exec(&state.db)
                    .await?;
                tracing::info!(tick = %key, mails = recorded.len(), "tick handled");
                queued.extend(recorded);
            }
        }
    }
    Ok(Pass {
        recorded: queued,
        held_elsewhere,
    })
}

/// The scheduler loop: at start, then every `TERBUKA_SCHEDULE_MS`, until `stop`.
pub async fn schedule_loop(state: Arc<WorkerState>, mut stop: watch::Receiver<bool>, work: Work) {
    loop {
        let mut every = state.config.schedule_every.max(Duration::from_millis(100));
        match run_due(&state, work).await {
            Ok(pass) => {
                if !pass.recorded.is_empty()
                    && let Err(e) = state
                        .queue
                        .push_mail(&pass.recorded, state.config.mail_attempts as usize)
                        .await
                {
                    tracing::warn!(error = %e, "digests recorded but not queued; the sweeper will queue them");
                }
                if pass.held_elsewhere {
                    every = every.min(entity::worker_beat::DEAD_AFTER + Duration::from_secs(1));
                }
            }
            Err(e) => tracing::warn!(error = %e, "scheduler pass failed; trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_local_days_and_weeks_from_monday_with_bounded_catch_up() {
        let tz = chrono_tz::Asia::Jakarta;
        // Wednesday 1 August 2018, 09:00 WIB.
        let now = tz
            .with_ymd_and_hms(2018, 8, 1, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        // A first start: the current period only.
        assert_eq!(
            due_periods(Schedule::DailyDigest, None, now, tz, 7, 7),
            [d("2018-08-01")]
        );
        assert_eq!(
            due_periods(Schedule::WeeklyDigest, None, now, tz, 7, 7),
            [d("2018-07-30")]
        );
        // Before 07:00 WIB today's work is not due yet (06:30 WIB is 23:30Z the day before).
        let early = tz
            .with_ymd_and_hms(2018, 8, 1, 6, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            due_periods(Schedule::DailyDigest, None, early, tz, 7, 7),
            [d("2018-07-31")]
        );
        // Down since Saturday: Sunday to Wednesday are caught up, once each.
        assert_eq!(
            due_periods(Schedule::DailyDigest, Some(d("2018-07-28")), now, tz, 7, 7),
            [
                d("2018-07-29"),
                d("2018-07-30"),
                d("2018-07-31"),
                d("2018-08-01")
            ]
        );
        // Down for months: no more than the look-back.
        assert_eq!(
            due_periods(Schedule::DailyDigest, Some(d("2018-01-01")), now, tz, 7, 3).len(),
            4
        );
        // Missed last Monday's weekly digest: it still goes out, once.
        assert_eq!(
            due_periods(Schedule::WeeklyDigest, Some(d("2018-07-23")), now, tz, 7, 7),
            [d("2018-07-30")]
        );
        assert!(
            due_periods(Schedule::WeeklyDigest, Some(d("2018-07-30")), now, tz, 7, 7).is_empty()
        );
        // Alerts: today only, once.
        assert_eq!(
            due_periods(Schedule::Alerts, Some(d("2018-07-20")), now, tz, 7, 7),
            [d("2018-08-01")]
        );
        assert!(due_periods(Schedule::Alerts, Some(d("2018-08-01")), now, tz, 7, 7).is_empty());
    }
}
