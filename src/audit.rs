//! `wharf audit`: for a time range, how many events each region's edge
//! accepted, how many reached INBOUND, how many customer messages became
//! rows, and which did not; with `--repair`, re-publishes what INBOUND
//! lacks. Runs as the ops user (it reads every edge stream through the
//! leaves' JetStream domains). The comparison is `relay::completeness`.

use chrono::{DateTime, Utc};
use relay::completeness::{self, RegionReport};

use crate::config::Config;
use crate::config::Role;
use crate::roles;

/// A time given as RFC 3339 or as an age (`90s`, `15m`, `2h`, `7d`).
///
/// # Errors
/// When `text` is neither.
pub fn parse_time(text: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("{text:?} is neither an RFC 3339 time nor an age like 15m"))?;
    let age = match unit {
        "s" => chrono::Duration::seconds(n),
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => anyhow::bail!("{text:?}: an age ends in s, m, h or d"),
    };
    Ok(now - age)
}

/// Prints the reports (a table, or JSON) and returns whether every
/// accepted event reached INBOUND and every message became a row.
///
/// # Errors
/// When NATS or the database cannot be reached or read.
pub async fn run(
    config: &Config,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    repair: bool,
    json: bool,
) -> anyhow::Result<bool> {
    let client = roles::hub_client(config, Role::Ops, "wharf-audit").await?;
    let hub = async_nats::jetstream::new(client.clone());
    let leaf = |region: &str| {
        async_nats::jetstream::with_domain(client.clone(), relay::topology::edge_domain(region))
    };
    let database = roles::connect_database(&config.database).await.ok();
    let regions = &config.topology.regions;
    let mut reports =
        completeness::report(&hub, leaf, database.as_ref(), regions, since, until).await?;
    let mut repaired = 0;
    if repair {
        let missing: Vec<_> = reports.iter().flat_map(|r| r.missing.clone()).collect();
        repaired = completeness::republish(&hub, leaf, &missing).await?;
        if !missing.is_empty() {
            reports =
                completeness::report(&hub, leaf, database.as_ref(), regions, since, until).await?;
        }
    }
    let complete = reports
        .iter()
        .all(|r| r.missing.is_empty() && r.without_row.is_empty());
    if json {
        println!(
            "{}",
            serde_json::json!({
                "since": since, "until": until, "repaired": repaired,
                "complete": complete, "regions": reports,
            })
        );
    } else {
        print!(
            "{}",
            table(&reports, since, until, repair.then_some(repaired))
        );
    }
    Ok(complete)
}

fn table(
    reports: &[RegionReport],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    repaired: Option<u64>,
) -> String {
    let mut out = format!("events accepted from {since} to {until}\n");
    out.push_str("region    accepted  in INBOUND  messages  message rows  missing\n");
    for r in reports {
        out.push_str(&format!(
            "{:<8}  {:>8}  {:>10}  {:>8}  {:>12}  {:>7}\n",
            r.region,
            r.accepted,
            r.in_inbound,
            r.messages,
            r.message_rows,
            r.missing.len()
        ));
    }
    for r in reports {
        for m in &r.missing {
            out.push_str(&format!(
                "not in INBOUND: {} (edge {} seq {}, accepted {})\n",
                m.msg_id, m.region, m.sequence, m.accepted_at
            ));
        }
        for id in &r.without_row {
            out.push_str(&format!("in INBOUND, no message row yet: {id}\n"));
        }
    }
    if let Some(n) = repaired {
        out.push_str(&format!("re-published into INBOUND: {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_ages() {
        let now = DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .unwrap_or_default();
        let at = |t: &str| parse_time(t, now).ok().map(|t| t.to_rfc3339());
        assert_eq!(at("15m").as_deref(), Some("2026-12-04T11:45:00+00:00"));
        assert_eq!(at("2d").as_deref(), Some("2026-12-02T12:00:00+00:00"));
        assert_eq!(
            at("2026-12-01T08:00:00Z").as_deref(),
            Some("2026-12-01T08:00:00+00:00")
        );
        assert!(parse_time("yesterday", now).is_err());
        assert!(parse_time("5w", now).is_err());
    }
}
