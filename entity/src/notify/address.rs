//! An e-mail address, parsed once where it enters (a form, an import, the command line) and
//! carried as [`Address`] afterwards: the same checks the mail transport makes (the crates
//! lettre uses), plus what a person means by an address (one `@`, a dotted domain, no spaces),
//! normalised to lower case.

use std::fmt;
use std::net::IpAddr;

use email_address::EmailAddress;

/// A plausible single address (`name@host.tld`), lower case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(String);

impl Address {
    /// The address in `raw`, or `None` when it is not one (surrounding spaces are ignored).
    pub fn parse(raw: &str) -> Option<Address> {
        let addr = raw.trim().to_lowercase();
        if addr.len() > 254 || addr.contains(char::is_whitespace) {
            return None;
        }
        let (local, domain) = addr.split_once('@')?;
        if local.is_empty() || domain.len() < 3 || !domain.contains('.') || domain.contains('@') {
            return None;
        }
        (EmailAddress::is_valid_local_part(local) && domain_ok(domain)).then_some(Address(addr))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn domain_ok(domain: &str) -> bool {
    let ascii = |d: &str| {
        EmailAddress::is_valid_domain(d)
            || d.strip_prefix('[')
                .and_then(|ip| ip.strip_suffix(']'))
                .unwrap_or(d)
                .parse::<IpAddr>()
                .is_ok()
    };
    ascii(domain) || idna::domain_to_ascii(domain).is_ok_and(|d| ascii(&d))
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Address {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.0
    }
}

#[cfg(test)]
mod tests {
    use super::Address;

    #[test]
    fn addresses_are_trimmed_lowered_and_checked() {
        assert_eq!(
            Address::parse("  Sekretariat@Bojonegorokab.go.id ").map(String::from),
            Some("sekretariat@bojonegorokab.go.id".to_owned())
        );
        for bad in [
            "",
            "no-at-sign",
            "@bojonegorokab.go.id",
            "a@b",
            "a@localhost",
            "a@b@c.id",
            "a b@c.id",
            "a@c..id",
            "a@-c.id",
        ] {
            assert_eq!(Address::parse(bad), None, "{bad:?}");
        }
        assert!(Address::parse("warga@desa-kalitidu.id").is_some());
        assert!(Address::parse(&format!("{}@x.id", "a".repeat(260))).is_none());
    }
}
