//! Every live check kensa makes against a provider, in the order a full run makes them.
//! Each is defined beside the code that makes it, in its phase's file under
//! `src/checks/`; manifest rules live in [`kensa_manifest::RULES`].

use crate::checks::{
    async_provision, config, deprovision, idempotency, plan_change, provision, regions, run, sso, tolerance,
};
use kensa_manifest::CheckDef;

/// Each phase's checks, in the order a full run reports them.
const PHASES: [&[&CheckDef]; 10] = [
    provision::CHECKS,
    config::CHECKS,
    async_provision::CHECKS,
    idempotency::CHECKS,
    tolerance::CHECKS,
    regions::CHECKS,
    deprovision::CHECKS,
    plan_change::CHECKS,
    sso::CHECKS,
    run::CHECKS,
];

/// Every live check, in the order a full run makes them.
pub static CHECKS: &[&CheckDef] = &concat::<{ count(&PHASES) }>(&PHASES);

const fn count(phases: &[&[&CheckDef]]) -> usize {
    let (mut total, mut phase) = (0, 0);
    while phase < phases.len() {
        total += phases[phase].len();
        phase += 1;
    }
    total
}

/// The phases' checks one after another, in one array of `N`, their total.
const fn concat<const N: usize>(phases: &[&[&'static CheckDef]]) -> [&'static CheckDef; N] {
    let mut all = [phases[0][0]; N];
    let (mut at, mut phase) = (0, 0);
    while phase < phases.len() {
        let mut index = 0;
        while index < phases[phase].len() {
            all[at] = phases[phase][index];
            (at, index) = (at + 1, index + 1);
        }
        phase += 1;
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        for (index, check) in CHECKS.iter().enumerate() {
            assert!(
                CHECKS[index + 1..].iter().all(|other| other.code != check.code && other.name != check.name),
                "{}",
                check.code
            );
            assert!(check.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'));
        }
    }

    /// The order `kensa checks`, `kensa explain` and the snapshots depend on.
    #[test]
    fn lists_every_phase_in_run_order() {
        let codes: Vec<&str> = CHECKS.iter().map(|check| check.code).collect();
        assert_eq!(
            codes,
            [
                "P01", "P02", "P03", "R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "A01", "A02", "A03",
                "A04", "D01", "D02", "D03", "T01", "T02", "G01", "X01", "X02", "X03", "C01", "C02", "C03", "S01",
                "S02", "S03", "S04", "S05", "S06", "S07", "E01"
            ]
        );
    }
}
