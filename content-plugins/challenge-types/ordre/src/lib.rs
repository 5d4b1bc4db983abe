//! Un type d'épreuve « remettre dans l'ordre », exemple complet du guide des concepteurs
//! (docs/plugin-authors.md) : `acquis-pack new challenge-type` écrit ce fichier.
//!
//! La définition d'une épreuve de ce type (dans data/competences/<code>.json) :
//!
//! ```json
//! { "id": "ordre-demarrage", "type": "ordre",
//!   "instruction": "Remettez les étapes dans l'ordre.",
//!   "items": ["Allumer l'ordinateur", "Saisir son mot de passe", "Ouvrir le navigateur"],
//!   "solution_to_display": "…",
//!   "examples": [{ "answer": "p1: Allumer l'ordinateur\np2: …\np3: …", "verdict": "ok" }] }
//! ```
//!
//! `items` est donné dans le bon ordre ; l'élève voit un menu par position, les éléments
//! mélangés à partir de la graine. Les pages envoient la réponse sous la forme d'une ligne
//! `clé: valeur` par champ de la vue, dans l'ordre de la vue (ici `p1: …`, `p2: …`).

wit_bindgen::generate!({ path: "wit", world: "challenge-plugin" });

use acquis::challenge::host::{Level, log};
use acquis::challenge::types::{FieldResult, PluginInfo, ScoreResult, Verdict};
use exports::acquis::challenge::challenge_type::Guest;
use serde_json::{Value, json};

/// L'identifiant du type : le nom du fichier components/<type>.wasm du paquet, et le « type »
/// des épreuves qui s'en servent.
const TYPE_ID: &str = "ordre";

/// Une panique n'arrive à la plateforme que comme une instruction « unreachable » : ce crochet
/// lui envoie d'abord son message, que le studio et `acquis-pack test` affichent. Chaque appel
/// a sa propre instance, donc on l'installe à chaque appel.
fn crochet_de_panique() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let lieu = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        log(Level::Warn, &format!("panique : {message}{lieu}"));
    }));
}

/// Les éléments dans le bon ordre, ou tous les problèmes de la définition.
fn elements(definition: &str) -> Result<Vec<String>, Vec<String>> {
    let d: Value = serde_json::from_str(definition)
        .map_err(|e| vec![format!("définition illisible : {e}")])?;
    let Some(items) = d["items"].as_array() else {
        return Err(vec![
            "« items » (les éléments dans le bon ordre) est requis".into(),
        ]);
    };
    let mut errors = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(str::trim) {
            Some(t) if !t.is_empty() && !t.contains('\n') => {
                if out.iter().any(|o| o == t) {
                    errors.push(format!("l'élément « {t} » figure deux fois"));
                }
                out.push(t.to_owned());
            }
            _ => errors.push(format!(
                "l'élément n° {} n'est pas un texte d'une ligne",
                i + 1
            )),
        }
    }
    if !(2..=8).contains(&items.len()) {
        errors.push(format!(
            "il faut de 2 à 8 éléments, {} trouvé(s)",
            items.len()
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Un mélange déterministe (la même graine donne le même affichage, sur toute machine).
fn melanger(items: &mut [String], seed: u64) {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

struct Ordre;

impl Guest for Ordre {
    fn info() -> PluginInfo {
        PluginInfo {
            type_id: TYPE_ID.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            api_version: "0.1.0".into(),
        }
    }

    /// À la publication : tous les problèmes, en français (vide : publiable).
    fn validate(definition: String) -> Result<(), Vec<String>> {
        crochet_de_panique();
        elements(&definition).map(|_| ())
    }

    /// Le modèle de vue, sans la solution : un texte puis un menu (« Select ») par position.
    /// Les pages affichent `segments` : des `Text` et des `Field` (saisie libre avec
    /// "kind": "Input", menu avec "kind": {"Select": {"options": […]}}).
    fn render(definition: String, _locale: String, seed: u64) -> Result<String, String> {
        crochet_de_panique();
        let mut options = elements(&definition).map_err(|e| e.join(" ; "))?;
        melanger(&mut options, seed);
        let mut segments = Vec::new();
        for i in 1..=options.len() {
            let debut = if i == 1 { "" } else { "\n" };
            segments.push(json!({ "Text": format!("{debut}Position {i} :") }));
            segments.push(json!({ "Field": {
                "key": format!("p{i}"),
                "placeholder": null,
                "aria_label": format!("Position {i}"),
                "kind": { "Select": { "options": options } },
            }}));
        }
        Ok(json!({ "segments": segments }).to_string())
    }

    /// La réponse arrive comme les pages l'envoient : `p1: …` puis `p2: …`, une ligne par
    /// champ ; « Je passe » envoie `#ABAND#`.
    fn score(definition: String, answer: String) -> Result<ScoreResult, String> {
        crochet_de_panique();
        let attendu = elements(&definition).map_err(|e| e.join(" ; "))?;
        let details: Vec<FieldResult> = attendu
            .iter()
            .enumerate()
            .map(|(i, bon)| {
                let cle = format!("p{}", i + 1);
                let donne = answer
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{cle}:")))
                    .map(str::trim);
                FieldResult {
                    ok: donne == Some(bon.as_str()),
                    key: cle,
                }
            })
            .collect();
        let juste = details.iter().all(|f| f.ok);
        Ok(ScoreResult {
            verdict: if juste { Verdict::Ok } else { Verdict::Ko },
            details,
            feedback: None,
            solution_to_display: None,
        })
    }
}

export!(Ordre);
