//! The demo's plans: Indonesia's national plans, Bojonegoro's 2016–2017 sub-national plan
//! with its five commitments and the Final IRM Report 2017, and the 2018 plan in preparation
//! with its 31 August deadline, the draft team decree and the secretariat in the PPID room.
//!
//! Where the sources are silent a value is chosen and says so (`chosen`); the IRM values per
//! commitment are chosen so that the *computed* "At a Glance" equals the published table:
//! completion 4 substantial and 1 limited, 0 starred, 1 transformative, 5 clearly relevant,
//! "did it open government" 2 major.

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_plan::{self, PlanLevel, PlanStatus};
use entity::assessment::{self, AssessmentKind, Framework};
use entity::commitment::{self, CommitmentStatus, OgpValue, Sector};
use entity::commitment_assessment::{self as values, Completion, Diog, PotentialImpact};
use entity::decree::{self, DecreeStatus, Represents, TeamPosition};
use entity::development_goal::{self as goal, GoalKind};
use entity::milestone::{self, MilestoneStatus};
use entity::{
    commitment_actor, decree_member, development_plan, head_of_region_term, legal_reference,
    member, organisation, plan_phase, secretariat,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a real date")
}

pub(super) async fn member_id(tx: &DatabaseTransaction, slug: &str) -> Result<Uuid, DbErr> {
    member::Entity::find()
        .filter(member::Column::Slug.eq(slug))
        .one(tx)
        .await?
        .map(|m| m.id)
        .ok_or_else(|| DbErr::RecordNotFound(slug.into()))
}

pub(super) async fn org(
    tx: &DatabaseTransaction,
    member: Uuid,
    acronym: &str,
) -> Result<Option<Uuid>, DbErr> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::MemberId.eq(member))
        .filter(organisation::Column::Acronym.eq(acronym))
        .one(tx)
        .await?
        .map(|o| o.id))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn plan(
    tx: &DatabaseTransaction,
    now: DateTime<Utc>,
    member: Uuid,
    level: PlanLevel,
    title: &str,
    period: (NaiveDate, NaiveDate),
    deadline: Option<NaiveDate>,
    submitted: Option<NaiveDate>,
    status: PlanStatus,
    part_of: Option<Uuid>,
    follows: Option<Uuid>,
    summary: &str,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    action_plan::Entity::insert(action_plan::ActiveModel {
        id: Set(id),
        member_id: Set(member),
        level: Set(level),
        part_of_id: Set(part_of),
        follows_id: Set(follows),
        title: Set(title.into()),
        period_start: Set(Some(period.0)),
        period_end: Set(Some(period.1)),
        submission_deadline: Set(deadline),
        submitted_on: Set(submitted),
        document_version: Set(None),
        status: Set(status),
        summary: Set(Some(summary.into())),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(id)
}

/// (year, month, day)
type Day = (i32, u32, u32);
/// (title, deliverable, start, end, weight)
type MilestoneFact = (&'static str, &'static str, Day, Day, i32);

struct CommitmentFact {
    code: &'static str,
    title: &'static str,
    theme: &'static str,
    objective: &'static str,
    lead: Option<&'static str>,
    values: &'static [OgpValue],
    ambition: Option<&'static str>,
    government: &'static [&'static str],
    civil_society: &'static [&'static str],
    milestones: &'static [MilestoneFact],
    irm: (bool, PotentialImpact, Completion, Diog),
}

use OgpValue::*;

/// The five commitments of the 2016–2017 plan (OGP pages BOJ0001–BOJ0003, the plan text, the
/// IRM summary). Milestones are the plan's activities as far as the sources describe them;
/// their dates follow the plan's period (chosen).
const COMMITMENTS: &[CommitmentFact] = &[
    CommitmentFact {
        code: "BOJ0001",
        title: "Data Revolution",
        theme: "Satu Data Bojonegoro",
        objective: "Real-time Dasa Wisma household data integrated into data.go.id: One Data Bojonegoro.",
        lead: Some("Dinas Kominfo"),
        values: &[
            AccessToInformation,
            PublicAccountability,
            TechnologyInnovation,
        ],
        ambition: None,
        government: &["Bappeda", "BPMPD"],
        civil_society: &["TP-PKK", "BI", "Sinergantara", "Mediatrac"],
        milestones: &[
            (
                "Pendataan Dasa Wisma secara real-time",
                "Data Dasa Wisma terbuka di portal data",
                (2016, 1, 1),
                (2016, 12, 31),
                1,
            ),
            (
                "Integrasi ke data.go.id",
                "Dataset Bojonegoro tampil di data.go.id",
                (2017, 1, 1),
                (2017, 12, 31),
                1,
            ),
        ],
        irm: (
            true,
            PotentialImpact::Minor,
            Completion::Substantial,
            Diog::Marginal,
        ),
    },
    CommitmentFact {
        code: "BOJ0002",
        title: "Enhancing Village Government Accountability",
        theme: "Akuntabilitas Pemerintah Desa",
        objective: "Villages publish their budgets (APBDes) and accountability reports where citizens see them.",
        lead: Some("BPMPD"),
        values: &[AccessToInformation, PublicAccountability],
        ambition: Some("High"),
        government: &["Dinas Kominfo"],
        civil_society: &["IDFoS"],
        milestones: &[
            (
                "Publikasi APBDes dan laporan pertanggungjawaban di baliho desa",
                "Baliho APBDes terpasang di desa",
                (2016, 1, 1),
                (2016, 12, 31),
                1,
            ),
            (
                "Pemantauan publikasi APBDes",
                "Laporan pemantauan",
                (2017, 1, 1),
                (2017, 12, 31),
                1,
            ),
        ],
        irm: (
            true,
            PotentialImpact::Minor,
            Completion::Substantial,
            Diog::Marginal,
        ),
    },
    CommitmentFact {
        code: "BOJ0003",
        title: "Improving Local Budget Transparency",
        theme: "Transparansi Anggaran Daerah",
        objective: "Publish the regional budget to four stakeholder groups under UU 14/2008.",
        lead: Some("Bappeda"),
        values: &[AccessToInformation, PublicAccountability],
        ambition: Some("High"),
        government: &["Dinas Kominfo"],
        civil_society: &["BI"],
        milestones: &[
            (
                "Publikasi dokumen anggaran daerah",
                "Dokumen APBD di situs Pemkab",
                (2016, 1, 1),
                (2016, 12, 31),
                1,
            ),
            (
                "Dialog anggaran dengan empat kelompok pemangku kepentingan",
                "Notulen dialog",
                (2017, 1, 1),
                (2017, 12, 31),
                1,
            ),
        ],
        irm: (
            true,
            PotentialImpact::Minor,
            Completion::Substantial,
            Diog::Marginal,
        ),
    },
    CommitmentFact {
        code: "BOJ0004",
        title: "Open Data Contract",
        theme: "Keterbukaan Pengadaan",
        objective: "Procurement transparency on simpen.bojonegorokab.net, then bos.bojonegorokab.go.id, compatible with OCDS.",
        lead: None,
        values: &[AccessToInformation, TechnologyInnovation],
        ambition: None,
        government: &[],
        civil_society: &["BI"],
        milestones: &[(
            "Publikasi data kontrak pengadaan",
            "Data kontrak terbuka sesuai OCDS",
            (2016, 6, 1),
            (2017, 12, 31),
            1,
        )],
        irm: (
            true,
            PotentialImpact::Minor,
            Completion::Substantial,
            Diog::Major,
        ),
    },
    CommitmentFact {
        code: "BOJ0005",
        title: "Public service quality and civic participation in service delivery",
        theme: "Kualitas Pelayanan Publik",
        objective: "Citizen participation in health services through a citizen charter.",
        lead: None,
        values: &[CivicParticipation, PublicAccountability],
        ambition: None,
        government: &[],
        civil_society: &["KPI"],
        milestones: &[
            (
                "Penyusunan maklumat pelayanan (citizen charter) bersama warga",
                "Maklumat pelayanan ditandatangani",
                (2016, 6, 1),
                (2017, 6, 30),
                2,
            ),
            (
                "Survei kepuasan layanan kesehatan",
                "Laporan survei",
                (2017, 1, 1),
                (2017, 12, 31),
                1,
            ),
        ],
        irm: (
            true,
            PotentialImpact::Transformative,
            Completion::Limited,
            Diog::Major,
        ),
    },
];

pub async fn load(tx: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let indonesia = member_id(tx, "indonesia").await?;
    let boj = member_id(tx, "bojonegoro").await?;

    // Indonesia's national plans (Open Government Indonesia).
    let nap_2016 = plan(
        tx,
        now,
        indonesia,
        PlanLevel::National,
        "Rencana Aksi Open Government Indonesia 2016–2017",
        (d(2016, 1, 1), d(2017, 12, 31)),
        None,
        None,
        PlanStatus::Ended,
        None,
        None,
        "Drafted by 14 ministries and agencies, five local governments and civil society.",
    )
    .await?;
    let nap_2018 = plan(tx, now, indonesia, PlanLevel::National, "National Action Plan 2018–2020 (Open Government Indonesia)",
        (d(2018, 7, 1), d(2020, 6, 30)), Some(d(2018, 8, 31)), None, PlanStatus::Drafting, None, Some(nap_2016),
        "Indonesia's fifth national plan, tied to the RPJMN 2015–2019. Period chosen (sources give 2018–2020).").await?;
    let _ = nap_2018;

    // Bojonegoro 2016–2017.
    let boj_2016 = plan(tx, now, boj, PlanLevel::Regional,
        "Open Government Sub-National Action Plan, Bojonegoro Regency Government, 2016-2017",
        (d(2016, 1, 1), d(2017, 12, 31)), None, Some(d(2016, 11, 30)), PlanStatus::Assessed, Some(nap_2016), None,
        "One of the 15 OGP Subnational pioneers. Submitted before the Paris Summit of December 2016 (day chosen: 30 November 2016).").await?;
    let irm = Uuid::now_v7();
    assessment::Entity::insert(assessment::ActiveModel {
        id: Set(irm),
        member_id: Set(boj),
        plan_id: Set(boj_2016),
        kind: Set(AssessmentKind::IrmEndOfTerm),
        framework: Set(Framework::IrmPre2020),
        title: Set("Bojonegoro Final IRM Report 2017".into()),
        assessor: Set(Some("Anton Novenanto (Universitas Brawijaya)".into())),
        published_on: Set(None),
        url: Set(Some("https://www.opengovpartnership.org/documents/bojonegoro-final-irm-report-2017/".into())),
        findings: Set(Some("Remarkable high-level engagement. Public and CSO involvement during implementation mostly limited to two organisations.".into())),
        recommendations: Set(Some("Finalise commitments. Widen participation to local council members and specialised CSOs.".into())),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;

    for (i, f) in COMMITMENTS.iter().enumerate() {
        let cid = Uuid::now_v7();
        let lead = match f.lead {
            Some(a) => org(tx, boj, a).await?,
            None => None,
        };
        commitment::Entity::insert(commitment::ActiveModel {
            id: Set(cid),
            member_id: Set(boj),
            plan_id: Set(boj_2016),
            code: Set(Some(f.code.into())),
            title: Set(f.title.into()),
            theme: Set(Some(f.theme.into())),
            problem: Set(None),
            baseline: Set(None),
            objective: Set(Some(f.objective.into())),
            description: Set(None),
            how_it_solves: Set(None),
            ogp_values: Set(serde_json::to_value(f.values).expect("values")),
            ambition: Set(f.ambition.map(Into::into)),
            lead_organisation_id: Set(lead),
            official_in_charge: Set(None),
            starts_on: Set(Some(d(2016, 1, 1))),
            ends_on: Set(Some(d(2017, 12, 31))),
            continues_id: Set(None),
            status: Set(CommitmentStatus::InProgress),
            ordinal: Set(i as i32),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
        for (acronyms, sector) in [
            (f.government, Sector::Government),
            (f.civil_society, Sector::CivilSociety),
        ] {
            for a in acronyms {
                if let Some(o) = org(tx, boj, a).await? {
                    commitment_actor::Entity::insert(commitment_actor::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        member_id: Set(boj),
                        commitment_id: Set(cid),
                        organisation_id: Set(o),
                        sector: Set(sector),
                    })
                    .exec_without_returning(tx)
                    .await?;
                }
            }
        }
        // Completion as the IRM found it: substantial work done, limited for the last.
        let progress = if f.irm.2 == Completion::Limited {
            30
        } else {
            75
        };
        for (j, (title, deliverable, start, end, weight)) in f.milestones.iter().enumerate() {
            milestone::Entity::insert(milestone::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(boj),
                commitment_id: Set(cid),
                title: Set((*title).into()),
                deliverable: Set(Some((*deliverable).into())),
                starts_on: Set(Some(d(start.0, start.1, start.2))),
                ends_on: Set(Some(d(end.0, end.1, end.2))),
                responsible_organisation_id: Set(lead),
                weight: Set(*weight),
                status: Set(MilestoneStatus::InProgress),
                progress: Set(progress),
                ordinal: Set(j as i32),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .exec_without_returning(tx)
            .await?;
        }
        let (verifiable, impact, completion, diog) = f.irm;
        values::Entity::insert(values::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            assessment_id: Set(irm),
            commitment_id: Set(cid),
            verifiable: Set(Some(verifiable)),
            relevant_values: Set(serde_json::to_value(f.values).expect("values")),
            potential_impact: Set(Some(impact)),
            potential_for_results: Set(None),
            completion: Set(Some(completion)),
            did_it_open_government: Set(Some(diog)),
            narrative: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
    }

    // Bojonegoro 2018: in co-creation on 28 June 2018, due on 31 August 2018.
    let boj_2018 = plan(tx, now, boj, PlanLevel::Regional, "Renaksi Pemerintahan Terbuka Bojonegoro 2018",
        (d(2018, 9, 1), d(2020, 8, 31)), Some(d(2018, 8, 31)), None, PlanStatus::CoCreation, Some(nap_2018), Some(boj_2016),
        "Part of the Renaksi OGP Nasional; the IRM results on the 2016–2017 Renaksi are its basis. Implementation period chosen (the sources give none).").await?;
    for (i, (name, start, end)) in [
        (
            "Ko-kreasi dengan masyarakat sipil",
            d(2018, 6, 28),
            d(2018, 7, 31),
        ),
        ("Penyusunan draf Renaksi", d(2018, 7, 16), d(2018, 8, 10)),
        ("Konsultasi publik", d(2018, 8, 11), d(2018, 8, 24)),
        (
            "Penyampaian ke Sekretariat OGP",
            d(2018, 8, 25),
            d(2018, 8, 31),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        plan_phase::Entity::insert(plan_phase::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            plan_id: Set(boj_2018),
            name: Set(name.into()),
            starts_on: Set(Some(start)),
            ends_on: Set(Some(end)),
            ordinal: Set(i as i32),
            created_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
    }

    // Heads of region: Kang Yoto's second term ended with the inauguration of 24 Sept 2018.
    for (name, deputy, elected, declared, inaugurated, ends) in [
        (
            "Suyoto",
            "Setyo Hartono",
            None,
            None,
            Some(d(2013, 10, 22)),
            Some(d(2018, 9, 24)),
        ),
        (
            "Anna Mu'awanah",
            "Budi Irawanto",
            Some(d(2018, 6, 27)),
            Some(d(2018, 7, 26)),
            Some(d(2018, 9, 24)),
            Some(d(2023, 9, 24)),
        ),
    ] {
        head_of_region_term::Entity::insert(head_of_region_term::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            name: Set(name.into()),
            deputy_name: Set(Some(deputy.into())),
            office_title: Set(Some("Bupati".into())),
            elected_on: Set(elected),
            declared_on: Set(declared),
            inaugurated_on: Set(inaugurated),
            ends_on: Set(ends),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        })
        .exec_without_returning(tx)
        .await?;
    }

    // The technocratic RPJMD the meeting asked for, and the law on public information.
    let rpjmd = Uuid::now_v7();
    development_plan::Entity::insert(development_plan::ActiveModel {
        id: Set(rpjmd),
        member_id: Set(boj),
        kind: Set("RPJMD".into()),
        title: Set("RPJMD Kabupaten Bojonegoro 2018–2023".into()),
        start_year: Set(Some(2018)),
        end_year: Set(Some(2023)),
        stage: Set(Some("rancangan teknokratik".into())),
        head_of_region_term_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    goal::Entity::insert(goal::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(boj),
        development_plan_id: Set(Some(rpjmd)),
        head_of_region_term_id: Set(None),
        kind: Set(GoalKind::Mission),
        ordinal: Set(1),
        text: Set("Sinkronisasi visi dan misi Bupati Terpilih dengan nilai-nilai Pemerintahan Terbuka (catatan rapat 28 Juni 2018).".into()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    legal_reference::Entity::insert(legal_reference::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(boj),
        title: Set("Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik".into()),
        kind: Set(Some("UU".into())),
        url: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;

    // The team decree, still a draft (whether it was signed, and its number, are unknown).
    let sk = Uuid::now_v7();
    decree::Entity::insert(decree::ActiveModel {
        id: Set(sk),
        member_id: Set(boj),
        number: Set(None),
        title: Set("Keputusan Bupati Bojonegoro tentang Tim Kemitraan Pemerintahan Terbuka Kabupaten Bojonegoro".into()),
        considerations: Set(Some("bahwa dalam rangka pelaksanaan Rencana Aksi Pemerintahan Terbuka (Open Government Partnership) di Kabupaten Bojonegoro perlu dibentuk Tim Kemitraan Pemerintahan Terbuka yang melibatkan pemerintah daerah dan masyarakat sipil.".into())),
        legal_basis: Set(Some("Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik.".into())),
        decided_items: Set(json!([
            "KESATU: Membentuk Tim Kemitraan Pemerintahan Terbuka Kabupaten Bojonegoro dengan susunan keanggotaan sebagaimana tercantum dalam Lampiran.",
            "KEDUA: Tim bertugas menyusun, melaksanakan dan memantau Rencana Aksi Pemerintahan Terbuka, dengan sekretariat di Ruang PPID.",
            "KETIGA: Biaya pelaksanaan dibebankan pada DPA Dinas Komunikasi dan Informatika dan sumber lain yang sah.",
            "KEEMPAT: Keputusan ini mulai berlaku pada tanggal ditetapkan."
        ])),
        signatory_name: Set(None),
        signatory_office: Set(Some("Bupati Bojonegoro".into())),
        set_place: Set(Some("Bojonegoro".into())),
        set_on: Set(None),
        signed_on: Set(None),
        effective_from: Set(None),
        effective_to: Set(None),
        status: Set(DecreeStatus::Draft),
        amends_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    // The draft appendix (chosen: offices and organisations named at the 28 June meeting).
    for (i, (name, position, represents, acronym)) in [
        (
            "Kepala Dinas Komunikasi dan Informatika",
            TeamPosition::Ketua,
            Represents::Government,
            "Dinas Kominfo",
        ),
        (
            "Direktur Bojonegoro Institute",
            TeamPosition::WakilKetua,
            Represents::CivilSociety,
            "BI",
        ),
        (
            "Kepala Bidang Informasi dan Komunikasi Publik, Dinas Kominfo",
            TeamPosition::Sekretaris,
            Represents::Government,
            "Dinas Kominfo",
        ),
        (
            "Kepala Badan Perencanaan Pembangunan Daerah",
            TeamPosition::Anggota,
            Represents::Government,
            "Bappeda",
        ),
        (
            "Direktur IDFoS",
            TeamPosition::Anggota,
            Represents::CivilSociety,
            "IDFoS",
        ),
        (
            "Ketua Koalisi Perempuan Indonesia Cabang Bojonegoro",
            TeamPosition::Anggota,
            Represents::CivilSociety,
            "KPI",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        decree_member::Entity::insert(decree_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(boj),
            decree_id: Set(sk),
            person_id: Set(None),
            name: Set(name.into()),
            position: Set(position),
            represents: Set(represents),
            organisation_id: Set(org(tx, boj, acronym).await?),
            role_note: Set(None),
            ordinal: Set(i as i32),
            created_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
    }
    secretariat::Entity::insert(secretariat::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(boj),
        decree_id: Set(Some(sk)),
        venue_name: Set("Gedung Pusat Informasi Publik".into()),
        room: Set(Some("Ruang PPID".into())),
        address: Set(Some("Kawasan Pemerintah Kabupaten Bojonegoro".into())),
        contact_email: Set(None),
        contact_phone: Set(None),
        channels: Set(json!([])),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(())
}
