//! Which revisions a walk covers, and in which order: Alembic's
//! `iterate_revisions` with its upgrade and downgrade collectors and its
//! topological sort. `history`, `branches`, `upgrade` and `downgrade` all
//! read their order from here.

use super::ancestry::{Ancestry, BitSet};
use super::map::Edges;
use super::resolve::Target;
use super::{RevArg, RevisionError, RevisionMap};

/// Alembic's `assert is_revision(x)`: a step that Alembic itself cannot take
/// (it dies with a bare `AssertionError`).
fn assertion() -> RevisionError {
    RevisionError::Crash("AssertionError".into())
}

fn revs_only(targets: &[Target]) -> Result<Vec<usize>, RevisionError> {
    targets
        .iter()
        .map(|t| t.rev().ok_or_else(assertion))
        .collect()
}

/// Options of `RevisionMap.iterate_revisions`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Walk {
    pub implicit_base: bool,
    pub inclusive: bool,
    pub assert_relative_length: bool,
    pub select_for_downgrade: bool,
}

impl RevisionMap {
    /// The revisions between `upper` and `lower`, newest first.
    pub fn iterate_revisions(
        &self,
        upper: &RevArg,
        lower: &RevArg,
        walk: Walk,
    ) -> Result<Vec<usize>, RevisionError> {
        let (revisions, heads) = if walk.select_for_downgrade {
            self.collect_downgrade_revisions(upper, lower, walk)?
        } else {
            self.collect_upgrade_revisions(upper, lower, walk)?
        };
        self.topological_sort(revisions, &heads)
    }

    fn collect_upgrade_revisions(
        &self,
        upper: &RevArg,
        lower: &RevArg,
        walk: Walk,
    ) -> Result<(Vec<bool>, Vec<usize>), RevisionError> {
        let n = self.nodes.len();
        let mut targets =
            revs_only(&self.parse_upgrade_target(lower, upper, walk.assert_relative_length)?)?;

        // `branch@...` as the lower end keeps only that branch's targets.
        if let RevArg::Str(l) = lower
            && let Some((branch, _)) = l.split_once('@')
        {
            let mut branch = branch.to_string();
            if let Some(b) = self.get_revision(&RevArg::str(branch.clone()))?
                && self.id(b) == branch
            {
                let labels = &self.nodes[b].branch_labels;
                if labels.len() != 1 {
                    return Err(assertion());
                }
                branch = labels[0].clone();
            }
            targets.retain(|&t| self.nodes[t].branch_labels.contains(&branch));
        }

        let mut required = vec![false; n];
        for r in self.iterate_related_checked(Edges::NormalizedDown, &targets)? {
            required[r] = true;
        }
        for &t in &targets {
            required[t] = true;
        }

        let mut current = self.get_revisions(lower)?;
        if !walk.implicit_base
            && current
                .iter()
                .any(|t| *t != Target::Null && !t.rev().is_some_and(|r| required[r]))
        {
            return Err(RevisionError::RangeNotAncestor {
                lower: lower.clone(),
                upper: upper.clone(),
            });
        }

        let mut lower = lower.clone();
        if current.first() == Some(&Target::Null) {
            // A relative lower end that `get_revisions` cannot place.
            let (_, rev) =
                self.parse_downgrade_target(upper, &lower, walk.assert_relative_length)?;
            match rev {
                Target::Null => return Err(assertion()),
                Target::Base => {
                    current = Vec::new();
                    lower = RevArg::None;
                }
                Target::Rev(r) => {
                    current = vec![Target::Rev(r)];
                    lower = RevArg::str(self.id(r));
                }
            }
        }
        // Alembic asserts each element is a revision only when its walk
        // reaches it, so an overlap among the earlier ones is reported first.
        let members: Vec<usize> = current.iter().filter_map(|t| t.rev()).collect();
        let prefix = current.iter().take_while(|t| t.rev().is_some()).count();
        let walked = self.iterate_related_checked_among(
            Edges::NormalizedDown,
            &members[..prefix],
            &members,
        )?;
        let current = revs_only(&current)?;
        // what is required and not current
        let mut needs = required;
        for r in walked.into_iter().chain(current.iter().copied()) {
            needs[r] = false;
        }
        if walk.inclusive {
            for r in revs_only(&self.get_revisions(&lower)?)? {
                needs[r] = true;
            }
        }
        if !current.is_empty() && !walk.implicit_base {
            let mut below = vec![false; n];
            for r in self.iterate_related_checked(Edges::Next, &current)? {
                below[r] = true;
            }
            for (need, below) in needs.iter_mut().zip(below) {
                *need &= below;
            }
        }
        Ok((needs, targets))
    }

    fn collect_downgrade_revisions(
        &self,
        upper: &RevArg,
        lower: &RevArg,
        walk: Walk,
    ) -> Result<(Vec<bool>, Vec<usize>), RevisionError> {
        let (branch_label, target) =
            self.parse_downgrade_target(upper, lower, walk.assert_relative_length)?;
        let target = match target {
            Target::Rev(r) => Some(r),
            Target::Base | Target::Null => None,
        };
        let mut roots: Vec<usize> = match target {
            None => self
                .keys
                .values()
                .copied()
                .filter(|&i| self.nodes[i].is_base())
                .collect(),
            Some(t) if walk.inclusive => vec![t],
            Some(t) => {
                let next: Vec<String> = self.nodes[t]
                    .nextrev
                    .iter()
                    .map(|&n| self.id(n).to_string())
                    .collect();
                revs_only(&self.get_revisions(&RevArg::Tuple(next))?)?
            }
        };
        if let Some(label) = branch_label.as_deref().filter(|l| !l.is_empty())
            && roots.len() > 1
        {
            let branch = self.resolve_branch_rev(label)?;
            let ancestors = self.reach(Edges::Down, &[branch]);
            let mut kept: Vec<usize> = Vec::new();
            for r in roots {
                if ancestors[r] && !kept.contains(&r) {
                    kept.push(r);
                }
            }
            roots = kept;
            if roots.is_empty() {
                return Err(RevisionError::Other(
                    "Not a valid downgrade target from current heads".into(),
                ));
            }
        }
        let heads = revs_only(&self.get_revisions(upper)?)?;
        let active = self.reach(Edges::NormalizedDown, &heads);
        let mut drop = self.reach(Edges::AllNext, &roots);
        for (d, a) in drop.iter_mut().zip(&active) {
            *d &= a;
        }
        if walk.implicit_base {
            let keep = self.reach(Edges::NormalizedDown, &roots);
            for ((d, a), k) in drop.iter_mut().zip(&active).zip(keep) {
                *d |= *a && !k;
            }
        }
        if let Some(t) = target
            && !drop.contains(&true)
            && !heads.contains(&t)
        {
            return Err(RevisionError::RangeNotAncestor {
                lower: RevArg::str("Nothing to drop"),
                upper: upper.clone(),
            });
        }
        Ok((drop, heads))
    }

    /// Alembic's `_topological_sort`: revisions after everything above
    /// them, walking one head's line down as long as no other pending head
    /// still needs the candidate; ties broken by load order.
    fn topological_sort(
        &self,
        revisions: Vec<bool>,
        heads: &[usize],
    ) -> Result<Vec<usize>, RevisionError> {
        let mut todo = revisions;
        let mut remaining = todo.iter().filter(|&&t| t).count();
        let pos = self.key_positions();
        let mut current: Vec<usize> = Vec::new();
        for &h in heads {
            if todo[h] && !current.contains(&h) {
                current.push(h);
            }
        }
        current.sort_by_key(|&h| pos[h]);
        let mut ancestry = Ancestry::new(self);
        let mut ancestors: Vec<BitSet> = current.iter().map(|&h| ancestry.of(h)).collect();

        let mut output = Vec::with_capacity(remaining);
        let mut idx = 0usize;
        // reused: one list per revision walked would be 10,000 allocations
        let mut to_add: Vec<usize> = Vec::new();
        while !current.is_empty() {
            let candidate = current[idx];
            if let Some(other) = ancestors
                .iter()
                .enumerate()
                .position(|(i, a)| i != idx && a.contains(candidate))
            {
                // Another pending head descends from the candidate: walk it first.
                idx = other;
                continue;
            }
            if todo[candidate] {
                output.push(candidate);
                todo[candidate] = false;
                remaining -= 1;
            }
            let node = &self.nodes[candidate];
            to_add.clear();
            to_add.extend(
                self.graph
                    .edges(Edges::NormalizedDown)
                    .map_or(&[][..], |a| a.of(candidate))
                    .iter()
                    .copied()
                    .filter(|r| todo[*r] && !current.contains(r)),
            );
            if to_add.is_empty() {
                current.remove(idx);
                ancestors.remove(idx);
                idx = idx.saturating_sub(1);
            } else if node.normalized_deps.is_empty() && node.down.len() == 1 {
                current[idx] = to_add[0];
                ancestors[idx].remove(candidate);
            } else {
                current[idx] = to_add[0];
                ancestors[idx] = ancestry.of(to_add[0]);
                for &extra in &to_add[1..] {
                    current.push(extra);
                    ancestors.push(ancestry.of(extra));
                }
            }
        }
        if remaining != 0 {
            return Err(assertion());
        }
        Ok(output)
    }
}

impl RevisionMap {
    /// The revisions `upgrade <destination>` runs from `current` (the
    /// database heads), oldest first (`ScriptDirectory._upgrade_revs`).
    pub fn upgrade_plan(
        &self,
        destination: &str,
        current: &[String],
    ) -> Result<Vec<usize>, RevisionError> {
        let mut revs = self.iterate_revisions(
            &RevArg::str(destination),
            &RevArg::from_ids(current),
            Walk {
                implicit_base: true,
                assert_relative_length: true,
                ..Walk::default()
            },
        )?;
        revs.reverse();
        Ok(revs)
    }

    /// The revisions `downgrade <destination>` undoes from `current`, newest
    /// first (`ScriptDirectory._downgrade_revs`).
    pub fn downgrade_plan(
        &self,
        destination: &str,
        current: &[String],
    ) -> Result<Vec<usize>, RevisionError> {
        // No heads in the database is `()`, not `None` (`lbl@-1` then
        // fails Alembic's assert, not with a TypeError).
        let current = match current {
            [] => RevArg::Tuple(Vec::new()),
            ids => RevArg::from_ids(ids),
        };
        self.iterate_revisions(
            &current,
            &RevArg::str(destination),
            Walk {
                select_for_downgrade: true,
                assert_relative_length: true,
                ..Walk::default()
            },
        )
    }
}

/// One `stamp` step (Alembic's `StampStep`): move the version rows from
/// `from` to `to` without running migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampStep {
    pub from: Vec<usize>,
    /// `None` stamps back to base (the rows of `from` are deleted).
    pub to: Option<usize>,
    pub is_upgrade: bool,
    /// A new branch row (or a deleted one) rather than an update in place.
    pub branch_move: bool,
}

impl RevisionMap {
    /// `ScriptDirectory._stamp_revs`: the steps that take the version table
    /// from `heads` (the database) to `targets`.
    pub fn stamp_plan(
        &self,
        targets: &[String],
        heads: &[String],
    ) -> Result<Vec<StampStep>, RevisionError> {
        let heads_revs = revs_only(&self.get_revisions(&RevArg::Tuple(heads.to_vec()))?)?;
        let base = ["base".to_string()];
        let targets: &[String] = if targets.is_empty() { &base } else { targets };
        let mut filtered: Vec<usize> = Vec::new();
        for t in targets.iter().filter(|t| !t.is_empty()) {
            for h in self.filter_for_lineage(&heads_revs, &RevArg::str(t.clone()), true)? {
                if !filtered.contains(&h) {
                    filtered.push(h);
                }
            }
        }
        let mut dests = self.get_revisions(&RevArg::Tuple(targets.to_vec()))?;
        if dests.is_empty() {
            dests.push(Target::Null);
        }
        let mut steps = Vec::new();
        for dest in dests {
            let dest = match dest {
                Target::Null => {
                    steps.extend(filtered.iter().map(|&h| StampStep {
                        from: vec![h],
                        to: None,
                        is_upgrade: false,
                        branch_move: true,
                    }));
                    continue;
                }
                Target::Base => return Err(assertion()),
                Target::Rev(d) => d,
            };
            if filtered.contains(&dest) {
                continue;
            }
            let below = self.iterate_related(Edges::AllNext, &[dest]);
            let above = self.iterate_related(Edges::NormalizedDown, &[dest]);
            let step = if below.iter().any(|d| filtered.contains(d)) {
                if above.iter().any(|a| filtered.contains(a)) {
                    return Err(assertion());
                }
                StampStep {
                    from: filtered.clone(),
                    to: Some(dest),
                    is_upgrade: false,
                    branch_move: false,
                }
            } else if above.iter().any(|a| filtered.contains(a)) {
                StampStep {
                    from: filtered.clone(),
                    to: Some(dest),
                    is_upgrade: true,
                    branch_move: false,
                }
            } else {
                StampStep {
                    from: Vec::new(),
                    to: Some(dest),
                    is_upgrade: true,
                    branch_move: true,
                }
            };
            steps.push(step);
        }
        Ok(steps)
    }
}

#[cfg(test)]
mod tests;
