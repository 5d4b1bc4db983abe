//! The campaign page at work: Activité and Résultats filtered by class, status and stage and
//! paginated, the charts' figures, and a participant's own page with its Analyse tab.

use acquis_interop::siecle::sample;

use crate::harness::{Client, PASSWORD, TestApp};
use crate::student::take_to_the_end;
use crate::students::{identify, managed, upload};

/// An imported student who reconciles, signs up with a username and takes the whole test
/// (right answers when `right`, else skipping everything); sends the results when `send`.
pub async fn takes_the_test(
    app: &TestApp,
    code: &str,
    s: &sample::SampleStudent,
    right: bool,
    send: bool,
) -> Client {
    let c = app.client();
    identify(&c, code, s).await;
    let rules = c
        .post(
            &format!("/campagnes/{code}/inscription"),
            &[("with", "username"), ("password", PASSWORD), ("cgu", "on")],
        )
        .await;
    rules.assert_contains("Les règles du jeu");
    let test = c.post(&format!("/campagnes/{code}/parcours"), &[]).await;
    let path = test.path();
    take_to_the_end(&c, &path, right).await;
    if send {
        c.post(&format!("{path}/envoyer"), &[]).await;
    }
    c
}

/// Whether the page shows a name, whatever its case (imported names are in capitals).
fn shows(page: &crate::harness::Page, name: &str) -> bool {
    page.text().to_uppercase().contains(&name.to_uppercase())
}

#[tokio::test]
async fn staff_filter_and_page_participants_and_read_one_participant_with_its_analysis() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0550001A").await;
    let org = setup.org.id;
    let students = sample::students(30);
    upload(&admin, org, "e.xml", sample::xml("0550001A", &students)).await;
    // The sample spreads students over classes: 0 and 24 are both in 6A, 1 is in 5A.
    let (a, b, other) = (&students[0], &students[24], &students[1]);
    assert_eq!(a.division, b.division);
    assert_ne!(a.division, other.division);
    takes_the_test(&app, &setup.code, a, true, true).await;
    takes_the_test(&app, &setup.code, b, false, true).await;
    takes_the_test(&app, &setup.code, other, true, false).await;
    // Eight more who only start, for a second page.
    for s in &students[4..12] {
        let c = app.client();
        identify(&c, &setup.code, s).await;
        c.post(
            &format!("/campagnes/{}/inscription", setup.code),
            &[("with", "username"), ("password", PASSWORD), ("cgu", "on")],
        )
        .await;
        c.post(&format!("/campagnes/{}/parcours", setup.code), &[])
            .await;
    }

    let base = format!("/orga/{org}/campagnes/{}", setup.campaign);
    let activity = admin.get(&base).await;
    activity.assert_contains("11 participants");
    activity.assert_contains("En cours 9");
    activity.assert_contains("Page 1 / 1");
    // A campaign's lists count participants, and « Tous » their statuses.
    activity.assert_contains("Participants par page");
    activity.assert_contains("Statut Tous En cours");
    let first = admin.get(&format!("{base}?par_page=10")).await;
    first.assert_contains("Page 1 / 2");
    let second = admin.get(&format!("{base}?page=2&par_page=10")).await;
    second.assert_contains("Page 2 / 2");
    assert_eq!(
        second.body.matches("/participants/").count(),
        1,
        "one participant left on the second page"
    );

    // Status and class filters, alone and together; an empty result says so.
    let sent = admin.get(&format!("{base}?statut=envoye")).await;
    sent.assert_contains("2 participants");
    assert!(!shows(&sent, &other.last_name));
    let class = admin.get(&format!("{base}?classe={}", a.division)).await;
    assert!(shows(&class, &a.last_name), "{}", class.text());
    assert!(shows(&class, &b.last_name), "{}", class.text());
    assert!(!shows(&class, &other.last_name));
    let none = admin
        .get(&format!(
            "{base}?classe={}&statut=en-cours&classe=5A",
            a.division
        ))
        .await;
    assert!(!shows(&none, &a.last_name));
    let search = admin
        .get(&format!(
            "{base}?recherche={}",
            other.last_name.to_lowercase()
        ))
        .await;
    search.assert_contains("1 participant");
    assert!(shows(&search, &other.last_name), "{}", search.text());
    let nobody = admin.get(&format!("{base}?recherche=zzzz")).await;
    nobody.assert_contains("Aucun participant ne correspond à ces filtres.");

    // Résultats: only the sent ones, stage filter, the stage distribution.
    let results = admin.get(&format!("{base}/resultats")).await;
    results.assert_contains("2 résultats reçus");
    results.assert_contains("Répartition des participants par palier");
    results.assert_contains("Palier 3 1");
    results.assert_contains("Palier 0 (aucun palier) 1");
    let top = admin.get(&format!("{base}/resultats?palier=3")).await;
    top.assert_contains("1 résultat reçu");
    // Badges: the participants who obtained every badge asked for (keys may hold '_').
    app.owner_exec(
        "UPDATE campaign_participations SET badges = ',cle_test,' WHERE mastery_percent = 100",
        None,
    )
    .await;
    admin
        .get(&format!("{base}/resultats?badge=cle_test"))
        .await
        .assert_contains("1 résultat reçu");
    admin
        .get(&format!("{base}/resultats?badge=cleXtest"))
        .await
        .assert_contains("Aucun participant ne correspond à ces filtres.");
    assert!(shows(&top, &a.last_name), "{}", top.text());
    assert!(!shows(&top, &b.last_name), "{}", top.text());

    // A participant's page and its Analyse tab; someone else's campaign or participant is 404.
    let marker = format!("{base}/participants/");
    let pid = top
        .body
        .match_indices(&marker)
        .map(|(i, _)| &top.body[i + marker.len()..])
        .find_map(|rest| uuid::Uuid::parse_str(rest.get(..36)?).ok())
        .expect("a link to the participant");
    let page = admin.get(&format!("{marker}{pid}")).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Commencé le");
    page.assert_contains("Envoyé le");
    page.assert_contains("Résultats par compétence");
    page.assert_contains("100 %");
    let analysis = admin.get(&format!("{marker}{pid}?onglet=analyse")).await;
    analysis.assert_contains("Recommandation de sujets à travailler");

    // The campaign's analysis reads the digests kept when results were sent; results sent before
    // digests existed give the same analysis, and their digests are then kept.
    let with_digests = admin.get(&format!("{base}/analyse")).await;
    with_digests.assert_contains("2 participants");
    app.owner_exec("UPDATE campaign_participations SET analysis = NULL", None)
        .await;
    let recomputed = admin.get(&format!("{base}/analyse")).await;
    let table = |p: &crate::harness::Page| {
        let text = p.text();
        text[text.find("Recommandation").unwrap()..].to_owned()
    };
    assert_eq!(table(&recomputed), table(&with_digests));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE analysis IS NOT NULL")
            .await,
        2
    );

    let (other_setup, other_admin) = managed(&app, "0550002B").await;
    assert_eq!(other_admin.get(&format!("{marker}{pid}")).await.status, 404);
    assert_eq!(
        other_admin
            .get(&format!(
                "/orga/{}/campagnes/{}/participants/{pid}",
                other_setup.org.id, setup.campaign
            ))
            .await
            .status,
        404
    );
    assert_eq!(
        other_admin
            .get(&format!(
                "/orga/{}/campagnes/{}/participants/{pid}",
                other_setup.org.id, other_setup.campaign
            ))
            .await
            .status,
        404
    );
}
