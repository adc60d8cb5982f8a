//! The meeting of 28 June 2018 at the Bojonegoro Institute office, as the Dinas Kominfo news
//! item of 1 July 2018 reports it: who came, what was noted, and what was to follow.
//!
//! The article names organisations, not people, and gives no head count, so the demo records
//! the attending organisations and the notes as minutes and leaves the meeting HELD: closing
//! needs the attendee count, which nobody wrote down (the documentation gap the meeting itself
//! complained of).

use chrono::{DateTime, Utc};
use entity::event::{self, EventKind, EventStatus};
use entity::event_organisation::{self, EventRole};
use entity::follow_up::{self, FollowUpStatus};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde::Deserialize;
use uuid::Uuid;

use super::plans::{member_id, org};

#[derive(Deserialize)]
struct Meeting {
    title: String,
    start: DateTime<chrono::FixedOffset>,
    inputs_and_notes: Vec<String>,
    plans_and_follow_ups: Vec<String>,
}

#[derive(Deserialize)]
struct Poll {
    question: String,
    votes_consistent_with_them: std::collections::BTreeMap<String, i64>,
}

#[derive(Deserialize)]
struct Post {
    posted_by: String,
    credit: String,
    created: chrono::NaiveDate,
    views: i64,
    poll: Poll,
}

#[derive(Deserialize)]
struct Facts {
    meeting_2018_06_28: Meeting,
    publication_2018_07_01: Post,
}

/// Which organisation a follow-up falls to, where the article makes it plain.
fn owner_of(text: &str) -> Option<&'static str> {
    if text.contains("DPA Dinas Kominfo") || text.contains("ruang PPID") || text.contains("website")
    {
        Some("Dinas Kominfo")
    } else {
        None
    }
}

fn facts() -> Result<Facts, DbErr> {
    serde_json::from_str(super::DATA).map_err(|e| DbErr::Custom(format!("demo data: {e}")))
}

pub async fn load(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let facts = facts()?;
    let m = facts.meeting_2018_06_28;
    let boj = member_id(tx, "bojonegoro").await?;
    let bi = org(tx, boj, "BI").await?;
    let minutes = format!(
        "Masukan dan catatan:\n{}\n\nRencana dan tindak lanjut:\n{}",
        m.inputs_and_notes
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{}. {n}", i + 1))
            .collect::<Vec<_>>()
            .join("\n"),
        m.plans_and_follow_ups
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{}. {n}", i + 1))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let start = m.start.with_timezone(&Utc);
    let id = Uuid::now_v7();
    event::Entity::insert(event::ActiveModel {
        id: Set(id),
        member_id: Set(boj),
        plan_id: Set(None),
        kind: Set(EventKind::TeamMeeting),
        title: Set(m.title.clone()),
        description: Set(Some(
            "Dinas Kominfo (Tim OGP) bersama Bojonegoro Institute, IDFoS dan KPI Cabang \
             Bojonegoro membahas persiapan Renaksi OGP Daerah yang harus diserahkan ke \
             sekretariat OGP pada Agustus 2018. Waktu tepat tidak tercatat (\"siang\")."
                .into(),
        )),
        organiser_id: Set(bi),
        venue_name: Set(Some("Kantor Bojonegoro Institute".into())),
        venue_address: Set(Some("Jl. Panglima Polim Gg. Mangga I, Bojonegoro".into())),
        venue_room: Set(None),
        online_url: Set(None),
        starts_at: Set(start),
        ends_at: Set(None),
        is_public: Set(true),
        channel: Set(None),
        recurrence: Set(None),
        status: Set(EventStatus::Held),
        minutes: Set(Some(minutes)),
        attendee_count: Set(None),
        held_at: Set(Some(start)),
        closed_at: Set(None),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    for acronym in ["Dinas Kominfo", "BI", "IDFoS", "KPI"] {
        if let Some(o) = org(tx, boj, acronym).await? {
            event_organisation::Entity::insert(event_organisation::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(boj),
                event_id: Set(id),
                organisation_id: Set(o),
                role: Set(EventRole::Attending),
            })
            .exec_without_returning(tx)
            .await?;
        }
    }
    for (i, text) in m.plans_and_follow_ups.iter().enumerate() {
        let owner = match owner_of(text) {
            Some(a) => org(tx, boj, a).await?,
            None => None,
        };
        follow_up::Entity::insert(follow_up::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            event_id: Set(Some(id)),
            description: Set(text.clone()),
            owner_organisation_id: Set(owner),
            due_on: Set(None),
            status: Set(FollowUpStatus::Open),
            commitment_id: Set(None),
            ordinal: Set(i as i32),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// The Dinas Kominfo news item of 1 July 2018 that reported the meeting, with its 305 views and
/// the 17 poll votes (13/1/1/2) that give the published 76/6/6/12 %. The page gives the date
/// only: the demo publishes it at 00:00 WIB that day.
pub async fn publication(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    use entity::poll_vote;
    use entity::publication::{self, PublicationStatus, Satisfaction};
    use sha2::{Digest, Sha256};

    let facts = facts()?;
    let (m, post) = (facts.meeting_2018_06_28, facts.publication_2018_07_01);
    let boj = member_id(tx, "bojonegoro").await?;
    let meeting = event::Entity::find()
        .filter(event::Column::MemberId.eq(boj))
        .filter(event::Column::Title.eq(m.title.clone()))
        .one(tx)
        .await?
        .map(|e| e.id);
    let published = post
        .created
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(chrono_tz::Asia::Jakarta).single())
        .map(|t| t.with_timezone(&Utc));
    let body = format!(
        "Tim OGP Dinas Komunikasi dan Informatika bersama beberapa NGO membahas persiapan \
         penyusunan Renaksi OGP Daerah pada Kamis, 28 Juni 2018 siang, di Kantor Bojonegoro \
         Institute (BI), Jalan Panglima Polim Gg. Mangga I Bojonegoro. Pertemuan yang dimotori \
         BI ini dihadiri IDFoS dan Koalisi Perempuan Indonesia (KPI) Cabang Bojonegoro, karena \
         Renaksi OGP Daerah, bagian dari Renaksi OGP Nasional, harus disampaikan ke Sekretariat \
         OGP Internasional pada Agustus 2018.\n\nMasukan dan catatan: {}.\n\nRencana dan tindak \
         lanjut: {}.",
        m.inputs_and_notes.join("; "),
        m.plans_and_follow_ups.join("; "),
    );
    let id = Uuid::now_v7();
    publication::Entity::insert(publication::ActiveModel {
        id: Set(id),
        member_id: Set(boj),
        slug: Set("pembahasan-persiapan-penyusunan-renaksi-ogp-daerah".into()),
        title: Set("Pembahasan Persiapan Penyusunan Renaksi OGP Daerah".into()),
        body: Set(body),
        title_en: Set(Some("Preparing the regional OGP action plan".into())),
        body_en: Set(None),
        author_credit: Set(Some(post.credit)),
        posted_by: Set(Some(post.posted_by)),
        event_id: Set(meeting),
        status: Set(PublicationStatus::Published),
        published_at: Set(published),
        views: Set(post.views),
        poll_question: Set(Some(post.poll.question)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    let mut n = 0;
    for choice in Satisfaction::ALL {
        let key = serde_json::to_value(choice)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let votes = post
            .poll
            .votes_consistent_with_them
            .get(&key)
            .copied()
            .unwrap_or(0);
        for _ in 0..votes {
            n += 1;
            let hash = Sha256::digest(format!("demo-visitor-{n}").as_bytes());
            poll_vote::Entity::insert(poll_vote::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(boj),
                publication_id: Set(id),
                visitor_hash: Set(hash.iter().map(|b| format!("{b:02x}")).collect()),
                choice: Set(choice),
                created_at: Set(published.unwrap_or(now)),
            })
            .exec_without_returning(tx)
            .await?;
        }
    }
    Ok(())
}

/// A past event: title, kind, local date, what the source says, who attended (acronyms).
type PastEvent = (
    &'static str,
    EventKind,
    (i32, u32, u32),
    &'static str,
    &'static [&'static str],
);

/// Bojonegoro's 2016–2017 process as the sources record it (domain brief §4): the Seknas OGI
/// visit of 28 January 2016, the Dinas Kominfo meeting on the draft plan of 22 June 2016 and the
/// visit of OGP's subnational manager on 23 May 2017. Held, but with no minutes or attendance
/// kept — which is what the 2018 meeting said, and what the co-creation check shows. The hour
/// was not recorded; the demo puts them at 09:00 WIB.
pub async fn history(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    use entity::action_plan;
    let boj = member_id(tx, "bojonegoro").await?;
    let plan = action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.eq(boj))
        .filter(action_plan::Column::Title.eq(
            "Open Government Sub-National Action Plan, Bojonegoro Regency Government, 2016-2017",
        ))
        .one(tx)
        .await?
        .map(|p| p.id);
    let kominfo = org(tx, boj, "Dinas Kominfo").await?;
    let past: [PastEvent; 3] = [
        (
            "Kunjungan Seknas Open Government Indonesia (Bappenas, KSP)",
            EventKind::SiteVisit,
            (2016, 1, 28),
            "Seknas OGI meminta Renaksi keterbukaan data dan informasi, termasuk kelembagaannya.",
            &["Dinas Kominfo", "IDFoS", "BI"],
        ),
        (
            "Rapat Draf Renaksi OGI 2016-2017",
            EventKind::TeamMeeting,
            (2016, 6, 22),
            "Dipimpin Kepala Dinas Kominfo Kusnandaka Tjatur P., bersama Bappeda, BPMPD, SKPD terkait, \
             dan direktur BI serta IDFoS.",
            &["Dinas Kominfo", "Bappeda", "BPMPD", "BI", "IDFoS"],
        ),
        (
            "Kunjungan kerja Subnational Manager OGP",
            EventKind::SiteVisit,
            (2017, 5, 23),
            "Kunjungan pengelola program subnasional OGP ke Bojonegoro.",
            &["Dinas Kominfo"],
        ),
    ];
    for (title, kind, (y, m, d), description, orgs) in past {
        let start = chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .and_then(|t| t.and_local_timezone(chrono_tz::Asia::Jakarta).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| DbErr::Custom(format!("demo date {y}-{m}-{d}")))?;
        let id = Uuid::now_v7();
        event::Entity::insert(event::ActiveModel {
            id: Set(id),
            member_id: Set(boj),
            plan_id: Set(plan),
            kind: Set(kind),
            title: Set(title.into()),
            description: Set(Some(format!("{description} Jam tidak tercatat."))),
            organiser_id: Set(kominfo),
            venue_name: Set(None),
            venue_address: Set(None),
            venue_room: Set(None),
            online_url: Set(None),
            starts_at: Set(start),
            ends_at: Set(None),
            is_public: Set(false),
            channel: Set(None),
            recurrence: Set(None),
            status: Set(EventStatus::Held),
            minutes: Set(None),
            attendee_count: Set(None),
            held_at: Set(Some(start)),
            closed_at: Set(None),
            sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
        for acronym in orgs {
            if let Some(o) = org(tx, boj, acronym).await? {
                event_organisation::Entity::insert(event_organisation::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(boj),
                    event_id: Set(id),
                    organisation_id: Set(o),
                    role: Set(EventRole::Attending),
                })
                .exec_without_returning(tx)
                .await?;
            }
        }
    }
    Ok(())
}
