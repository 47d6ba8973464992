//! Names the field of a request body that poem-openapi refused. Its parse
//! errors say which type failed ("Expected input type \"AgentRole\"…") but,
//! for a missing field, a wrong enum value or anything nested, not which
//! field. On such an error the server checks the body against the
//! operation's schema in our own spec and answers `<field>: <reason>`, e.g.
//! `action.type: must be one of team, bot`. Only explains refusals; it never
//! accepts or refuses anything itself.

use serde_json::Value;

/// Where in a body, and why, the body does not fit the operation's schema
/// (`("role", "must be one of admin, supervisor, agent")`); `None` when the
/// operation is unknown or the check finds nothing (poem's message stands).
pub fn offending(spec: &Value, method: &str, path: &str, body: &[u8]) -> Option<(String, String)> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(err) => return Some(("body".to_owned(), format!("not valid JSON: {err}"))),
    };
    let operation = operation(spec, method, path)?;
    let content = operation.get("requestBody")?.get("content")?.as_object()?;
    let schema = content
        .iter()
        .find(|(ty, _)| ty.starts_with("application/json"))
        .map(|(_, c)| c)?
        .get("schema")?;
    let mut found = None;
    check(spec, schema, Some(&value), "", &mut found);
    found.map(|(field, reason)| {
        let field = if field.is_empty() {
            "body".to_owned()
        } else {
            field
        };
        (field, reason)
    })
}

/// The spec's operation for `method` on a concrete `path` (`/api/v1/agents/7`
/// matches `/api/v1/agents/{id}`).
fn operation<'s>(spec: &'s Value, method: &str, path: &str) -> Option<&'s Value> {
    let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    spec.get("paths")?
        .as_object()?
        .iter()
        .find(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == wanted.len()
                && parts
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| t == w || (t.starts_with('{') && t.ends_with('}')))
                && item.get(method.to_ascii_lowercase()).is_some()
        })
        .and_then(|(_, item)| item.get(method.to_ascii_lowercase()))
}

fn resolve<'s>(spec: &'s Value, schema: &'s Value) -> &'s Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| spec.get("components")?.get("schemas")?.get(name))
            .unwrap_or(schema),
        None => schema,
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Records the first misfit of `value` (absent: `None`) against `schema`.
fn check(
    spec: &Value,
    schema: &Value,
    value: Option<&Value>,
    at: &str,
    found: &mut Option<(String, String)>,
) {
    if found.is_some() {
        return;
    }
    let schema = resolve(spec, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            check(spec, part, value, at, found);
        }
        return;
    }
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return; // Absent optional values; required ones are checked by the parent.
    };
    let mut fail = |reason: String| *found = Some((at.to_owned(), reason));
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let names: Vec<String> = allowed
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            fail(format!("must be one of {}", names.join(", ")));
        }
        return;
    }
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => {
            let Some(s) = value.as_str() else {
                return fail("must be a string".to_owned());
            };
            let chars = s.chars().count() as f64;
            if let Some(min) = number("minLength").filter(|m| chars < *m) {
                return fail(format!("must be at least {min} characters"));
            }
            if let Some(max) = number("maxLength").filter(|m| chars > *m) {
                return fail(format!("must be at most {max} characters"));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                && regex::Regex::new(pattern).is_ok_and(|re| !re.is_match(s))
            {
                return fail(format!("must match {pattern}"));
            }
            if schema.get("format").and_then(Value::as_str) == Some("date-time")
                && chrono::DateTime::parse_from_rfc3339(s).is_err()
            {
                fail("must be an RFC 3339 date-time, e.g. 2026-12-05T09:00:00Z".to_owned());
            }
        }
        Some(ty @ ("integer" | "number")) => {
            let Some(n) = value.as_f64() else {
                return fail(format!(
                    "must be a{} {ty}",
                    if ty == "integer" { "n" } else { "" }
                ));
            };
            if ty == "integer" && !(value.is_i64() || value.is_u64()) {
                return fail("must be an integer".to_owned());
            }
            if let Some(min) = number("minimum").filter(|m| n < *m) {
                return fail(format!("must be at least {min}"));
            }
            if let Some(max) = number("maximum").filter(|m| n > *m) {
                fail(format!("must be at most {max}"));
            }
        }
        Some("boolean") if !value.is_boolean() => fail("must be true or false".to_owned()),
        Some("array") => {
            let Some(items) = value.as_array() else {
                return fail("must be an array".to_owned());
            };
            if let Some(min) = number("minItems").filter(|m| (items.len() as f64) < *m) {
                return fail(format!("must have at least {min} items"));
            }
            if let Some(max) = number("maxItems").filter(|m| items.len() as f64 > *m) {
                return fail(format!("must have at most {max} items"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(spec, item_schema, Some(item), &format!("{at}[{i}]"), found);
                }
            }
        }
        Some("object") => {
            let Some(object) = value.as_object() else {
                return fail("must be a JSON object".to_owned());
            };
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if object.get(name).is_none_or(Value::is_null) {
                        *found = Some((join(at, name), "is required".to_owned()));
                        return;
                    }
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    check(spec, property, object.get(name), &join(at, name), found);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        serde_json::json!({
            "paths": {"/api/v1/things/{id}": {"patch": {"requestBody": {"content": {
                "application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/ThingIn"}}}}}}},
            "components": {"schemas": {
                "Kind": {"type": "string", "enum": ["team", "bot"]},
                "Inner": {"type": "object", "required": ["kind"], "properties": {
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "days": {"type": "array", "minItems": 1, "items": {"type": "integer", "maximum": 7.0}},
                    "at": {"type": "string", "format": "date-time"}}},
                "ThingIn": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
                    "inner": {"allOf": [{"$ref": "#/components/schemas/Inner"}, {"description": "x"}]}}}
            }}
        })
    }

    fn field(body: &str) -> Option<(String, String)> {
        offending(&spec(), "PATCH", "/api/v1/things/7", body.as_bytes())
    }

    #[test]
    fn names_missing_wrongly_typed_and_nested_fields() {
        assert_eq!(field("{}"), Some(("name".into(), "is required".into())));
        assert_eq!(field(r#"{"name": null}"#).map(|f| f.0), Some("name".into()));
        assert_eq!(
            field(r#"{"name": 3}"#),
            Some(("name".into(), "must be a string".into()))
        );
        assert_eq!(
            field(r#"{"name": "A b"}"#).map(|f| f.0),
            Some("name".into())
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"kind": "human"}}"#),
            Some(("inner.kind".into(), "must be one of team, bot".into()))
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {}}"#).map(|f| f.0),
            Some("inner.kind".into())
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"kind": "bot", "days": [1, 9]}}"#).map(|f| f.0),
            Some("inner.days[1]".into())
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"kind": "bot", "days": []}}"#),
            Some(("inner.days".into(), "must have at least 1 items".into()))
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"kind": "bot", "at": "tomorrow"}}"#).map(|f| f.0),
            Some("inner.at".into())
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"kind": "bot", "at": "2026-12-05T09:00:00Z"}}"#),
            None
        );
        assert_eq!(field("[1]").map(|f| f.0), Some("body".into()));
        assert_eq!(field("{not json").map(|f| f.0), Some("body".into()));
    }

    #[test]
    fn a_fitting_body_or_an_unknown_operation_names_nothing() {
        assert_eq!(field(r#"{"name": "a", "inner": {"kind": "bot"}}"#), None);
        assert_eq!(
            offending(&spec(), "POST", "/api/v1/things/7", b"{}"),
            None,
            "no such operation"
        );
        assert_eq!(offending(&spec(), "PATCH", "/api/v1/other/7", b"{}"), None);
    }
}
