//! Parsing of proposals (lists and `${…}` blocks), solutions and answers.

use serde::Serialize;

/// The items of a QCU/QCM proposals list: one per line starting with `-`.
pub fn proposal_list(proposals: &str) -> Vec<String> {
    proposals
        .lines()
        .map(str::trim_start)
        .filter_map(|l| l.strip_prefix('-'))
        .map(|l| l.trim().to_owned())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BlockKind {
    Input,
    Select { options: Vec<String> },
}

/// An answer field `${key#placeholder§aria label options=[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub key: String,
    pub placeholder: Option<String>,
    pub aria_label: Option<String>,
    pub kind: BlockKind,
}

/// Proposals text cut into literal text and answer fields, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Segment {
    Text(String),
    Field(Block),
}

fn parse_block(inner: &str) -> Result<Block, String> {
    let (head, options) = match inner.find(" options=").or_else(|| inner.find("options=")) {
        Some(i) => {
            let json = inner[i..].trim_start().trim_start_matches("options=");
            let options: Vec<String> = serde_json::from_str(json)
                .map_err(|e| format!("options du champ « {inner} » illisibles : {e}"))?;
            (&inner[..i], Some(options))
        }
        None => (inner, None),
    };
    let key_end = head.find(['#', '§']).unwrap_or(head.len());
    let key = head[..key_end].trim().to_owned();
    if key.is_empty() {
        return Err(format!("champ « ${{{inner}}} » sans nom"));
    }
    let rest = &head[key_end..];
    let mut placeholder = None;
    let mut aria_label = None;
    // "#placeholder" and "§aria" may come in either order after the key.
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '#' || c == '§' {
            let start = i + c.len_utf8();
            let end = rest[start..]
                .find(['#', '§'])
                .map_or(rest.len(), |j| start + j);
            let value = rest[start..end].trim().to_owned();
            if c == '#' {
                placeholder = Some(value);
            } else {
                aria_label = Some(value);
            }
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
        }
    }
    Ok(Block {
        key,
        placeholder,
        aria_label,
        kind: match options {
            Some(options) => BlockKind::Select { options },
            None => BlockKind::Input,
        },
    })
}

/// Splits proposals into text and `${…}` fields.
pub fn segments(proposals: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut rest = proposals;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            return Err("un champ « ${ » n'est pas refermé par « } »".into());
        };
        if start > 0 {
            out.push(Segment::Text(rest[..start].to_owned()));
        }
        out.push(Segment::Field(parse_block(&rest[start + 2..start + len])?));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest.to_owned()));
    }
    Ok(out)
}

pub fn blocks(proposals: &str) -> Result<Vec<Block>, String> {
    Ok(segments(proposals)?
        .into_iter()
        .filter_map(|s| match s {
            Segment::Field(b) => Some(b),
            Segment::Text(_) => None,
        })
        .collect())
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        let inner = &s[1..s.len() - 1];
        if s.starts_with('"') {
            inner.replace("\\\"", "\"").replace("\\\\", "\\")
        } else {
            inner.replace("''", "'")
        }
    } else {
        s.to_owned()
    }
}

/// The YAML subset of solutions and answers, read with the FAILSAFE schema (every scalar is a
/// string, so `007` stays `007`): `key:` followed by `- variant` lines, or `key: value`.
///
/// Written here rather than taken from a YAML crate: general parsers resolve scalars to numbers
/// and booleans, which would change the accepted answers, and they weigh on every plugin.
pub fn yaml_map(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(item) = trimmed.strip_prefix('-') {
            let Some(last) = out.last_mut() else {
                return Err(format!(
                    "ligne {} : une valeur « - » sans clé avant elle",
                    n + 1
                ));
            };
            last.1.push(unquote(item));
        } else if let Some((key, value)) = trimmed.split_once(':') {
            let key = unquote(key);
            if key.is_empty() {
                return Err(format!("ligne {} : clé vide", n + 1));
            }
            if out.iter().any(|(k, _)| *k == key) {
                return Err(format!("ligne {} : clé « {key} » en double", n + 1));
            }
            let value = value.trim();
            let values = if value.is_empty() {
                Vec::new()
            } else {
                vec![unquote(value)]
            };
            out.push((key, values));
        } else {
            return Err(format!(
                "ligne {} : « {trimmed} » n'est ni « clé: » ni « - valeur »",
                n + 1
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_one_proposal_per_dash_line() {
        assert_eq!(
            proposal_list("- Un\n  - Deux\n-Trois\n"),
            vec!["Un", "Deux", "Trois"]
        );
    }

    #[test]
    fn blocks_carry_key_placeholder_aria_and_options() {
        let s = segments(
            "Réponse : ${rep#trois mots§Votre réponse} et ${choix options=[\"a\",\"b\"]}.",
        )
        .unwrap();
        assert_eq!(s.len(), 5);
        assert_eq!(
            s[1],
            Segment::Field(Block {
                key: "rep".into(),
                placeholder: Some("trois mots".into()),
                aria_label: Some("Votre réponse".into()),
                kind: BlockKind::Input
            })
        );
        assert_eq!(
            s[3],
            Segment::Field(Block {
                key: "choix".into(),
                placeholder: None,
                aria_label: None,
                kind: BlockKind::Select {
                    options: vec!["a".into(), "b".into()]
                }
            })
        );
        assert!(segments("${ouvert").is_err());
    }

    #[test]
    fn yaml_keeps_every_scalar_as_text() {
        let m = yaml_map("a:\n- 007\n- \"2021\"\n- true\nb: 'l''école'\nc:\n").unwrap();
        assert_eq!(
            m[0],
            ("a".into(), vec!["007".into(), "2021".into(), "true".into()])
        );
        assert_eq!(m[1], ("b".into(), vec!["l'école".into()]));
        assert_eq!(m[2], ("c".into(), vec![]));
        assert!(yaml_map("- orphelin").is_err());
        assert!(yaml_map("a: 1\na: 2").is_err());
        // A value may itself hold a colon.
        assert_eq!(yaml_map("heure: 12:30").unwrap()[0].1, vec!["12:30"]);
    }
}
