//! The campaign page's charts, drawn on the server as SVG (the CSP allows no script and no inline
//! style; SVG presentation attributes are neither), each with its figures as a table for screen
//! readers and for reading exact values.

use time::Date;

/// Size of the drawing area, in SVG user units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 180.0;

/// « Participations et envois cumulés par jour »: for each day from the first participation to
/// `today`, how many participations were started and how many results were sent so far.
pub fn cumulative_by_day(
    started: &[Date],
    shared: &[Date],
    today: Date,
) -> Option<serde_json::Value> {
    let first = *started.iter().min()?;
    let last = today.max(*started.iter().max()?);
    let days = (last - first).whole_days() as usize + 1;
    let mut per_day = vec![(0u64, 0u64); days];
    let index = |d: &Date| ((*d - first).whole_days().max(0) as usize).min(days - 1);
    for d in started {
        per_day[index(d)].0 += 1;
    }
    for d in shared {
        per_day[index(d)].1 += 1;
    }
    let mut rows = Vec::with_capacity(days);
    let (mut s, mut sh) = (0u64, 0u64);
    for (i, (a, b)) in per_day.iter().enumerate() {
        s += a;
        sh += b;
        rows.push((first + time::Duration::days(i as i64), s, sh));
    }
    let max = rows.last().map(|r| r.1.max(r.2)).unwrap_or(0).max(1) as f64;
    let x = |i: usize| {
        if days == 1 {
            WIDTH / 2.0
        } else {
            i as f64 * WIDTH / (days - 1) as f64
        }
    };
    let y = |v: u64| HEIGHT - v as f64 * HEIGHT / max;
    let line = |pick: fn(&(Date, u64, u64)) -> u64| {
        rows.iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(pick(r))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    // The table lists only the days something happened, so a long campaign stays readable; so
    // do the dots, which are all a campaign's first day shows (a one-point line draws nothing).
    let happened: Vec<_> = rows
        .iter()
        .enumerate()
        .zip(&per_day)
        .filter(|(_, (a, b))| a + b > 0)
        .map(|(r, _)| r)
        .collect();
    let table: Vec<_> = happened
        .iter()
        .map(|(_, (d, s, sh))| {
            serde_json::json!({"day": crate::views::day(*d), "started": s, "shared": sh})
        })
        .collect();
    let dots: Vec<_> = happened
        .iter()
        .map(|&(i, &(_, s, sh))| {
            // Results sent are squares (their corner given), as their line is dashed: the two
            // series differ by more than their colour.
            serde_json::json!({
                "x": format!("{:.1}", x(i)),
                "started": format!("{:.1}", y(s)),
                "shared": format!("{:.1}", y(sh)),
                "shared_corner": [format!("{:.1}", x(i) - 4.0), format!("{:.1}", y(sh) - 4.0)],
            })
        })
        .collect();
    Some(serde_json::json!({
        "width": WIDTH,
        "height": HEIGHT,
        "started": line(|r| r.1),
        "shared": line(|r| r.2),
        "max": max as u64,
        "from": crate::views::day(first),
        "to": crate::views::day(last),
        "one_day": days == 1,
        "rows": table,
        "dots": dots,
    }))
}

/// « Répartition des participants par palier »: shared participants by stage reached
/// (0 = the zero stage, up to `total`), as bars relative to the largest.
pub fn by_stage(reached: &[u64], total: u64) -> Vec<serde_json::Value> {
    let mut counts = vec![0usize; total as usize + 1];
    for &r in reached {
        counts[(r.min(total)) as usize] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .enumerate()
        .map(|(stage, &n)| serde_json::json!({"stage": stage, "count": n, "width": n * 100 / most}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cumulative_lines_grow_day_by_day_until_today() {
        let started = [
            date!(2026 - 11 - 02),
            date!(2026 - 11 - 02),
            date!(2026 - 11 - 04),
        ];
        let shared = [date!(2026 - 11 - 04)];
        let c = cumulative_by_day(&started, &shared, date!(2026 - 11 - 05)).unwrap();
        assert_eq!(c["max"], 3);
        assert_eq!(c["started"], "0.0,60.0 200.0,60.0 400.0,0.0 600.0,0.0");
        assert_eq!(c["shared"], "0.0,180.0 200.0,180.0 400.0,120.0 600.0,120.0");
        let rows = c["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "only the days something happened");
        assert_eq!(rows[1]["started"], 3);
        assert_eq!(rows[1]["shared"], 1);
        assert!(cumulative_by_day(&[], &[], date!(2026 - 11 - 05)).is_none());
        let dots = c["dots"].as_array().unwrap();
        assert_eq!(dots.len(), 2, "a dot on each day something happened");
        assert_eq!(dots[1]["x"], "400.0");
        assert_eq!(dots[1]["started"], "0.0");
        assert_eq!(dots[1]["shared"], "120.0");
        assert_eq!(c["one_day"], false);
        let one = cumulative_by_day(&started[..1], &[], date!(2026 - 11 - 02)).unwrap();
        assert_eq!(one["started"], "300.0,0.0");
        assert_eq!(one["one_day"], true);
        assert_eq!(
            one["dots"][0]["x"], "300.0",
            "the first day's figures show as dots"
        );
    }

    #[test]
    fn stages_count_every_participant_once() {
        let bars = by_stage(&[0, 2, 2, 3, 9], 3);
        let counts: Vec<_> = bars.iter().map(|b| b["count"].as_u64().unwrap()).collect();
        assert_eq!(counts, vec![1, 0, 2, 2]);
        assert_eq!(bars[2]["width"], 100);
        assert_eq!(bars[0]["width"], 50);
    }
}
