//! The graph's edges as flat arrays, one per kind of edge, for the walks.
//!
//! Walking 10,000 revisions through [`Node`](super::Node)s chases a heap
//! pointer per node (and `_all_down_revisions` allocates a list per node);
//! the same walk over one offsets array and one targets array stays in a
//! few hundred kilobytes. Kinds that equal another for every node (no
//! `depends_on` anywhere, no repeated `down_revision`) share its arrays.

use super::map::{Edges, Node};

/// Each node's targets, in the order the node lists them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Adjacency {
    /// `to[start[i]..start[i + 1]]` are node `i`'s targets.
    start: Vec<usize>,
    to: Vec<usize>,
}

impl Adjacency {
    fn build<'a>(nodes: &'a [Node], list: impl Fn(&'a Node) -> &'a [usize]) -> Adjacency {
        let mut start = Vec::with_capacity(nodes.len() + 1);
        let mut to = Vec::with_capacity(nodes.len());
        start.push(0);
        for n in nodes {
            to.extend_from_slice(list(n));
            start.push(to.len());
        }
        Adjacency { start, to }
    }

    fn build_owned(nodes: &[Node], list: impl Fn(&Node) -> Vec<usize>) -> Adjacency {
        let mut start = Vec::with_capacity(nodes.len() + 1);
        let mut to = Vec::with_capacity(nodes.len());
        start.push(0);
        for n in nodes {
            to.extend(list(n));
            start.push(to.len());
        }
        Adjacency { start, to }
    }

    /// Node `i`'s targets.
    pub(crate) fn of(&self, i: usize) -> &[usize] {
        &self.to[self.start[i]..self.start[i + 1]]
    }
}

/// Every walkable kind of edge of a built map.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    down: Adjacency,
    next: Adjacency,
    /// `None`: the same as `down` for every node.
    all_down: Option<Adjacency>,
    /// `None`: the same as `next` for every node.
    all_next: Option<Adjacency>,
    /// `None`: the same as `down` for every node.
    normalized_down: Option<Adjacency>,
}

impl Graph {
    /// The edges of `nodes` once `down`, `resolved_deps`, `nextrev` and
    /// `all_nextrev` are final (`normalized_deps` comes later, through
    /// [`Graph::set_normalized`]).
    pub(crate) fn new(nodes: &[Node]) -> Graph {
        // `_all_nextrev` is built from `_all_down_revisions` as `nextrev`
        // is from `down`: the same lists when those are.
        let same_all = nodes
            .iter()
            .all(|n| extends_nothing(&n.down, &n.resolved_deps));
        Graph {
            down: Adjacency::build(nodes, |n| &n.down),
            next: Adjacency::build(nodes, |n| &n.nextrev),
            all_down: (!same_all).then(|| Adjacency::build_owned(nodes, Node::all_down)),
            all_next: (!same_all).then(|| Adjacency::build(nodes, |n| &n.all_nextrev)),
            normalized_down: None,
        }
    }

    /// Records `_normalized_down_revisions` once `normalized_deps` is set.
    pub(crate) fn set_normalized(&mut self, nodes: &[Node]) {
        let same = nodes
            .iter()
            .all(|n| extends_nothing(&n.down, &n.normalized_deps));
        self.normalized_down =
            (!same).then(|| Adjacency::build_owned(nodes, Node::normalized_down));
    }

    /// Whether some node's `depends_on` (or a repeated `down_revision`)
    /// makes `_all_down_revisions` differ from `down`.
    pub(crate) fn has_dependency_edges(&self) -> bool {
        self.all_down.is_some()
    }

    /// The arrays of a kind of edge; `None` for the kind that depends on
    /// the walk's targets.
    pub(crate) fn edges(&self, edges: Edges) -> Option<&Adjacency> {
        match edges {
            Edges::Down => Some(&self.down),
            Edges::Next => Some(&self.next),
            Edges::AllDown => Some(self.all_down.as_ref().unwrap_or(&self.down)),
            Edges::AllNext => Some(self.all_next.as_ref().unwrap_or(&self.next)),
            Edges::NormalizedDown => Some(self.normalized_down.as_ref().unwrap_or(&self.down)),
            Edges::AllNextOmitImmediate => None,
        }
    }
}

/// Whether deduplicating `down` + `extra` (`_all_down_revisions`,
/// `_normalized_down_revisions`) gives `down` itself.
fn extends_nothing(down: &[usize], extra: &[usize]) -> bool {
    extra.iter().all(|e| down.contains(e))
        && down.iter().enumerate().all(|(i, d)| !down[..i].contains(d))
}
