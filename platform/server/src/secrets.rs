//! Secrets kept at rest (identity providers' client secrets): sealed with ChaCha20-Poly1305
//! under the server's secret key, so a copy of the database alone does not give them away.
//!
//! The key comes from `secret_key` (base64 of 32 bytes; every app server of a deployment needs
//! the same one) or, for a single server, from `data_dir/secret.key`, created on first start.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

#[derive(Clone)]
pub struct Sealer {
    key: std::sync::Arc<LessSafeKey>,
    rng: SystemRandom,
}

impl Sealer {
    pub fn from_config(secret_key: Option<&str>, data_dir: &Path) -> anyhow::Result<Sealer> {
        let bytes = match secret_key {
            Some(k) => STANDARD
                .decode(k.trim())
                .context("secret_key is not base64")?,
            None => key_file(&data_dir.join("secret.key"))?,
        };
        if bytes.len() != 32 {
            bail!("secret_key must be 32 bytes (base64), not {}", bytes.len());
        }
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .map_err(|_| anyhow!("secret_key rejected by the cipher"))?;
        Ok(Sealer {
            key: std::sync::Arc::new(LessSafeKey::new(key)),
            rng: SystemRandom::new(),
        })
    }

    /// base64(nonce ‖ ciphertext ‖ tag); a fresh random nonce each time.
    pub fn seal(&self, plain: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| anyhow!("no randomness"))?;
        let mut buf = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                ring::aead::Aad::empty(),
                &mut buf,
            )
            .map_err(|_| anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> anyhow::Result<String> {
        let raw = STANDARD
            .decode(sealed)
            .context("sealed secret is not base64")?;
        if raw.len() < NONCE_LEN {
            bail!("sealed secret too short");
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| anyhow!("bad nonce"))?;
        let mut buf = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, ring::aead::Aad::empty(), &mut buf)
            .map_err(|_| anyhow!("sealed secret does not open with this server's secret key"))?;
        String::from_utf8(plain.to_vec()).context("sealed secret is not UTF-8")
    }
}

fn key_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return STANDARD
            .decode(text.trim())
            .with_context(|| format!("{} is not base64", path.display()));
    }
    let mut key = [0u8; 32];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| anyhow!("no randomness"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_private(path, &STANDARD.encode(key))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(key.to_vec())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let dir = std::env::temp_dir().join(format!("acquis-sealer-{}", uuid::Uuid::new_v4()));
        let a = Sealer::from_config(None, &dir).unwrap();
        let sealed = a.seal("s3cr3t").unwrap();
        assert!(!sealed.contains("s3cr3t"));
        assert_ne!(sealed, a.seal("s3cr3t").unwrap(), "a fresh nonce each time");
        assert_eq!(a.open(&sealed).unwrap(), "s3cr3t");
        // The key file is reused on the next start.
        let again = Sealer::from_config(None, &dir).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "s3cr3t");
        let other = Sealer::from_config(Some(&STANDARD.encode([7u8; 32])), &dir).unwrap();
        assert!(other.open(&sealed).is_err());
        let mut tampered = STANDARD.decode(&sealed).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(a.open(&STANDARD.encode(tampered)).is_err());
        assert!(Sealer::from_config(Some("AAAA"), &dir).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
