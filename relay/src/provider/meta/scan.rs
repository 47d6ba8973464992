//! A cautious JSON reader for the common way ([`super::fast`]): it reads
//! a body in one pass, borrowing every string it can, and gives up
//! (`None`) on anything it is not sure `serde_json` reads the same way.
//! Giving up is always safe there: the delivery then goes to the general
//! parser, which reads (or refuses) it in full.
//!
//! It accepts only what `serde_json::Value` accepts, and reads it alike:
//! - the text is UTF-8 (checked once, up front);
//! - strings hold no control character, only the JSON escapes, and no
//!   unpaired surrogate (`\ud83d` alone is refused by `serde_json`);
//! - numbers follow JSON's grammar; one with an exponent, or with more
//!   than [`MAX_DIGITS`] digits before the point, is given up on (only
//!   those can leave `f64`'s range, which `serde_json` refuses);
//! - nesting deeper than [`MAX_DEPTH`] is given up on (`serde_json` stops
//!   at 128);
//! - nothing but whitespace follows the value.

use std::borrow::Cow;

/// Nesting the reader follows; deeper, it gives up.
pub(super) const MAX_DEPTH: u32 = 100;

/// Digits before a number's point the reader accepts: far from where
/// `f64` overflows (309).
pub(super) const MAX_DIGITS: usize = 300;

/// A position in a JSON text.
pub(super) struct Cursor<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`; `None` when they are not UTF-8
    /// (checked as `std` checks, many bytes at a time).
    pub(super) fn new(bytes: &'a [u8]) -> Option<Self> {
        Some(Self {
            text: simdutf8::basic::from_utf8(bytes).ok()?,
            at: 0,
            depth: 0,
        })
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.at) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `byte`, after whitespace.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// Where the next value starts (after whitespace).
    pub(super) fn start(&mut self) -> Option<usize> {
        self.peek().map(|_| self.at)
    }

    /// The text from `start` to here.
    pub(super) fn since(&self, start: usize) -> &'a str {
        self.text.get(start..self.at).unwrap_or_default()
    }

    /// Only whitespace is left.
    pub(super) fn end(mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// A string, borrowed when it holds no escape.
    pub(super) fn string(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.at;
        let plain = self.plain_run();
        match self.bytes().get(plain)? {
            b'"' => {
                self.at = plain + 1;
                self.text.get(start..plain).map(Cow::Borrowed)
            }
            b'\\' => {
                let mut out = String::with_capacity(plain - start + 16);
                out.push_str(self.text.get(start..plain)?);
                self.at = plain;
                self.escaped(&mut out)?;
                Some(Cow::Owned(out))
            }
            _ => None,
        }
    }

    /// The end of the run of plain string bytes from `self.at`: the
    /// index of the next `"`, `\` or control byte (or the text's end).
    fn plain_run(&self) -> usize {
        let rest = self.bytes().get(self.at..).unwrap_or_default();
        // Most strings (keys, ids, numbers) are short: looked at byte by
        // byte first.
        const SHORT: usize = 24;
        let head = rest.get(..SHORT).unwrap_or(rest);
        if let Some(i) = head
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        {
            return self.at + i;
        }
        if head.len() == rest.len() {
            return self.at + rest.len();
        }
        let stop = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
        let run = rest.get(..stop).unwrap_or_default();
        // Checked whole, without stopping early (the compiler does it many
        // bytes at a time); a control byte is rare.
        if run.iter().fold(u8::MAX, |least, &b| least.min(b)) < 0x20 {
            self.at + run.iter().position(|&b| b < 0x20).unwrap_or(stop)
        } else {
            self.at + stop
        }
    }

    /// The rest of a string with escapes, from a `\`, into `out`, through
    /// the closing quote.
    fn escaped(&mut self, out: &mut String) -> Option<()> {
        loop {
            let bytes = self.bytes();
            match *bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    let c = match *bytes.get(self.at + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            self.at += 2;
                            let unit = self.hex4()?;
                            let c = match unit {
                                0xD800..=0xDBFF => {
                                    // A leading surrogate, which only a
                                    // trailing one may follow.
                                    if bytes.get(self.at..self.at + 2)? != b"\\u" {
                                        return None;
                                    }
                                    self.at += 2;
                                    let low = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&low) {
                                        return None;
                                    }
                                    char::from_u32(
                                        0x1_0000 + ((unit - 0xD800) << 10) + (low - 0xDC00),
                                    )?
                                }
                                // A trailing surrogate alone is no char.
                                unit => char::from_u32(unit)?,
                            };
                            out.push(c);
                            continue;
                        }
                        _ => return None,
                    };
                    out.push(c);
                    self.at += 2;
                }
                _ => {
                    let end = self.plain_run();
                    if end == self.at {
                        // A control byte, or the text's end.
                        return None;
                    }
                    out.push_str(self.text.get(self.at..end)?);
                    self.at = end;
                }
            }
        }
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// `null` (consumed) or not (nothing consumed).
    pub(super) fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.bytes().get(self.at..self.at + 4) == Some(b"null") {
            self.at += 4;
            true
        } else {
            false
        }
    }

    /// A string or `null`.
    pub(super) fn string_or_null(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null() {
            Some(None)
        } else {
            self.string().map(Some)
        }
    }

    /// An object: `each` reads the value of every key.
    pub(super) fn object(
        &mut self,
        mut each: impl FnMut(&mut Self, &str) -> Option<()>,
    ) -> Option<()> {
        self.items(b'{', b'}', |c| {
            let key = c.string()?;
            c.expect(b':')?;
            each(c, &key)
        })
    }

    /// An array: `each` reads every item.
    pub(super) fn array(&mut self, each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.items(b'[', b']', each)
    }

    /// `open`, the items separated by commas, `close`.
    fn items(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.expect(open)?;
        self.nest()?;
        if self.peek()? != close {
            loop {
                item(self)?;
                match self.peek()? {
                    b',' => self.at += 1,
                    b if b == close => break,
                    _ => return None,
                }
            }
        }
        self.at += 1;
        self.depth -= 1;
        Some(())
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// Any value, checked and kept nowhere.
    pub(super) fn pass_over(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|c, _| c.pass_over()),
            b'[' => self.array(Self::pass_over),
            b'-' | b'0'..=b'9' => self.number(),
            _ => {
                for word in [&b"null"[..], b"true", b"false"] {
                    if self.bytes().get(self.at..self.at + word.len()) == Some(word) {
                        self.at += word.len();
                        return Some(());
                    }
                }
                None
            }
        }
    }

    /// A number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)?, no exponent.
    fn number(&mut self) -> Option<()> {
        let bytes = self.bytes();
        if bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let digits = |at: usize| {
            bytes.get(at..).map_or(0, |rest| {
                rest.iter().take_while(|b| b.is_ascii_digit()).count()
            })
        };
        let whole = digits(self.at);
        if whole == 0 || whole > MAX_DIGITS || (whole > 1 && bytes[self.at] == b'0') {
            return None;
        }
        self.at += whole;
        if bytes.get(self.at) == Some(&b'.') {
            let fraction = digits(self.at + 1);
            if fraction == 0 {
                return None;
            }
            self.at += 1 + fraction;
        }
        // An exponent (or anything glued on) is given up on.
        match bytes.get(self.at) {
            Some(b'e' | b'E') => None,
            _ => Some(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Whether the reader takes `text` whole as one value.
    fn takes(text: &str) -> bool {
        Cursor::new(text.as_bytes())
            .and_then(|mut c| {
                c.pass_over()?;
                c.end()
            })
            .is_some()
    }

    #[test]
    fn it_takes_only_what_serde_json_takes() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "12.5",
            "-0.001",
            "\"\"",
            "\"a \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 z\"",
            "{}",
            "[]",
            "{\"a\": [1, {\"b\": null}], \"a\": \"twice\"}",
            "[\"Zoë Ω 😀\"]",
        ] {
            assert!(takes(text), "{text}");
            assert!(serde_json::from_str::<Value>(text).is_ok(), "{text}");
        }
        // serde_json refuses each of these; the reader gives up on them.
        let refused = [
            "",
            "nul",
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e999",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\ud83d\\u0041\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\u{1}b\"",
            "\"open",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1: 2}",
            "[1] [2]",
            "tru",
        ];
        for text in refused {
            assert!(!takes(text), "{text}");
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        }
        // Taken by serde_json, given up on here: always allowed.
        assert!(!takes("1e5"));
        assert!(!takes(&format!("{}[]{}", "[".repeat(100), "]".repeat(100))));
        assert!(takes(&format!("{}{}", "[".repeat(99), "]".repeat(99))));
        assert!(!takes(&"9".repeat(MAX_DIGITS + 1)));
        assert!(Cursor::new(b"\"\xff\"").is_none());
    }

    proptest! {
        /// Text with one byte changed (a broken sequence, an overlong
        /// form, a surrogate's encoding): taken exactly when `std` takes it.
        #[test]
        fn bytes_are_taken_as_text_exactly_when_std_takes_them(
            text in "(?s).{0,80}",
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let mut bytes = text.into_bytes();
            if !bytes.is_empty() {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            prop_assert_eq!(Cursor::new(&bytes).is_some(), std::str::from_utf8(&bytes).is_ok());
        }
    }

    #[test]
    fn strings_read_as_serde_json_reads_them() {
        for text in [
            "\"plain, longer than eight bytes\"",
            "\"\\n\"",
            "\"tab\\there and \\u0000 nul\"",
            "\"\\u00e9t\\u00e9 \\ud83d\\ude00 \\\"q\\\" end of a long run\"",
        ] {
            let read = Cursor::new(text.as_bytes())
                .and_then(|mut c| c.string())
                .expect("read");
            assert_eq!(read, serde_json::from_str::<String>(text).expect("serde"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Any string serde_json writes, with escapes spelled out or not,
        /// reads back the same.
        #[test]
        fn any_string_reads_back(s in "\\PC{0,60}|[\\x00-\\x7f]{0,60}", ascii_escapes in any::<bool>()) {
            let mut text = serde_json::to_string(&s).expect("json");
            if ascii_escapes {
                // Every character beyond ASCII as \u escapes (pairs beyond
                // the basic plane), as some senders write them.
                let inner: String = s
                    .chars()
                    .flat_map(|c| match c {
                        '"' => vec!["\\\"".to_owned()],
                        '\\' => vec!["\\\\".to_owned()],
                        c if c.is_ascii() && !c.is_ascii_control() => vec![c.to_string()],
                        c => c
                            .encode_utf16(&mut [0u16; 2])
                            .iter()
                            .map(|u| format!("\\u{u:04x}"))
                            .collect(),
                    })
                    .collect();
                text = format!("\"{inner}\"");
            }
            let read = Cursor::new(text.as_bytes()).and_then(|mut c| {
                let s = c.string()?;
                c.end().map(|()| s)
            });
            prop_assert_eq!(read.as_deref(), Some(s.as_str()), "{}", text);
        }

        /// Any value serde_json writes is taken, laid out either way.
        #[test]
        fn any_value_serde_json_writes_is_taken(value in json_value()) {
            let compact = serde_json::to_string(&value).expect("json");
            prop_assert!(takes(&compact), "{}", compact);
            let pretty = serde_json::to_string_pretty(&value).expect("json");
            prop_assert!(takes(&pretty), "{}", pretty);
        }

        /// Whatever the reader takes, serde_json takes too.
        #[test]
        fn what_it_takes_serde_json_takes(text in "[\\[\\]{}\",:0-9a-z.\\\\ eE+-]{0,40}") {
            if takes(&text) {
                prop_assert!(serde_json::from_str::<Value>(&text).is_ok(), "{}", text);
            }
        }
    }

    /// Values without exponents (which serde_json never writes for
    /// integers, and which the reader gives up on).
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            "\\PC{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
