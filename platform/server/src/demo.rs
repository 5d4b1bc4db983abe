//! The demo seeded into an empty database: an operator, the establishment "Lycée Pix"
//! (UAI 0754321X) with an administrator, a member and 120 imported students.

use acquis_interop::siecle::{self, sample};
use acquis_store::{NewOrganization, NewUser};
use acquis_tenants::{EstablishmentKind, Role, TenantScope, Uai};

use crate::AppState;
use crate::auth::password::generate_password;

pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
    pub password: String,
}

pub const DEMO_UAI: &str = "0754321X";
const DEMO_STUDENTS: usize = 120;

/// One imported student of the demo, to try the reconciliation: (first name, last name, birth
/// date as typed).
pub fn demo_student() -> (String, String, String) {
    let s = &sample::students(1)[0];
    let d = s.birthdate;
    (
        s.first_name.clone(),
        s.last_name.clone(),
        crate::views::day(d),
    )
}

/// Seeds the demo when no account exists yet; returns the logins to show, or `None`.
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<Option<Vec<DemoLogin>>> {
    if state.store.count_users().await? > 0 {
        return Ok(None);
    }
    let people = [
        (
            "opérateur",
            "operateur@acquis.localhost",
            "Opérateur",
            "Acquis",
            Some("OPERATOR"),
        ),
        (
            "administratrice de Lycée Pix",
            "direction@lycee-pix.localhost",
            "Claire",
            "Directrice",
            None,
        ),
        (
            "membre de Lycée Pix",
            "enseignant@lycee-pix.localhost",
            "Paul",
            "Enseignant",
            None,
        ),
        (
            "conceptrice de contenu (studio)",
            "conception@acquis.localhost",
            "Camille",
            "Conceptrice",
            Some("DESIGNER"),
        ),
    ];
    let mut logins = Vec::new();
    let mut ids = Vec::new();
    for (role, email, first_name, last_name, platform_role) in people {
        let password = generate_password();
        let user = state
            .store
            .create_user(&NewUser {
                email: Some(email.into()),
                username: None,
                first_name: first_name.into(),
                last_name: last_name.into(),
                password_hash: Some(state.hasher.hash(password.clone()).await?),
                must_change_password: false,
                platform_role: platform_role.map(Into::into),
                accepted_terms: true,
            })
            .await?;
        ids.push(user.id);
        logins.push(DemoLogin {
            role,
            email,
            password,
        });
    }
    let org = state
        .store
        .create_organizations(
            Some(ids[0]),
            &[NewOrganization {
                name: "Lycée Pix".into(),
                uai: Uai::parse(DEMO_UAI)?,
                kind: EstablishmentKind::Lycee,
                contact_email: "ce.0754321x@ac-paris.localhost".into(),
                manages_students: true,
            }],
        )
        .await?
        .remove(0);
    let scope = TenantScope::system(org.tenant());
    let mut tx = state.store.tenant_tx(&scope).await?;
    tx.add_member(ids[1], Role::Admin).await?;
    tx.add_member(ids[2], Role::Member).await?;
    tx.audit("demo.seeded", None, None).await?;
    // Imported like a school would, so students joining go through reconciliation.
    let file = sample::xml(DEMO_UAI, &sample::students(DEMO_STUDENTS));
    let students = siecle::read(&file, DEMO_UAI, siecle::Limits::default())
        .map_err(|p| anyhow::anyhow!("demo SIECLE file refused: {p:?}"))?;
    tx.import_learners(ids[1], "demo-ElevesSansAdresses.xml", &students, &|_| {})
        .await?;
    tx.commit().await?;
    Ok(Some(logins))
}
