//! The statements that write events to the database: a partition's events
//! (or a single one, a batch of one) in ONE transaction with a small,
//! near-constant number of statements per batch instead of 7–10 per event
//! (on SQLite every statement is a round trip to sqlx's worker thread, on
//! PostgreSQL one to the server). What an event does is decided in
//! `sessions` (the same outcome as applying the events one by one, in
//! order); this module only groups the statements. Per run
//! of consecutive messages: one look-up each for already-applied ids,
//! business numbers, contacts and latest conversations; one multi-row
//! insert each of the new contacts and the new conversations; one
//! version-checked touch of the cached conversations, one touch of the
//! others; one multi-row insert of the messages. Per batch: one multi-row
//! insert of the lifecycle records. Statuses, profile-name changes,
//! reopened conversations, routing by a matching rule and assignment keep
//! statements of their own. The transaction and the session cache live in
//! `apply`, acking and the one-by-one fallback in `router`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::conversation_snooze::EndReason;
use entities::{contact, conversation, message, message_event};
use sea_orm::sea_query::{CaseStatement, Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    QueryFilter, QuerySelect, QueryTrait,
};

use crate::envelope::{Contact, EventBody, InboundEvent, InboundMessage};
use crate::lifecycle::StageRecord;
use crate::router::session_cache::SessionCache;
use crate::router::sessions::{self, Applied, Opening, SessionPolicy};
use crate::routing::{self, BotScript, Rule};

/// Values per `IN (…)` list and rows per multi-row insert: far below
/// SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const CHUNK: usize = 500;

/// A conversation by (business number id, contact id).
type Pair = (i64, i64);

/// Writes `events` in order inside `txn` (see the module docs); the
/// outcome of each event, the same as writing them one by one. Writes the
/// lifecycle records `stages` gives for each outcome. Nothing is put into
/// `cache` (the caller remembers what committed); stale entries are dropped.
///
/// # Errors
/// Database errors; the caller rolls the whole batch back.
pub(crate) async fn write<C, F>(
    txn: &C,
    policy: SessionPolicy,
    events: &[&InboundEvent],
    cache: Option<&SessionCache>,
    stages: &F,
) -> Result<Vec<Applied>, DbErr>
where
    C: ConnectionTrait,
    F: Fn(usize, &Applied) -> Option<(i64, Vec<StageRecord>)>,
{
    let mut batch = Batch {
        txn,
        policy,
        cache,
        now: Utc::now(),
        seen: HashSet::new(),
        numbers: HashMap::new(),
        contacts: HashMap::new(),
        aliases: HashMap::new(),
        live: HashMap::new(),
        rules: None,
    };
    let mut out: Vec<Option<Applied>> = vec![None; events.len()];
    let mut i = 0;
    while i < events.len() {
        match &events[i].body {
            EventBody::Message(message) if message.echo => {
                out[i] = Some(sessions::apply_echo(txn, events[i], message).await?);
                i += 1;
            }
            // A run of customer messages; one that reads as a satisfaction
            // answer is a run of its own, so whether it answers is decided
            // for it alone, as one by one (rare: a lone digit or a picked
            // choice).
            EventBody::Message(message) => {
                let end = if crate::csat::answer(message).is_some() {
                    i + 1
                } else {
                    events[i + 1..]
                        .iter()
                        .position(|e| {
                            !matches!(&e.body, EventBody::Message(m)
                                if !m.echo && crate::csat::answer(m).is_none())
                        })
                        .map_or(events.len(), |n| i + 1 + n)
                };
                batch.messages(&events[i..end], &mut out[i..end]).await?;
                i = end;
            }
            // Finds the messages of earlier runs: they are inserted by now.
            EventBody::Status(status) => {
                out[i] = Some(sessions::apply_status(txn, events[i], status).await?);
                i += 1;
            }
            EventBody::Update(update) => {
                crate::router::updates::apply(txn, events[i], update).await?;
                out[i] = Some(Applied::Recorded);
                i += 1;
            }
            // Unparsed events never reach a batch (the router parks them);
            // here they change nothing either.
            EventBody::Session(_) | EventBody::Unparsed(_) => {
                out[i] = Some(Applied::Ignored);
                i += 1;
            }
        }
    }
    let applied = out
        .into_iter()
        .map(|a| a.ok_or_else(|| DbErr::Custom("an event of the batch was not applied".into())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut records = Vec::new();
    for (i, outcome) in applied.iter().enumerate() {
        if let Some((message_id, stages)) = stages(i, outcome) {
            records.extend(
                stages
                    .into_iter()
                    .map(|record| crate::lifecycle::row(message_id, record)),
            );
        }
    }
    while !records.is_empty() {
        let rest = records.split_off(records.len().min(CHUNK * 2));
        message_event::Entity::insert_many(std::mem::replace(&mut records, rest))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(applied)
}

/// What the batch knows inside its transaction: on SQLite the transaction
/// holds the write lock, on PostgreSQL every conversation it wrote is
/// row-locked until the commit, so its copies stay the truth until then.
struct Batch<'a, C> {
    txn: &'a C,
    policy: SessionPolicy,
    cache: Option<&'a SessionCache>,
    now: DateTime<Utc>,
    /// (provider, provider message id) of the batch's messages so far: a
    /// second copy inside the batch is a duplicate.
    seen: HashSet<(String, String)>,
    /// Business number ids by phone number id (a row never changes id).
    numbers: HashMap<String, i64>,
    /// Contacts by their key (`wa_id`), as written by this batch.
    contacts: HashMap<String, contact::Model>,
    /// Keys of those contacts by their BSUID and by their phone number.
    aliases: HashMap<String, String>,
    /// Conversations this batch touched, as they are now.
    live: HashMap<Pair, conversation::Model>,
    /// Routing rules, loaded when the first conversation opens.
    rules: Option<Vec<Rule>>,
}

/// A message of the run that is not a duplicate.
struct Fresh<'e> {
    /// Position in the run.
    at: usize,
    event: &'e InboundEvent,
    message: &'e InboundMessage,
    pair: Pair,
}

/// A message's outcome before its row id is known.
struct Pending {
    at: usize,
    conversation: conversation::Model,
    opened: bool,
    changed: bool,
    bot: Option<BotScript>,
    woke: bool,
}

impl<C: ConnectionTrait> Batch<'_, C> {
    /// A run of consecutive message events, outcomes into `out`.
    async fn messages(
        &mut self,
        events: &[&InboundEvent],
        out: &mut [Option<Applied>],
    ) -> Result<(), DbErr> {
        let messages: Vec<(usize, &InboundEvent, &InboundMessage)> = events
            .iter()
            .enumerate()
            .filter_map(|(at, event)| match &event.body {
                EventBody::Message(message) => Some((at, *event, message)),
                _ => None,
            })
            .collect();
        // Layer 3 of dedupe: stored before, or earlier in this batch.
        let stored = self.stored(&messages).await?;
        let mut fresh = Vec::with_capacity(messages.len());
        for (at, event, message) in messages {
            let key = (event.provider.as_str().to_owned(), message.id.clone());
            if stored.contains(&key) || !self.seen.insert(key) {
                out[at] = Some(Applied::Duplicate);
            } else {
                fresh.push((at, event, message));
            }
        }
        if fresh.is_empty() {
            return Ok(());
        }
        self.load_numbers(&fresh).await?;
        self.load_contacts(&fresh).await?;
        self.insert_contacts(&fresh).await?;
        let mut run = Vec::with_capacity(fresh.len());
        for (at, event, message) in fresh {
            let contact_id = self.upsert_contact(event).await?;
            // A STOP (or START) alone: the contact's marketing choice, as
            // Meta's own opt-out button records it (`updates.rs`).
            if let Some(stop) = message
                .text
                .as_deref()
                .filter(|_| message.message_type == "text")
                .and_then(crate::contacts::marketing_keyword)
            {
                contact::Entity::update_many()
                    .col_expr(
                        contact::Column::MarketingOptOutAt,
                        Expr::value(stop.then_some(message.timestamp)),
                    )
                    .col_expr(contact::Column::UpdatedAt, Expr::value(self.now))
                    .filter(contact::Column::Id.eq(contact_id))
                    .exec(self.txn)
                    .await?;
            }
            let number_id = self.numbers[&event.business_number];
            run.push(Fresh {
                at,
                event,
                message,
                pair: (number_id, contact_id),
            });
        }
        let (mut opened, mut woke, answered) = self.conversations(&run).await?;
        let mut pending = Vec::with_capacity(run.len());
        for item in &run {
            let opened = opened.remove(&item.pair);
            let woke = woke.remove(&item.pair);
            let conversation = self.live[&item.pair].clone();
            let key = self.key_of(&item.event.contact);
            let contact = &self.contacts[&key];
            let routed = sessions::route(
                self.txn,
                item.event,
                item.message,
                contact,
                conversation,
                opened,
                &mut self.rules,
            )
            .await?;
            if routed.language != contact.language
                && let Some(contact) = self.contacts.get_mut(&key)
            {
                contact.language.clone_from(&routed.language);
            }
            let (conversation, assigned) =
                sessions::assign_queued(self.txn, routed.conversation, routed.language.as_deref())
                    .await?;
            self.live.insert(item.pair, conversation.clone());
            pending.push(Pending {
                at: item.at,
                conversation,
                opened,
                changed: routed.changed || assigned,
                bot: routed.bot,
                woke,
            });
        }
        let ids = self.insert_messages(&run).await?;
        for item in &run {
            crate::router::marks::apply(self.txn, item.event, item.message).await?;
        }
        // Answers are recorded after their message rows (whose insert
        // started clocks the answer stops); the conversation stays
        // resolved, so a later run of the batch reads it again.
        for (pending, item) in pending.iter_mut().zip(&run) {
            if let Some(score) = answered.get(&item.pair) {
                pending.conversation = crate::csat::settle_answer(
                    self.txn,
                    &pending.conversation,
                    *score,
                    item.message.timestamp,
                )
                .await?;
                self.live.remove(&item.pair);
            }
        }
        for (pending, message_id) in pending.into_iter().zip(ids) {
            out[pending.at] = Some(Applied::Message {
                conversation_id: pending.conversation.id,
                message_id,
                conversation: Box::new(pending.conversation),
                opened: pending.opened,
                changed: pending.changed,
                bot: pending.bot,
                woke: pending.woke,
            });
        }
        Ok(())
    }

    /// (provider, provider message id) of the run's messages already stored.
    ///
    /// On PostgreSQL planned for its values every time (`plan_cache_mode =
    /// force_custom_plan` around these statements only): a generic plan
    /// cached while `messages` was small kept `provider_message_id IN (…)`
    /// as a filter over the provider's whole range of the unique index, so
    /// once the table had grown every batch read every message of the
    /// provider (a fresh deployment's first minutes under load, until an
    /// `ANALYZE` replans; the bench's routing nearly stopped in some runs).
    /// The price: two `SET LOCAL` round trips per batch (not per event) and
    /// one planning of the lookup; the alternative, a unique index led by
    /// `provider_message_id`, would rebuild the largest table's index.
    async fn stored(
        &self,
        messages: &[(usize, &InboundEvent, &InboundMessage)],
    ) -> Result<HashSet<(String, String)>, DbErr> {
        let postgres = self.txn.get_database_backend() == DatabaseBackend::Postgres;
        if postgres {
            self.txn
                .execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
                .await?;
        }
        let stored = self.stored_keys(messages).await?;
        if postgres {
            self.txn
                .execute_unprepared("SET LOCAL plan_cache_mode TO DEFAULT")
                .await?;
        }
        Ok(stored)
    }

    async fn stored_keys(
        &self,
        messages: &[(usize, &InboundEvent, &InboundMessage)],
    ) -> Result<HashSet<(String, String)>, DbErr> {
        let providers: HashSet<&str> = messages
            .iter()
            .map(|(_, e, _)| e.provider.as_str())
            .collect();
        let ids: Vec<&str> = messages.iter().map(|(_, _, m)| m.id.as_str()).collect();
        let mut stored = HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            let rows: Vec<(String, Option<String>)> = message::Entity::find()
                .select_only()
                .column(message::Column::Provider)
                .column(message::Column::ProviderMessageId)
                .filter(message::Column::Provider.is_in(providers.iter().copied()))
                .filter(message::Column::ProviderMessageId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(self.txn)
                .await?;
            stored.extend(
                rows.into_iter()
                    .filter_map(|(provider, id)| Some((provider, id?))),
            );
        }
        Ok(stored)
    }

    /// The run's business numbers into `numbers`; one the database does not
    /// know yet is created (`sessions::business_number`).
    async fn load_numbers(
        &mut self,
        fresh: &[(usize, &InboundEvent, &InboundMessage)],
    ) -> Result<(), DbErr> {
        let wanted: Vec<&str> = crate::db::distinct(
            fresh
                .iter()
                .map(|(_, e, _)| e.business_number.as_str())
                .filter(|n| !self.numbers.contains_key(*n)),
        );
        for chunk in wanted.chunks(CHUNK) {
            let rows = entities::business_number::Entity::find()
                .filter(
                    entities::business_number::Column::PhoneNumberId.is_in(chunk.iter().copied()),
                )
                .all(self.txn)
                .await?;
            for row in rows {
                let learnt = fresh
                    .iter()
                    .filter(|(_, e, _)| e.business_number == row.phone_number_id)
                    .find_map(|(_, e, _)| sessions::account_learnt(&row, e));
                if let Some(change) = learnt {
                    change.update(self.txn).await?;
                }
                self.numbers.insert(row.phone_number_id, row.id);
            }
        }
        for (_, event, _) in fresh {
            if !self.numbers.contains_key(&event.business_number) {
                let number = sessions::business_number(self.txn, event, self.now).await?;
                self.numbers.insert(number.phone_number_id, number.id);
            }
        }
        Ok(())
    }

    /// Keeps `row` as written, findable by key, BSUID and phone.
    fn remember(&mut self, row: contact::Model) {
        for alias in [&row.user_id, &row.phone].into_iter().flatten() {
            self.aliases.insert(alias.clone(), row.wa_id.clone());
        }
        self.contacts.insert(row.wa_id.clone(), row);
    }

    /// The key of `contact`'s row among those known (by BSUID first, as
    /// `contacts::pick`), or its own key when it has none yet.
    fn key_of(&self, contact: &Contact) -> String {
        contact
            .user_id
            .as_ref()
            .and_then(|u| self.aliases.get(u))
            .or_else(|| {
                self.contacts
                    .contains_key(&contact.wa_id)
                    .then_some(&contact.wa_id)
            })
            .or_else(|| contact.phone_number().and_then(|p| self.aliases.get(p)))
            .cloned()
            .unwrap_or_else(|| contact.wa_id.clone())
    }

    /// The run's known contacts into `contacts`.
    async fn load_contacts(
        &mut self,
        fresh: &[(usize, &InboundEvent, &InboundMessage)],
    ) -> Result<(), DbErr> {
        let unknown: Vec<&Contact> = fresh
            .iter()
            .map(|(_, e, _)| &e.contact)
            .filter(|c| !self.contacts.contains_key(&self.key_of(c)))
            .collect();
        for chunk in unknown.chunks(CHUNK) {
            let rows = contact::Entity::find()
                .filter(crate::contacts::condition_for(chunk.iter().copied()))
                .all(self.txn)
                .await?;
            for row in rows {
                self.remember(row);
            }
        }
        Ok(())
    }

    /// The run's new contacts in one multi-row insert, each as its first
    /// message brings it. Its language is detected from that message now:
    /// its first message always opens a conversation, whose routing would
    /// detect and store it (`sessions::route`) with one more statement.
    async fn insert_contacts(
        &mut self,
        fresh: &[(usize, &InboundEvent, &InboundMessage)],
    ) -> Result<(), DbErr> {
        // One new row per person: a later event of the run with the same
        // key, BSUID or phone finds the first one's row.
        let mut new: HashSet<&str> = HashSet::new();
        let mut rows = Vec::new();
        for (_, event, message) in fresh {
            let contact = &event.contact;
            let key = self.key_of(contact);
            if self.contacts.contains_key(&key) {
                // A known row this event teaches a BSUID (or phone): a later
                // event of the run naming only that finds the row, as it
                // would one by one once this event's update is written.
                for alias in [contact.user_id.as_deref(), contact.phone_number()]
                    .into_iter()
                    .flatten()
                {
                    if !self.aliases.contains_key(alias) && !new.contains(alias) {
                        self.aliases.insert(alias.to_owned(), key.clone());
                    }
                }
                continue;
            }
            let ids = [
                Some(contact.wa_id.as_str()),
                contact.user_id.as_deref(),
                contact.phone_number(),
            ];
            if ids.iter().flatten().any(|id| new.contains(id)) {
                continue;
            }
            new.extend(ids.into_iter().flatten());
            rows.push(crate::contacts::new_row(
                contact,
                message.text.as_deref().and_then(routing::detect_language),
                self.now,
            ));
        }
        while !rows.is_empty() {
            let rest = rows.split_off(rows.len().min(CHUNK));
            let inserted = contact::Entity::insert_many(std::mem::replace(&mut rows, rest))
                .exec_with_returning(self.txn)
                .await?;
            for row in inserted {
                self.remember(row);
            }
        }
        Ok(())
    }

    /// The event's contact: created when new, its profile name, username,
    /// BSUID or phone updated when the event brings new ones (the rules of
    /// `contacts`, as the one-by-one path).
    async fn upsert_contact(&mut self, event: &InboundEvent) -> Result<i64, DbErr> {
        let row = match self.contacts.get(&self.key_of(&event.contact)) {
            Some(row) => match crate::contacts::changes(row, &event.contact, self.now) {
                None => return Ok(row.id),
                Some(change) => change.update(self.txn).await?,
            },
            None => {
                crate::contacts::new_row(&event.contact, None, self.now)
                    .insert(self.txn)
                    .await?
            }
        };
        let id = row.id;
        self.remember(row);
        Ok(id)
    }

    /// Every conversation of the run into `live`, its message times moved to
    /// the run's latest message (what touching it once per message would
    /// leave): a cached one only if the row still has the cached version and
    /// message times (one version-checked update for all of them); the rest
    /// found (one look-up), reopened or opened as `sessions` decides; a
    /// snoozed one wakes (`crate::snooze`: the customer wrote; a statement
    /// only when one sleeps). Returns the pairs whose conversation opened
    /// or reopened, those that woke, and those whose message answered a
    /// satisfaction question (with the score; such a message is a run of
    /// its own, see [`write`]).
    async fn conversations(
        &mut self,
        run: &[Fresh<'_>],
    ) -> Result<(HashSet<Pair>, HashSet<Pair>, HashMap<Pair, i32>), DbErr> {
        let mut latest: HashMap<Pair, DateTime<Utc>> = HashMap::new();
        let mut pairs = Vec::new();
        let scores: HashMap<Pair, i32> = match run {
            [item] => crate::csat::answer(item.message)
                .map(|score| (item.pair, score))
                .into_iter()
                .collect(),
            _ => HashMap::new(),
        };
        let mut answered = HashMap::new();
        for item in run {
            let at = item.message.timestamp;
            let again = match latest.get_mut(&item.pair) {
                Some(t) => {
                    *t = (*t).max(at);
                    true
                }
                None => {
                    latest.insert(item.pair, at);
                    pairs.push(item.pair);
                    false
                }
            };
            if let Some(cache) = self.cache
                && (again || self.live.contains_key(&item.pair))
            {
                cache.served_by_batch();
            }
        }
        // Touched earlier in this batch: ours until the commit.
        let mut touch: Vec<conversation::Model> = pairs
            .iter()
            .filter_map(|p| self.live.get(p).cloned())
            .collect();
        let mut cached = Vec::new();
        if let Some(cache) = self.cache {
            for pair in pairs.iter().filter(|p| !self.live.contains_key(*p)) {
                if let Some(row) = cache
                    .get(pair.0, pair.1)
                    .await
                    .filter(|c| c.status != "resolved")
                {
                    cached.push(row);
                }
            }
        }
        if !cached.is_empty() {
            for row in self.touch_checked(&cached, &latest).await? {
                self.live
                    .insert((row.business_number_id, row.contact_id), row);
            }
            for row in &cached {
                let pair = (row.business_number_id, row.contact_id);
                if !self.live.contains_key(&pair)
                    && let Some(cache) = self.cache
                {
                    // Stale: read again below.
                    cache.forget(pair.0, pair.1).await;
                }
            }
        }
        let unknown: Vec<Pair> = pairs
            .iter()
            .copied()
            .filter(|p| !self.live.contains_key(p))
            .collect();
        let found = self.latest_conversations(&unknown).await?;
        let mut opened = HashSet::new();
        let mut new = Vec::new();
        for pair in unknown {
            let at = latest[&pair];
            let score = scores.get(&pair).copied();
            let row = match self
                .policy
                .opening(found.get(&pair), pair, (at, score), self.now)
            {
                Opening::Answers(row, score) => {
                    answered.insert(pair, score);
                    row.update(self.txn).await?
                }
                Opening::Joins(row) => {
                    touch.push(row.clone());
                    row
                }
                Opening::Reopens(reopened) => {
                    opened.insert(pair);
                    reopened.update(self.txn).await?
                }
                Opening::Opens(row) => {
                    opened.insert(pair);
                    new.push(row);
                    continue;
                }
            };
            self.live.insert(pair, row);
        }
        // New conversations in one multi-row insert, in first-message order.
        while !new.is_empty() {
            let rest = new.split_off(new.len().min(CHUNK));
            let inserted = conversation::Entity::insert_many(std::mem::replace(&mut new, rest))
                .exec_with_returning(self.txn)
                .await?;
            for row in inserted {
                self.live
                    .insert((row.business_number_id, row.contact_id), row);
            }
        }
        self.touch(&touch, &latest).await?;
        // The rows as touched are the truth (locked until the commit), so
        // whether one sleeps is read from them.
        let sleeping: Vec<i64> = pairs
            .iter()
            .filter_map(|p| self.live.get(p))
            .filter(|c| c.snoozed_until.is_some())
            .map(|c| c.id)
            .collect();
        let mut woke = HashSet::new();
        for row in crate::snooze::wake(self.txn, &sleeping, EndReason::Customer, self.now).await? {
            let pair = (row.business_number_id, row.contact_id);
            woke.insert(pair);
            self.live.insert(pair, row);
        }
        Ok((opened, woke, answered))
    }

    /// Moves the message times of the cached conversations whose rows still
    /// have the cached version and message times, in one update; returns
    /// the rows it moved (the others are stale).
    async fn touch_checked(
        &self,
        cached: &[conversation::Model],
        latest: &HashMap<Pair, DateTime<Utc>>,
    ) -> Result<Vec<conversation::Model>, DbErr> {
        let mut touched = Vec::with_capacity(cached.len());
        for chunk in cached.chunks(CHUNK / 4) {
            let mut unchanged = Condition::any();
            for row in chunk {
                let mut same = Condition::all()
                    .add(conversation::Column::Id.eq(row.id))
                    .add(conversation::Column::Version.eq(row.version))
                    .add(conversation::Column::LastMessageAt.eq(row.last_message_at));
                same = match row.last_inbound_at {
                    Some(at) => same.add(conversation::Column::LastInboundAt.eq(at)),
                    None => same.add(conversation::Column::LastInboundAt.is_null()),
                };
                unchanged = unchanged.add(same);
            }
            touched.extend(
                self.times_update(chunk, latest)
                    .filter(unchanged)
                    .exec_with_returning(self.txn)
                    .await?,
            );
        }
        Ok(touched)
    }

    /// Moves the message times of conversations this batch holds (found,
    /// or touched by an earlier run), in one update; `live` takes the rows
    /// as they are now (on PostgreSQL a claim may have committed since they
    /// were read; from here on the rows are locked until the commit).
    async fn touch(
        &mut self,
        rows: &[conversation::Model],
        latest: &HashMap<Pair, DateTime<Utc>>,
    ) -> Result<(), DbErr> {
        for chunk in rows.chunks(CHUNK / 4) {
            let moved = self
                .times_update(chunk, latest)
                .exec_with_returning(self.txn)
                .await?;
            if moved.len() != chunk.len() {
                return Err(DbErr::Custom(format!(
                    "touched {} of {} conversations",
                    moved.len(),
                    chunk.len()
                )));
            }
            for row in moved {
                self.live
                    .insert((row.business_number_id, row.contact_id), row);
            }
        }
        Ok(())
    }

    /// `UPDATE conversations SET` each row's message times moved to its
    /// pair's latest message `WHERE id IN (…)`.
    fn times_update(
        &self,
        rows: &[conversation::Model],
        latest: &HashMap<Pair, DateTime<Utc>>,
    ) -> sea_orm::UpdateMany<conversation::Entity> {
        let mut message_at = CaseStatement::new();
        let mut inbound_at = CaseStatement::new();
        for row in rows {
            let (last_message_at, last_inbound_at) =
                sessions::message_times(row, latest[&(row.business_number_id, row.contact_id)]);
            message_at = message_at.case(conversation::Column::Id.eq(row.id), last_message_at);
            inbound_at = inbound_at.case(conversation::Column::Id.eq(row.id), last_inbound_at);
        }
        let message_at = message_at.finally(Expr::col(conversation::Column::LastMessageAt));
        let inbound_at = inbound_at.finally(Expr::col(conversation::Column::LastInboundAt));
        conversation::Entity::update_many()
            .col_expr(conversation::Column::LastMessageAt, message_at.into())
            .col_expr(conversation::Column::LastInboundAt, inbound_at.into())
            .col_expr(conversation::Column::UpdatedAt, self.now.into())
            .filter(conversation::Column::Id.is_in(rows.iter().map(|r| r.id)))
    }

    /// The latest conversation of each pair that has one.
    async fn latest_conversations(
        &self,
        pairs: &[Pair],
    ) -> Result<HashMap<Pair, conversation::Model>, DbErr> {
        let mut by_number: HashMap<i64, Vec<i64>> = HashMap::new();
        for (number_id, contact_id) in pairs {
            by_number.entry(*number_id).or_default().push(*contact_id);
        }
        let mut found = HashMap::new();
        for (number_id, contacts) in by_number {
            for chunk in contacts.chunks(CHUNK) {
                let newest = Query::select()
                    .expr(Func::max(Expr::col(conversation::Column::Id)))
                    .from(conversation::Entity)
                    .and_where(conversation::Column::BusinessNumberId.eq(number_id))
                    .and_where(conversation::Column::ContactId.is_in(chunk.iter().copied()))
                    .group_by_col(conversation::Column::ContactId)
                    .to_owned();
                let rows = conversation::Entity::find()
                    .filter(conversation::Column::Id.in_subquery(newest))
                    .all(self.txn)
                    .await?;
                found.extend(
                    rows.into_iter()
                        .map(|r| ((r.business_number_id, r.contact_id), r)),
                );
            }
        }
        Ok(found)
    }

    /// The run's message rows, in arrival order, in multi-row inserts;
    /// their ids in the same order. Fails (and so rolls the batch back)
    /// unless the ids increase in arrival order.
    async fn insert_messages(&self, run: &[Fresh<'_>]) -> Result<Vec<i64>, DbErr> {
        let mut ids = Vec::with_capacity(run.len());
        for chunk in run.chunks(CHUNK) {
            let rows = chunk.iter().map(|item| {
                crate::router::marks::inbound_row(
                    self.live[&item.pair].id,
                    item.event,
                    item.message,
                    self.now,
                )
            });
            let mut insert = message::Entity::insert_many(rows).into_query();
            insert.returning(Query::returning().columns([
                message::Column::Id,
                message::Column::Provider,
                message::Column::ProviderMessageId,
            ]));
            let mut by_key = HashMap::with_capacity(chunk.len());
            for row in self.txn.query_all(&insert).await? {
                let id: i64 = row.try_get("", "id")?;
                let provider: String = row.try_get("", "provider")?;
                let key: Option<String> = row.try_get("", "provider_message_id")?;
                by_key.insert((provider, key.unwrap_or_default()), id);
            }
            for item in chunk {
                let key = (
                    item.event.provider.as_str().to_owned(),
                    item.message.id.clone(),
                );
                let id = by_key.get(&key).copied().ok_or_else(|| {
                    DbErr::Custom(format!("no id returned for message {}", item.message.id))
                })?;
                if ids.last().is_some_and(|last| *last >= id) {
                    return Err(DbErr::Custom(
                        "message ids of the batch insert are not in arrival order".into(),
                    ));
                }
                ids.push(id);
            }
        }
        Ok(ids)
    }
}
