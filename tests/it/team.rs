//! Équipe: invite, resend, cancel, change roles, remove, leave; administrators act, members read.

use acquis_tenants::{Role, TenantScope};

use crate::harness::{PASSWORD, TestApp};

async fn pending(app: &TestApp, org: &acquis_store::Organization) -> Vec<acquis_store::Invitation> {
    let mut tx = app
        .store
        .tenant_read(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let v = tx.pending_invitations().await.unwrap();
    tx.commit().await.unwrap();
    v
}

async fn members(app: &TestApp, org: &acquis_store::Organization) -> Vec<acquis_store::Member> {
    let mut tx = app
        .store
        .tenant_read(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let v = tx.members().await.unwrap();
    tx.commit().await.unwrap();
    v
}

#[tokio::test]
async fn admin_invites_several_members_by_email() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    let form = c.get(&format!("/orga/{}/equipe/inviter", org.id)).await;
    form.assert_contains(
        "Vous pouvez inviter plusieurs membres en séparant les adresses e-mails par des virgules.",
    );

    let page = c
        .post(
            &format!("/orga/{}/equipe/inviter", org.id),
            &[
                (
                    "emails",
                    " Prof.Un@Lycee.fr ,prof.deux@lycee.fr,\u{200B}prof.un@lycee.fr , ",
                ),
                ("role", "MEMBER"),
            ],
        )
        .await;
    assert_eq!(page.path(), format!("/orga/{}/equipe/invitations", org.id));
    page.assert_contains("2 invitations ont été envoyées.");
    let one = c
        .post(
            &format!("/orga/{}/equipe/inviter", org.id),
            &[("emails", "prof.trois@lycee.fr"), ("role", "MEMBER")],
        )
        .await;
    one.assert_contains("Une invitation a été envoyée.");
    page.assert_contains("prof.un@lycee.fr");
    page.assert_contains("prof.deux@lycee.fr");
    page.assert_contains("Date de dernier envoi");
    page.assert_contains("Invitations (2)");

    let invs = pending(&app, &org).await;
    assert_eq!(invs.len(), 3);
    let mail = app.last_mail_to("prof.un@lycee.fr");
    assert!(mail.subject().contains("Invitation"), "{}", mail.subject());
    let link = mail.link(&app.base);
    let inv = invs.iter().find(|i| i.email == "prof.un@lycee.fr").unwrap();
    assert_eq!(
        link,
        format!(
            "{}/rejoindre?invitationId={}&code={}",
            app.base, inv.id, inv.code
        )
    );
    assert!(mail.text().contains("usage unique"));
    assert!(mail.html().unwrap().contains("Accepter l&#x27;invitation"));
    assert_eq!(app.mails_to("prof.deux@lycee.fr").len(), 1);
}

#[tokio::test]
async fn one_invalid_address_refuses_the_whole_list() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    let page = c
        .post(
            &format!("/orga/{}/equipe/inviter", org.id),
            &[
                ("emails", "ok@lycee.fr, pas-une-adresse, a@b"),
                ("role", "MEMBER"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Les adresses e-mail suivantes ne sont pas valides : pas-une-adresse, a@b. Aucune invitation n'a été envoyée.");
    assert!(page.body.contains("ok@lycee.fr, pas-une-adresse, a@b"));
    assert!(pending(&app, &org).await.is_empty());
    assert!(app.mails_to("ok@lycee.fr").is_empty());

    let empty = c
        .post(
            &format!("/orga/{}/equipe/inviter", org.id),
            &[("emails", " , "), ("role", "MEMBER")],
        )
        .await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Saisissez au moins une adresse e-mail.");
}

#[tokio::test]
async fn resend_keeps_the_code_bumps_the_date_at_most_every_five_seconds_and_cancel_works() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    c.post(
        &format!("/orga/{}/equipe/inviter", org.id),
        &[("emails", "prof@lycee.fr"), ("role", "ADMIN")],
    )
    .await;
    let before = pending(&app, &org).await.remove(0);
    assert_eq!(before.role(), Some(Role::Admin));

    // Immediately: refused, nothing sent.
    let page = c
        .post(
            &format!("/orga/{}/equipe/invitations/{}/renvoyer", org.id, before.id),
            &[],
        )
        .await;
    page.assert_contains("patientez quelques secondes");
    assert_eq!(app.mails_to("prof@lycee.fr").len(), 1);

    // Pretend it was sent a minute ago.
    app.owner_exec(
        "UPDATE invitations SET updated_at = $1",
        Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
    )
    .await;
    let page = c
        .post(
            &format!("/orga/{}/equipe/invitations/{}/renvoyer", org.id, before.id),
            &[],
        )
        .await;
    page.assert_contains("L'invitation a été renvoyée à prof@lycee.fr.");
    let after = pending(&app, &org).await.remove(0);
    assert_eq!(after.id, before.id);
    assert_eq!(after.code, before.code);
    assert!(after.updated_at > before.updated_at - time::Duration::minutes(1));
    assert!(after.updated_at > time::OffsetDateTime::now_utc() - time::Duration::seconds(30));
    let mails = app.mails_to("prof@lycee.fr");
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].link(&app.base), mails[1].link(&app.base));

    // Inviting the same address again renews the same invitation.
    app.owner_exec(
        "UPDATE invitations SET updated_at = $1",
        Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
    )
    .await;
    c.post(
        &format!("/orga/{}/equipe/inviter", org.id),
        &[("emails", "prof@lycee.fr"), ("role", "MEMBER")],
    )
    .await;
    let renewed = pending(&app, &org).await;
    assert_eq!(renewed.len(), 1);
    assert_eq!(renewed[0].code, before.code);

    let page = c
        .post(
            &format!("/orga/{}/equipe/invitations/{}/annuler", org.id, before.id),
            &[],
        )
        .await;
    page.assert_contains("L'invitation de prof@lycee.fr a été supprimée.");
    assert!(pending(&app, &org).await.is_empty());
    let link = app.last_mail_to("prof@lycee.fr").link(&app.base);
    let page = app.client().get(link.trim_start_matches(&app.base)).await;
    assert_eq!(page.status, 410);
}

#[tokio::test]
async fn admin_changes_a_role_and_removes_a_member_whose_campaigns_stay() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let (prof, prof_mid) = app
        .member(&org, "prof@lycee.fr", "Paul", "Prof", Role::Member)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;

    let page = c.get(&format!("/orga/{}/equipe", org.id)).await;
    page.assert_contains("Liste des membres (2)");
    page.assert_contains("Nom Prénom Rôle");
    page.assert_contains("Modifier le rôle");

    let page = c
        .post(
            &format!("/orga/{}/equipe/membres/{prof_mid}/role", org.id),
            &[("role", "ADMIN")],
        )
        .await;
    page.assert_contains("Le rôle de Paul Prof est maintenant : Administrateur.");
    assert_eq!(
        app.store.memberships_of_user(prof.id).await.unwrap()[0]
            .membership
            .role,
        Role::Admin
    );

    let page = c
        .post(
            &format!("/orga/{}/equipe/membres/{prof_mid}/retirer", org.id),
            &[],
        )
        .await;
    page.assert_contains("Paul Prof a été retiré(e) de l'équipe.");
    page.assert_contains("Liste des membres (1)");
    assert!(
        app.store
            .memberships_of_user(prof.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Soft delete: the row stays for history.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE disabled_at IS NOT NULL")
            .await,
        1
    );
    let pc = app.client();
    pc.login("prof@lycee.fr", PASSWORD).await;
    assert_eq!(
        pc.get(&format!("/orga/{}/equipe", org.id)).await.status,
        404
    );
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('membership.role_changed', 'membership.removed')").await == 2
    );
}

#[tokio::test]
async fn members_read_the_team_but_every_admin_action_is_refused() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    let (_, chef_mid) = app
        .member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    app.member(&org, "prof@lycee.fr", "Paul", "Prof", Role::Member)
        .await;
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let (inv, _) = tx.invite("x@lycee.fr", None, "ABCDEFGHIJ").await.unwrap();
    tx.commit().await.unwrap();

    let c = app.client();
    c.login("prof@lycee.fr", PASSWORD).await;
    let page = c.get(&format!("/orga/{}/equipe", org.id)).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Claire");
    assert!(!page.text().contains("Inviter un membre"));
    assert!(!page.text().contains("Modifier le rôle"));
    let page = c.get(&format!("/orga/{}/equipe/invitations", org.id)).await;
    page.assert_contains("x@lycee.fr");
    assert!(!page.text().contains("Renvoyer l'invitation"));

    let o = org.id;
    for (path, form) in [
        (
            format!("/orga/{o}/equipe/inviter"),
            vec![("emails", "y@lycee.fr"), ("role", "ADMIN")],
        ),
        (
            format!("/orga/{o}/equipe/invitations/{}/renvoyer", inv.id),
            vec![],
        ),
        (
            format!("/orga/{o}/equipe/invitations/{}/annuler", inv.id),
            vec![],
        ),
        (
            format!("/orga/{o}/equipe/membres/{chef_mid}/role"),
            vec![("role", "MEMBER")],
        ),
        (
            format!("/orga/{o}/equipe/membres/{chef_mid}/retirer"),
            vec![],
        ),
    ] {
        let page = c.post(&path, &form).await;
        assert_eq!(page.status, 403, "{path}");
        page.assert_contains("Cette action est réservée aux administrateurs de l'établissement.");
    }
    assert_eq!(
        c.get(&format!("/orga/{o}/equipe/inviter")).await.status,
        403
    );
    assert_eq!(pending(&app, &org).await.len(), 1);
    assert_eq!(
        members(&app, &org)
            .await
            .iter()
            .filter(|m| m.role() == Role::Admin)
            .count(),
        1
    );
}

#[tokio::test]
async fn the_last_administrator_can_be_neither_demoted_nor_removed_nor_leave() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    let (_, chef_mid) = app
        .member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let (_, prof_mid) = app
        .member(&org, "prof@lycee.fr", "Paul", "Prof", Role::Member)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;

    let page = c
        .post(
            &format!("/orga/{}/equipe/membres/{chef_mid}/role", org.id),
            &[("role", "MEMBER")],
        )
        .await;
    page.assert_contains("l'établissement doit toujours avoir au moins un administrateur");
    let page = c
        .post(
            &format!("/orga/{}/equipe/membres/{chef_mid}/retirer", org.id),
            &[],
        )
        .await;
    page.assert_contains("c'est le seul administrateur de l'établissement");
    let page = c
        .post(&format!("/orga/{}/equipe/quitter", org.id), &[])
        .await;
    page.assert_contains("Vous êtes le seul administrateur de l'établissement");
    let admins: Vec<_> = members(&app, &org)
        .await
        .into_iter()
        .filter(|m| m.role() == Role::Admin)
        .collect();
    assert_eq!(admins.len(), 1);
    assert_eq!(members(&app, &org).await.len(), 2);

    // With a second administrator, the first may step down and leave.
    c.post(
        &format!("/orga/{}/equipe/membres/{prof_mid}/role", org.id),
        &[("role", "ADMIN")],
    )
    .await;
    let page = c
        .post(&format!("/orga/{}/equipe/quitter", org.id), &[])
        .await;
    assert_eq!(page.path(), "/mon-compte");
    page.assert_contains("Vous avez quitté l'espace de Lycée Pix.");
    assert_eq!(c.get(&format!("/orga/{}/equipe", org.id)).await.status, 404);
    assert_eq!(members(&app, &org).await.len(), 1);
}

#[tokio::test]
async fn a_member_may_leave() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let (prof, _) = app
        .member(&org, "prof@lycee.fr", "Paul", "Prof", Role::Member)
        .await;
    let c = app.client();
    c.login("prof@lycee.fr", PASSWORD).await;
    let page = c
        .post(&format!("/orga/{}/equipe/quitter", org.id), &[])
        .await;
    page.assert_contains("Vous avez quitté l'espace de Lycée Pix.");
    assert!(
        app.store
            .memberships_of_user(prof.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(c.get("/orga").await.status, 403);
}

/// The team reads in the order a French reader expects, on both databases: « Émery » with the
/// E and « Œuvrard » with the O, not after « Zola » (SQL's lower() leaves them as they are).
#[tokio::test]
async fn the_team_is_listed_in_french_alphabetical_order() {
    let app = TestApp::spawn().await;
    let org = app.org("Collège Ordre", "0330077K").await;
    for (email, last) in [
        ("z@test.fr", "ZOLA"),
        ("o@test.fr", "Œuvrard"),
        ("e@test.fr", "Émery"),
        ("d@test.fr", "Dupont"),
        ("f@test.fr", "Faure"),
    ] {
        app.member(&org, email, "Prof", last, Role::Member).await;
    }
    let names: Vec<String> = members(&app, &org)
        .await
        .into_iter()
        .map(|m| m.last_name)
        .collect();
    assert_eq!(names, ["Dupont", "Émery", "Faure", "Œuvrard", "ZOLA"]);
}
