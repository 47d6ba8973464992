//! Alerting: rules from `[alerts]` evaluated in the admin role, with
//! hysteresis, state in the hub's `WHARF_ALERTS` bucket, announcements to
//! webhook and Slack-compatible sinks, and `wharf_alerts_*` metrics.
//!
//! Why the admin role: it already samples the hub's streams for the queue
//! gauges, it is the only role that holds both the database (failed replies,
//! quiet numbers) and the hub's JetStream (backlog, dead letters, session
//! health), and it is off the message path — an evaluator that is slow or
//! stuck delays no webhook and no reply. Several admin servers may run: they
//! all evaluate, and the compare-and-set on each alert's record in the
//! bucket (see `store`) lets exactly one of them announce each transition.
//! Keeping the state in the bucket rather than in memory is also what lets a
//! restarted server carry on without re-announcing what is already firing.

pub mod evaluator;
pub mod rules;
pub mod sinks;
pub mod sources;
pub mod state;
pub mod store;

pub use evaluator::run;
pub use rules::{AlertSettings, Rule, RuleKind, SinkKind, SinkSettings};
