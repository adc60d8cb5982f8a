//! What the 28 June 2018 meeting said, kept as public input on the 2018 plan, and the
//! partnership's channels.
//!
//! The ten "masukan dan catatan" of the news item become inputs given at the meeting (source
//! EVENT). The article records no answers, but its follow-ups show two of them taken up: the
//! decree names a *Tim Kemitraan Pemerintahan Terbuka* and the plan is called *Renaksi
//! Pemerintahan Terbuka* (the term "OGP" becomes "Pemerintahan Terbuka"), and a follow-up
//! meeting was agreed to build the plan on what the IRM found. The demo records those two as
//! ACCEPTED at the meeting, answered by the secretariat account; the other eight wait for an
//! answer, so the co-creation check has something true to say.
//!
//! Channels: the regency portal that carried the news item (chosen: bojonegorokab.go.id, run
//! by Dinas Kominfo) is active; the OGP website and social-media accounts the meeting asked for
//! ("perlunya website khusus OGP", "membuat medsos khusus") are planned.

use chrono::{DateTime, Utc};
use entity::online_channel::{self, ChannelKind, ChannelStatus};
use entity::public_input::{self, InputResponse, InputSource};
use entity::{account, action_plan, event};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde::Deserialize;
use uuid::Uuid;

use super::plans::{member_id, org};

#[derive(Deserialize)]
struct Meeting {
    title: String,
    inputs_and_notes: Vec<String>,
}

#[derive(Deserialize)]
struct Facts {
    meeting_2018_06_28: Meeting,
}

/// The inputs the meeting's follow-ups show were taken up, with the reason.
const ANSWERED: &[(&str, &str)] = &[
    (
        "penggunaan istilah OGP menjadi Pemerintahan Terbuka",
        "Diterima: tim ditetapkan sebagai Tim Kemitraan Pemerintahan Terbuka melalui SK Bupati, \
         dan rencana aksi disusun sebagai Renaksi Pemerintahan Terbuka Bojonegoro 2018.",
    ),
    (
        "hasil IRM terhadap Renaksi OGP 2016-2017 menjadi bahan dasar",
        "Diterima: temuan IRM atas Renaksi 2016-2017 menjadi bahan penyusunan, dan rapat \
         menyepakati pertemuan lanjutan untuk mengerucutkan Renaksi Pemerintahan Terbuka \
         Bojonegoro.",
    ),
];

pub async fn inputs(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let facts: Facts =
        serde_json::from_str(super::DATA).map_err(|e| DbErr::Custom(format!("demo data: {e}")))?;
    let m = facts.meeting_2018_06_28;
    let boj = member_id(tx, "bojonegoro").await?;
    let plan = action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.eq(boj))
        .filter(action_plan::Column::Title.eq("Renaksi Pemerintahan Terbuka Bojonegoro 2018"))
        .one(tx)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the 2018 plan".into()))?;
    let meeting = event::Entity::find()
        .filter(event::Column::MemberId.eq(boj))
        .filter(event::Column::Title.eq(m.title.clone()))
        .one(tx)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the 28 June 2018 meeting".into()))?;
    let secretariat = account::Entity::find()
        .filter(account::Column::Email.eq("sekretariat@demo.terbuka.id"))
        .one(tx)
        .await?
        .map(|a| a.id);
    let at: DateTime<Utc> = meeting.starts_at;
    for body in &m.inputs_and_notes {
        let answer = ANSWERED.iter().find(|(start, _)| body.starts_with(start));
        public_input::Entity::insert(public_input::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            plan_id: Set(plan.id),
            commitment_id: Set(None),
            event_id: Set(Some(meeting.id)),
            source: Set(InputSource::Event),
            author_name: Set(None),
            author_email: Set(None),
            organisation_name: Set(None),
            body: Set(body.clone()),
            lang: Set("id".into()),
            received_at: Set(at),
            response: Set(answer.map(|_| InputResponse::Accepted)),
            response_reason: Set(answer.map(|(_, r)| (*r).to_owned())),
            responded_by: Set(answer.and(secretariat)),
            responded_at: Set(answer.map(|_| at)),
            hidden_at: Set(None),
            hidden_reason: Set(None),
            hidden_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

pub async fn channels(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let boj = member_id(tx, "bojonegoro").await?;
    let kominfo = org(tx, boj, "Dinas Kominfo").await?;
    let rows: [(ChannelKind, &str, Option<&str>, ChannelStatus, &str); 3] = [
        (
            ChannelKind::Website,
            "Portal Pemerintah Kabupaten Bojonegoro",
            Some("https://bojonegorokab.go.id"),
            ChannelStatus::Active,
            "Berita kegiatan Pemerintahan Terbuka, seperti berita rapat 28 Juni 2018.",
        ),
        (
            ChannelKind::Website,
            "Website Pemerintahan Terbuka Bojonegoro",
            None,
            ChannelStatus::Planned,
            "Usulan rapat 28 Juni 2018: perlunya website khusus OGP, sekaligus repositori \
             dokumen Renaksi.",
        ),
        (
            ChannelKind::Other,
            "Media sosial Pemerintahan Terbuka Bojonegoro",
            None,
            ChannelStatus::Planned,
            "Usulan rapat 28 Juni 2018: membuat medsos khusus untuk kegiatan OGP/Keterbukaan \
             Pemerintah; platform belum dipilih.",
        ),
    ];
    for (i, (kind, name, url, status, purpose)) in rows.into_iter().enumerate() {
        online_channel::Entity::insert(online_channel::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            kind: Set(kind),
            name: Set(name.into()),
            handle: Set(None),
            url: Set(url.map(Into::into)),
            organisation_id: Set(kominfo),
            status: Set(status),
            purpose: Set(Some(purpose.into())),
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
