//! A node's short list of neighbours (parents or children), by index.

use std::ops::Deref;

/// Node indices in the order they were added; reads as a slice.
///
/// Nearly every revision has one parent and one child, so a single index is
/// kept inline: building a 10,000-revision map then allocates nothing per
/// list (a `Vec` each was 30,000 small allocations), and a `Links` is no
/// larger than a `Vec`.
#[derive(Clone, Default)]
pub struct Links(Repr);

#[derive(Clone, Default)]
enum Repr {
    #[default]
    Empty,
    One(usize),
    Many(Vec<usize>),
}

impl Links {
    pub fn push(&mut self, i: usize) {
        self.0 = match std::mem::take(&mut self.0) {
            Repr::Empty => Repr::One(i),
            Repr::One(first) => Repr::Many(vec![first, i]),
            Repr::Many(mut v) => {
                v.push(i);
                Repr::Many(v)
            }
        };
    }

    /// Adds `i` unless it is already there (the lists are Alembic's tuples
    /// built without duplicates).
    pub fn push_unique(&mut self, i: usize) {
        if !self.contains(&i) {
            self.push(i);
        }
    }
}

impl Deref for Links {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        match &self.0 {
            Repr::Empty => &[],
            Repr::One(i) => std::slice::from_ref(i),
            Repr::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Links {
    type Item = &'a usize;
    type IntoIter = std::slice::Iter<'a, usize>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_the_slice_pushed() {
        let mut l = Links::default();
        assert!(l.is_empty());
        l.push(4);
        assert_eq!(&*l, &[4]);
        l.push_unique(4);
        l.push(2);
        l.push_unique(7);
        assert_eq!(&*l, &[4, 2, 7]);
        assert_eq!(l.iter().copied().collect::<Vec<_>>(), vec![4, 2, 7]);
        assert_eq!(format!("{l:?}"), "[4, 2, 7]");
    }

    #[test]
    fn no_larger_than_a_vec() {
        assert_eq!(size_of::<Links>(), size_of::<Vec<usize>>());
    }
}
