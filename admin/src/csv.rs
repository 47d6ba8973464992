//! CSV as the API reads and writes it (RFC 4180): the reports' and the
//! campaigns' exports, and the campaign audiences uploaded as CSV.

/// A CSV field: quoted when it holds a comma, quote or line break.
pub fn field(value: Option<&str>) -> String {
    let value = value.unwrap_or_default();
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// Why a CSV text could not be read: the line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct CsvError {
    pub line: usize,
    pub what: &'static str,
}

/// The records of `text`: fields split on commas, quoted fields may hold
/// commas, doubled quotes and line breaks; `\r\n` or `\n` end a record;
/// blank lines are dropped.
///
/// # Errors
/// A quote left open, or text after a closing quote, with its line.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut value = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if value.is_empty() && !quoted_field => {
                quoted_field = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            value.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            value.push(c);
                        }
                        None => {
                            return Err(CsvError {
                                line,
                                what: "a quote is not closed",
                            });
                        }
                    }
                }
                if !matches!(chars.peek(), None | Some(',' | '\n' | '\r')) {
                    return Err(CsvError {
                        line,
                        what: "text after a closing quote",
                    });
                }
            }
            ',' => {
                record.push(std::mem::take(&mut value));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut value));
                quoted_field = false;
                if !(record.len() == 1 && record[0].trim().is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
                line += 1;
            }
            c => value.push(c),
        }
    }
    if !value.is_empty() || !record.is_empty() || quoted_field {
        record.push(value);
        if !(record.len() == 1 && record[0].trim().is_empty()) {
            records.push(record);
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(field(Some("Care")), "Care");
        assert_eq!(field(Some("Care, EU")), "\"Care, EU\"");
        assert_eq!(field(Some("the \"A\" team")), "\"the \"\"A\"\" team\"");
        assert_eq!(field(None), "");
    }

    #[test]
    fn records_are_read_back_as_written() {
        let text = "phone,name\r\n+4915,\"Müller, Una\"\n\n4916,\"say \"\"hi\"\"\nthere\"\n4917,";
        let rows = parse(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rows,
            vec![
                vec!["phone".to_owned(), "name".to_owned()],
                vec!["+4915".to_owned(), "Müller, Una".to_owned()],
                vec!["4916".to_owned(), "say \"hi\"\nthere".to_owned()],
                vec!["4917".to_owned(), String::new()],
            ]
        );
        let round: Vec<String> = rows[2].iter().map(|f| field(Some(f))).collect();
        assert_eq!(
            parse(&round.join(",")).unwrap_or_default(),
            vec![rows[2].clone()]
        );
        assert!(parse("a,\"b").is_err());
        assert!(parse("a,\"b\"c").is_err());
    }
}
