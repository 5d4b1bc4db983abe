//! Password hashing (argon2id, off the async threads), the password policy, and random secrets.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::config::PasswordHashConfig;

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    /// Verified against when the account does not exist, so timing does not reveal accounts.
    dummy_hash: String,
}

impl Hasher {
    pub fn new(cfg: &PasswordHashConfig) -> anyhow::Result<Hasher> {
        let params = Params::new(cfg.memory_kib, cfg.iterations, cfg.parallelism, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let mut h = Hasher {
            params,
            dummy_hash: String::new(),
        };
        h.dummy_hash = h.hash_blocking("dummy password for timing")?;
        Ok(h)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn describe(&self) -> String {
        format!(
            "argon2id m={} KiB, t={}, p={}",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost()
        )
    }

    pub fn hash_blocking(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        Ok(self
            .argon2()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
            .to_string())
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.hash_blocking(&password)).await?
    }

    /// Checks `password` against `hash`; with no hash (unknown account, SSO-only account) it
    /// still spends the same time and answers `false`.
    pub async fn verify(&self, password: String, hash: Option<String>) -> anyhow::Result<bool> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let (stored, real) = match hash {
                Some(h) => (h, true),
                None => (me.dummy_hash.clone(), false),
            };
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
            // The stored PHC string carries its own parameters, so older hashes still verify.
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(ok && real)
        })
        .await?
    }
}

/// 8 characters or more, with an upper-case letter, a lower-case letter and a digit.
pub fn meets_policy(password: &str) -> bool {
    password.chars().count() >= 8
        && password.chars().any(char::is_uppercase)
        && password.chars().any(char::is_lowercase)
        && password.chars().any(|c| c.is_ascii_digit())
}

/// A URL-safe random token (256 bits) and the hash under which it is stored.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::rngs::OsRng.r#gen();
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A password for generated accounts (demo, `acquis operator create` without stdin).
pub fn generate_password() -> String {
    const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rngs::OsRng;
    let mut pick = |set: &[u8]| set[rng.gen_range(0..set.len())] as char;
    let mut s = String::new();
    for i in 0..14 {
        s.push(match i % 5 {
            0 => pick(UPPER),
            4 => pick(DIGITS),
            _ => pick(LOWER),
        });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_needs_length_cases_and_digit() {
        assert!(meets_policy("Azertyu1"));
        assert!(!meets_policy("Azerty1"));
        assert!(!meets_policy("azertyu1"));
        assert!(!meets_policy("AZERTYU1"));
        assert!(!meets_policy("Azertyui"));
        assert!(meets_policy(&generate_password()));
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_do() {
        let h = Hasher::new(&PasswordHashConfig {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
        let hash = h.hash("Secret123".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            h.verify("Secret123".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!h.verify("Secret124".into(), Some(hash)).await.unwrap());
        assert!(
            !h.verify("dummy password for timing".into(), None)
                .await
                .unwrap()
        );
    }

    #[test]
    fn tokens_are_hashed_for_storage() {
        let (token, hash) = new_token();
        assert_eq!(token.len(), 64);
        assert_eq!(token_hash(&token), hash);
        assert_ne!(token, hash);
    }
}
