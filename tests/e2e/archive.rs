//! Moving a deployment: the demo on the embedded default (SQLite) is written to an archive by
//! `terbuka export-data` while it runs, loaded by `terbuka import-data` into a fresh database
//! (PostgreSQL when the suite runs there), and the two servers then give the same answer to a
//! query for every root field of the schema, as the operator, an admin, a watchdog and the
//! public, with the stored files downloading byte for byte. Damaged archives are refused and
//! change nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::documents::{pdf, upload};
use crate::helpers::*;

/// Runs the `terbuka` command against a database and blob directory.
async fn terbuka(args: &[&str], database_url: &str, blobs: &Path) -> Output {
    let blobs = blobs.display().to_string();
    terbuka_cli(
        args,
        &[
            ("TERBUKA_DATABASE_URL", database_url),
            ("TERBUKA_BLOB_DIR", &blobs),
            ("TERBUKA_LOG", "warn"),
        ],
    )
    .await
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output) -> String {
    assert!(!out.status.success(), "the import was refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Drops a PostgreSQL test database at the end, however the test ends.
struct DropDb(Option<(String, String)>);
impl Drop for DropDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.0.take() {
            crate::db::drop_postgres(admin, name);
        }
    }
}

/// Copies an archive, changing what `edit` says (None keeps a file as it is).
fn rewrite(from: &Path, to: &Path, mut edit: impl FnMut(&str, &[u8]) -> Option<Vec<u8>>) -> usize {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let mut edited = 0;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut bytes = vec![];
        f.read_to_end(&mut bytes).unwrap();
        let bytes = match edit(&name, &bytes) {
            Some(b) => {
                edited += 1;
                b
            }
            None => bytes,
        };
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
    edited
}

// ---------------------------------------------------------------------------------------------
// Queries made from the schema itself: every root field, with every field reachable without
// required arguments, to a depth the limits allow.

const INTROSPECT: &str = "{ __schema { queryType { name } types { name kind
    possibleTypes { name }
    fields(includeDeprecated: true) { name
      args { name defaultValue type { ...T } }
      type { ...T } } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

struct Schema {
    types: BTreeMap<String, Value>,
    root: String,
}

fn named(t: &Value) -> (&str, &str) {
    let mut t = t;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (t["kind"].as_str().unwrap(), t["name"].as_str().unwrap())
}

fn needs_arguments(field: &Value) -> bool {
    field["args"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
}

impl Schema {
    fn fields(&self, ty: &str) -> &[Value] {
        self.types[ty]["fields"].as_array().map_or(&[], |v| v)
    }

    /// The selection of `ty`'s fields, objects to `depth` levels.
    fn selection(&self, ty: &str, depth: usize) -> String {
        let mut out = vec![];
        for f in self.fields(ty) {
            if needs_arguments(f) {
                continue;
            }
            let name = f["name"].as_str().unwrap();
            let (kind, inner) = named(&f["type"]);
            match kind {
                "SCALAR" | "ENUM" => out.push(name.to_owned()),
                "OBJECT" if depth > 0 => {
                    let sub = self.selection(inner, depth - 1);
                    if !sub.is_empty() {
                        out.push(format!("{name} {{ {sub} }}"));
                    }
                }
                "INTERFACE" | "UNION" if depth > 0 => {
                    let mut parts = vec!["__typename".to_owned()];
                    for p in self.types[inner]["possibleTypes"].as_array().unwrap() {
                        let p = p["name"].as_str().unwrap();
                        let sub = self.selection(p, 0);
                        if !sub.is_empty() {
                            parts.push(format!("... on {p} {{ {sub} }}"));
                        }
                    }
                    out.push(format!("{name} {{ {} }}", parts.join(" ")));
                }
                _ => {}
            }
        }
        out.join(" ")
    }

    /// The query for one root field, as deep as the server takes from `viewer`.
    fn query(&self, field: &str, args: &str, depth: usize) -> String {
        let f = self
            .fields(&self.root)
            .iter()
            .find(|f| f["name"] == field)
            .unwrap_or_else(|| panic!("no root field {field}"));
        let (kind, inner) = named(&f["type"]);
        let args = if args.is_empty() {
            String::new()
        } else {
            format!("({args})")
        };
        match kind {
            "SCALAR" | "ENUM" => format!("{{ {field}{args} }}"),
            "INTERFACE" | "UNION" => {
                let mut parts = vec!["__typename".to_owned()];
                for p in self.types[inner]["possibleTypes"].as_array().unwrap() {
                    let p = p["name"].as_str().unwrap();
                    parts.push(format!("... on {p} {{ {} }}", self.selection(p, depth)));
                }
                format!("{{ {field}{args} {{ {} }} }}", parts.join(" "))
            }
            _ => format!("{{ {field}{args} {{ {} }} }}", self.selection(inner, depth)),
        }
    }
}

/// The answer with its errors sorted by where they are: the order in which the executor's
/// concurrent branches fail is not part of the answer (the spec leaves it open).
fn errors_in_order(mut res: Value) -> Value {
    if let Some(errors) = res["errors"].as_array_mut() {
        errors.sort_by_key(|e| (e["path"].to_string(), e["locations"].to_string()));
    }
    res
}

/// Where two answers first differ, and how.
fn difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    format!("{at}.{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {} before, {} after", short(a), short(b))),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 3000 {
        format!("{}…", &s[..s.floor_char_boundary(3000)])
    } else {
        s
    }
}

async fn schema_of(app: &TestApp) -> Schema {
    let s = app.ok(INTROSPECT, json!({})).await;
    let types = s["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    Schema {
        types,
        root: s["__schema"]["queryType"]["name"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

fn codes(res: &Value) -> Vec<String> {
    res["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn ids(app: &TestApp, query: &str, vars: Value, path: &[&str]) -> Vec<String> {
    let mut v = app.ok(query, vars).await;
    for p in path {
        v = v[*p].clone();
    }
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn login(app: &TestApp, email: &str) -> String {
    let r = app
        .ok_as(
            None,
            "mutation($i: LoginInput!) { login(input: $i) { token userErrors { code } } }",
            json!({"i": {"email": email, "password": api::demo::DEMO_PASSWORD}}),
        )
        .await;
    r["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{email} signs in: {r}"))
        .to_owned()
}

#[tokio::test]
async fn the_demo_moves_from_sqlite_to_another_database_and_answers_every_query_the_same() {
    let source = spawn_app_with(Options {
        demo: true,
        run_worker: false,
        sqlite: true,
        ..Default::default()
    })
    .await;
    let schema = schema_of(&source).await;

    // The partnership's people, signed in before the move (their sessions move with it).
    let viewers: Vec<(&str, Option<String>)> = vec![
        ("operator", Some(source.operator.clone())),
        ("admin", Some(login(&source, "admin@demo.terbuka.id").await)),
        (
            "watchdog",
            Some(login(&source, "pemantau@demo.terbuka.id").await),
        ),
        ("public", None),
    ];

    // Evidence files: two minutes of one meeting and the same file again (stored once).
    let bojonegoro = source
        .ok("{ member(slug: \"bojonegoro\") { id } }", json!({}))
        .await["member"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = ids(
        &source,
        "query($m: ID!) { events(memberId: $m, from: \"2018-01-01\", to: \"2018-12-31\") { id } }",
        json!({"m": bojonegoro}),
        &["events"],
    )
    .await[0]
        .clone();
    let files = [pdf(70_000, b'n'), pdf(3_000, b's'), pdf(70_000, b'n')];
    for (i, bytes) in files.iter().enumerate() {
        let p = upload(
            &source,
            json!({"subjectId": event, "kind": "MINUTES", "title": format!("Notulen {i}"), "file": null}),
            &format!("notulen-{i}.pdf"),
            "application/pdf",
            bytes,
        )
        .await;
        assert_eq!(p["userErrors"], json!([]), "{p}");
    }

    // A public input heard at the meeting, a report asked for and a citizen's subscription.
    let demo_plan = ids(
        &source,
        "query($m: ID!) { plans(memberId: $m, first: 1) { nodes { id } } }",
        json!({"m": bojonegoro}),
        &["plans", "nodes"],
    )
    .await[0]
        .clone();
    make(
        &source,
        "recordPublicInput",
        "RecordPublicInputInput",
        "publicInput",
        json!({"planId": demo_plan, "eventId": event, "source": "EVENT",
               "organisationName": "IDFoS", "body": "Rapat rutin monev perlu dijadwalkan tiap bulan."}),
    )
    .await;
    let r = source
        .ok(
            "mutation($i: RequestReportInput!) { requestReport(input: $i) { userErrors { code } } }",
            json!({"i": {"kind": "MONEV", "format": "CSV", "planId": demo_plan}}),
        )
        .await;
    assert_eq!(r["requestReport"]["userErrors"], json!([]), "{r}");
    let sub = source
        .ok_as(
            None,
            "mutation($i: SubscribeInput!) { subscribe(input: $i) { userErrors { code } } }",
            json!({"i": {"memberId": bojonegoro, "email": "warga@desa.example", "consent": true}}),
        )
        .await;
    assert_eq!(sub["subscribe"]["userErrors"], json!([]), "{sub}");

    // Every table of the database is in the archive or left out on purpose.
    use sea_orm::ConnectionTrait;
    let tables: BTreeSet<String> = source
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    let known: BTreeSet<String> = worker::archive::TABLES
        .iter()
        .chain(worker::archive::LEFT_OUT)
        .map(|t| t.to_string())
        .collect();
    let unknown: Vec<&String> = tables.iter().filter(|t| !known.contains(*t)).collect();
    assert!(
        unknown.is_empty(),
        "tables the archive does not know: {unknown:?}"
    );

    // Export from the running system.
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("terbuka.zip");
    let out = succeeded(
        &terbuka(
            &["export-data", archive.to_str().unwrap()],
            &source.database_url,
            &source.dir.path().join("files"),
        )
        .await,
    );
    assert!(out.contains("2 files"), "{out}");
    assert!(!work.path().join("terbuka.zip.partial").exists());

    // Into a fresh database (PostgreSQL when the suite runs there).
    let target_dir = tempfile::tempdir().unwrap();
    let (target_url, pg) = fresh_database(target_dir.path()).await;
    let _drop = DropDb(pg);
    let target_blobs = target_dir.path().join("files");
    let out = succeeded(
        &terbuka(
            &["import-data", archive.to_str().unwrap()],
            &target_url,
            &target_blobs,
        )
        .await,
    );
    assert!(out.contains("from sqlite"), "{out}");
    let target = spawn_app_with(Options {
        demo: false,
        run_worker: false,
        existing: Some((target_url.clone(), target_blobs.clone())),
        ..Default::default()
    })
    .await;
    let records = worker::archive::records(&source.db).await.unwrap();
    assert!(records > 100, "the demo holds {records} records");
    assert_eq!(worker::archive::records(&target.db).await.unwrap(), records);

    // The arguments each root field is asked with, from the demo's own records.
    let members = ids(
        &source,
        "{ members(first: 50) { nodes { id } } }",
        json!({}),
        &["members", "nodes"],
    )
    .await;
    assert!(members.len() >= 4, "{members:?}");
    let mut asks: Vec<(String, String)> = vec![];
    let ask = |asks: &mut Vec<(String, String)>, f: &str, a: String| asks.push((f.into(), a));
    for f in ["version", "viewer", "starredRules", "myTasks"] {
        ask(&mut asks, f, String::new());
    }
    ask(&mut asks, "members", String::new());
    ask(&mut asks, "member", "slug: \"bojonegoro\"".into());
    for m in &members {
        let m = format!("\"{m}\"");
        ask(&mut asks, "member", format!("id: {m}"));
        for f in [
            "accounts",
            "people",
            "auditLog",
            "plans",
            "budgetLines",
            "ngoProgrammes",
            "followUps",
            "publications",
            "subscriptions",
            "mySubscription",
            "mailDeliveries",
            "bouncingAddresses",
            "scheduleRuns",
            "reports",
            "nationalOverview",
        ] {
            ask(&mut asks, f, format!("memberId: {m}"));
        }
        ask(
            &mut asks,
            "events",
            format!("memberId: {m}, from: \"2015-01-01\", to: \"2027-12-31\""),
        );
        let plans = ids(
            &source,
            "query($m: ID!) { plans(memberId: $m, first: 50) { nodes { id } } }",
            json!({"m": m.trim_matches('"')}),
            &["plans", "nodes"],
        )
        .await;
        for p in plans {
            let p = format!("\"{p}\"");
            ask(&mut asks, "plan", format!("id: {p}"));
            ask(&mut asks, "node", format!("id: {p}"));
            ask(&mut asks, "documents", format!("subjectId: {p}"));
            for f in [
                "planDashboard",
                "planFunding",
                "coCreationCompliance",
                "publicInputs",
            ] {
                ask(&mut asks, f, format!("planId: {p}"));
            }
        }
    }
    let some = source
        .ok(
            "query($m: ID!, $p: ID!) {
               member(id: $m) { organisations(first: 1) { nodes { id } } }
               plan(id: $p) { commitments(first: 1) { nodes { id } } }
               publications(memberId: $m, first: 1) { nodes { slug } }
               publicInputs(planId: $p, first: 1) { nodes { id } }
               reports(memberId: $m, first: 1) { id } }",
            json!({"m": bojonegoro, "p": demo_plan}),
        )
        .await;
    let first = |v: &Value| v["nodes"][0].clone();
    let quoted = |v: &Value| format!("\"{}\"", v.as_str().unwrap_or_else(|| panic!("{some}")));
    ask(
        &mut asks,
        "organisation",
        format!(
            "id: {}",
            quoted(&first(&some["member"]["organisations"])["id"])
        ),
    );
    ask(
        &mut asks,
        "commitment",
        format!("id: {}", quoted(&first(&some["plan"]["commitments"])["id"])),
    );
    ask(
        &mut asks,
        "publication",
        format!(
            "memberSlug: \"bojonegoro\", slug: {}",
            quoted(&first(&some["publications"])["slug"])
        ),
    );
    ask(
        &mut asks,
        "publicInput",
        format!("id: {}", quoted(&first(&some["publicInputs"])["id"])),
    );
    ask(
        &mut asks,
        "report",
        format!("id: {}", quoted(&some["reports"][0]["id"])),
    );
    ask(&mut asks, "event", format!("id: \"{event}\""));
    ask(&mut asks, "documents", format!("subjectId: \"{event}\""));

    // Every root field is asked.
    let asked: BTreeSet<&str> = asks.iter().map(|(f, _)| f.as_str()).collect();
    let missing: Vec<&str> = schema
        .fields(&schema.root)
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .filter(|f| !asked.contains(f))
        .collect();
    assert!(missing.is_empty(), "root fields no query asks: {missing:?}");

    // The same answers, field by field, viewer by viewer.
    let mut compared = 0;
    let mut with_data = 0;
    for (field, args) in &asks {
        for (who, token) in &viewers {
            let token = token.as_deref();
            // As deep as the limits take (the same query then goes to both).
            let mut depth = 3;
            let (query, from_source) = loop {
                let q = schema.query(field, args, depth);
                let r = source.gql_as(token, &q, json!({})).await;
                let c = codes(&r);
                if depth > 0
                    && c.iter()
                        .any(|c| c == "COMPLEXITY_LIMIT_EXCEEDED" || c == "DEPTH_LIMIT_EXCEEDED")
                {
                    depth -= 1;
                    continue;
                }
                break (q, r);
            };
            let from_source = errors_in_order(from_source);
            let from_target = errors_in_order(target.gql_as(token, &query, json!({})).await);
            if let Some(d) = difference(&from_source, &from_target, String::new()) {
                panic!(
                    "{field}({args}) as {who} differs after the move at {d}\n{}\n{}\n{query}",
                    short(&from_source["errors"]),
                    short(&from_target["errors"])
                );
            }
            compared += 1;
            if !from_source["data"][field.as_str()].is_null() {
                with_data += 1;
            }
        }
    }
    assert!(
        with_data * 2 > compared,
        "most answers hold data ({with_data} of {compared})"
    );
    eprintln!("{compared} answers compared, {with_data} with data");

    // The stored files download byte for byte.
    let docs = source
        .ok(
            &format!("{{ documents(subjectId: \"{event}\") {{ url sha256 }} }}"),
            json!({}),
        )
        .await;
    let docs = docs["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);
    for (d, want) in docs.iter().zip(files.iter().rev()) {
        let _ = want;
        let path = d["url"]
            .as_str()
            .unwrap()
            .strip_prefix("http://terbuka.test")
            .unwrap()
            .to_owned();
        let mut bodies = vec![];
        for app in [&source, &target] {
            let res = app
                .client
                .get(format!("{}{path}", app.base))
                .bearer_auth(&source.operator)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
            bodies.push(res.bytes().await.unwrap().to_vec());
        }
        assert_eq!(bodies[0], bodies[1], "{path} downloads the same bytes");
        assert!(files.contains(&bodies[0]));
    }

    // Written out again from there, the archive holds the same records (and, from
    // PostgreSQL, shows its export works too).
    let again = work.path().join("again.zip");
    let out = succeeded(
        &terbuka(
            &["export-data", again.to_str().unwrap()],
            &target_url,
            &target_blobs,
        )
        .await,
    );
    assert!(out.contains("2 files"), "{out}");
    let contents = |file: &Path| -> BTreeMap<String, Vec<Value>> {
        let mut z = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
        let mut out = BTreeMap::new();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            let mut text = String::new();
            if name.starts_with("tables/") {
                f.read_to_string(&mut text).unwrap();
                let rows = text
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect();
                out.insert(name, rows);
            } else if name.starts_with("blobs/") {
                out.insert(name, vec![]);
            }
        }
        out
    };
    let (first, second) = (contents(&archive), contents(&again));
    assert_eq!(first.len(), worker::archive::TABLES.len() + 2);
    for (name, rows) in &first {
        if let Some(d) = difference(&json!(rows), &json!(second[name]), name.clone()) {
            panic!("the archive from the imported database differs: {d}");
        }
    }

    // Importing again into the database that now holds it: refused, nothing changed.
    let err = refused(
        &terbuka(
            &["import-data", archive.to_str().unwrap()],
            &target_url,
            &target_blobs,
        )
        .await,
    );
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(worker::archive::records(&target.db).await.unwrap(), records);

    source.stop().await;
    target.stop().await;

    // Mail that waited when the archive was written goes out from the new database: the
    // queue is not in the archive, the sweeper finds the message again.
    let moved = spawn_app_with(Options {
        run_worker: true,
        existing: Some((target_url.clone(), target_blobs.clone())),
        ..Default::default()
    })
    .await;
    let start = std::time::Instant::now();
    while !moved
        .smtp
        .received()
        .iter()
        .any(|m| m.to.iter().any(|t| t.contains("warga@desa.example")))
    {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(90),
            "the confirmation mail is sent after the move"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    moved.stop().await;

    // Damaged archives, into an empty database: each refused with what is wrong, and the
    // database and the file store stay empty.
    let bad_dir = tempfile::tempdir().unwrap();
    let (bad_url, bad_pg) = fresh_database(bad_dir.path()).await;
    let _drop_bad = DropDb(bad_pg);
    let bad_blobs = bad_dir.path().join("files");
    let not_zip = work.path().join("not.zip");
    std::fs::write(&not_zip, b"Renaksi 2018, bukan arsip").unwrap();
    let tampered_blob = work.path().join("blob.zip");
    assert_eq!(
        rewrite(&archive, &tampered_blob, |name, bytes| {
            name.starts_with("blobs/").then(|| {
                let mut b = bytes.to_vec();
                b[100] ^= 1;
                b
            })
        }),
        2
    );
    let bad_record = work.path().join("record.zip");
    assert_eq!(
        rewrite(&archive, &bad_record, |name, bytes| {
            (name == "tables/milestone.jsonl").then(|| {
                let text = String::from_utf8(bytes.to_vec()).unwrap();
                let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
                let mut last: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
                last["weight"] = json!("berat");
                *lines.last_mut().unwrap() = last.to_string();
                (lines.join("\n") + "\n").into_bytes()
            })
        }),
        1
    );
    let old = work.path().join("old.zip");
    rewrite(&archive, &old, |name, bytes| {
        (name == "manifest.json").then(|| {
            let mut m: Value = serde_json::from_slice(bytes).unwrap();
            m["migration"] = json!("m20180601_000001_renaksi");
            m.to_string().into_bytes()
        })
    });
    let lost = work.path().join("lost.zip");
    rewrite(&archive, &lost, |name, bytes| {
        (name == "tables/commitment.jsonl").then(|| {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            text.lines()
                .skip(1)
                .map(|l| format!("{l}\n"))
                .collect::<String>()
                .into_bytes()
        })
    });
    let truncated = work.path().join("truncated.zip");
    let whole = std::fs::read(&archive).unwrap();
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    for (file, says) in [
        (&not_zip, "not a Terbuka archive"),
        (&truncated, "not a Terbuka archive"),
        (&tampered_blob, "is damaged"),
        (&bad_record, "tables/milestone.jsonl, record"),
        (&old, "m20180601_000001_renaksi"),
        (&lost, "tables/commitment.jsonl holds"),
    ] {
        let err = refused(
            &terbuka(
                &["import-data", file.to_str().unwrap()],
                &bad_url,
                &bad_blobs,
            )
            .await,
        );
        assert!(err.contains(says), "{}: {err}", file.display());
        let (db, _) = worker::db::connect(&bad_url, 1).await.unwrap();
        assert_eq!(
            worker::archive::records(&db).await.unwrap(),
            0,
            "{}",
            file.display()
        );
        db.close().await.unwrap();
        assert!(
            std::fs::read_dir(&bad_blobs).map_or(true, |mut d| d.next().is_none()),
            "no file is stored from {}",
            file.display()
        );
    }
    // And the good archive still loads there.
    succeeded(
        &terbuka(
            &["import-data", archive.to_str().unwrap()],
            &bad_url,
            &bad_blobs,
        )
        .await,
    );
}
