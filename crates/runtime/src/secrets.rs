//! Secrets at rest (secret run inputs kept for re-runs, target credentials): sealed with
//! ChaCha20-Poly1305 under a key kept in the data directory (`secret.key`, created on first use,
//! readable by the owner only). Whoever can read the data directory's key can read the secrets:
//! keep backups of the database apart from the key.

use crate::RuntimeError;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use std::path::Path;

const NONCE_BYTES: usize = 12;

/// Seals and opens secrets.
#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<key redacted>)")
    }
}

impl SecretBox {
    /// The box over the key at `path`, making a random key there if there is none.
    pub fn open_or_create(path: &Path) -> Result<SecretBox, RuntimeError> {
        let internal = |e: std::io::Error| RuntimeError::Internal(format!("the secret key {}: {e}", path.display()));
        let key = match std::fs::read(path) {
            Ok(key) => key,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut key = vec![0u8; 32];
                rand::thread_rng().fill_bytes(&mut key);
                write_private(path, &key).map_err(internal)?;
                key
            }
            Err(err) => return Err(internal(err)),
        };
        if key.len() != 32 {
            return Err(RuntimeError::Internal(format!("the secret key {} is not 32 bytes", path.display())));
        }
        Ok(SecretBox { cipher: ChaCha20Poly1305::new(Key::from_slice(&key)) })
    }

    /// `nonce || ciphertext` of `plain`.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self.cipher.encrypt(Nonce::from_slice(&nonce), plain).expect("sealing in memory cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// The plain bytes of a sealed secret; an error when it was not sealed with this key.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, RuntimeError> {
        if sealed.len() < NONCE_BYTES {
            return Err(RuntimeError::Internal("a sealed secret is too short".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| RuntimeError::Internal("a secret cannot be opened with this server's key".into()))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_the_same_key_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = dir.path().join("secret.key");
        let sealed = SecretBox::open_or_create(&key).expect("a box").seal(b"api-key-123");
        assert!(!sealed.windows(11).any(|w| w == b"api-key-123"));
        assert_eq!(
            SecretBox::open_or_create(&key).expect("the same key").open(&sealed).expect("opens"),
            b"api-key-123"
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).expect("key").permissions().mode() & 0o777, 0o600);
        let other = SecretBox::open_or_create(&dir.path().join("other.key")).expect("another box");
        assert!(other.open(&sealed).is_err());
    }
}
