//! The view model a challenge type's `render` returns, as the platform's pages read it, and the
//! answers those pages can send back. Publication uses it to refuse a custom type whose view no
//! student could answer (the pages of `acquis-server` read the same JSON: its `fields_of` and
//! `encode_answer` are tested against this module).
//!
//! ```json
//! {"choices": [[1, "Proposition"], …]}                       // qcu (radio) and qcm (boxes) only
//! {"segments": [{"Text": "Réponse :"},
//!               {"Field": {"key": "a", "placeholder": null, "aria_label": null, "kind": "Input"}},
//!               {"Field": {"key": "b", "kind": {"Select": {"options": ["x", "y"]}}}}]}
//! ```
//! A custom type's answer is its fields, `key: value` one per line in the view's order.

/// The literal answer of « Je passe ».
pub const SKIP: &str = "#ABAND#";

/// One answer field of a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    /// The choices of a select field; `None` for a text field.
    pub options: Option<Vec<String>>,
}

/// The answer fields of a view, in order (text segments skipped).
pub fn fields(view: &serde_json::Value) -> Vec<Field> {
    view.get("segments")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("Field"))
        .map(|f| Field {
            key: f
                .get("key")
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .to_owned(),
            options: f
                .get("kind")
                .and_then(|k| k.get("Select"))
                .and_then(|s| s.get("options"))
                .and_then(|o| o.as_array())
                .map(|o| {
                    o.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                }),
        })
        .collect()
}

/// Whether the view shows choices (radio buttons or check boxes).
pub fn has_choices(view: &serde_json::Value) -> bool {
    view.get("choices")
        .and_then(|c| c.as_array())
        .is_some_and(|c| !c.is_empty())
}

/// Why no student could answer a custom type's view at all, if so. The pages send choices only
/// for the built-in `qcu` and `qcm`; a custom type gets its text and select fields.
pub fn unanswerable(view: &serde_json::Value) -> Option<String> {
    if has_choices(view) {
        return Some(
            "la vue rendue propose des choix (« choices ») : les pages n'envoient de choix \
             qu'aux types qcu et qcm, aucun élève ne pourrait répondre ; rendez des champs \
             (« segments »)"
                .into(),
        );
    }
    let fields = fields(view);
    if fields.is_empty() {
        return Some(
            "la vue rendue n'a aucun champ de réponse (« segments » avec « Field ») : aucun \
             élève ne pourrait répondre"
                .into(),
        );
    }
    let mut keys: Vec<&str> = Vec::new();
    for f in &fields {
        if f.key.is_empty() || f.key.contains([':', '\n']) || f.key.trim() != f.key {
            return Some(format!(
                "la vue rendue a un champ de clé « {} » : une clé est un mot sans « : »",
                f.key
            ));
        }
        if keys.contains(&f.key.as_str()) {
            return Some(format!(
                "la vue rendue a deux champs de clé « {} » : la réponse ne pourrait pas les \
                 distinguer",
                f.key
            ));
        }
        keys.push(&f.key);
        if f.options.as_ref().is_some_and(|o| o.is_empty()) {
            return Some(format!(
                "le menu « {} » de la vue rendue n'a aucune option",
                f.key
            ));
        }
    }
    None
}

/// Whether the pages can send `answer` for a custom type's `view`: « Je passe », or every field
/// filled (a select's value among its options), `key: value` per line in the view's order.
pub fn sendable(view: &serde_json::Value, answer: &str) -> Result<(), String> {
    if answer == SKIP {
        return Ok(());
    }
    let fields = fields(view);
    let lines: Vec<&str> = answer.split('\n').collect();
    if lines.len() != fields.len() {
        return Err(format!(
            "la réponse « {answer} » a {} ligne(s) alors que la vue a {} champ(s) : les pages \
             envoient « clé: valeur » pour chaque champ, une ligne par champ",
            lines.len(),
            fields.len()
        ));
    }
    for (line, f) in lines.iter().zip(&fields) {
        let Some(value) = line.strip_prefix(&format!("{}: ", f.key)) else {
            return Err(format!(
                "la réponse « {answer} » devrait avoir la ligne « {}: … » à cette place",
                f.key
            ));
        };
        if value.is_empty() || value.trim() != value {
            return Err(format!(
                "la réponse « {answer} » : la valeur du champ « {} » est vide ou entourée \
                 d'espaces, ce que les pages n'envoient jamais",
                f.key
            ));
        }
        if let Some(options) = &f.options
            && !options.iter().any(|o| o == value)
        {
            return Err(format!(
                "la réponse « {answer} » : « {value} » n'est pas une option du menu « {} »",
                f.key
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_view_with_fields_takes_key_value_lines_in_order() {
        let view = json!({"segments": [
            {"Text": "Premier :"},
            {"Field": {"key": "p1", "kind": {"Select": {"options": ["a", "b"]}}}},
            {"Field": {"key": "p2", "kind": "Input"}}
        ]});
        assert_eq!(unanswerable(&view), None);
        assert_eq!(sendable(&view, "p1: a\np2: texte libre"), Ok(()));
        assert_eq!(sendable(&view, SKIP), Ok(()));
        assert!(sendable(&view, "p2: texte\np1: a").is_err());
        assert!(sendable(&view, "p1: c\np2: x").is_err());
        assert!(sendable(&view, "p1: a").is_err());
        assert!(sendable(&view, "p1: a\np2: ").is_err());
    }

    #[test]
    fn choices_or_no_field_cannot_be_answered_by_a_custom_type() {
        let radios = json!({"choices": [[1, "a"], [2, "b"]]});
        assert!(unanswerable(&radios).unwrap().contains("choix"));
        assert!(unanswerable(&json!({"segments": [{"Text": "rien"}]})).is_some());
        assert!(unanswerable(&json!({})).is_some());
        let twice = json!({"segments": [{"Field": {"key": "a"}}, {"Field": {"key": "a"}}]});
        assert!(unanswerable(&twice).unwrap().contains("deux champs"));
    }
}
