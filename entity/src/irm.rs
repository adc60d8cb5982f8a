//! The IRM's computed judgements: the star (✪) per commitment by its framework's rule, and the
//! "At a Glance" summary of a plan — always computed from the per-commitment values.

use serde::Serialize;

use crate::commitment_assessment::{Completion, Diog, Model as Values, PotentialImpact};
use crate::starred_rule::Model as Rule;

/// Whether `v` earns the star under `rule`. A missing value never meets a minimum.
pub fn starred(v: &Values, rule: &Rule) -> bool {
    if rule.require_verifiable && v.verifiable != Some(true) {
        return false;
    }
    if rule.require_relevance && v.relevant().is_empty() {
        return false;
    }
    if let Some(min) = rule.min_potential_impact
        && v.potential_impact.is_none_or(|p| p < min)
    {
        return false;
    }
    if let Some(min) = rule.min_potential_for_results
        && v.potential_for_results.is_none_or(|p| p < min)
    {
        return false;
    }
    if let Some(min) = rule.min_completion
        && v.completion.is_none_or(|c| c < min)
    {
        return false;
    }
    true
}

/// The "At a Glance" table of an assessment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct AtAGlance {
    pub commitments: i32,
    pub verifiable: i32,
    pub clear_relevance: i32,
    pub transformative_potential_impact: i32,
    pub completion_not_started: i32,
    pub completion_limited: i32,
    pub completion_substantial: i32,
    pub completion_complete: i32,
    pub completion_no_evidence: i32,
    pub starred: i32,
    pub diog_worsened: i32,
    pub diog_did_not_change: i32,
    pub diog_marginal: i32,
    pub diog_major: i32,
    pub diog_outstanding: i32,
}

/// Sums the per-commitment values of one assessment.
pub fn at_a_glance<'a>(values: impl IntoIterator<Item = &'a Values>, rule: &Rule) -> AtAGlance {
    let mut g = AtAGlance::default();
    for v in values {
        g.commitments += 1;
        g.verifiable += i32::from(v.verifiable == Some(true));
        g.clear_relevance += i32::from(!v.relevant().is_empty());
        g.transformative_potential_impact +=
            i32::from(v.potential_impact == Some(PotentialImpact::Transformative));
        match v.completion {
            Some(Completion::NotStarted) => g.completion_not_started += 1,
            Some(Completion::Limited) => g.completion_limited += 1,
            Some(Completion::Substantial) => g.completion_substantial += 1,
            Some(Completion::Complete) => g.completion_complete += 1,
            Some(Completion::NoEvidence) => g.completion_no_evidence += 1,
            None => {}
        }
        g.starred += i32::from(starred(v, rule));
        match v.did_it_open_government {
            Some(Diog::Worsened) => g.diog_worsened += 1,
            Some(Diog::DidNotChange) => g.diog_did_not_change += 1,
            Some(Diog::Marginal) => g.diog_marginal += 1,
            Some(Diog::Major) => g.diog_major += 1,
            Some(Diog::Outstanding) => g.diog_outstanding += 1,
            None => {}
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::Framework;
    use crate::commitment::OgpValue;
    use uuid::Uuid;

    fn rule() -> Rule {
        Rule {
            framework: Framework::IrmPre2020,
            require_verifiable: true,
            require_relevance: true,
            min_potential_impact: Some(PotentialImpact::Moderate),
            min_potential_for_results: None,
            min_completion: Some(Completion::Substantial),
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version: 1,
        }
    }

    fn values(impact: PotentialImpact, completion: Completion) -> Values {
        Values {
            id: Uuid::now_v7(),
            member_id: Uuid::now_v7(),
            assessment_id: Uuid::now_v7(),
            commitment_id: Uuid::now_v7(),
            verifiable: Some(true),
            relevant_values: serde_json::to_value([OgpValue::AccessToInformation]).unwrap(),
            potential_impact: Some(impact),
            potential_for_results: None,
            completion: Some(completion),
            did_it_open_government: Some(Diog::Major),
            narrative: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn the_star_needs_all_four_criteria() {
        assert!(starred(
            &values(PotentialImpact::Moderate, Completion::Substantial),
            &rule()
        ));
        assert!(starred(
            &values(PotentialImpact::Transformative, Completion::Complete),
            &rule()
        ));
        assert!(!starred(
            &values(PotentialImpact::Minor, Completion::Complete),
            &rule()
        ));
        assert!(!starred(
            &values(PotentialImpact::Moderate, Completion::Limited),
            &rule()
        ));
        let mut unverifiable = values(PotentialImpact::Moderate, Completion::Complete);
        unverifiable.verifiable = Some(false);
        assert!(!starred(&unverifiable, &rule()));
        let mut irrelevant = values(PotentialImpact::Moderate, Completion::Complete);
        irrelevant.relevant_values = serde_json::json!([]);
        assert!(!starred(&irrelevant, &rule()));
    }

    #[test]
    fn at_a_glance_moves_when_one_value_moves() {
        let mut vs = vec![
            values(PotentialImpact::Minor, Completion::Substantial),
            values(PotentialImpact::Transformative, Completion::Limited),
        ];
        let g = at_a_glance(&vs, &rule());
        assert_eq!(
            (
                g.commitments,
                g.starred,
                g.completion_substantial,
                g.completion_limited
            ),
            (2, 0, 1, 1)
        );
        assert_eq!(g.transformative_potential_impact, 1);
        vs[1].completion = Some(Completion::Complete);
        let g = at_a_glance(&vs, &rule());
        assert_eq!(
            (g.starred, g.completion_complete, g.completion_limited),
            (1, 1, 0)
        );
    }
}
