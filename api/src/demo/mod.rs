//! The demo: Bojonegoro's real OGP story (2016–2018), loaded on the first all-in-one start so a
//! newcomer sees the product with the data it was made for. Each part is loaded once (recorded
//! in `seed_run`), so a restart never duplicates it; `TERBUKA_DEMO=false` turns it off.

mod events;
pub mod generate;
mod national;
mod participation;
mod plans;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::member::{self, MemberLevel};
use entity::organisation::{self, OrganisationKind, PartnershipRole};
use entity::role_grant::Role;
use entity::{Clock, seed_run, validate};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use serde::Deserialize;
use uuid::Uuid;

/// The facts the demo is made of (the project's own copy).
pub const DATA: &str = include_str!("bojonegoro.json");

#[derive(Deserialize)]
pub struct Data {
    pub members: Vec<MemberFact>,
    pub organisations: Vec<OrganisationFact>,
}

#[derive(Deserialize)]
pub struct MemberFact {
    pub name: String,
    pub slug: String,
    pub level: MemberLevel,
    pub parent: Option<String>,
    pub time_zone: String,
    pub ogp_member_since: NaiveDate,
    pub website_url: Option<String>,
}

#[derive(Deserialize)]
pub struct OrganisationFact {
    pub name: String,
    pub acronym: Option<String>,
    pub kind: OrganisationKind,
    pub role: Option<PartnershipRole>,
    pub address: Option<String>,
}

pub fn data() -> Data {
    serde_json::from_str(DATA).expect("the demo data file parses")
}

/// Loads every part of the demo that is not loaded yet.
pub async fn load(db: &DatabaseConnection, clock: &Clock) -> Result<(), DbErr> {
    // The demo's records are made "now" on the domain's clock (in 2018 for the demo story).
    let now = clock.now();
    once(db, "demo:foundation", async |tx| foundation(tx, now).await).await?;
    // The hash is made before the transaction: hashing is slow on purpose.
    let hash = crate::auth::hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    once(db, "demo:accounts", async |tx| {
        accounts(tx, &hash, now).await
    })
    .await?;
    once(db, "demo:plans", async |tx| plans::load(tx, now).await).await?;
    once(db, "demo:events", async |tx| events::load(tx, now).await).await?;
    once(db, "demo:publications", async |tx| {
        events::publication(tx, now).await
    })
    .await?;
    once(db, "demo:history", async |tx| {
        events::history(tx, now).await
    })
    .await?;
    once(db, "demo:inputs", async |tx| {
        participation::inputs(tx, now).await
    })
    .await?;
    once(db, "demo:channels", async |tx| {
        participation::channels(tx, now).await
    })
    .await?;
    once(db, "demo:national", async |tx| {
        national::load(tx, now).await
    })
    .await?;
    Ok(())
}

/// Runs `part` in one transaction that first claims its name in `seed_run`: a second process
/// starting at the same moment waits on the claim and then finds the part loaded.
async fn once<F>(db: &DatabaseConnection, name: &str, part: F) -> Result<(), DbErr>
where
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<(), DbErr>,
{
    if seed_run::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let loaded = entity::db::write(db, async |tx| -> Result<bool, DbErr> {
        let claim = seed_run::ActiveModel {
            name: Set(name.to_owned()),
            // Real time: when this process loaded the part (an operational record).
            applied_at: Set(entity::clock::real_now()),
        };
        match seed_run::Entity::insert(claim)
            .exec_without_returning(tx)
            .await
        {
            Ok(_) => {}
            // Another process loaded it meanwhile.
            Err(e) if entity::db::is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(e),
        }
        part(tx).await?;
        Ok(true)
    })
    .await?;
    if loaded {
        tracing::info!(part = name, "demo data loaded");
    }
    Ok(())
}

/// The password of every demo login (documented in the README; production refuses the demo).
pub const DEMO_PASSWORD: &str = "Terbuka-Demo-2018";

/// Demo logins, one per role, all in Bojonegoro.
pub const DEMO_LOGINS: &[(&str, &str, Option<Role>, bool)] = &[
    (
        "admin@demo.terbuka.id",
        "Admin Demo",
        Some(Role::Admin),
        true,
    ),
    (
        "sekretariat@demo.terbuka.id",
        "Sekretariat Tim OGP (Dinas Kominfo)",
        Some(Role::Secretariat),
        false,
    ),
    (
        "tim@demo.terbuka.id",
        "Anggota Tim OGP",
        Some(Role::TeamMember),
        false,
    ),
    (
        "pemantau@demo.terbuka.id",
        "Pemantau (Bojonegoro Institute)",
        Some(Role::Watchdog),
        false,
    ),
];

async fn accounts(tx: &DatabaseTransaction, hash: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    let bojonegoro = member::Entity::find()
        .filter(member::Column::Slug.eq("bojonegoro"))
        .one(tx)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the Bojonegoro demo member".into()))?;
    for (email, name, role, operator) in DEMO_LOGINS {
        let roles: Vec<(Uuid, Role)> = role.iter().map(|r| (bojonegoro.id, *r)).collect();
        crate::operators::create_account(
            tx,
            email,
            name,
            Some(hash.to_owned()),
            *operator,
            &roles,
            now,
        )
        .await?;
    }
    Ok(())
}

async fn foundation(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let data = data();
    let mut ids: HashMap<String, Uuid> = HashMap::new();
    for m in &data.members {
        let id = Uuid::now_v7();
        ids.insert(m.name.clone(), id);
        member::Entity::insert(member::ActiveModel {
            id: Set(id),
            slug: Set(m.slug.clone()),
            name: Set(m.name.clone()),
            level: Set(m.level),
            parent_id: Set(m.parent.as_ref().and_then(|p| ids.get(p).copied())),
            time_zone: Set(m.time_zone.clone()),
            ogp_member_since: Set(Some(m.ogp_member_since)),
            website_url: Set(m.website_url.clone()),
            repository_url: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
    }
    let bojonegoro = ids["Kabupaten Bojonegoro"];
    for o in &data.organisations {
        organisation::Entity::insert(organisation::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(bojonegoro),
            name: Set(o.name.clone()),
            name_key: Set(validate::name_key(&o.name)),
            acronym: Set(o.acronym.clone()),
            kind: Set(o.kind),
            parent_id: Set(None),
            partnership_role: Set(o.role),
            contact_email: Set(None),
            contact_phone: Set(None),
            address: Set(o.address.clone()),
            website_url: Set(None),
            contact_public: Set(o.address.is_some()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_data_file_parses_and_names_bojonegoro_in_indonesia() {
        let data = super::data();
        let boj = data
            .members
            .iter()
            .find(|m| m.slug == "bojonegoro")
            .expect("Bojonegoro is in the demo");
        assert_eq!(boj.parent.as_deref(), Some("Indonesia"));
        assert!(
            data.organisations
                .iter()
                .any(|o| o.acronym.as_deref() == Some("Dinas Kominfo"))
        );
    }
}
