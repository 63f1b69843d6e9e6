//! Building the revision graph: Alembic's `RevisionMap._revision_map`.
//!
//! Nodes are addressed by index in load order. Alembic identifies revisions
//! by object, so two files declaring the same id are two nodes here too (the
//! id then points at the last one, as Alembic's dict does).

use std::hash::{BuildHasherDefault, Hasher};

use indexmap::{IndexMap, IndexSet};

use super::Revision;
use super::adjacency::Graph;
use super::error::{CycleKind, MapError};
use super::links::Links;

/// One revision plus what the map derives from the whole collection.
#[derive(Debug, Clone)]
pub struct Node {
    pub rev: Revision,
    /// Labels after propagation along the branch (`Revision.branch_labels`).
    pub branch_labels: IndexSet<String>,
    /// `down_revision` as node indices (`_versioned_down_revisions`).
    pub down: Links,
    /// `depends_on` resolved through ids and labels (`_resolved_dependencies`).
    pub resolved_deps: Vec<usize>,
    /// Dependencies not already implied by an ancestor's dependencies.
    pub normalized_deps: Vec<usize>,
    /// Children by `down_revision` only (`nextrev`).
    pub nextrev: Links,
    /// Children by `down_revision` or `depends_on` (`_all_nextrev`).
    pub all_nextrev: Links,
}

impl Node {
    fn new(rev: Revision) -> Node {
        Node {
            branch_labels: rev.branch_labels.iter().cloned().collect(),
            rev,
            down: Links::default(),
            resolved_deps: Vec::new(),
            normalized_deps: Vec::new(),
            nextrev: Links::default(),
            all_nextrev: Links::default(),
        }
    }

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

/// FNV-1a over the key's bytes: revision ids and labels are short, come
/// from the user's own files, and are hashed tens of thousands of times
/// while a large map is built.
pub(crate) struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Revision ids and branch labels to nodes, in insertion order.
pub(crate) type Keys = IndexMap<String, usize, BuildHasherDefault<KeyHasher>>;

/// A map that could not be built.
#[derive(Debug)]
pub struct MapFailure {
    pub error: MapError,
    /// The last node declaring the revision id the error names, if it names
    /// one (the file to point at: Alembic's dict keeps the last).
    pub node: Option<usize>,
}

/// The revision graph.
#[derive(Debug, Clone)]
pub struct RevisionMap {
    pub(crate) nodes: Vec<Node>,
    /// Alembic's dict keys in insertion order: revision ids, then branch
    /// labels. Partial identifiers are matched against these.
    pub(crate) keys: Keys,
    /// The edges again, laid out for walks.
    pub(crate) graph: Graph,
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
    pub fn new(revisions: impl IntoIterator<Item = Revision>) -> Result<RevisionMap, MapError> {
        Self::build(revisions).map_err(|failure| failure.error)
    }

    /// [`RevisionMap::new`], saying on failure which revision is at fault.
    /// The revisions are moved in, not copied: a caller that keeps its own
    /// copy of 10,000 revisions pays for it in allocations.
    pub fn build(revisions: impl IntoIterator<Item = Revision>) -> Result<RevisionMap, MapFailure> {
        let mut map = RevisionMap {
            nodes: revisions.into_iter().map(Node::new).collect(),
            keys: Keys::default(),
            graph: Graph::default(),
            heads: Vec::new(),
            real_heads: Vec::new(),
            bases: Vec::new(),
            real_bases: Vec::new(),
            warnings: Vec::new(),
        };
        match map.link() {
            Ok(()) => Ok(map),
            Err(error) => {
                let node = error
                    .revision()
                    .and_then(|id| map.nodes.iter().rposition(|n| n.rev.revision == id));
                Err(MapFailure { error, node })
            }
        }
    }

    /// Everything derived from the nodes' own metadata: keys, edges, heads
    /// and bases, the checks, the propagated branch labels.
    fn link(&mut self) -> Result<(), MapError> {
        let RevisionMap {
            nodes,
            keys,
            warnings,
            ..
        } = self;
        for n in nodes.iter() {
            verify(&n.rev)?;
        }

        keys.reserve(nodes.len());
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

        for n in nodes.iter_mut().filter(|n| !n.rev.depends_on().is_empty()) {
            let mut deps = Vec::with_capacity(n.rev.depends_on().len());
            for d in n.rev.depends_on() {
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
            let mut down = Links::default();
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
            // the usual revision (one parent, no dependencies) has no list
            // to deduplicate
            let all_down = (!nodes[i].resolved_deps.is_empty() || down.len() > 1)
                .then(|| dedupe(down.iter().chain(&nodes[i].resolved_deps).copied()));
            // Alembic's `nextrev` sets hold revision ids, looked up in the map
            // when walked: a revision whose id a later file took over (still
            // visited under its branch label) counts as that file's revision
            let me = keys
                .get(nodes[i].rev.revision.as_str())
                .copied()
                .unwrap_or(i);
            for &d in all_down.as_deref().unwrap_or(&down) {
                nodes[d].all_nextrev.push_unique(me);
                if down.contains(&d) {
                    nodes[d].nextrev.push_unique(me);
                    is_head[d] = false;
                }
                is_real_head[d] = false;
            }
            nodes[i].down = down;
        }

        self.graph = Graph::new(&self.nodes);
        let all = 0..self.nodes.len();
        self.heads = all.clone().filter(|&i| is_head[i]).collect();
        self.real_heads = all.clone().filter(|&i| is_real_head[i]).collect();
        self.bases = all.clone().filter(|&i| self.nodes[i].is_base()).collect();
        self.real_bases = all.filter(|&i| self.nodes[i].is_real_base()).collect();
        self.normalize_depends_on();
        self.graph.set_normalized(&self.nodes);
        self.detect_cycles(&id_keys)?;
        self.add_branches();
        Ok(())
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
            let from_heads = self.reach(down, heads);
            let from_bases = self.reach(up, bases);
            let space = |i: usize| from_heads[i] && from_bases[i];
            if id_keys.iter().all(|&i| space(i)) {
                return Ok(());
            }
            let mut deleted: Vec<String> = id_keys
                .iter()
                .filter(|&&i| !space(i))
                .map(|&i| self.nodes[i].rev.revision.clone())
                .collect();
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
        if !self.graph.has_dependency_edges() && self.real_bases.len() == self.bases.len() {
            // the same heads, bases and edges: the same answer (a base with
            // `depends_on = ""` has no edge but is no real base)
            return Ok(());
        }
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
        let adjacency = self.graph.edges(edges);
        for &t in targets {
            todo.push(t);
            while let Some(rev) = todo.pop() {
                if std::mem::replace(&mut seen[rev], true) {
                    continue;
                }
                match adjacency {
                    Some(a) => todo.extend_from_slice(a.of(rev)),
                    None => self.for_each_edge(edges, rev, targets, |next| todo.push(next)),
                }
                out.push(rev);
            }
        }
        out
    }

    /// Which nodes [`RevisionMap::iterate_related`] reaches, by index.
    pub(crate) fn reach(&self, edges: Edges, targets: &[usize]) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut todo: Vec<usize> = targets.to_vec();
        let adjacency = self.graph.edges(edges);
        while let Some(rev) = todo.pop() {
            if std::mem::replace(&mut seen[rev], true) {
                continue;
            }
            match adjacency {
                Some(a) => todo.extend_from_slice(a.of(rev)),
                None => self.for_each_edge(edges, rev, targets, |next| todo.push(next)),
            }
        }
        seen
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
        let adjacency = self.graph.edges(edges);
        for &t in targets {
            todo.push(t);
            let mut per_target: Vec<usize> = Vec::new();
            while let Some(rev) = todo.pop() {
                per_target.push(rev);
                if std::mem::replace(&mut seen[rev], true) {
                    continue;
                }
                match adjacency {
                    Some(a) => todo.extend_from_slice(a.of(rev)),
                    None => self.for_each_edge(edges, rev, targets, |next| todo.push(next)),
                }
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

    /// The position of every node's first key, for Alembic's "insertion
    /// order" sorts (`usize::MAX` for a node no key names: a revision id
    /// declared twice names only its last file).
    pub(crate) fn key_positions(&self) -> Vec<usize> {
        let mut pos = vec![usize::MAX; self.nodes.len()];
        for (p, (_, &i)) in self.keys.iter().enumerate() {
            if pos[i] == usize::MAX {
                pos[i] = p;
            }
        }
        pos
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
    // one pass over the id for the usual answer, none of them
    if r.revision.contains(ILLEGAL_CHARS) {
        let mut chars: Vec<String> = ILLEGAL_CHARS
            .iter()
            .filter(|c| r.revision.contains(**c))
            .map(|c| c.to_string())
            .collect();
        chars.sort();
        return Err(MapError::IllegalCharacters {
            chars,
            revision: r.revision.clone(),
        });
    }
    Ok(())
}
