//! A unified diff of two texts, line by line, from their longest common subsequence.

use kensa_checks::render::Tone;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The edit script turning `old` into `new`: common lines, then for each run of changes
/// the removed lines before the added ones.
fn script<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Op, &'a str)> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];

    // lengths[i][j]: the LCS length of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut lengths = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i * width + j] = if a[i] == b[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }

    let mut ops: Vec<(Op, &str)> = old[..prefix].iter().map(|line| (Op::Same, *line)).collect();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((Op::Same, a[i]));
            i += 1;
            j += 1;
        } else if j == b.len() || (i < a.len() && lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
            ops.push((Op::Removed, a[i]));
            i += 1;
        } else {
            ops.push((Op::Added, b[j]));
            j += 1;
        }
    }
    ops.extend(old[old.len() - suffix..].iter().map(|line| (Op::Same, *line)));
    ops
}

/// `None` when the texts have the same lines; otherwise a unified diff with `context` lines
/// around each change, painted with `paint`.
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
    let ops = script(&old_lines, &new_lines);
    let changed: Vec<usize> = ops.iter().enumerate().filter(|(_, (op, _))| *op != Op::Same).map(|(at, _)| at).collect();
    if changed.is_empty() {
        return None;
    }

    // Hunks: ranges of ops around changes, merged when their context would touch.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &at in &changed {
        let start = at.saturating_sub(context);
        let end = (at + context + 1).min(ops.len());
        match hunks.last_mut() {
            Some((_, previous_end)) if start <= *previous_end => *previous_end = end,
            _ => hunks.push((start, end)),
        }
    }

    // Line numbers before each op.
    let mut positions = Vec::with_capacity(ops.len() + 1);
    let (mut old_line, mut new_line) = (0usize, 0usize);
    for (op, _) in &ops {
        positions.push((old_line, new_line));
        match op {
            Op::Same => {
                old_line += 1;
                new_line += 1;
            }
            Op::Removed => old_line += 1,
            Op::Added => new_line += 1,
        }
    }

    let mut out = String::new();
    out.push_str(&paint(Tone::Detail, &format!("--- {old_name}")));
    out.push('\n');
    out.push_str(&paint(Tone::Detail, &format!("+++ {new_name}")));
    out.push('\n');
    for (start, end) in hunks {
        let slice = &ops[start..end];
        let old_count = slice.iter().filter(|(op, _)| *op != Op::Added).count();
        let new_count = slice.iter().filter(|(op, _)| *op != Op::Removed).count();
        let (old_at, new_at) = positions[start];
        let range = |at: usize, count: usize| match count {
            0 => format!("{at},0"),
            1 => format!("{}", at + 1),
            _ => format!("{},{count}", at + 1),
        };
        out.push_str(&paint(Tone::Skip, &format!("@@ -{} +{} @@", range(old_at, old_count), range(new_at, new_count))));
        out.push('\n');
        for (op, line) in slice {
            let text = match op {
                Op::Same => format!(" {line}"),
                Op::Removed => paint(Tone::Fail, &format!("-{line}")),
                Op::Added => paint(Tone::Pass, &format!("+{line}")),
            };
            out.push_str(&text);
            out.push('\n');
        }
    }
    Some(out)
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
}
