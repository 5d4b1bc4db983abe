//! Command-line tasks that need the platform's state (`acquis operator create`).

use acquis_store::{NewUser, StoreError, User};
use acquis_tenants::{is_valid_email, normalize_email};
use anyhow::bail;

use crate::AppState;
use crate::auth::password::{generate_password, meets_policy};

/// Creates an operator account. Without a password one is generated and returned, to be shown
/// once.
pub async fn create_operator(
    state: &AppState,
    email: &str,
    first_name: &str,
    last_name: &str,
    password: Option<String>,
) -> anyhow::Result<(User, Option<String>)> {
    let email = normalize_email(email);
    if !is_valid_email(&email) {
        bail!("adresse e-mail invalide : {email}");
    }
    let (password, generated) = match password.filter(|p| !p.is_empty()) {
        Some(p) => (p, false),
        None => (generate_password(), true),
    };
    if !meets_policy(&password) {
        bail!(
            "le mot de passe doit contenir 8 caractères au minimum, dont une majuscule, une minuscule et un chiffre"
        );
    }
    let user = state
        .store
        .create_user(&NewUser {
            email: Some(email.clone()),
            username: None,
            first_name: first_name.into(),
            last_name: last_name.into(),
            password_hash: Some(state.hasher.hash(password.clone()).await?),
            must_change_password: false,
            platform_role: Some("OPERATOR".into()),
            accepted_terms: true,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                anyhow::anyhow!("un compte existe déjà avec l'adresse {email}")
            }
            other => other.into(),
        })?;
    Ok((user, generated.then_some(password)))
}
