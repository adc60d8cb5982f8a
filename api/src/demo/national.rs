//! Two more Indonesian OGP Local members beside Bojonegoro, so that the national view
//! (`nationalOverview`) shows more than one region: Kota Semarang with its 2021–2023 plan and
//! the offices that lead it, and Kabupaten Brebes. Only public facts (`national_view.about` in
//! the data file says which); no commitments, people or days that the sources do not give.

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_plan::{PlanLevel, PlanStatus};
use entity::member::MemberLevel;
use entity::organisation::{self, OrganisationKind, PartnershipRole};
use entity::{member, validate};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, EntityTrait};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
struct File {
    national_view: NationalView,
}

#[derive(Deserialize)]
struct NationalView {
    members: Vec<Region>,
}

#[derive(Deserialize)]
struct Region {
    name: String,
    slug: String,
    level: MemberLevel,
    parent: String,
    time_zone: String,
    organisations: Vec<Office>,
    plan: Option<PlanFact>,
}

#[derive(Deserialize)]
struct Office {
    name: String,
    acronym: Option<String>,
    kind: OrganisationKind,
    role: Option<PartnershipRole>,
}

#[derive(Deserialize)]
struct PlanFact {
    title: String,
    period: (NaiveDate, NaiveDate),
    submitted_on: Option<NaiveDate>,
    status: PlanStatus,
    chosen: Option<String>,
}

fn regions() -> Vec<Region> {
    let file: File = serde_json::from_str(super::DATA).expect("the demo data file parses");
    file.national_view.members
}

pub async fn load(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    for r in regions() {
        let parent = super::plans::member_id(tx, &r.parent.to_lowercase()).await?;
        let id = Uuid::now_v7();
        member::Entity::insert(member::ActiveModel {
            id: Set(id),
            slug: Set(r.slug.clone()),
            name: Set(r.name.clone()),
            level: Set(r.level),
            parent_id: Set(Some(parent)),
            time_zone: Set(r.time_zone.clone()),
            // Named an OGP Local member in 2021; the day is not public.
            ogp_member_since: Set(None),
            website_url: Set(None),
            repository_url: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
        for o in &r.organisations {
            organisation::Entity::insert(organisation::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(id),
                name: Set(o.name.clone()),
                name_key: Set(validate::name_key(&o.name)),
                acronym: Set(o.acronym.clone()),
                kind: Set(o.kind),
                parent_id: Set(None),
                partnership_role: Set(o.role),
                contact_email: Set(None),
                contact_phone: Set(None),
                address: Set(None),
                website_url: Set(None),
                contact_public: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .exec_without_returning(tx)
            .await?;
        }
        if let Some(p) = &r.plan {
            let lead = r
                .organisations
                .iter()
                .map(|o| o.acronym.clone().unwrap_or_else(|| o.name.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            let summary = format!(
                "Led by {lead} (the first leads).{}",
                p.chosen
                    .as_deref()
                    .map(|c| format!(" Chosen: {c}."))
                    .unwrap_or_default()
            );
            super::plans::plan(
                tx,
                now,
                id,
                PlanLevel::Regional,
                &p.title,
                p.period,
                None,
                p.submitted_on,
                p.status,
                None,
                None,
                &summary,
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn semarang_and_brebes_are_regions_of_indonesia_with_only_public_facts() {
        let regions = super::regions();
        let slugs: Vec<&str> = regions.iter().map(|r| r.slug.as_str()).collect();
        assert_eq!(slugs, ["semarang", "brebes"]);
        assert!(regions.iter().all(|r| r.parent == "Indonesia"));
        let plan = regions[0].plan.as_ref().expect("Semarang's 2021–2023 plan");
        assert_eq!(plan.submitted_on, "2021-07-30".parse().ok());
        assert!(
            regions[1].plan.is_none(),
            "nothing is public about Brebes' plan"
        );
    }
}
