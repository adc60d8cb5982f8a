//! Column shapes every table uses, so they are the same everywhere.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub fn create(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).if_not_exists().to_owned()
}

pub fn id() -> ColumnDef {
    uuid("id").primary_key().to_owned()
}

pub fn id_ref(col: &'static str) -> ColumnDef {
    uuid(col)
}

pub fn id_ref_null(col: &'static str) -> ColumnDef {
    uuid_null(col)
}

pub fn at(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone(col)
}

pub fn at_null(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

pub fn version() -> ColumnDef {
    integer("version").default(1).to_owned()
}

pub fn enum_text(col: &'static str) -> ColumnDef {
    string_len(col, 40)
}

pub fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(on_delete)
        .to_owned()
}

pub fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table)
        .if_not_exists();
    for c in cols {
        stmt.col(*c);
    }
    stmt.to_owned()
}

pub fn unique(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = index(table, cols);
    stmt.name(format!("ux_{table}_{}", cols.join("_"))).unique();
    stmt.to_owned()
}
