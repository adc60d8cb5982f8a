//! The partnership's records: members and their hierarchy, organisations, people (and their
//! erasure), heads of region, the secretariat, ambassadors; and a citizen's data erased.

use chrono::NaiveDate;
use entity::kernel::Actor;
use entity::kernel::crud::{Act, Create};
use entity::member::MemberLevel;
use entity::participation::citizen;
use entity::participation::registration::{self as reg, Links, Register};
use entity::partnership::member::{self as members, MemberFields};
use entity::partnership::organisation::{self as orgs, OrganisationFields};
use entity::partnership::person::{self as people, PersonFields};
use entity::partnership::secretariat::{self as secretariats, Channel, SecretariatFields};
use entity::partnership::term::{self as terms, TermFields};
use entity::registration::{self, RegistrationStatus};
use entity::role_grant::Role;
use entity::{Lang, Problem, Problems, Refusal};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::{self, audits, now};
use crate::{TestDb, refused};

fn spec(mutation: &'static str) -> Create<'static, &'static str> {
    Create {
        mutation,
        client_mutation_id: None,
        input: &"p",
        problems: Problems::new(),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn a_member_sits_below_a_higher_level_and_never_below_itself() {
    let t = TestDb::fresh().await;
    let operator =
        fixtures::actor(&t.db, "operator@terbuka.id", true, uuid::Uuid::nil(), &[]).await;
    let act = Act {
        db: (&t.db).into(),
        actor: &operator,
        request_id: None,
        now: now(),
    };
    let fields = |name: &str, level, parent| MemberFields {
        name: Some(name.into()),
        level: Some(level),
        parent,
        ..Default::default()
    };
    let jatim = members::create(
        &act,
        spec("createMember"),
        fields("Provinsi Jawa Timur", MemberLevel::Province, None),
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(
        (jatim.slug.as_str(), jatim.time_zone.as_str()),
        ("provinsi-jawa-timur", "Asia/Jakarta")
    );
    let bojonegoro = members::create(
        &act,
        spec("createMember"),
        fields(
            "Kabupaten Bojonegoro",
            MemberLevel::Regency,
            Some(Some(jatim.id)),
        ),
    )
    .await
    .ok()
    .unwrap();
    // A province below a regency, and the province below its own regency: both refused.
    assert_eq!(
        refused(
            members::create(
                &act,
                spec("createMember"),
                fields(
                    "Provinsi Jawa Tengah",
                    MemberLevel::Province,
                    Some(Some(bojonegoro.id))
                ),
            )
            .await
        ),
        Problems::one(&["input", "parentId"], Problem::ParentLevel)
    );
    let cycle = members::update(
        &act,
        &jatim,
        jatim.version,
        Problems::new(),
        MemberFields {
            level: Some(MemberLevel::Province),
            parent: Some(Some(bojonegoro.id)),
            ..Default::default()
        },
    )
    .await;
    let p = refused(cycle);
    assert!(
        p.0.iter().any(|f| f.problem == Problem::ParentCycle),
        "{p:?}"
    );
    // The slug is unique.
    assert_eq!(
        refused(
            members::create(
                &act,
                spec("createMember"),
                MemberFields {
                    slug: Some("provinsi-jawa-timur".into()),
                    ..fields("Jawa Timur", MemberLevel::Province, None)
                },
            )
            .await
        ),
        Problems::one(&["input", "slug"], Problem::Duplicate)
    );
    t.finish().await;
}

#[tokio::test]
async fn organisations_have_unique_names_a_parent_chain_and_stay_while_referred_to() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let office = |name: &str, parent| OrganisationFields {
        name: Some(name.into()),
        kind: Some(entity::organisation::OrganisationKind::GovernmentOffice),
        parent,
        ..Default::default()
    };
    let pemkab = orgs::create(
        &act,
        m.id,
        spec("createOrganisation"),
        office("Pemerintah Kabupaten Bojonegoro", None),
    )
    .await
    .ok()
    .unwrap();
    let kominfo = orgs::create(
        &act,
        m.id,
        spec("createOrganisation"),
        OrganisationFields {
            contact_email: Some(Some("kominfo@bojonegorokab.go.id".into())),
            ..office("Dinas Kominfo", Some(Some(pemkab.id)))
        },
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(kominfo.parent_id, Some(pemkab.id));
    assert_eq!(
        refused(
            orgs::create(
                &act,
                m.id,
                spec("createOrganisation"),
                office("dinas kominfo", None)
            )
            .await
        ),
        Problems::one(&["input", "name"], Problem::Duplicate)
    );
    assert_eq!(
        refused(
            orgs::create(
                &act,
                m.id,
                spec("createOrganisation"),
                OrganisationFields {
                    contact_phone: Some(Some("bukan nomor".into())),
                    ..office("Bappeda", None)
                },
            )
            .await
        ),
        Problems::one(
            &["input", "contactPhone"],
            Problem::Refused(Refusal::PhoneInvalid)
        )
    );
    assert_eq!(
        refused(
            orgs::update(
                &act,
                &pemkab,
                pemkab.version,
                Problems::new(),
                OrganisationFields {
                    parent: Some(Some(kominfo.id)),
                    ..Default::default()
                },
            )
            .await
        ),
        Problems::one(&["input", "parentId"], Problem::ParentCycle)
    );
    // Referred to by an office below it: it stays.
    assert_eq!(
        refused(orgs::delete(&act, &pemkab, pemkab.version).await),
        Problems::one(
            &["input", "id"],
            Problem::Refused(Refusal::OrganisationInUse)
        )
    );
    orgs::delete(&act, &kominfo, kominfo.version)
        .await
        .ok()
        .unwrap();
    let actions: Vec<String> = audits(&t.db, kominfo.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "DELETE"]);
    t.finish().await;
}

#[tokio::test]
async fn an_erased_person_keeps_no_data_and_cannot_be_changed() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    assert_eq!(
        refused(
            people::create(
                &act,
                m.id,
                spec("createPerson"),
                PersonFields {
                    name: Some("Siti".into()),
                    email: Some(Some("siti@".into())),
                    ..Default::default()
                },
            )
            .await
        ),
        Problems::one(&["input", "email"], Problem::InvalidEmail)
    );
    let siti = people::create(
        &act,
        m.id,
        spec("createPerson"),
        PersonFields {
            name: Some("Siti Aminah".into()),
            email: Some(Some("Siti@Bojonegoro-Institute.org".into())),
            phone: Some(Some("0812-3456-7890".into())),
            // An empty value is none.
            title: Some(None),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    assert!(siti.phone.is_some());
    let erased = people::erase(&act, &siti, Some("permintaan lisan"))
        .await
        .ok()
        .unwrap();
    assert!(erased.erased_at.is_some());
    assert!((erased.email.is_none(), erased.phone.is_none()) == (true, true));
    assert_ne!(erased.name, "Siti Aminah");
    assert_eq!(
        refused(
            people::update(
                &act,
                &erased,
                erased.version,
                Problems::new(),
                PersonFields {
                    name: Some("Siti".into()),
                    ..Default::default()
                },
            )
            .await
        ),
        Problems::one(&["input", "id"], Problem::Refused(Refusal::PersonErased))
    );
    let last = audits(&t.db, siti.id).await.pop().unwrap();
    assert_eq!(last.action, "ERASE_PERSONAL_DATA");
    t.finish().await;
}

#[tokio::test]
async fn a_term_ends_after_it_begins_and_a_member_has_one_secretariat() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let suyoto = terms::create(
        &act,
        m.id,
        spec("createHeadOfRegionTerm"),
        TermFields {
            name: Some("Suyoto".into()),
            office_title: Some(Some("Bupati".into())),
            inaugurated_on: Some(Some(date(2013, 12, 10))),
            ends_on: Some(Some(date(2018, 12, 10))),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    // The stored inauguration is what an end date alone is checked against.
    assert_eq!(
        refused(
            terms::update(
                &act,
                &suyoto,
                suyoto.version,
                Problems::new(),
                TermFields {
                    ends_on: Some(Some(date(2013, 1, 1))),
                    ..Default::default()
                },
            )
            .await
        ),
        Problems::one(
            &["input", "endsOn"],
            Problem::Refused(Refusal::EndBeforeStart)
        )
    );
    let ppid = || SecretariatFields {
        venue_name: Some("Gedung Pusat Informasi Publik".into()),
        room: Some(Some("Ruang PPID".into())),
        channels: Some(vec![Channel {
            kind: "WHATSAPP".into(),
            value: "0812 0000 0000".into(),
        }]),
        ..Default::default()
    };
    // A phone number that is not one is PHONE_INVALID here as for a person or an office.
    assert_eq!(
        refused(
            secretariats::create(
                &act,
                m.id,
                spec("createSecretariat"),
                SecretariatFields {
                    contact_phone: Some(Some("bukan nomor".into())),
                    ..ppid()
                },
            )
            .await
        ),
        Problems::one(
            &["input", "contactPhone"],
            Problem::Refused(Refusal::PhoneInvalid)
        )
    );
    let s = secretariats::create(&act, m.id, spec("createSecretariat"), ppid())
        .await
        .ok()
        .unwrap();
    assert_eq!(s.channels[0]["kind"], "WHATSAPP");
    assert_eq!(
        refused(secretariats::create(&act, m.id, spec("createSecretariat"), ppid()).await),
        Problems::one(&["input", "id"], Problem::Duplicate)
    );
    let many = (0..21)
        .map(|i| Channel {
            kind: "WEBSITE".into(),
            value: format!("https://contoh{i}.id"),
        })
        .collect();
    assert_eq!(
        refused(
            secretariats::update(
                &act,
                &s,
                s.version,
                Problems::new(),
                SecretariatFields {
                    channels: Some(many),
                    ..Default::default()
                },
            )
            .await
        ),
        Problems::one(&["input", "channels"], Problem::TooMany { max: 20 })
    );
    t.finish().await;
}

#[tokio::test]
async fn erasing_a_citizen_frees_their_seat_for_the_first_waiting() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let e = fixtures::open_event(&t.db, &m, Some(1)).await;
    let signer = fixtures::signer();
    let links = Links {
        public_url: "https://terbuka.bojonegorokab.go.id",
        signer: &signer,
    };
    let public = Actor::anonymous();
    for (name, email) in [
        ("Warga", "warga@example.id"),
        ("Menunggu", "tunggu@example.id"),
    ] {
        let cmd = Register {
            event_id: e.id,
            name: name.into(),
            email: email.into(),
            organisation: None,
            lang: Lang::Id,
        };
        reg::register(&t.db, &public, &links, None, None, cmd, now())
            .await
            .ok()
            .unwrap();
    }
    let mut admin = fixtures::team_actor(&t.db, &m, "admin@bojonegorokab.go.id").await;
    admin.roles = vec![(m.id, Role::Admin)];
    let act = Act {
        db: (&t.db).into(),
        actor: &admin,
        request_id: None,
        now: now(),
    };
    assert_eq!(
        refused(
            citizen::erase(&act, &links, m.id, "warga", None)
                .await
                .map(|_| ())
        ),
        Problems::one(&["input", "email"], Problem::InvalidEmail)
    );
    let (done, mails) = citizen::erase(&act, &links, m.id, "warga@example.id", Some("surat"))
        .await
        .ok()
        .unwrap();
    assert_eq!((done.registrations, mails.len()), (1, 1));
    let rows = registration::Entity::find()
        .filter(registration::Column::EventId.eq(e.id))
        .all(&t.db)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.email != "warga@example.id"));
    let waiting = rows
        .iter()
        .find(|r| r.email == "tunggu@example.id")
        .unwrap();
    assert_eq!(waiting.status, RegistrationStatus::Registered);
    let last = audits(&t.db, m.id).await.pop().unwrap();
    assert_eq!(last.action, "ERASE_CITIZEN_DATA");
    t.finish().await;
}
