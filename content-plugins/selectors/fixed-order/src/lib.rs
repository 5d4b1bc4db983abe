//! A course: the items in the order the profile lists them, each once; the test ends after the
//! last one.

wit_bindgen::generate!({ path: "../../../sdk/wit", world: "item-selector" });

use exports::acquis::challenge::selector::Guest;

#[derive(serde::Deserialize)]
struct State {
    /// Candidate item ids, in the profile's order.
    candidates: Vec<String>,
    /// Items already answered in this assessment.
    #[serde(default)]
    answered: Vec<String>,
}

struct Selector;

impl Guest for Selector {
    fn select(state: String) -> Result<Option<String>, String> {
        let state: State = serde_json::from_str(&state).map_err(|e| format!("état illisible : {e}"))?;
        Ok(state.candidates.into_iter().find(|c| !state.answered.contains(c)))
    }
}

export!(Selector);
