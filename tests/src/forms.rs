//! HTML forms as a browser submits them: the hidden fields of a page, form encoding.

/// `application/x-www-form-urlencoded` text of `pairs`.
pub fn form_encode(pairs: &[(String, String)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => char::from(byte).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    pairs.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

/// The fields of a form body or query string, decoded.
pub fn form_fields(encoded: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'+' => out.push(b' '),
                b'%' if index + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(byte) => {
                            out.push(byte);
                            index += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                byte => out.push(byte),
            }
            index += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
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
    }
}
