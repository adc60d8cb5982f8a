//! On PostgreSQL the member's data revision is raised once per statement, not once per row.
//! Row triggers made a write of many rows in one transaction (an import of 22,000 rows) update
//! the same `data_revision` row 22,000 times, each update slower than the last (every one adds
//! a version of that row for the next to step over): 5,000 rows took 0.6 s, the next 5,000
//! 0.8 s, the next 1.0 s. Statement triggers read the rows a statement changed (its transition
//! tables) and raise each member's revision once. SQLite updates the row in place and keeps
//! its row triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261127_000014_plan_revision::TABLES;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The members of the rows a statement changed, from its transition tables, raised once.
const FUNCTIONS: [(&str, &str); 3] = [
    (
        "terbuka_bump_revision_new",
        "SELECT member_id FROM changed_rows",
    ),
    (
        "terbuka_bump_revision_old",
        "SELECT member_id FROM removed_rows",
    ),
    (
        "terbuka_bump_revision_both",
        "SELECT member_id FROM changed_rows UNION SELECT member_id FROM removed_rows",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (name, members) in FUNCTIONS {
            db.execute_unprepared(&format!(
                "CREATE FUNCTION {name}() RETURNS trigger AS $$
                 BEGIN
                   INSERT INTO data_revision (member_id, revision)
                   SELECT DISTINCT member_id, 1 FROM ({members}) AS touched
                   WHERE member_id IS NOT NULL
                   ON CONFLICT (member_id) DO UPDATE SET revision = data_revision.revision + 1;
                   RETURN NULL;
                 END $$ LANGUAGE plpgsql"
            ))
            .await?;
        }
        for t in TABLES {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}_revision ON {t}"))
                .await?;
            for (op, tables, function) in [
                ("INSERT", "NEW TABLE AS changed_rows", "new"),
                (
                    "UPDATE",
                    "OLD TABLE AS removed_rows NEW TABLE AS changed_rows",
                    "both",
                ),
                ("DELETE", "OLD TABLE AS removed_rows", "old"),
            ] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {t}_revision_{lower} AFTER {op} ON {t} REFERENCING {tables}
                     FOR EACH STATEMENT EXECUTE FUNCTION terbuka_bump_revision_{function}()",
                    lower = op.to_lowercase()
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for t in TABLES {
            for op in ["insert", "update", "delete"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}_revision_{op} ON {t}"))
                    .await?;
            }
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {t}_revision AFTER INSERT OR UPDATE OR DELETE ON {t}
                 FOR EACH ROW EXECUTE FUNCTION terbuka_bump_revision()"
            ))
            .await?;
        }
        for (name, _) in FUNCTIONS {
            db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                .await?;
        }
        Ok(())
    }
}
