//! Reading `TERBUKA_*` settings: a blank value is the same as an unset one, and a value that
//! cannot be used stops start-up with a message that names the variable.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// A setting that cannot be used, named so a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub var: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.var, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub fn new(var: &str, message: impl Into<String>) -> Self {
        Self {
            var: var.to_owned(),
            message: message.into(),
        }
    }
}

/// The environment a configuration is read from (the process's, or a test's own map).
#[derive(Clone, Debug, Default)]
pub struct Env(HashMap<String, String>);

impl Env {
    /// The process environment.
    pub fn from_process() -> Self {
        Self(std::env::vars().collect())
    }

    /// An explicit set of variables (tests).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// Sets or replaces a variable.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }

    /// The trimmed value, or `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub fn string(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }

    /// A value parsed with `FromStr`, or the default when unset.
    pub fn parse<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|e| ConfigError::new(name, format!("cannot use {v:?}: {e}"))),
        }
    }

    /// A whole number within `min..=max`.
    pub fn number(&self, name: &str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
        let n: u64 = self.parse(name, default)?;
        if n < min || n > max {
            return Err(ConfigError::new(
                name,
                format!("{n} is outside the allowed range {min}..={max}"),
            ));
        }
        Ok(n)
    }

    /// `true/false`, `1/0`, `yes/no`, `on/off`.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) => match v.as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err(ConfigError::new(
                    name,
                    format!("expected true or false, got {v:?}"),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_unset_and_bad_values_name_the_variable() {
        let env = Env::from_pairs([
            ("TERBUKA_A", "  "),
            ("TERBUKA_B", "maybe"),
            ("TERBUKA_C", "70000"),
        ]);
        assert_eq!(env.get("TERBUKA_A"), None);
        let err = env.flag("TERBUKA_B", true).unwrap_err();
        assert_eq!(err.var, "TERBUKA_B");
        assert!(err.to_string().starts_with("TERBUKA_B: "));
        assert!(env.number("TERBUKA_C", 1, 1, 65535).is_err());
        assert_eq!(env.number("TERBUKA_D", 8, 1, 64).unwrap(), 8);
    }
}
