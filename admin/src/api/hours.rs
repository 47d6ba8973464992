//! Hours as the API writes them (a campaign's send window, a team's
//! business hours): checked by the router's one reading of hours
//! (`relay::routing::Hours::compile`), stored as that JSON, a refusal
//! naming the field.

use poem_openapi::Object;
use relay::routing::RuleError;

use crate::error::{ApiError, ApiResult};

/// Hours: from `from` to `to` local time on `days` in `time_zone` (a
/// campaign's send window, a team's business hours).
#[derive(Debug, Clone, Object)]
pub struct Hours {
    /// IANA time zone of the hours, e.g. `Europe/Berlin`.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub time_zone: String,
    /// ISO weekdays, 1 = Monday … 7 = Sunday; empty: every day.
    #[oai(default, validator(max_items = 7))]
    pub days: Vec<u32>,
    /// `HH:MM`, inclusive.
    #[oai(validator(max_length = 5))]
    pub from: String,
    /// `HH:MM`, exclusive; earlier than `from`: the hours span midnight
    /// and belong to the day they start.
    #[oai(validator(max_length = 5))]
    pub to: String,
}

/// `hours` given as `field`, checked and as stored (`inside: true`); a
/// refusal names `<field>.time_zone`, `.days`, `.from` or `.to`. With
/// `open`, hours that never open (`from` equal to `to`) are refused too.
pub(crate) fn stored(field: &str, hours: &Hours, open: bool) -> ApiResult<serde_json::Value> {
    let hours = relay::routing::Hours {
        time_zone: hours.time_zone.trim().to_owned(),
        days: hours.days.clone(),
        from: hours.from.trim().to_owned(),
        to: hours.to.trim().to_owned(),
        inside: true,
    };
    hours.compile().map_err(|err| {
        let part = match &err {
            RuleError::TimeZone(_) => "time_zone",
            RuleError::Day(_) => "days",
            RuleError::Time(t) if *t == hours.from => "from",
            RuleError::Time(_) => "to",
            _ => "",
        };
        let name = if part.is_empty() {
            field.to_owned()
        } else {
            format!("{field}.{part}")
        };
        ApiError::invalid_field(&name, err)
    })?;
    if open && hours.from == hours.to {
        return Err(ApiError::invalid_field(
            &format!("{field}.to"),
            "must differ from `from` (the hours would never open)",
        ));
    }
    serde_json::to_value(hours).map_err(ApiError::internal)
}

/// Stored hours read back (`None`: none, or not readable).
pub(crate) fn out(stored: Option<&serde_json::Value>) -> Option<Hours> {
    let hours = crate::business_hours::read(stored)?;
    Some(Hours {
        time_zone: hours.time_zone,
        days: hours.days,
        from: hours.from,
        to: hours.to,
    })
}
