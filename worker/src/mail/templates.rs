//! Mail templates: one folder per message with a subject, a text part and an HTML part per
//! language, embedded in the binary so a deployment cannot lose them.

use std::sync::LazyLock;

use entity::Lang;
use minijinja::Environment;
use serde_json::Value;

/// The name under which the site signs its mail.
pub const SITE_NAME: &str = "Pemerintahan Terbuka";

macro_rules! template_set {
    ($($name:literal),* $(,)?) => {
        &[
            ("_layout.html", include_str!("templates/_layout.html")),
            $(
                (concat!($name, "/id.subject"), include_str!(concat!("templates/", $name, "/id.subject"))),
                (concat!($name, "/en.subject"), include_str!(concat!("templates/", $name, "/en.subject"))),
                (concat!($name, "/id.txt"), include_str!(concat!("templates/", $name, "/id.txt"))),
                (concat!($name, "/en.txt"), include_str!(concat!("templates/", $name, "/en.txt"))),
                (concat!($name, "/id.html"), include_str!(concat!("templates/", $name, "/id.html"))),
                (concat!($name, "/en.html"), include_str!(concat!("templates/", $name, "/en.html"))),
            )*
        ]
    };
}

const TEMPLATES: &[(&str, &str)] = template_set![
    "test",
    "invitation",
    "password_reset",
    "registration",
    "input_response",
    "subscription",
    "digest",
    "alert",
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // `.html` templates escape what they insert; subjects and text parts do not.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("mail template {name} does not parse: {e}"));
    }
    env
});

/// A message ready to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders template family `name` in `lang` with `context` (a JSON object).
pub fn render(
    name: &str,
    lang: Lang,
    context: &Value,
    public_url: &str,
) -> Result<Rendered, String> {
    let mut ctx = match context {
        Value::Object(map) => map.clone(),
        Value::Null => Default::default(),
        _ => return Err("the mail context must be an object".into()),
    };
    ctx.insert("lang".into(), Value::from(lang.tag()));
    ctx.insert("site_name".into(), Value::from(SITE_NAME));
    ctx.insert("public_url".into(), Value::from(public_url));
    let ctx = Value::Object(ctx);
    let part = |ext: &str| -> Result<String, String> {
        let key = format!("{name}/{}.{ext}", lang.tag());
        ENV.get_template(&key)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| format!("template {key}: {e}"))
    };
    Ok(Rendered {
        subject: part("subject")?.trim().replace(['\r', '\n'], " "),
        text: part("txt")?,
        html: part("html")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_templates_are_the_ones_the_domain_names() {
        let names: std::collections::BTreeSet<&str> = TEMPLATES
            .iter()
            .filter_map(|(n, _)| n.split_once('/').map(|(family, _)| family))
            .collect();
        let named: std::collections::BTreeSet<&str> =
            entity::notify::TEMPLATES.iter().copied().collect();
        assert_eq!(names, named);
    }

    #[test]
    fn every_template_renders_in_both_languages() {
        let names: std::collections::BTreeSet<&str> = TEMPLATES
            .iter()
            .filter_map(|(n, _)| n.split_once('/').map(|(family, _)| family))
            .collect();
        for name in names {
            for lang in [Lang::Id, Lang::En] {
                let r = render(name, lang, &json!({}), "http://localhost:8080").unwrap();
                assert!(!r.subject.is_empty(), "{name} {lang:?}");
                assert!(r.html.contains("<html"), "{name} {lang:?}");
            }
        }
    }

    #[test]
    fn html_escapes_and_text_does_not() {
        let ctx = json!({"requested_by": "<script>x</script>", "sent_at": "now"});
        let r = render("test", Lang::Id, &ctx, "http://localhost").unwrap();
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("<script>x</script>"));
        assert!(r.subject.starts_with("Email uji"));
    }
}
