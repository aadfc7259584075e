//! The points of a batch: owned rows, or a shared snapshot of a window's columnar buffer.
//!
//! A window emits its buffer without copying it; rows are built only when a node reads the
//! points as rows (once per batch, shared by every child), while reducers read the buffer
//! in place through `for_each`.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use kapa_models::{Fields, Tags};

use crate::message::BatchPoint;
use crate::window_buffer::WindowBuffer;

/// The points of a batch, oldest first.
#[derive(Default)]
pub struct BatchPoints {
    rows: OnceLock<Vec<BatchPoint>>,
    window: Option<Arc<WindowBuffer>>,
}

impl BatchPoints {
    /// The current contents of a window, shared with it.
    pub(crate) fn window(buf: Arc<WindowBuffer>) -> Self {
        BatchPoints {
            rows: OnceLock::new(),
            window: Some(buf),
        }
    }

    fn rows(&self) -> &Vec<BatchPoint> {
        self.rows.get_or_init(|| match &self.window {
            Some(w) => w.points(),
            None => Vec::new(),
        })
    }

    /// Number of points (without building rows).
    pub fn len(&self) -> usize {
        match (self.rows.get(), &self.window) {
            (Some(r), _) => r.len(),
            (None, Some(w)) => w.len(),
            (None, None) => 0,
        }
    }

    /// True without points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f(index, time, tags, fields)` for every point, without building rows.
    pub(crate) fn for_each(&self, f: impl FnMut(usize, i64, &Tags, &Fields)) {
        match (self.rows.get(), &self.window) {
            (None, Some(w)) => w.for_each(f),
            _ => {
                let mut f = f;
                for (i, p) in self.rows().iter().enumerate() {
                    f(i, p.time, &p.tags, &p.fields);
                }
            }
        }
    }

    /// The point at `i`, built alone when the rows are not.
    pub(crate) fn row(&self, i: usize) -> Option<BatchPoint> {
        match (self.rows.get(), &self.window) {
            (None, Some(w)) => w.row(i),
            _ => self.rows().get(i).cloned(),
        }
    }
}

impl From<Vec<BatchPoint>> for BatchPoints {
    fn from(v: Vec<BatchPoint>) -> Self {
        BatchPoints {
            rows: OnceLock::from(v),
            window: None,
        }
    }
}

impl Deref for BatchPoints {
    type Target = Vec<BatchPoint>;
    fn deref(&self) -> &Vec<BatchPoint> {
        self.rows()
    }
}

impl DerefMut for BatchPoints {
    fn deref_mut(&mut self) -> &mut Vec<BatchPoint> {
        self.rows();
        self.window = None;
        self.rows
            .get_mut()
            .expect("rows() fills the cell before it is borrowed mutably")
    }
}

impl Clone for BatchPoints {
    fn clone(&self) -> Self {
        match (self.rows.get(), &self.window) {
            (None, Some(w)) => BatchPoints::window(w.clone()),
            _ => BatchPoints::from(self.rows().clone()),
        }
    }
}

impl PartialEq for BatchPoints {
    fn eq(&self, other: &Self) -> bool {
        self.rows() == other.rows()
    }
}

impl std::fmt::Debug for BatchPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.rows().fmt(f)
    }
}

impl IntoIterator for BatchPoints {
    type Item = BatchPoint;
    type IntoIter = std::vec::IntoIter<BatchPoint>;
    fn into_iter(mut self) -> Self::IntoIter {
        std::mem::take(self.deref_mut()).into_iter()
    }
}

impl<'a> IntoIterator for &'a BatchPoints {
    type Item = &'a BatchPoint;
    type IntoIter = std::slice::Iter<'a, BatchPoint>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows().iter()
    }
}

impl<'a> IntoIterator for &'a mut BatchPoints {
    type Item = &'a mut BatchPoint;
    type IntoIter = std::slice::IterMut<'a, BatchPoint>;
    fn into_iter(self) -> Self::IntoIter {
        self.deref_mut().iter_mut()
    }
}

impl FromIterator<BatchPoint> for BatchPoints {
    fn from_iter<I: IntoIterator<Item = BatchPoint>>(iter: I) -> Self {
        BatchPoints::from(iter.into_iter().collect::<Vec<_>>())
    }
}
