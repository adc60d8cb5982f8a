//! Signed tokens for links in mail (unsubscribe, confirm, cancel a registration, reset a
//! password): a purpose, a subject and an expiry, signed with HMAC-SHA-256 from
//! `TERBUKA_SECRET`. A token made for one purpose is refused for every other.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The stored form of a token (SHA-256, hex): the token itself only travels in mail and
/// requests.
pub fn hash(token: &str) -> String {
    use sha2::Digest;
    crate::kernel::edit::hex(&Sha256::digest(token.as_bytes()))
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is malformed or was altered")]
    Invalid,
    #[error("the link was made for something else")]
    WrongPurpose,
    #[error("the link has expired")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    /// Purpose.
    p: String,
    /// Subject (an id, an address).
    s: String,
    /// Expiry, seconds since the epoch.
    e: i64,
}

/// Signs and checks tokens with one secret.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: secret.to_vec(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length")
    }

    /// A URL-safe token for `subject`, good for `purpose` until `expires`.
    pub fn sign(&self, purpose: &str, subject: &str, expires: DateTime<Utc>) -> String {
        let claims = Claims {
            p: purpose.to_owned(),
            s: subject.to_owned(),
            e: expires.timestamp(),
        };
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialise"));
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{body}.{sig}")
    }

    /// A token derived from a record id: the database keeps only the id (and the token's
    /// hash), and whoever holds the secret can recompute the token, for instance to put it in
    /// a mail link at the moment the mail is sent.
    pub fn derive(&self, purpose: &str, id: &str) -> String {
        let mut mac = self.mac();
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The subject of a valid, unexpired token made for `purpose`.
    pub fn verify(
        &self,
        purpose: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let (body, sig) = token.split_once('.').ok_or(TokenError::Invalid)?;
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| TokenError::Invalid)?;
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        mac.verify_slice(&sig).map_err(|_| TokenError::Invalid)?;
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TokenError::Invalid)?;
        if claims.p != purpose {
            return Err(TokenError::WrongPurpose);
        }
        if claims.e <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims.s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn tokens_hold_for_their_purpose_until_they_expire() {
        let signer = Signer::new(b"test-secret");
        let now = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(17_800);
        let token = signer.sign("unsubscribe", "sub-1", now + Duration::days(7));
        assert_eq!(signer.verify("unsubscribe", &token, now).unwrap(), "sub-1");
        assert_eq!(
            signer.verify("cancel_registration", &token, now),
            Err(TokenError::WrongPurpose)
        );
        assert_eq!(
            signer.verify("unsubscribe", &token, now + Duration::days(8)),
            Err(TokenError::Expired)
        );
        let other = Signer::new(b"another-secret");
        assert_eq!(
            other.verify("unsubscribe", &token, now),
            Err(TokenError::Invalid)
        );
        let mut forged = token.clone();
        forged.insert(3, 'x');
        assert_eq!(
            signer.verify("unsubscribe", &forged, now),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            signer.verify("unsubscribe", "garbage", now),
            Err(TokenError::Invalid)
        );
    }
}
