//! Routing rules: ordered, first match wins. A rule's `conditions` (keywords,
//! regex, contact tier, detected language, business number, business hours in
//! a time zone) are matched against the facts of a conversation's opening
//! message; its `action` routes to a team with a priority or hands to a bot.
//! Rules are rows of `routing_rules`; applying the decision lives in
//! `sessions`, choosing an agent in `assignment`.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use entities::routing_rule;
use regex::Regex;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// What a rule is matched against.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// Text of the message (body or caption); `None` for media without one.
    pub text: Option<&'a str>,
    pub tier: &'a str,
    /// Detected (or known) language, ISO 639-1 where one exists.
    pub language: Option<&'a str>,
    /// The business phone number id.
    pub business_number: &'a str,
    /// Provider time of the message.
    pub at: DateTime<Utc>,
}

/// Business hours: inside `from..to` local time on `days` (1 = Monday … 7).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// ISO weekdays, 1 = Monday … 7 = Sunday; empty means every day.
    #[serde(default)]
    pub days: Vec<u32>,
    /// `HH:MM`, inclusive.
    pub from: String,
    /// `HH:MM`, exclusive.
    pub to: String,
    /// `true` (default) matches inside the hours, `false` outside them.
    #[serde(default = "yes")]
    pub inside: bool,
}

const fn yes() -> bool {
    true
}

impl Hours {
    /// The hours checked and ready to test times against: the one reading
    /// of business hours (routing rules' conditions, campaigns' send
    /// windows, teams' business hours).
    ///
    /// # Errors
    /// An unknown time zone, a time that is not `HH:MM`, a day outside 1–7.
    pub fn compile(&self) -> Result<OpenHours, RuleError> {
        let tz: Tz = self
            .time_zone
            .parse()
            .map_err(|_| RuleError::TimeZone(self.time_zone.clone()))?;
        let time =
            |s: &str| NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| RuleError::Time(s.into()));
        if let Some(day) = self.days.iter().find(|d| !(1..=7).contains(*d)) {
            return Err(RuleError::Day(*day));
        }
        Ok(OpenHours {
            tz,
            from: time(&self.from)?,
            to: time(&self.to)?,
            days: self.days.clone(),
            inside: self.inside,
        })
    }
}

/// [`Hours`] compiled.
#[derive(Debug, Clone)]
pub struct OpenHours {
    tz: Tz,
    from: NaiveTime,
    to: NaiveTime,
    days: Vec<u32>,
    inside: bool,
}

impl OpenHours {
    /// Whether `at` is inside the hours (or, for `inside: false` hours,
    /// outside them). `from` is inclusive, `to` exclusive; `from` after
    /// `to` spans midnight (22:00–06:00), counted on the day it starts.
    #[must_use]
    pub fn matches(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.tz);
        let t = local.time();
        let (day, time_ok) = if self.from <= self.to {
            (local.weekday(), self.from <= t && t < self.to)
        } else if t >= self.from {
            (local.weekday(), true)
        } else {
            // Past midnight: the hours began the day before.
            (local.weekday().pred(), t < self.to)
        };
        let day_ok = self.days.is_empty() || self.days.contains(&day.number_from_monday());
        (day_ok && time_ok) == self.inside
    }

    /// Whether the hours open on `day` (local date; empty `days`: every day).
    fn opens_on(&self, day: NaiveDate) -> bool {
        self.days.is_empty() || self.days.contains(&day.weekday().number_from_monday())
    }

    /// The instant the local wall clock first shows `local` or later: the
    /// earlier of two readings in a repeated hour (clocks set back), the
    /// end of a skipped hour (clocks set forward) for a time inside it.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut at = local;
        // A gap lasts at most a few hours; step minute by minute over it.
        for _ in 0..(24 * 60) {
            match self.tz.from_local_datetime(&at) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(early, _) => return early.with_timezone(&Utc),
                LocalResult::None => at += Duration::minutes(1),
            }
        }
        local.and_utc()
    }

    /// The open spans (inside the hours, `inside` aside: business hours)
    /// that begin on the local days from the day before `from`'s to the
    /// day of `to`, each `[start, end)` in UTC, in order.
    fn spans(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let first = from.with_timezone(&self.tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&self.tz).date_naive();
        let mut spans = Vec::new();
        let mut day = first;
        while day <= last {
            if self.opens_on(day) && self.from != self.to {
                let end_day = if self.from < self.to {
                    day
                } else {
                    day + Duration::days(1)
                };
                let start = self.instant(day.and_time(self.from));
                let end = self.instant(end_day.and_time(self.to));
                if start < end {
                    spans.push((start, end));
                }
            }
            day += Duration::days(1);
        }
        spans
    }

    /// How much of `[from, to)` lies inside the hours (open time: the
    /// business-hours reading of `docs/reports.md`; `inside` is not
    /// consulted). Zero when `to` is not after `from`. Local days follow
    /// the time zone, so a day of a clock change is 23 or 25 hours long
    /// and its open time what the wall clock showed.
    #[must_use]
    pub fn open_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        self.spans(from, to)
            .into_iter()
            .map(|(start, end)| (end.min(to) - start.max(from)).max(Duration::zero()))
            .sum()
    }

    /// The moment `open` of open time has passed since `from` (the SLA due
    /// time on a business clock); `from` itself when `open` is zero.
    /// `None` when the hours are never open or it lies beyond 20 years.
    #[must_use]
    pub fn after_open(&self, from: DateTime<Utc>, open: Duration) -> Option<DateTime<Utc>> {
        let mut left = open;
        if left <= Duration::zero() {
            return Some(from);
        }
        let mut at = from;
        let week = Duration::days(7);
        for _ in 0..(20 * 53) {
            let in_week = self.open_between(at, at + week);
            if in_week < left {
                left -= in_week;
                at += week;
                continue;
            }
            for (start, end) in self.spans(at, at + week) {
                let (start, end) = (start.max(at), end.min(at + week));
                if end <= start {
                    continue;
                }
                if end - start >= left {
                    return Some(start + left);
                }
                left -= end - start;
            }
            return None;
        }
        None
    }
}

/// Every present condition must hold; an empty set matches everything.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Any of these words (case-insensitive, substring) in the text.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A regular expression the text must match.
    pub regex: Option<String>,
    /// Contact tier is one of these.
    #[serde(default)]
    pub tiers: Vec<String>,
    /// Detected language is one of these.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Business phone number id is one of these.
    #[serde(default)]
    pub business_numbers: Vec<String>,
    pub hours: Option<Hours>,
}

/// What a matching rule does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Queue for a team (and assign by its strategy).
    Team {
        team_id: i64,
        #[serde(default)]
        priority: i32,
    },
    /// The bot answers first.
    Bot(BotScript),
}

/// Where a conversation goes when a rule matches its opening message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Queued for `team_id` at `priority` (a team rule, or a bot rule whose
    /// handover keyword is in the text).
    Queue { team_id: i64, priority: i32 },
    /// The bot answers; `reply` is its canned answer to the text, if any.
    Bot { reply: Option<String> },
}

impl Action {
    /// What this action does with a message whose text is `text`: the
    /// decision the router applies and the admin API's dry run shows.
    pub fn outcome(&self, text: Option<&str>) -> Outcome {
        match self {
            Action::Team { team_id, priority } => Outcome::Queue {
                team_id: *team_id,
                priority: *priority,
            },
            Action::Bot(script) => match script.handover_team_id {
                Some(team_id) if script.wants_human(text) => Outcome::Queue {
                    team_id,
                    priority: script.handover_priority,
                },
                _ => Outcome::Bot {
                    reply: script.answer(text).map(str::to_owned),
                },
            },
        }
    }

    /// The teams this action may queue to.
    pub fn team_ids(&self) -> Vec<i64> {
        match self {
            Action::Team { team_id, .. } => vec![*team_id],
            Action::Bot(script) => script.handover_team_id.into_iter().collect(),
        }
    }
}

/// A canned-reply bot and when it hands over to a human.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BotScript {
    /// Keyword → reply; the first reply whose keyword is in the text answers.
    #[serde(default)]
    pub replies: Vec<CannedReply>,
    /// Sent when no canned reply matches.
    pub fallback: Option<String>,
    /// Any of these words hands the conversation to `handover_team_id`.
    #[serde(default)]
    pub handover_keywords: Vec<String>,
    pub handover_team_id: Option<i64>,
    #[serde(default)]
    pub handover_priority: i32,
    /// An HTTP bot (e.g. AI triage) asked first: it gets
    /// `{conversation_id, contact, text, language}` and answers
    /// `{"reply": "…", "handover": false}`; on failure the canned replies
    /// answer instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// A bot on integrators' webhooks: no canned reply; the endpoint gets
    /// the customer's messages (`message.received` of a conversation in
    /// `bot` state), answers through the API and hands over with
    /// `POST /conversations/{id}/handoff`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub webhook: bool,
    /// A customer left unanswered this long in `bot` state is handed over
    /// to `handover_team_id` (an unreachable bot never strands anyone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover_after_secs: Option<u64>,
}

/// The bot script that hands conversations over: the first rule's (in rule
/// order) whose bot has a handover team. A conversation in `bot` state is
/// handed to its team.
pub fn handover_script(rules: &[Rule]) -> Option<&BotScript> {
    rules.iter().find_map(|r| match &r.action {
        Action::Bot(script) if script.handover_team_id.is_some() => Some(script),
        _ => None,
    })
}

impl BotScript {
    /// Whether the customer asks for a human (a handover keyword).
    pub fn wants_human(&self, text: Option<&str>) -> bool {
        let text = text.unwrap_or_default().to_lowercase();
        self.handover_keywords
            .iter()
            .any(|k| contains_word(&text, &k.to_lowercase()))
    }

    /// The canned answer to `text`: the first reply whose keyword is in it,
    /// else the fallback.
    pub fn answer(&self, text: Option<&str>) -> Option<&str> {
        let lower = text.unwrap_or_default().to_lowercase();
        self.replies
            .iter()
            .find(|r| contains_word(&lower, &r.keyword.to_lowercase()))
            .map(|r| r.text.as_str())
            .or(self.fallback.as_deref())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CannedReply {
    pub keyword: String,
    pub text: String,
}

/// A rule ready to match.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub conditions: Conditions,
    pub action: Action,
    regex: Option<Regex>,
    hours: Option<OpenHours>,
}

/// Why a stored rule cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("conditions: {0}")]
    Conditions(serde_json::Error),
    #[error("action: {0}")]
    Action(serde_json::Error),
    #[error("regex: {0}")]
    Regex(#[from] regex::Error),
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    #[error("time {0:?} is not HH:MM")]
    Time(String),
    #[error("day {0} is not an ISO weekday (1 = Monday … 7 = Sunday)")]
    Day(u32),
}

impl Rule {
    /// Parses and compiles one stored rule.
    ///
    /// # Errors
    /// When the JSON, regex, time zone or times are invalid.
    pub fn compile(row: &routing_rule::Model) -> Result<Self, RuleError> {
        let conditions: Conditions =
            serde_json::from_value(row.conditions.clone()).map_err(RuleError::Conditions)?;
        let action: Action =
            serde_json::from_value(row.action.clone()).map_err(RuleError::Action)?;
        Self::new(row.id, row.name.clone(), conditions, action)
    }

    /// Validates and compiles conditions and action.
    ///
    /// # Errors
    /// When the regex, time zone or times are invalid.
    pub fn new(
        id: i64,
        name: String,
        conditions: Conditions,
        action: Action,
    ) -> Result<Self, RuleError> {
        let regex = conditions
            .regex
            .as_deref()
            .map(|r| regex::RegexBuilder::new(r).case_insensitive(true).build())
            .transpose()?;
        let hours = conditions.hours.as_ref().map(Hours::compile).transpose()?;
        Ok(Self {
            id,
            name,
            conditions,
            action,
            regex,
            hours,
        })
    }

    /// Whether every condition holds for `facts`.
    pub fn matches(&self, facts: &Facts<'_>) -> bool {
        let c = &self.conditions;
        let text = facts.text.unwrap_or_default().to_lowercase();
        if !c.keywords.is_empty()
            && !c
                .keywords
                .iter()
                .any(|k| contains_word(&text, &k.to_lowercase()))
        {
            return false;
        }
        if let Some(regex) = &self.regex
            && !regex.is_match(facts.text.unwrap_or_default())
        {
            return false;
        }
        if !c.tiers.is_empty() && !c.tiers.iter().any(|t| t.eq_ignore_ascii_case(facts.tier)) {
            return false;
        }
        if !c.languages.is_empty()
            && !facts
                .language
                .is_some_and(|l| c.languages.iter().any(|x| x.eq_ignore_ascii_case(l)))
        {
            return false;
        }
        if !c.business_numbers.is_empty()
            && !c
                .business_numbers
                .iter()
                .any(|n| n == facts.business_number)
        {
            return false;
        }
        if let Some(hours) = &self.hours
            && !hours.matches(facts.at)
        {
            return false;
        }
        true
    }
}

/// Case-insensitive keyword test on word boundaries (`refund` matches
/// "a refund?", not "refunded" — use a regex for stems).
fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The first rule that matches, in order.
pub fn first_match<'r>(rules: &'r [Rule], facts: &Facts<'_>) -> Option<&'r Rule> {
    rules.iter().find(|r| r.matches(facts))
}

/// Enabled rules by `position`; rules that do not compile are skipped with
/// a warning (the admin API validates them on write).
///
/// # Errors
/// Database errors.
pub async fn load(db: &impl ConnectionTrait) -> Result<Vec<Rule>, DbErr> {
    let rows = routing_rule::Entity::find()
        .filter(routing_rule::Column::Enabled.eq(true))
        .order_by_asc(routing_rule::Column::Position)
        .order_by_asc(routing_rule::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .filter_map(|row| match Rule::compile(row) {
            Ok(rule) => Some(rule),
            Err(err) => {
                tracing::warn!(rule = row.id, %err, "routing rule skipped");
                None
            }
        })
        .collect())
}

/// How much of a message language detection reads: its opening is enough
/// to tell the language, and whatlang's cost grows with the text (a long
/// message's detection showed as ~10 % of a router's CPU in the bench).
pub const LANGUAGE_SAMPLE_CHARS: usize = 256;

/// The language of `text` (its first [`LANGUAGE_SAMPLE_CHARS`] characters)
/// when whatlang is confident, as ISO 639-1 for the common languages
/// (ISO 639-3 otherwise).
pub fn detect_language(text: &str) -> Option<String> {
    use whatlang::Lang;
    // Only the languages a support desk is likely to staff: close relatives
    // outside it (Afrikaans for English, Galician for Portuguese) otherwise
    // win on short chat text.
    static DETECTOR: std::sync::LazyLock<whatlang::Detector> = std::sync::LazyLock::new(|| {
        whatlang::Detector::with_allowlist(vec![
            Lang::Eng,
            Lang::Por,
            Lang::Spa,
            Lang::Deu,
            Lang::Fra,
            Lang::Ita,
            Lang::Nld,
            Lang::Rus,
            Lang::Tur,
            Lang::Ara,
            Lang::Hin,
            Lang::Ind,
            Lang::Pol,
            Lang::Ukr,
            Lang::Jpn,
            Lang::Cmn,
            Lang::Kor,
        ])
    });
    let text = match text.char_indices().nth(LANGUAGE_SAMPLE_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    let detector = &*DETECTOR;
    let info = detector.detect(text)?;
    // whatlang's `is_reliable` is strict for chat-length text; a clear
    // winner is good enough to route by.
    if !info.is_reliable() && info.confidence() < 0.1 {
        return None;
    }
    let code = info.lang().code();
    let short = match code {
        "eng" => "en",
        "por" => "pt",
        "spa" => "es",
        "deu" => "de",
        "fra" => "fr",
        "ita" => "it",
        "nld" => "nl",
        "rus" => "ru",
        "tur" => "tr",
        "ara" => "ar",
        "hin" => "hi",
        "ind" => "id",
        "pol" => "pl",
        "ukr" => "uk",
        "jpn" => "ja",
        "cmn" => "zh",
        "kor" => "ko",
        other => other,
    };
    Some(short.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rule(id: i64, conditions: serde_json::Value) -> Rule {
        Rule::new(
            id,
            format!("r{id}"),
            serde_json::from_value(conditions).unwrap(),
            Action::Team {
                team_id: id,
                priority: 0,
            },
        )
        .unwrap()
    }

    fn facts(text: &str) -> Facts<'_> {
        Facts {
            text: Some(text),
            tier: "standard",
            language: None,
            business_number: "100",
            at: "2026-11-30T10:00:00Z".parse().unwrap(), // a Monday
        }
    }

    #[test]
    fn keywords_match_whole_words_case_insensitively() {
        let r = rule(1, serde_json::json!({"keywords": ["refund"]}));
        assert!(r.matches(&facts("I want a REFUND!")));
        assert!(!r.matches(&facts("refunded already")));
        assert!(!r.matches(&facts("hello")));
    }

    #[test]
    fn first_match_wins_in_order() {
        let rules = vec![
            rule(1, serde_json::json!({"tiers": ["vip"]})),
            rule(2, serde_json::json!({"regex": "order\\s+#?\\d+"})),
            rule(3, serde_json::json!({})),
        ];
        assert_eq!(first_match(&rules, &facts("order #42")).unwrap().id, 2);
        assert_eq!(first_match(&rules, &facts("hi")).unwrap().id, 3);
        let vip = Facts {
            tier: "VIP",
            ..facts("order 1")
        };
        assert_eq!(first_match(&rules, &vip).unwrap().id, 1);
    }

    #[test]
    fn business_hours_use_the_time_zone() {
        let r = rule(
            1,
            serde_json::json!({"hours": {"time_zone": "America/Sao_Paulo", "days": [1,2,3,4,5], "from": "09:00", "to": "18:00"}}),
        );
        // 10:00 UTC is 07:00 in São Paulo: closed.
        assert!(!r.matches(&facts("x")));
        let later = Facts {
            at: "2026-11-30T13:00:00Z".parse().unwrap(),
            ..facts("x")
        };
        assert!(r.matches(&later));
        let outside = rule(
            2,
            serde_json::json!({"hours": {"time_zone": "America/Sao_Paulo", "from": "09:00", "to": "18:00", "inside": false}}),
        );
        assert!(outside.matches(&facts("x")));
    }

    #[test]
    fn overnight_hours_belong_to_the_day_they_start_and_bad_days_are_refused() {
        let friday_night = Hours {
            time_zone: "Europe/Berlin".into(),
            days: vec![5],
            from: "22:00".into(),
            to: "06:00".into(),
            inside: true,
        }
        .compile()
        .unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // 2026-12-04 is a Friday; Berlin is UTC+1 in December.
        assert!(!friday_night.matches(at("2026-12-04T20:59:00Z")));
        assert!(friday_night.matches(at("2026-12-04T21:00:00Z")));
        assert!(
            friday_night.matches(at("2026-12-05T04:59:00Z")),
            "Saturday 05:59, still Friday's night"
        );
        assert!(!friday_night.matches(at("2026-12-05T05:00:00Z")));
        assert!(
            !friday_night.matches(at("2026-12-05T21:30:00Z")),
            "Saturday's own night is not Friday's"
        );
        let bad = Hours {
            days: vec![0],
            ..Hours {
                time_zone: "UTC".into(),
                days: Vec::new(),
                from: "09:00".into(),
                to: "17:00".into(),
                inside: true,
            }
        };
        assert!(matches!(bad.compile(), Err(RuleError::Day(0))));
    }

    fn open_hours(tz: &str, days: Vec<u32>, from: &str, to: &str) -> OpenHours {
        Hours {
            time_zone: tz.into(),
            days,
            from: from.into(),
            to: to.into(),
            inside: true,
        }
        .compile()
        .unwrap()
    }

    #[test]
    fn open_time_skips_nights_and_weekends() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let mins = |d: chrono::Duration| d.num_minutes();
        // São Paulo is UTC-3 all year; 2026-12-03 is a Thursday.
        let week = open_hours("America/Sao_Paulo", vec![1, 2, 3, 4, 5], "09:00", "18:00");
        // Thursday 17:30 → Friday 09:30 local: 30 + 30 minutes.
        let (thu_1730, fri_0930) = (at("2026-12-03T20:30:00Z"), at("2026-12-04T12:30:00Z"));
        assert_eq!(mins(week.open_between(thu_1730, fri_0930)), 60);
        assert_eq!(
            week.after_open(thu_1730, chrono::Duration::hours(1)),
            Some(fri_0930)
        );
        // Friday 17:00 → Monday 10:00: one hour each side of the weekend.
        let (fri_17, mon_10) = (at("2026-12-04T20:00:00Z"), at("2026-12-07T13:00:00Z"));
        assert_eq!(mins(week.open_between(fri_17, mon_10)), 120);
        assert_eq!(
            week.after_open(fri_17, chrono::Duration::minutes(90)),
            Some(at("2026-12-07T12:30:00Z"))
        );
        // Entirely outside the hours: a Saturday, a night.
        let sat = at("2026-12-05T13:00:00Z");
        assert_eq!(
            week.open_between(sat, sat + chrono::Duration::hours(5)),
            chrono::Duration::zero()
        );
        assert_eq!(
            week.open_between(at("2026-12-03T21:30:00Z"), at("2026-12-04T11:00:00Z")),
            chrono::Duration::zero()
        );
        assert_eq!(
            week.open_between(fri_0930, thu_1730),
            chrono::Duration::zero()
        );
        // A whole week: five days of nine hours.
        assert_eq!(
            week.open_between(sat, sat + chrono::Duration::days(7))
                .num_hours(),
            45
        );
        assert_eq!(week.after_open(sat, chrono::Duration::zero()), Some(sat));
        // Inside the hours the open time is the wall time.
        assert_eq!(
            mins(week.open_between(at("2026-12-03T13:00:00Z"), at("2026-12-03T14:15:00Z"))),
            75
        );
        // Overnight hours count from the day they start.
        let night = open_hours("UTC", vec![5], "22:00", "06:00");
        assert_eq!(
            night
                .open_between(at("2026-12-04T00:00:00Z"), at("2026-12-06T00:00:00Z"))
                .num_hours(),
            8
        );
        assert_eq!(
            night.after_open(at("2026-12-01T00:00:00Z"), chrono::Duration::hours(3)),
            Some(at("2026-12-05T01:00:00Z"))
        );
        // Never open: no due time.
        let never = open_hours("UTC", vec![], "09:00", "09:00");
        assert_eq!(never.after_open(sat, chrono::Duration::hours(1)), None);
    }

    #[test]
    fn open_time_follows_the_wall_clock_across_a_clock_change() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let early = open_hours("Europe/Berlin", vec![], "01:00", "04:00");
        // 2026-03-29: 02:00 → 03:00 (CET → CEST); 01:00–04:00 lasts two hours.
        let (sun, mon) = (at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z"));
        assert_eq!(early.open_between(sun, mon).num_minutes(), 120);
        assert_eq!(
            early
                .open_between(sun - chrono::Duration::days(1), sun)
                .num_minutes(),
            180
        );
        // Two and a half hours: the change day's two, then 01:30 CEST next day.
        assert_eq!(
            early.after_open(sun, chrono::Duration::minutes(150)),
            Some(at("2026-03-29T23:30:00Z"))
        );
        // 2026-10-25: 03:00 → 02:00 (CEST → CET); 01:00–04:00 lasts four hours.
        let (sun, mon) = (at("2026-10-24T22:00:00Z"), at("2026-10-25T23:00:00Z"));
        assert_eq!(early.open_between(sun, mon).num_minutes(), 240);
        // Hours starting inside the skipped hour open when it ends.
        let skipped = open_hours("Europe/Berlin", vec![], "02:30", "05:00");
        assert_eq!(
            skipped
                .open_between(at("2026-03-28T23:00:00Z"), at("2026-03-29T22:00:00Z"))
                .num_minutes(),
            120
        );
    }

    #[test]
    fn outcomes_follow_the_action_and_the_bot_handover() {
        let team = Action::Team {
            team_id: 7,
            priority: 2,
        };
        assert_eq!(
            team.outcome(Some("x")),
            Outcome::Queue {
                team_id: 7,
                priority: 2
            }
        );
        let bot = Action::Bot(BotScript {
            replies: vec![CannedReply {
                keyword: "hours".into(),
                text: "9 to 5".into(),
            }],
            fallback: None,
            handover_keywords: vec!["human".into()],
            handover_team_id: Some(3),
            handover_priority: 1,
            ..BotScript::default()
        });
        assert_eq!(
            bot.outcome(Some("a HUMAN please")),
            Outcome::Queue {
                team_id: 3,
                priority: 1
            }
        );
        assert_eq!(
            bot.outcome(Some("your hours?")),
            Outcome::Bot {
                reply: Some("9 to 5".into())
            }
        );
        assert_eq!(bot.outcome(None), Outcome::Bot { reply: None });
        assert_eq!(bot.team_ids(), vec![3]);
    }

    #[test]
    fn invalid_rules_are_refused() {
        let bad = |c: serde_json::Value| {
            Rule::new(
                1,
                "x".into(),
                serde_json::from_value(c).unwrap(),
                Action::Team {
                    team_id: 1,
                    priority: 0,
                },
            )
            .is_err()
        };
        assert!(bad(serde_json::json!({"regex": "("})));
        assert!(bad(
            serde_json::json!({"hours": {"time_zone": "Mars/Base", "from": "09:00", "to": "10:00"}})
        ));
    }

    #[test]
    fn language_is_detected_for_clear_text() {
        assert_eq!(
            detect_language("Bom dia, não recebi a minha encomenda e preciso de ajuda, obrigado")
                .as_deref(),
            Some("pt")
        );
        assert_eq!(
            detect_language("Hello, I would like to know where my order is, please help me")
                .as_deref(),
            Some("en")
        );
    }

    #[test]
    fn a_long_message_is_told_by_its_opening() {
        let portuguese = "Bom dia, não recebi a minha encomenda e preciso de ajuda, obrigado. ";
        let english = "Hello, I would like to know where my order is, please help me. ";
        let opening = portuguese.repeat(4);
        assert!(opening.chars().count() >= LANGUAGE_SAMPLE_CHARS);
        let long = format!("{opening}{}", english.repeat(2000));
        assert_eq!(detect_language(&long).as_deref(), Some("pt"));
        // A multi-byte character across the cut is not split.
        let accents = "ã".repeat(LANGUAGE_SAMPLE_CHARS * 2);
        let _ = detect_language(&accents);
        assert_eq!(detect_language(&english.repeat(500)).as_deref(), Some("en"));
    }
}
