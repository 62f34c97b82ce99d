//! Size classes of slots (header included): 16-byte steps up to 128, then
//! four classes per power of two up to [`MAX_SLOT`], so a slot wastes at most
//! a quarter of itself (an eighth on average over uniform sizes).

/// The smallest slot: a header and 16 payload bytes.
pub const MIN_SLOT: usize = 32;
/// The largest slot; larger blocks get their own mapping.
pub const MAX_SLOT: usize = 8192;
/// Number of classes.
pub const CLASSES: usize = 31;

/// The class of the smallest slot that holds `slot` bytes
/// (`MIN_SLOT <= slot <= MAX_SLOT`).
#[inline]
pub fn class_of(slot: usize) -> usize {
    if slot <= 128 {
        return slot.div_ceil(16) - 2;
    }
    let b = slot - 1;
    let e = (usize::BITS - 1 - b.leading_zeros()) as usize; // floor(log2(b)), >= 7
    7 + (e - 7) * 4 + ((b >> (e - 2)) & 3)
}

/// The slot size of a class.
#[inline]
pub const fn size_of(class: usize) -> usize {
    if class < 7 {
        return (class + 2) * 16;
    }
    let e = 7 + (class - 7) / 4;
    (5 + (class - 7) % 4) << (e - 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_size_maps_to_the_tightest_class() {
        assert_eq!(size_of(CLASSES - 1), MAX_SLOT);
        for slot in MIN_SLOT..=MAX_SLOT {
            let c = class_of(slot);
            assert!(c < CLASSES);
            assert!(size_of(c) >= slot, "slot {slot} class {c}");
            assert!(c == 0 || size_of(c - 1) < slot, "slot {slot} class {c}");
            assert_eq!(size_of(c) % 16, 0);
        }
    }
}
