//! Status machines: each status enum lists its allowed steps once, as literal pairs.

/// A status with a fixed set of allowed steps.
pub trait Transitions: Copy + PartialEq + std::fmt::Debug + 'static {
    /// Every allowed (from, to) pair.
    const ALLOWED: &'static [(Self, Self)];

    /// Whether the step from `self` to `to` is allowed.
    fn can_become(self, to: Self) -> bool {
        Self::ALLOWED.iter().any(|(f, t)| *f == self && *t == to)
    }
}
