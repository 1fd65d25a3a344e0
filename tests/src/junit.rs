//! A small JUnit XML checker: well-formed, in the shape CI dashboards read, and counted.

/// What [`parse_junit`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Junit {
    /// `tests` on the root `<testsuites>`.
    pub tests_attribute: usize,
    /// `failures` on the root.
    pub failures_attribute: usize,
    pub testsuites: usize,
    /// Sum of `tests` over the `<testsuite>` elements.
    pub suite_tests_sum: usize,
    pub testcases: usize,
    pub failures: usize,
    pub errors: usize,
    pub skipped: usize,
}

/// Checks that `xml` is well-formed XML in the JUnit shape (`testsuites` > `testsuite` >
/// `testcase` > `failure|error|skipped|system-out|system-err`, with the attributes CI
/// dashboards read) and counts what it holds. Not a full XML parser: no DTDs, CDATA or
/// comments, which kensa never writes.
pub fn parse_junit(xml: &str) -> Result<Junit, String> {
    let mut rest = xml.trim_start_matches('\u{feff}');
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").ok_or("unterminated XML declaration")?;
        rest = &after[end + 2..];
    }
    let mut junit = Junit::default();
    let mut stack: Vec<String> = Vec::new();
    let mut seen_root = false;
    loop {
        let Some(open) = rest.find('<') else {
            check_text(rest)?;
            if !rest.trim().is_empty() && stack.is_empty() {
                return Err(format!("text after the root element: {rest:?}"));
            }
            break;
        };
        let (text, after) = rest.split_at(open);
        check_text(text)?;
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root element: {text:?}"));
        }
        let close = after.find('>').ok_or("unterminated tag")?;
        let tag = &after[1..close];
        rest = &after[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            match stack.pop() {
                Some(open) if open == name => continue,
                Some(open) => return Err(format!("</{name}> closes <{open}>")),
                None => return Err(format!("</{name}> closes nothing")),
            }
        }
        let (tag, self_closing) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let (name, attributes) = parse_tag(tag)?;
        let parent = stack.last().map(String::as_str);
        let attribute =
            |wanted: &str| attributes.iter().find(|(key, _)| key == wanted).map(|(_, value)| value.as_str());
        let count = |wanted: &str| -> Result<usize, String> {
            attribute(wanted)
                .ok_or_else(|| format!("<{name}> has no {wanted} attribute"))?
                .parse()
                .map_err(|_| format!("<{name} {wanted}> is not a count"))
        };
        match (name.as_str(), parent) {
            ("testsuites", None) if !seen_root => {
                seen_root = true;
                junit.tests_attribute = count("tests")?;
                junit.failures_attribute = count("failures")?;
            }
            ("testsuite", Some("testsuites")) => {
                junit.testsuites += 1;
                junit.suite_tests_sum += count("tests")?;
                attribute("name").ok_or("<testsuite> has no name")?;
            }
            ("testcase", Some("testsuite")) => {
                junit.testcases += 1;
                attribute("name").ok_or("<testcase> has no name")?;
                attribute("classname").ok_or("<testcase> has no classname")?;
            }
            ("failure", Some("testcase")) => junit.failures += 1,
            ("error", Some("testcase")) => junit.errors += 1,
            ("skipped", Some("testcase")) => junit.skipped += 1,
            ("system-out" | "system-err", Some("testcase" | "testsuite")) => {}
            (name, parent) => {
                return Err(format!(
                    "unexpected <{name}> inside {}",
                    parent.map_or("the document".to_string(), |parent| format!("<{parent}>"))
                ));
            }
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    if !seen_root {
        return Err("no <testsuites> root element".into());
    }
    Ok(junit)
}

/// The name and attributes of a start tag's inside (`name a="1" b="2"`).
fn parse_tag(tag: &str) -> Result<(String, Vec<(String, String)>), String> {
    let tag = tag.trim_end();
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = &tag[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)) {
        return Err(format!("bad element name in <{tag}>"));
    }
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut rest = tag[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| format!("attribute without a value in <{tag}>"))?;
        let key = rest[..eq].trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)) {
            return Err(format!("bad attribute name {key:?} in <{tag}>"));
        }
        let after = rest[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| format!("unquoted attribute {key} in <{tag}>"))?;
        let end = after[1..].find(quote).ok_or_else(|| format!("unterminated attribute {key} in <{tag}>"))?;
        let value = &after[1..=end];
        if value.contains('<') {
            return Err(format!("`<` in attribute {key} of <{name}>"));
        }
        check_text(value)?;
        if attributes.iter().any(|(seen, _)| seen == key) {
            return Err(format!("attribute {key} twice in <{name}>"));
        }
        attributes.push((key.to_string(), value.to_string()));
        let next = &after[end + 2..];
        if !next.is_empty() && !next.starts_with(char::is_whitespace) {
            return Err(format!("no space between attributes in <{tag}>"));
        }
        rest = next.trim_start();
    }
    Ok((name.to_string(), attributes))
}

/// Character data: every `&` starts a known entity or a character reference, and no
/// character XML 1.0 forbids appears.
fn check_text(text: &str) -> Result<(), String> {
    if let Some(bad) = text.chars().find(|c| (*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(format!("control character {:?} in XML text", bad));
    }
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after.find(';').ok_or_else(|| format!("bare & in {text:?}"))?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity.strip_prefix("#x").is_some_and(|hex| !hex.is_empty() && u32::from_str_radix(hex, 16).is_ok())
            || entity.strip_prefix('#').is_some_and(|dec| !dec.is_empty() && dec.parse::<u32>().is_ok());
        if !known {
            return Err(format!("unknown entity &{entity}; in {text:?}"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_checker_accepts_kensa_shape_and_rejects_broken_xml() {
        let good = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kensa\" tests=\"2\" failures=\"1\">\n  <testsuite name=\"a &amp; b\" tests=\"2\">\n    <testcase classname=\"kensa.x\" name=\"P01 response\" />\n    <testcase classname=\"kensa.x\" name=\"P02\">\n      <failure message=\"x &lt; y&#10;z\">boom</failure>\n    </testcase>\n  </testsuite>\n</testsuites>\n";
        let junit = parse_junit(good).unwrap();
        assert_eq!(junit.testcases, 2);
        assert_eq!(junit.failures, 1);
        assert_eq!(junit.tests_attribute, 2);
        assert_eq!(junit.suite_tests_sum, 2);
        for bad in [
            good.replace("</testsuite>", ""),
            good.replace("&amp;", "&"),
            good.replace("name=\"P02\"", "name=P02"),
            good.replace("<testcase classname=\"kensa.x\" name=\"P01 response\" />", "<testcase name=\"P01\" />"),
            good.replace("boom", "a < b"),
            good.replace("<testsuites", "<testsuitez").replace("</testsuites>", "</testsuitez>"),
            format!("{good}<testsuites tests=\"0\" failures=\"0\"></testsuites>"),
        ] {
            assert!(parse_junit(&bad).is_err(), "accepted:\n{bad}");
        }
    }
}
