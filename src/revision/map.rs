//! Building the revision graph: Alembic's `RevisionMap._revision_map`.
//!
//! Nodes are addressed by index in load order. Alembic identifies revisions
//! by object, so two files declaring the same id are two nodes here too (the
//! id then points at the last one, as Alembic's dict does).

use std::collections::HashMap;

use indexmap::{IndexMap, IndexSet};

use super::Revision;
use super::error::{CycleKind, MapError};

/// One revision plus what the map derives from the whole collection.
#[derive(Debug, Clone)]
pub struct Node {
    pub rev: Revision,
    /// Labels after propagation along the branch (`Revision.branch_labels`).
    pub branch_labels: IndexSet<String>,
    /// `down_revision` as node indices (`_versioned_down_revisions`).
    pub down: Vec<usize>,
    /// `depends_on` resolved through ids and labels (`_resolved_dependencies`).
    pub resolved_deps: Vec<usize>,
    /// Dependencies not already implied by an ancestor's dependencies.
    pub normalized_deps: Vec<usize>,
    /// Children by `down_revision` only (`nextrev`).
    pub nextrev: Vec<usize>,
    /// Children by `down_revision` or `depends_on` (`_all_nextrev`).
    pub all_nextrev: Vec<usize>,
}

impl Node {
    pub fn is_head(&self) -> bool {
        self.nextrev.is_empty()
    }
    pub fn is_real_head(&self) -> bool {
        self.all_nextrev.is_empty()
    }
    pub fn is_base(&self) -> bool {
        self.rev.down_revision.is_empty()
    }
    pub fn is_real_base(&self) -> bool {
        self.rev.down_revision.is_empty() && self.rev.dependencies.is_empty()
    }
    pub fn is_branch_point(&self) -> bool {
        self.nextrev.len() > 1
    }
    pub fn is_real_branch_point(&self) -> bool {
        self.all_nextrev.len() > 1
    }
    pub fn is_merge_point(&self) -> bool {
        self.rev.down_revision.len() > 1
    }
    /// `_all_down_revisions`: down revisions then dependencies, deduplicated.
    pub fn all_down(&self) -> Vec<usize> {
        dedupe(self.down.iter().chain(&self.resolved_deps).copied())
    }
    /// `_normalized_down_revisions`.
    pub fn normalized_down(&self) -> Vec<usize> {
        dedupe(self.down.iter().chain(&self.normalized_deps).copied())
    }
}

fn dedupe(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Which edges a traversal follows (the `fn` argument of Alembic's
/// `_iterate_related_revisions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edges {
    /// `_versioned_down_revisions`
    Down,
    /// `_normalized_down_revisions`
    NormalizedDown,
    /// `_all_down_revisions`
    AllDown,
    /// `nextrev`
    Next,
    /// `_all_nextrev`
    AllNext,
    /// `_all_nextrev`, except `nextrev` for the start nodes themselves
    /// (`omit_immediate_dependencies`).
    AllNextOmitImmediate,
}

/// The revision graph.
#[derive(Debug, Clone)]
pub struct RevisionMap {
    pub(crate) nodes: Vec<Node>,
    /// Alembic's dict keys in insertion order: revision ids, then branch
    /// labels. Partial identifiers are matched against these.
    pub(crate) keys: IndexMap<String, usize>,
    pub(crate) heads: Vec<usize>,
    pub(crate) real_heads: Vec<usize>,
    pub(crate) bases: Vec<usize>,
    pub(crate) real_bases: Vec<usize>,
    /// Warnings Alembic would emit as `UserWarning` (duplicate ids).
    pub warnings: Vec<String>,
}

const ILLEGAL_CHARS: [char; 4] = ['@', '-', '+', ':'];

impl RevisionMap {
    /// Builds the map in Alembic's order of checks, so the first error a
    /// broken history reports is the one Alembic would report.
    pub fn new(revisions: Vec<Revision>) -> Result<RevisionMap, MapError> {
        for r in &revisions {
            verify(r)?;
        }
        let mut nodes: Vec<Node> = revisions
            .into_iter()
            .map(|rev| Node {
                branch_labels: rev.branch_labels.iter().cloned().collect(),
                rev,
                down: Vec::new(),
                resolved_deps: Vec::new(),
                normalized_deps: Vec::new(),
                nextrev: Vec::new(),
                all_nextrev: Vec::new(),
            })
            .collect();

        let mut warnings = Vec::new();
        let mut keys: IndexMap<String, usize> = IndexMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            if keys.insert(n.rev.revision.clone(), i).is_some() {
                warnings.push(format!(
                    "Revision {} is present more than once",
                    n.rev.revision
                ));
            }
        }
        // Only revision ids take part in cycle detection (Alembic copies the
        // dict before adding labels).
        let id_keys: Vec<usize> = keys.values().copied().collect();

        for (i, n) in nodes.iter().enumerate() {
            for label in &n.rev.branch_labels {
                if let Some(&other) = keys.get(label) {
                    return Err(MapError::BranchNameUsed {
                        label: label.clone(),
                        revision: n.rev.revision.clone(),
                        other: nodes[other].rev.revision.clone(),
                    });
                }
                keys.insert(label.clone(), i);
            }
        }

        for n in nodes.iter_mut() {
            let mut deps = Vec::with_capacity(n.rev.dependencies.len());
            for d in &n.rev.dependencies {
                match keys.get(d) {
                    Some(&t) => deps.push(t),
                    None => {
                        return Err(MapError::MissingDependency {
                            missing: d.clone(),
                            revision: n.rev.revision.clone(),
                        });
                    }
                }
            }
            n.resolved_deps = deps;
        }

        // Alembic walks the dict's values, which visit a labelled revision
        // again under each label; edges are sets, so one visit per node of
        // `keys` suffices.
        let mut visited = vec![false; nodes.len()];
        let mut is_head = vec![true; nodes.len()];
        let mut is_real_head = vec![true; nodes.len()];
        for &i in keys.values() {
            if std::mem::replace(&mut visited[i], true) {
                continue;
            }
            let mut down = Vec::with_capacity(nodes[i].rev.down_revision.len());
            for d in &nodes[i].rev.down_revision {
                match keys.get(d) {
                    Some(&t) => down.push(t),
                    None => {
                        return Err(MapError::MissingRevision {
                            missing: d.clone(),
                            revision: nodes[i].rev.revision.clone(),
                        });
                    }
                }
            }
            let all_down = dedupe(down.iter().chain(&nodes[i].resolved_deps).copied());
            for &d in &all_down {
                push_unique(&mut nodes[d].all_nextrev, i);
                if down.contains(&d) {
                    push_unique(&mut nodes[d].nextrev, i);
                    is_head[d] = false;
                }
                is_real_head[d] = false;
            }
            nodes[i].down = down;
        }

        let mut map = RevisionMap {
            heads: (0..nodes.len()).filter(|&i| is_head[i]).collect(),
            real_heads: (0..nodes.len()).filter(|&i| is_real_head[i]).collect(),
            bases: (0..nodes.len()).filter(|&i| nodes[i].is_base()).collect(),
            real_bases: (0..nodes.len())
                .filter(|&i| nodes[i].is_real_base())
                .collect(),
            nodes,
            keys,
            warnings,
        };
        map.normalize_depends_on();
        map.detect_cycles(&id_keys)?;
        map.add_branches();
        Ok(map)
    }

    fn normalize_depends_on(&mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].resolved_deps.is_empty() {
                continue;
            }
            let mut normalized: Vec<usize> = self.nodes[i].resolved_deps.clone();
            for a in self.iterate_related(Edges::Down, &[i]) {
                if a != i {
                    let theirs = &self.nodes[a].resolved_deps;
                    normalized.retain(|d| !theirs.contains(d));
                }
            }
            self.nodes[i].normalized_deps = normalized;
        }
    }

    fn detect_cycles(&self, id_keys: &[usize]) -> Result<(), MapError> {
        if id_keys.is_empty() {
            return Ok(());
        }
        let all_ids = || -> Vec<String> {
            id_keys
                .iter()
                .map(|&i| self.nodes[i].rev.revision.clone())
                .collect()
        };
        let check = |heads: &[usize],
                     bases: &[usize],
                     up: Edges,
                     down: Edges,
                     kind: CycleKind|
         -> Result<(), MapError> {
            if heads.is_empty() || bases.is_empty() {
                return Err(MapError::Cycle {
                    kind,
                    revisions: all_ids(),
                });
            }
            // Membership by node index: a 10,000-revision map pays for
            // hashing every id twice otherwise.
            let mut from_heads = vec![false; self.nodes.len()];
            for i in self.iterate_related(down, heads) {
                from_heads[i] = true;
            }
            let mut space = vec![false; self.nodes.len()];
            for i in self.iterate_related(up, bases) {
                space[i] = from_heads[i];
            }
            let mut deleted: Vec<String> = id_keys
                .iter()
                .filter(|&&i| !space[i])
                .map(|&i| self.nodes[i].rev.revision.clone())
                .collect();
            if deleted.is_empty() {
                return Ok(());
            }
            deleted.sort();
            deleted.dedup();
            Err(MapError::Cycle {
                kind,
                revisions: deleted,
            })
        };
        check(
            &self.heads,
            &self.bases,
            Edges::Next,
            Edges::Down,
            CycleKind::Cycle,
        )?;
        check(
            &self.real_heads,
            &self.real_bases,
            Edges::AllNext,
            Edges::AllDown,
            CycleKind::DependencyCycle,
        )
    }

    /// Spreads each label over its branch: every descendant, and — through
    /// Alembic's walk that starts from the *last* descendant visited — up
    /// through single-parent, non-branching ancestors.
    fn add_branches(&mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].rev.branch_labels.is_empty() {
                continue;
            }
            let labels: Vec<String> = self.nodes[i].branch_labels.iter().cloned().collect();
            let descendants = self.iterate_related(Edges::Next, &[i]);
            for &d in &descendants {
                self.nodes[d].branch_labels.extend(labels.iter().cloned());
            }
            let mut parent = *descendants.last().unwrap_or(&i);
            loop {
                let n = &self.nodes[parent];
                if n.is_real_branch_point() || n.is_merge_point() {
                    break;
                }
                self.nodes[parent]
                    .branch_labels
                    .extend(labels.iter().cloned());
                match self.nodes[parent].down.first() {
                    Some(&p) => parent = p,
                    None => break,
                }
            }
        }
    }

    /// Alembic's `_iterate_related_revisions`: a depth-first walk with an
    /// explicit stack, yielding each node once, in Alembic's order.
    pub(crate) fn iterate_related(&self, edges: Edges, targets: &[usize]) -> Vec<usize> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        let mut todo: Vec<usize> = Vec::new();
        for &t in targets {
            todo.push(t);
            while let Some(rev) = todo.pop() {
                if std::mem::replace(&mut seen[rev], true) {
                    continue;
                }
                self.for_each_edge(edges, rev, targets, |next| todo.push(next));
                out.push(rev);
            }
        }
        out
    }

    /// The same walk with Alembic's `check=True`: a target reachable from
    /// another target is an error.
    pub(crate) fn iterate_related_checked(
        &self,
        edges: Edges,
        targets: &[usize],
    ) -> Result<Vec<usize>, super::RevisionError> {
        self.iterate_related_checked_among(edges, targets, targets)
    }

    /// The checked walk over `targets`, with overlaps judged against
    /// `members` (Alembic walks targets one by one and may stop early, on
    /// an overlap or on a target that is not a revision).
    pub(crate) fn iterate_related_checked_among(
        &self,
        edges: Edges,
        targets: &[usize],
        members: &[usize],
    ) -> Result<Vec<usize>, super::RevisionError> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        let mut todo: Vec<usize> = Vec::new();
        for &t in targets {
            todo.push(t);
            let mut per_target: Vec<usize> = Vec::new();
            while let Some(rev) = todo.pop() {
                per_target.push(rev);
                if std::mem::replace(&mut seen[rev], true) {
                    continue;
                }
                self.for_each_edge(edges, rev, targets, |next| todo.push(next));
                out.push(rev);
            }
            let mut overlaps: Vec<usize> = Vec::new();
            for &p in &per_target {
                if p != t && members.contains(&p) && !overlaps.contains(&p) {
                    overlaps.push(p);
                }
            }
            if !overlaps.is_empty() {
                return Err(super::RevisionError::Other(format!(
                    "Requested revision {} overlaps with other requested revisions {}",
                    self.nodes[t].rev.revision,
                    overlaps
                        .iter()
                        .map(|&o| self.nodes[o].rev.revision.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        Ok(out)
    }

    fn for_each_edge(&self, edges: Edges, rev: usize, targets: &[usize], mut f: impl FnMut(usize)) {
        let n = &self.nodes[rev];
        match edges {
            Edges::Down => n.down.iter().copied().for_each(f),
            Edges::NormalizedDown => n.normalized_down().into_iter().for_each(f),
            Edges::AllDown => n.all_down().into_iter().for_each(f),
            Edges::Next => n.nextrev.iter().copied().for_each(f),
            Edges::AllNext => n.all_nextrev.iter().copied().for_each(f),
            Edges::AllNextOmitImmediate => {
                let list = if targets.contains(&rev) {
                    &n.nextrev
                } else {
                    &n.all_nextrev
                };
                for &x in list {
                    f(x)
                }
            }
        }
    }

    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node a revision id or branch label names exactly.
    pub fn lookup(&self, key: &str) -> Option<usize> {
        self.keys.get(key).copied()
    }

    /// Versioned heads, in load order (`RevisionMap.heads`).
    pub fn heads(&self) -> &[usize] {
        &self.heads
    }

    /// Heads that nothing depends on (`RevisionMap._real_heads`).
    pub fn real_heads(&self) -> &[usize] {
        &self.real_heads
    }

    pub fn bases(&self) -> &[usize] {
        &self.bases
    }

    pub fn real_bases(&self) -> &[usize] {
        &self.real_bases
    }

    pub fn id(&self, i: usize) -> &str {
        &self.nodes[i].rev.revision
    }

    /// The position of every node's key, for Alembic's "insertion order" sorts.
    pub(crate) fn key_positions(&self) -> HashMap<usize, usize> {
        let mut pos = HashMap::with_capacity(self.nodes.len());
        for (p, (_, &i)) in self.keys.iter().enumerate() {
            pos.entry(i).or_insert(p);
        }
        pos
    }
}

fn push_unique(v: &mut Vec<usize>, x: usize) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// Checks `Revision.__init__` makes before a revision joins any map.
fn verify(r: &Revision) -> Result<(), MapError> {
    if r.down_revision.contains(&r.revision) {
        return Err(MapError::Cycle {
            kind: CycleKind::SelfLoop,
            revisions: vec![r.revision.clone()],
        });
    }
    if r.dependencies.contains(&r.revision) {
        return Err(MapError::Cycle {
            kind: CycleKind::DependencySelfLoop,
            revisions: vec![r.revision.clone()],
        });
    }
    let mut chars: Vec<String> = ILLEGAL_CHARS
        .iter()
        .filter(|c| r.revision.contains(**c))
        .map(|c| c.to_string())
        .collect();
    if !chars.is_empty() {
        chars.sort();
        return Err(MapError::IllegalCharacters {
            chars,
            revision: r.revision.clone(),
        });
    }
    Ok(())
}
