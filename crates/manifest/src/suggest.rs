//! "Did you mean" suggestions by edit distance, for manifest keys and regions here and for
//! check names in `kensa explain` (which uses [`edit_distance`] with budgets of its own).

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Keys are ASCII; Unicode case tables would cost the playground ~3 KB.
    let input_lower = input.to_ascii_lowercase();
    let input_length = input_lower.chars().count();
    let budget = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != input)
        .filter_map(|candidate| {
            let candidate_lower = candidate.to_ascii_lowercase();
            // The distance is at least the difference in length; skipping those keeps the work
            // linear in the candidates' total length (a manifest may hold 200,000 unknown keys,
            // each a candidate for a missing key's hint) with the same answers.
            if candidate_lower.chars().count().abs_diff(input_length) > budget {
                return None;
            }
            Some((edit_distance(&input_lower, &candidate_lower), candidate))
        })
        .filter(|(distance, _)| *distance <= budget)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters: the fewest insertions, deletions and substitutions
/// that turn `a` into `b`. Case-sensitive; callers lower-case first when case should not count.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_miss() {
        assert_eq!(closest("region", ["regions", "requires"]), Some("regions"));
        assert_eq!(closest("frankfort", ["frankfurt", "tokyo"]), Some("frankfurt"));
        assert_eq!(closest("US", ["us", "eu"]), Some("us"));
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("regions", "region"), 1);
        assert_eq!(edit_distance("pasword", "password"), 1);
        assert_eq!(edit_distance("US", "us"), 2);
        // Characters, not bytes: `é` is one substitution away from `e`.
        assert_eq!(edit_distance("café", "cafe"), 1);
        assert_eq!(edit_distance("flaw", "lawn"), edit_distance("lawn", "flaw"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("mars", ["us", "eu", "tokyo"]), None);
        assert_eq!(closest("regions", ["regions"]), None);
    }
}
