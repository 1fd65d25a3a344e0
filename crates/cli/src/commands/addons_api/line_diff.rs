//! A unified diff of two texts, line by line, on the `similar` crate's Myers diff.

use std::time::{Duration, Instant};

use kensa_checks::render::Tone;
use similar::{Algorithm, ChangeTag, DiffOp};

/// How long the search for the shortest diff may take. Myers is quadratic on two large
/// unrelated texts; past this budget it settles for a longer diff that is still correct.
const SHORTEST_DIFF_BUDGET: Duration = Duration::from_secs(1);

/// `None` when the texts have the same lines; otherwise a unified diff with `context` lines
/// around each change (removed lines before added ones), painted with `paint`.
pub(crate) fn unified(
    old_name: &str,
    new_name: &str,
    old: &str,
    new: &str,
    context: usize,
    paint: &dyn Fn(Tone, &str) -> String,
) -> Option<String> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let deadline = Instant::now().checked_add(SHORTEST_DIFF_BUDGET);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &old_lines, &new_lines, deadline);
    // Hunks merge when the unchanged run between two changes is at most twice the context.
    let hunks = similar::group_diff_ops(ops, context);
    if hunks.is_empty() {
        return None;
    }

    let mut out = String::new();
    out.push_str(&paint(Tone::Detail, &format!("--- {old_name}")));
    out.push('\n');
    out.push_str(&paint(Tone::Detail, &format!("+++ {new_name}")));
    out.push('\n');
    for hunk in &hunks {
        out.push_str(&paint(Tone::Skip, &hunk_header(hunk)));
        out.push('\n');
        for change in hunk.iter().flat_map(|op| op.iter_changes(&old_lines, &new_lines)) {
            let line = change.value();
            let text = match change.tag() {
                ChangeTag::Equal => format!(" {line}"),
                ChangeTag::Delete => paint(Tone::Fail, &format!("-{line}")),
                ChangeTag::Insert => paint(Tone::Pass, &format!("+{line}")),
            };
            out.push_str(&text);
            out.push('\n');
        }
    }
    Some(out)
}

/// `@@ -start,count +start,count @@`, 1-based; a count of one is left out, and an empty side
/// names the line it follows.
fn hunk_header(hunk: &[DiffOp]) -> String {
    let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else { return String::new() };
    let range = |start: usize, end: usize| match end - start {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        count => format!("{},{count}", start + 1),
    };
    let old = range(first.old_range().start, last.old_range().end);
    let new = range(first.new_range().start, last.new_range().end);
    format!("@@ -{old} +{new} @@")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(old: &str, new: &str) -> Option<String> {
        unified("a", "b", old, new, 3, &kensa_checks::render::plain)
    }

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(plain("x\ny\n", "x\ny\n"), None);
        assert_eq!(plain("", ""), None);
    }

    #[test]
    fn a_change_in_the_middle_gets_three_lines_of_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(plain(old, new).unwrap(), "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    }

    #[test]
    fn distant_changes_make_separate_hunks_and_near_ones_merge() {
        let old: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
        let mut new = old.clone();
        new[17] = "eighteen".to_string();
        new.remove(7);
        new[1] = "two".to_string();
        let diff = plain(&(old.join("\n") + "\n"), &(new.join("\n") + "\n")).unwrap();
        let hunks: Vec<&str> = diff.lines().filter(|line| line.starts_with("@@")).collect();
        assert_eq!(hunks, ["@@ -1,11 +1,10 @@", "@@ -15,6 +14,6 @@"]);
        assert!(diff.contains("\n 1\n-2\n+two\n 3\n"), "{diff}");
        assert!(diff.contains("\n 7\n-8\n 9\n"), "{diff}");
        assert!(diff.contains("\n-18\n+eighteen\n 19\n 20\n"), "{diff}");
    }

    #[test]
    fn additions_to_an_empty_text_and_removals_of_everything() {
        assert_eq!(plain("", "a\nb\n").unwrap(), "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n");
        assert_eq!(plain("a\n", "").unwrap(), "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n");
    }

    #[test]
    fn painted_lines_carry_their_tone() {
        let paint = |tone: Tone, text: &str| format!("<{tone:?}>{text}");
        let diff = unified("a", "b", "x\n", "y\n", 3, &paint).unwrap();
        assert!(diff.contains("<Fail>-x\n<Pass>+y\n"), "{diff}");
    }

    #[test]
    fn two_large_unrelated_texts_diff_completely_past_the_budget() {
        // Myers is quadratic here (over half a minute in a debug build without the budget);
        // past the budget the diff is longer than the shortest, but the whole rewrite shows.
        let old: String = (0..20_000).map(|n| format!("old {n}\n")).collect();
        let new: String = (0..20_000).map(|n| format!("new {n}\n")).collect();
        let diff = plain(&old, &new).unwrap();
        let hunks: Vec<&str> = diff.lines().filter(|line| line.starts_with("@@")).collect();
        assert_eq!(hunks, ["@@ -1,20000 +1,20000 @@"]);
        assert_eq!(diff.lines().filter(|line| line.starts_with("-old ")).count(), 20_000);
        assert_eq!(diff.lines().filter(|line| line.starts_with("+new ")).count(), 20_000);
    }

    #[test]
    fn a_small_change_in_a_large_text_stays_a_small_hunk() {
        let old: Vec<String> = (1..=20_000).map(|n| n.to_string()).collect();
        let mut new = old.clone();
        new[9_999] = "ten thousand".to_string();
        new.insert(15_000, "inserted".to_string());
        let diff = plain(&(old.join("\n") + "\n"), &(new.join("\n") + "\n")).unwrap();
        let hunks: Vec<&str> = diff.lines().filter(|line| line.starts_with("@@")).collect();
        assert_eq!(hunks, ["@@ -9997,7 +9997,7 @@", "@@ -14998,6 +14998,7 @@"]);
        assert_eq!(diff.lines().count(), 2 + 2 + 8 + 7);
    }
}
