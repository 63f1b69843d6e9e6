//! Ancestor sets (a revision and everything below it through
//! `_normalized_down_revisions`), as Alembic's topological sort asks for
//! them: once per pending head, and again below every merge point.
//!
//! Alembic walks the whole ancestry each time, which on a 10,000-revision
//! history with a few hundred merges is millions of steps. Here the set of
//! every merge point (a node with two or more parents) is computed once,
//! bottom-up, from the sets of the merge points below it; any other set is
//! then a walk down to the nearest merge points plus a union of theirs. The
//! sets are the same, only computed with less work.

use super::RevisionMap;
use super::adjacency::Adjacency;
use super::map::Edges;

/// At most this many words (8 bytes each) of memoised sets: 16 MiB, all
/// the merge points of a 10,000-revision history that merges at every
/// revision. Past it, merge points are walked through like other nodes.
const BUDGET_WORDS: usize = 2 * 1024 * 1024;

/// A fixed-size set of node indices.
#[derive(Clone)]
pub(crate) struct BitSet(Vec<u64>);

impl BitSet {
    pub(crate) fn new(n: usize) -> BitSet {
        BitSet(vec![0; n.div_ceil(64)])
    }
    pub(crate) fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    pub(crate) fn remove(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

/// Ancestor sets of one map, with the merge points' sets memoised.
pub(crate) struct Ancestry<'a> {
    n: usize,
    edges: Option<&'a Adjacency>,
    map: &'a RevisionMap,
    /// Per node: index into `sets` when its set is memoised.
    memo: Vec<Option<usize>>,
    sets: Vec<BitSet>,
    built: bool,
}

impl<'a> Ancestry<'a> {
    pub(crate) fn new(map: &'a RevisionMap) -> Ancestry<'a> {
        Ancestry {
            n: map.len(),
            edges: map.graph.edges(Edges::NormalizedDown),
            map,
            memo: Vec::new(),
            sets: Vec::new(),
            built: false,
        }
    }

    /// `rev` and all its ancestors.
    pub(crate) fn of(&mut self, rev: usize) -> BitSet {
        if !self.built {
            self.built = true;
            self.memoise_merge_points();
        }
        self.walk(rev)
    }

    fn parents(&self, i: usize) -> Vec<usize> {
        match self.edges {
            Some(a) => a.of(i).to_vec(),
            None => self.map.node(i).normalized_down(),
        }
    }

    /// The walk, stopping at memoised nodes (their sets are unions).
    fn walk(&self, rev: usize) -> BitSet {
        let mut set = BitSet::new(self.n);
        let mut todo = vec![rev];
        while let Some(r) = todo.pop() {
            if set.contains(r) {
                continue;
            }
            if let Some(&Some(s)) = self.memo.get(r) {
                set.union_with(&self.sets[s]);
                continue;
            }
            set.insert(r);
            match self.edges {
                Some(a) => todo.extend_from_slice(a.of(r)),
                None => todo.extend(self.parents(r)),
            }
        }
        set
    }

    /// Computes the set of every merge point, each after the merge points
    /// below it (a post-order of the walk down from them), within
    /// [`BUDGET_WORDS`].
    fn memoise_merge_points(&mut self) {
        let merges: Vec<usize> = (0..self.n)
            .filter(|&i| match self.edges {
                Some(a) => a.of(i).len() > 1,
                None => self.map.node(i).normalized_down().len() > 1,
            })
            .collect();
        if merges.is_empty() {
            return;
        }
        let words = self.n.div_ceil(64).max(1);
        let mut left = BUDGET_WORDS / words;
        self.memo = vec![None; self.n];
        let mut is_merge = vec![false; self.n];
        for &m in &merges {
            is_merge[m] = true;
        }
        // iterative post-order: (node, whether its parents were pushed)
        let mut visited = vec![false; self.n];
        let mut stack: Vec<(usize, bool)> = Vec::new();
        for &root in &merges {
            stack.push((root, false));
            while let Some((r, expanded)) = stack.pop() {
                if expanded {
                    if is_merge[r] && left > 0 {
                        let set = self.walk(r);
                        self.memo[r] = Some(self.sets.len());
                        self.sets.push(set);
                        left -= 1;
                    }
                    continue;
                }
                if std::mem::replace(&mut visited[r], true) {
                    continue;
                }
                stack.push((r, true));
                for p in self.parents(r) {
                    if !visited[p] {
                        stack.push((p, false));
                    }
                }
            }
            if left == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revision::Revision;

    /// A history of `n` revisions that branches, merges and depends on
    /// earlier revisions at pseudo-random places (a fixed LCG).
    fn tangled(n: usize) -> RevisionMap {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % m
        };
        let id = |i: usize| format!("r{i:05}");
        let revisions: Vec<Revision> = (0..n)
            .map(|i| {
                let mut down = Vec::new();
                let mut deps = Vec::new();
                if i > 0 {
                    down.push(id(i - 1 - next(i.min(8))));
                    if next(5) == 0 {
                        let other = id(next(i));
                        if !down.contains(&other) {
                            down.push(other);
                        }
                    }
                    if next(7) == 0 {
                        deps.push(id(next(i)));
                    }
                }
                Revision {
                    revision: id(i),
                    down_revision: down,
                    dependencies: deps,
                    branch_labels: Vec::new(),
                }
            })
            .collect();
        RevisionMap::new(revisions).unwrap()
    }

    #[test]
    fn memoised_sets_equal_plain_walks() {
        let map = tangled(600);
        let mut ancestry = Ancestry::new(&map);
        for rev in 0..map.len() {
            let set = ancestry.of(rev);
            let mut plain = vec![false; map.len()];
            for a in map.iterate_related(Edges::NormalizedDown, &[rev]) {
                plain[a] = true;
            }
            for (i, &p) in plain.iter().enumerate() {
                assert_eq!(set.contains(i), p, "ancestor {i} of {rev}");
            }
        }
        assert!(!ancestry.sets.is_empty(), "merge points were memoised");
    }
}
