//! Just enough of the `.netrc` format to find the password of one machine: tokens split
//! on whitespace (double quotes group), `#` comments, and `macdef` bodies skipped.

/// The `password` of the entry for `machine`; the `default` entry is never used, so a
/// credential meant for other hosts is not sent to this one.
pub(crate) fn password_for(text: &str, machine: &str) -> Option<String> {
    let mut tokens = tokens(text).into_iter();
    let mut current: Option<String> = None;
    let mut found = None;
    while let Some(token) = tokens.next() {
        match token.as_str() {
            "machine" => current = tokens.next(),
            "default" => current = None,
            "login" | "account" => {
                tokens.next();
            }
            "password" => {
                let value = tokens.next();
                if current.as_deref() == Some(machine) && found.is_none() {
                    found = value;
                }
            }
            _ => {}
        }
    }
    found.filter(|password| !password.is_empty())
}

fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut in_macro = false;
    for line in text.lines() {
        if in_macro {
            // A macro definition runs to the first empty line.
            in_macro = !line.trim().is_empty();
            continue;
        }
        if line.trim_start().starts_with('#') {
            continue;
        }
        let mut chars = line.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let mut token = String::new();
            if c == '"' {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => token.extend(chars.next()),
                        c => token.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    token.push(c);
                    chars.next();
                }
            }
            if token == "macdef" {
                in_macro = true;
                break;
            }
            tokens.push(token);
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_machine_password() {
        let text = "machine git.heroku.com\n  login me@example.com\n  password git-token\n\
                    machine api.heroku.com\n  login me@example.com\n  password api-token\n";
        assert_eq!(password_for(text, "api.heroku.com").as_deref(), Some("api-token"));
        assert_eq!(password_for(text, "git.heroku.com").as_deref(), Some("git-token"));
        assert_eq!(password_for(text, "example.com"), None);
    }

    #[test]
    fn reads_one_line_entries_quotes_comments_and_macros() {
        let text = "# my credentials\nmachine other login a password b\n\
                    macdef init\ncd /pub\nmachine api.heroku.com password wrong\n\n\
                    machine api.heroku.com login \"me\" password \"two words\"\ndefault login x password y\n";
        assert_eq!(password_for(text, "api.heroku.com").as_deref(), Some("two words"));
    }

    #[test]
    fn never_falls_back_to_default() {
        assert_eq!(password_for("default login x password y", "api.heroku.com"), None);
        assert_eq!(password_for("machine api.heroku.com login x", "api.heroku.com"), None);
    }
}
