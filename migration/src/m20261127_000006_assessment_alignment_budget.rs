//! Assessments (IRM, OGP Local, self) with per-commitment values and the starred rule per
//! framework; alignment (RPJMD, vision and mission, legal basis); budget sync (DPA lines, NGO
//! programmes and what they fund).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("starred_rule")
                .col(string_len("framework", 40).primary_key())
                .col(boolean("require_verifiable"))
                .col(boolean("require_relevance"))
                .col(string_len_null("min_potential_impact", 40))
                .col(string_len_null("min_potential_for_results", 40))
                .col(string_len_null("min_completion", 40))
                .col(at("updated_at"))
                .col(version())
                .to_owned(),
        )
        .await?;
        // The IRM's pre-2020 rule (OGP, "starred commitments"): verifiable, clearly relevant,
        // moderate or transformative potential impact, substantial or complete. The others
        // are unverified in the sources and start with no star; operators can set them.
        // The rules' own date (typed for PostgreSQL, text as SQLite stores it).
        let since: SimpleExpr = match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => Expr::cust("TIMESTAMPTZ '2018-01-01 00:00:00+00'"),
            _ => "2018-01-01T00:00:00Z".into(),
        };
        let rows = [
            (
                "IRM_PRE_2020",
                true,
                true,
                Some("MODERATE"),
                None::<&str>,
                Some("SUBSTANTIAL"),
            ),
            (
                "IRM_2020",
                true,
                true,
                None,
                Some("SUBSTANTIAL"),
                Some("SUBSTANTIAL"),
            ),
            (
                "OGP_LOCAL",
                true,
                true,
                Some("MODERATE"),
                None,
                Some("SUBSTANTIAL"),
            ),
            (
                "SELF_ASSESSMENT",
                true,
                true,
                Some("MODERATE"),
                None,
                Some("SUBSTANTIAL"),
            ),
        ];
        for (framework, verifiable, relevance, impact, results, completion) in rows {
            m.exec_stmt(
                Query::insert()
                    .into_table("starred_rule")
                    .columns([
                        "framework",
                        "require_verifiable",
                        "require_relevance",
                        "min_potential_impact",
                        "min_potential_for_results",
                        "min_completion",
                        "updated_at",
                        "version",
                    ])
                    .values_panic([
                        framework.into(),
                        verifiable.into(),
                        relevance.into(),
                        impact.into(),
                        results.into(),
                        completion.into(),
                        since.clone(),
                        1.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            create("assessment")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("plan_id"))
                .col(enum_text("kind"))
                .col(enum_text("framework"))
                .col(string_len("title", 500))
                .col(string_len_null("assessor", 200))
                .col(date_null("published_on"))
                .col(string_len_null("url", 2000))
                .col(text_null("findings"))
                .col(text_null("recommendations"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "assessment",
                    "plan_id",
                    "action_plan",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("assessment", &["plan_id"])).await?;

        m.create_table(
            create("commitment_assessment")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("assessment_id"))
                .col(id_ref("commitment_id"))
                .col(boolean_null("verifiable"))
                .col(json("relevant_values"))
                .col(string_len_null("potential_impact", 40))
                .col(string_len_null("potential_for_results", 40))
                .col(string_len_null("completion", 40))
                .col(string_len_null("did_it_open_government", 40))
                .col(text_null("narrative"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "commitment_assessment",
                    "assessment_id",
                    "assessment",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "commitment_assessment",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "commitment_assessment",
            &["assessment_id", "commitment_id"],
        ))
        .await?;

        m.create_table(
            create("development_plan")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("kind", 40))
                .col(string_len("title", 500))
                .col(integer_null("start_year"))
                .col(integer_null("end_year"))
                .col(string_len_null("stage", 100))
                .col(id_ref_null("head_of_region_term_id"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "development_plan",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            create("development_goal")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref_null("development_plan_id"))
                .col(id_ref_null("head_of_region_term_id"))
                .col(enum_text("kind"))
                .col(integer("ordinal").default(0))
                .col(text("text"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "development_goal",
                    "development_plan_id",
                    "development_plan",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "development_goal",
                    "head_of_region_term_id",
                    "head_of_region_term",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            create("legal_reference")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("title", 500))
                .col(string_len_null("kind", 60))
                .col(string_len_null("url", 2000))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "legal_reference",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            create("alignment")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("commitment_id"))
                .col(id_ref_null("development_goal_id"))
                .col(id_ref_null("legal_reference_id"))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "alignment",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "alignment",
                    "development_goal_id",
                    "development_goal",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "alignment",
                    "legal_reference_id",
                    "legal_reference",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("alignment", &["commitment_id"]))
            .await?;

        m.create_table(
            create("budget_line")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("organisation_id"))
                .col(integer("fiscal_year"))
                .col(enum_text("dpa_version"))
                .col(string_len_null("program_code", 60))
                .col(string_len("program_name", 500))
                .col(string_len_null("activity_code", 60))
                .col(string_len_null("activity_name", 500))
                .col(string_len_null("sub_activity_code", 60))
                .col(big_integer("ceiling"))
                .col(big_integer_null("realisation"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "budget_line",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("budget_line", &["member_id", "fiscal_year"]))
            .await?;

        m.create_table(
            create("ngo_programme")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("organisation_id"))
                .col(string_len("title", 500))
                .col(string_len_null("funder", 200))
                .col(date_null("period_start"))
                .col(date_null("period_end"))
                .col(big_integer_null("amount"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "ngo_programme",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            create("funding")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("commitment_id"))
                .col(id_ref_null("milestone_id"))
                .col(id_ref_null("budget_line_id"))
                .col(id_ref_null("ngo_programme_id"))
                .col(big_integer_null("amount"))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "funding",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "funding",
                    "milestone_id",
                    "milestone",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "funding",
                    "budget_line_id",
                    "budget_line",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "funding",
                    "ngo_programme_id",
                    "ngo_programme",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("funding", &["commitment_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "funding",
            "ngo_programme",
            "budget_line",
            "alignment",
            "legal_reference",
            "development_goal",
            "development_plan",
            "commitment_assessment",
            "assessment",
            "starred_rule",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
