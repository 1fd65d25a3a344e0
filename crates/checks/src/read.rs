//! Reading kensa's own JSON (a report, a ledger) back from a parsed `serde_json::Value`.
//!
//! Written by hand rather than derived: serde's derived `Deserialize` compiles to a visitor
//! per type and field, which costs the playground's download ~20 KB of code, while these few
//! shapes need only a handful of field readers over the `Value` the engine parses anyway.

use serde_json::{Map, Value};

/// One JSON object being read; errors name the field's path, such as `groups[0].checks[2].code`.
pub(crate) struct Object<'a> {
    fields: &'a Map<String, Value>,
    path: String,
}

impl<'a> Object<'a> {
    pub(crate) fn of(value: &'a Value, path: &str) -> Result<Object<'a>, String> {
        match value {
            Value::Object(fields) => Ok(Object { fields, path: path.to_string() }),
            _ => Err(format!("{} is not an object", describe(path))),
        }
    }

    fn at(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// The field, `None` when absent or null.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|value| !value.is_null())
    }

    pub(crate) fn string(&self, key: &str) -> Result<String, String> {
        self.optional_string(key)?.ok_or_else(|| format!("missing {}", self.at(key)))
    }

    pub(crate) fn optional_string(&self, key: &str) -> Result<Option<String>, String> {
        self.get(key)
            .map(|value| value.as_str().map(str::to_string).ok_or_else(|| format!("{} is not a string", self.at(key))))
            .transpose()
    }

    pub(crate) fn number<T: TryFrom<u64>>(&self, key: &str) -> Result<T, String> {
        self.optional_number(key)?.ok_or_else(|| format!("missing {}", self.at(key)))
    }

    /// A non-negative integer that fits `T`, `None` when absent.
    pub(crate) fn optional_number<T: TryFrom<u64>>(&self, key: &str) -> Result<Option<T>, String> {
        self.get(key)
            .map(|value| {
                value
                    .as_u64()
                    .and_then(|number| T::try_from(number).ok())
                    .ok_or_else(|| format!("{} is not a number in range", self.at(key)))
            })
            .transpose()
    }

    pub(crate) fn object(&self, key: &str) -> Result<Option<Object<'a>>, String> {
        self.get(key).map(|value| Object::of(value, &self.at(key))).transpose()
    }

    /// Each element of an array field read by `read` (an absent field is an empty list).
    pub(crate) fn list<T>(
        &self,
        key: &str,
        mut read: impl FnMut(&'a Value, &str) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let Some(value) = self.get(key) else { return Ok(Vec::new()) };
        let items = value.as_array().ok_or_else(|| format!("{} is not an array", self.at(key)))?;
        let path = self.at(key);
        items.iter().enumerate().map(|(index, item)| read(item, &format!("{path}[{index}]"))).collect()
    }

    /// A string field that must be one of `names`, mapped to its value.
    pub(crate) fn one_of<T: Copy>(&self, key: &str, names: &[(&str, T)]) -> Result<T, String> {
        let name = self.string(key)?;
        names
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, value)| *value)
            .ok_or_else(|| format!("{} is not one of the known values", self.at(key)))
    }
}

/// `[name, value]` pairs, as headers are written.
pub(crate) fn string_pair(value: &Value, path: &str) -> Result<(String, String), String> {
    match value.as_array().map(Vec::as_slice) {
        Some([Value::String(name), Value::String(text)]) => Ok((name.clone(), text.clone())),
        _ => Err(format!("{} is not a [name, value] pair of strings", describe(path))),
    }
}

fn describe(path: &str) -> &str {
    if path.is_empty() { "the document" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_path_of_the_field() {
        let value = json!({"groups": [{"checks": [{"code": 7}]}], "count": -1, "pair": ["a"]});
        let top = Object::of(&value, "").unwrap();
        let codes = top.list("groups", |group, path| {
            Object::of(group, path)?.list("checks", |check, path| Object::of(check, path)?.string("code"))
        });
        assert_eq!(codes, Err("groups[0].checks[0].code is not a string".to_string()));
        assert_eq!(top.string("absent"), Err("missing absent".to_string()));
        assert_eq!(top.optional_number::<u16>("count"), Err("count is not a number in range".to_string()));
        assert_eq!(top.list("pair", string_pair), Err("pair[0] is not a [name, value] pair of strings".to_string()));
        assert_eq!(Object::of(&json!([]), "").err(), Some("the document is not an object".to_string()));
    }

    #[test]
    fn absent_and_null_fields_are_empty() {
        let value = json!({"note": null});
        let top = Object::of(&value, "").unwrap();
        assert_eq!(top.optional_string("note"), Ok(None));
        assert_eq!(top.list("items", string_pair), Ok(vec![]));
        assert_eq!(top.optional_number::<u64>("duration_ms"), Ok(None));
        assert!(top.object("position").unwrap().is_none());
    }
}
