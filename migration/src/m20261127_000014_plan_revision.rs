//! A revision number per member that the database itself raises whenever anything a plan
//! dashboard is computed from changes (plans, commitments, milestones, funding links, DPA budget
//! lines, NGO programmes) — by triggers, so no write path can forget it. An API process keeps
//! computed dashboards and serves one again only while the member's revision is unchanged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::common::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables a dashboard reads.
pub(crate) const TABLES: [&str; 6] = [
    "action_plan",
    "commitment",
    "milestone",
    "funding",
    "budget_line",
    "ngo_programme",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        m.create_table(
            Table::create()
                .table("data_revision")
                .col(uuid("member_id").primary_key())
                .col(big_integer("revision").default(0))
                .foreign_key(&mut fk(
                    "data_revision",
                    "member_id",
                    "member",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION terbuka_bump_revision() RETURNS trigger AS $$
                     DECLARE m uuid;
                     BEGIN
                       IF TG_OP = 'DELETE' THEN m := OLD.member_id; ELSE m := NEW.member_id; END IF;
                       INSERT INTO data_revision (member_id, revision) VALUES (m, 1)
                       ON CONFLICT (member_id) DO UPDATE SET revision = data_revision.revision + 1;
                       IF TG_OP = 'UPDATE' AND OLD.member_id <> NEW.member_id THEN
                         INSERT INTO data_revision (member_id, revision) VALUES (OLD.member_id, 1)
                         ON CONFLICT (member_id) DO UPDATE SET revision = data_revision.revision + 1;
                       END IF;
                       RETURN NULL;
                     END $$ LANGUAGE plpgsql",
                )
                .await?;
                for t in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {t}_revision AFTER INSERT OR UPDATE OR DELETE ON {t}
                         FOR EACH ROW EXECUTE FUNCTION terbuka_bump_revision()"
                    ))
                    .await?;
                }
            }
            _ => {
                for t in TABLES {
                    for (op, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {t}_revision_{op} AFTER {op} ON {t} BEGIN
                               INSERT INTO data_revision (member_id, revision)
                               VALUES ({row}.member_id, 1)
                               ON CONFLICT (member_id) DO UPDATE SET revision = revision + 1;
                             END",
                            op = op.to_lowercase(),
                        ))
                        .await?;
                    }
                    // A record moved to another member changes both.
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {t}_revision_moved AFTER UPDATE OF member_id ON {t}
                         WHEN OLD.member_id <> NEW.member_id BEGIN
                           INSERT INTO data_revision (member_id, revision)
                           VALUES (OLD.member_id, 1)
                           ON CONFLICT (member_id) DO UPDATE SET revision = revision + 1;
                         END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                for t in TABLES {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}_revision ON {t}"))
                        .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS terbuka_bump_revision()")
                    .await?;
            }
            _ => {
                for t in TABLES {
                    for op in ["insert", "update", "delete", "moved"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}_revision_{op}"))
                            .await?;
                    }
                }
            }
        }
        db.execute_unprepared("DROP TABLE IF EXISTS data_revision")
            .await?;
        Ok(())
    }
}
