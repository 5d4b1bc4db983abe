//! Server-side rendering with Tera. Templates are compiled into the binary so `acquis` runs from
//! any directory.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use tera::{Context, Tera};
use time::{Duration, OffsetDateTime};

use crate::error::AppResult;
use crate::i18n;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "space_layout.html",
    "macros.html",
    "app/_proposals.html",
    "error.html",
    "home.html",
    "auth/login.html",
    "auth/signup.html",
    "auth/forgot.html",
    "auth/reset.html",
    "auth/change_password.html",
    "auth/account.html",
    "auth/sso_new.html",
    "auth/sso_link.html",
    "auth/logout_sso.html",
    "join/invitation.html",
    "orga/layout.html",
    "orga/choose.html",
    "orga/terms.html",
    "orga/no_access.html",
    "orga/students.html",
    "orga/students_import.html",
    "orga/students_import_progress.html",
    "orga/student.html",
    "orga/documentation.html",
    "orga/team.html",
    "orga/invite.html",
    "orga/campaigns.html",
    "app/landing.html",
    "app/reconcile.html",
    "app/reconcile_signup.html",
    "app/rules.html",
    "app/send_profile.html",
    "app/competences.html",
    "app/challenge.html",
    "app/checkpoint.html",
    "app/results.html",
    "app/profile.html",
    "app/reset.html",
    "app/timed.html",
    "app/tutorials.html",
    "orga/campaign_new.html",
    "orga/campaign.html",
    "orga/analysis_table.html",
    "orga/participant.html",
    "admin/layout.html",
    "admin/list.html",
    "admin/new.html",
    "admin/show.html",
    "admin/sso_list.html",
    "admin/sso_form.html",
    "admin/profiles.html",
    "admin/profile_offers.html",
    "admin/designers.html",
    "admin/package_owners.html",
    "studio/layout.html",
    "studio/home.html",
    "studio/report.html",
    "studio/package.html",
    "studio/challenge.html",
    "studio/tokens.html",
    "mail/invitation.txt",
    "mail/invitation.html",
    "mail/password_reset.txt",
];

static TERA: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.to_vec())
        .unwrap_or_else(|e| panic!("templates do not compile: {e:?}"));
    tera.register_function("t", i18n::tera_function);
    tera.register_filter(
        "urlencode",
        |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            Ok(tera::Value::String(crate::error::urlencode(
                v.as_str().unwrap_or_default(),
            )))
        },
    );
    tera.register_filter(
        "inline_code",
        |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            Ok(tera::Value::String(inline_code(
                v.as_str().unwrap_or_default(),
            )))
        },
    );
    tera.autoescape_on(vec![".html"]);
    tera
});

/// A proposal's text escaped, its `…` spans as `<code>` (the content's only inline markup
/// in proposals, as in `=B3*$E$1`); a lone backtick stays as it is. Use with `| safe`.
pub fn inline_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        out.push_str(&tera::escape_html(&rest[..open]));
        out.push_str("<code>");
        out.push_str(&tera::escape_html(&rest[open + 1..open + 1 + len]));
        out.push_str("</code>");
        rest = &rest[open + 1 + len + 1..];
    }
    out.push_str(&tera::escape_html(rest));
    out
}

/// Forces template compilation at start so a broken template fails the boot, not a request.
pub fn init() {
    LazyLock::force(&TERA);
}

pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(n, _)| *n)
}

pub fn template_source(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

pub fn render_string(name: &str, ctx: &Context) -> AppResult<String> {
    Ok(TERA.render(name, ctx)?)
}

/// A page being assembled: the template and its context.
pub struct Page {
    name: &'static str,
    ctx: Context,
    status: StatusCode,
}

impl Page {
    pub fn new(name: &'static str) -> Page {
        Page {
            name,
            ctx: Context::new(),
            status: StatusCode::OK,
        }
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> Page {
        self.ctx.insert(key, &value);
        self
    }

    pub fn status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    pub fn insert(&mut self, key: &str, value: impl Serialize) {
        self.ctx.insert(key, &value);
    }

    pub fn render(self) -> AppResult<Response> {
        let body = TERA.render(self.name, &self.ctx)?;
        Ok((self.status, Html(body)).into_response())
    }
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let mut ctx = Context::new();
    ctx.insert("title", title);
    ctx.insert("message", message);
    ctx.insert("status", &status.as_u16());
    match TERA.render("error.html", &ctx) {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "error page does not render");
            (status, message.to_owned()).into_response()
        }
    }
}

/// `JJ/MM/AAAA HH:MM`, Paris time.
pub fn date_time(t: OffsetDateTime) -> String {
    let fr = t.to_offset(paris_offset(t));
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        fr.day(),
        u8::from(fr.month()),
        fr.year(),
        fr.hour(),
        fr.minute()
    )
}

/// « 22/11/2026 14:05:30 », Paris time (a timed challenge's deadline).
pub fn date_time_seconds(t: OffsetDateTime) -> String {
    let fr = t.to_offset(paris_offset(t));
    format!(
        "{} {:02}:{:02}:{:02}",
        day(fr.date()),
        fr.hour(),
        fr.minute(),
        fr.second()
    )
}

/// Central European time with its daylight-saving rule (last Sunday of March to last Sunday of
/// October, switching at 01:00 UTC), enough for showing dates to French users without a tz crate.
fn paris_offset(t: OffsetDateTime) -> time::UtcOffset {
    fn last_sunday(year: i32, month: time::Month) -> Option<OffsetDateTime> {
        let last_day = time::util::days_in_month(month, year);
        let d = time::Date::from_calendar_date(year, month, last_day).ok()?;
        let back = d.weekday().number_days_from_sunday();
        Some(
            (d - Duration::days(back.into()))
                .with_time(time::macros::time!(1:00))
                .assume_utc(),
        )
    }
    let y = t.year();
    let summer = match (
        last_sunday(y, time::Month::March),
        last_sunday(y, time::Month::October),
    ) {
        (Some(start), Some(end)) => t >= start && t < end,
        _ => false,
    };
    if summer {
        time::macros::offset!(+2)
    } else {
        time::macros::offset!(+1)
    }
}

/// A calendar day (a birth date, a chart's day) as written in France: `JJ/MM/AAAA`.
pub fn day(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// `JJ/MM/AAAA`, Paris time.
pub fn date(t: OffsetDateTime) -> String {
    day(t.to_offset(paris_offset(t)).date())
}

/// The day it is in Paris at `t`.
pub fn paris_day(t: OffsetDateTime) -> time::Date {
    t.to_offset(paris_offset(t)).date()
}

/// The first words of an instruction, as plain text, for the checkpoint's list.
/// Its text as Markdown reads it: no quote, list or emphasis marks, no link targets, and the
/// underscores of a file name kept.
pub fn summary(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut plain = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                plain.push_str(&t)
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) => plain.push(' '),
            _ => {}
        }
    }
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if plain.chars().count() <= 90 {
        return plain;
    }
    // Cut between words: a word cut short can read as another one (« con… »).
    let head: String = plain.chars().take(89).collect();
    let whole_words = plain.chars().nth(89).is_some_and(char::is_whitespace);
    let cut = match head.rfind(' ') {
        Some(space) if !whole_words && space > head.len() / 2 => &head[..space],
        _ => head.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':']))
}

/// Markdown written by content designers (instructions, explanations) and our guides as HTML.
/// Raw HTML in the source is shown as text: a package must not be able to inject markup or
/// scripts. Tables (GitHub's syntax) scroll in their own box, as the pages' tables do.
pub fn markdown(src: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
    let events = Parser::new_ext(src, Options::ENABLE_TABLES).flat_map(|e| {
        let (before, after) = match &e {
            Event::Start(Tag::Table(_)) => (Some(r#"<div class="table-scroll">"#), None),
            Event::End(TagEnd::Table) => (None, Some("</div>")),
            _ => (None, None),
        };
        let e = match e {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            other => other,
        };
        before
            .map(|h| Event::Html(h.into()))
            .into_iter()
            .chain([e])
            .chain(after.map(|h| Event::Html(h.into())))
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::{inline_code, markdown, summary};

    #[test]
    fn a_summary_is_the_text_markdown_reads() {
        assert_eq!(
            summary("Vous recevez ce SMS :\n\n> Votre colis n'a pas pu être **livré**."),
            "Vous recevez ce SMS : Votre colis n'a pas pu être livré."
        );
        assert_eq!(
            summary("Ouvrez `photo_vacances.jpg` ou [le site](https://exemple.fr)."),
            "Ouvrez photo_vacances.jpg ou le site."
        );
        assert_eq!(summary("- un\n- deux"), "un deux");
        assert_eq!(summary("# Titre\nTexte"), "Titre Texte");
        let long = "mot ".repeat(40);
        assert_eq!(summary(&long), format!("{}…", "mot ".repeat(22).trim_end()));
        // The 89th character ends « organisme », the next word would be cut: it goes whole.
        let text = format!("{} organisme de confiance", "a".repeat(79));
        assert_eq!(summary(&text), format!("{} organisme…", "a".repeat(79)));
        let text = format!("{} un, organisme de confiance", "a".repeat(79));
        assert_eq!(
            summary(&text),
            format!("{} un…", "a".repeat(79)),
            "no comma before …"
        );
        // One word longer than the summary is cut, as there is nothing else to do.
        let word = "b".repeat(120);
        assert_eq!(summary(&word), format!("{}…", "b".repeat(89)));
    }

    #[test]
    fn markdown_shows_raw_html_as_text_and_tables_in_their_scrolling_box() {
        assert_eq!(
            markdown("Texte <script>x</script> *a*"),
            "<p>Texte &lt;script&gt;x&lt;/script&gt; <em>a</em></p>\n"
        );
        let table = markdown("| Rubrique | Rôle |\n|---|---|\n| Campagnes | <b>créer</b> |\n");
        assert!(
            table.starts_with(r#"<div class="table-scroll"><table>"#),
            "{table}"
        );
        assert!(
            table.contains("<td>&lt;b&gt;créer&lt;/b&gt;</td>"),
            "{table}"
        );
        assert!(table.trim_end().ends_with("</table>\n</div>"), "{table}");
    }

    #[test]
    fn inline_code_marks_backtick_spans_and_escapes_the_rest() {
        assert_eq!(inline_code("`<title>`"), "<code>&lt;title&gt;</code>");
        assert_eq!(
            inline_code("a `=B3*$E$1` & `x`"),
            "a <code>=B3*$E$1</code> &amp; <code>x</code>"
        );
        assert_eq!(inline_code("un ` seul"), "un ` seul");
        assert_eq!(inline_code("<b>"), "&lt;b&gt;");
    }
}
