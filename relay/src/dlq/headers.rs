//! Header names a dead letter carries besides the original headers: the
//! dead letter's wire format, written by the router and the sender, read by
//! the DLQ operations.
pub const ORIGIN_SUBJECT: &str = "Wharf-Origin-Subject";
pub const ORIGIN_SEQUENCE: &str = "Wharf-Origin-Sequence";
pub const ERROR: &str = "Wharf-Error";
pub const ATTEMPTS: &str = "Wharf-Attempts";
