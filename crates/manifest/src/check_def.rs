//! The documentation of one check, written where the check is defined: the sections
//! `kensa explain` prints and the playground shows. Manifest rules ([`crate::Rule`]) and
//! the live checks of `kensa_checks` are both defined with it.

#[derive(Debug)]
pub struct CheckDef {
    /// Stable code, such as `M09` or `P01`, quoted by users and `kensa explain`.
    pub code: &'static str,
    /// Kebab-case name of the behaviour verified, `phase/behaviour`.
    pub name: &'static str,
    /// The old gem's label, printed after `Check `.
    pub label: &'static str,
    /// What the check verifies, in one sentence.
    pub summary: &'static str,
    /// Why Heroku needs it.
    pub why: &'static str,
    /// A message the check reports, exactly as kensa prints it after `! `.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The Dev Center article that defines the requirement.
    pub reference: &'static str,
}
