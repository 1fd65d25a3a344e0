//! HTML forms as a browser submits them: the hidden fields of a page, form encoding.

/// `application/x-www-form-urlencoded` text of `pairs`, as a browser encodes a form.
pub fn form_encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        form.append_pair(name.as_ref(), value.as_ref());
    }
    form.finish()
}

/// The fields of a form body or query string, decoded.
pub fn form_fields(encoded: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(encoded.as_bytes()).into_owned().collect()
}

/// An HTML form as a browser would submit it: the `action` of the first `<form>` and the
/// `name`/`value` of its `<input type="hidden">` fields, entities decoded.
pub fn hidden_form(html: &str) -> Result<(String, Vec<(String, String)>), String> {
    let form = tags(html, "form").into_iter().next().ok_or("no <form>")?;
    let action = form.iter().find(|(key, _)| key == "action").map(|(_, value)| value.clone()).ok_or("no action")?;
    let mut fields = Vec::new();
    for input in tags(html, "input") {
        let get = |wanted: &str| input.iter().find(|(key, _)| key == wanted).map(|(_, value)| value.clone());
        if get("type").as_deref() != Some("hidden") {
            continue;
        }
        fields.push((get("name").ok_or("an input without a name")?, get("value").unwrap_or_default()));
    }
    Ok((action, fields))
}

/// The double-quoted attributes of every `<name ...>` start tag.
fn tags(html: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let open = format!("<{name} ");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let end = after.find('>').unwrap_or(after.len());
        let mut attributes = Vec::new();
        let mut inside = &after[..end];
        while let Some(eq) = inside.find("=\"") {
            let key = inside[..eq].trim().to_string();
            let value_start = &inside[eq + 2..];
            let Some(close) = value_start.find('"') else { break };
            attributes.push((key, unescape_html(&value_start[..close])));
            inside = &value_start[close + 1..];
        }
        found.push(attributes);
        rest = &after[end..];
    }
    found
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forms() {
        let page = "<form method=\"post\" action=\"http://h/sso?a=1&amp;b=2\">\n<input type=\"hidden\" name=\"email\" value=\"a@b &quot;c&quot;\">\n<input type=\"hidden\" name=\"x\" value=\"\">\n</form>";
        let (action, fields) = hidden_form(page).unwrap();
        assert_eq!(action, "http://h/sso?a=1&b=2");
        assert_eq!(fields, [("email".to_string(), "a@b \"c\"".to_string()), ("x".to_string(), String::new())]);
        assert_eq!(form_encode(&fields), "email=a%40b+%22c%22&x=");
        assert_eq!(form_encode(&[("t", "a*b-c_d.e~f g")]), "t=a*b-c_d.e%7Ef+g");
    }

    #[test]
    fn decodes_form_fields() {
        assert_eq!(
            form_fields("a=1+2&b=%41%2f&c&%zz=%+5"),
            [("a", "1 2"), ("b", "A/"), ("c", ""), ("%zz", "% 5")].map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }
}
