//! Size classes of slots (header included): 16-byte steps up to 256, then
//! eight classes per power of two up to [`MAX_SLOT`], so a slot wastes at
//! most an eighth of itself (a sixteenth on average over uniform sizes).

/// The smallest slot: a header and 16 payload bytes.
pub const MIN_SLOT: usize = 32;
/// The largest slot; larger blocks get their own mapping.
pub const MAX_SLOT: usize = 16384;
/// Number of classes.
pub const CLASSES: usize = 63;
/// Length of the tables indexed by class: a power of two, so that an index
/// masked with `TABLE - 1` needs no bounds check (and no panic path).
pub const TABLE: usize = 64;

/// A class as a table index.
#[inline(always)]
pub fn ix(class: usize) -> usize {
    class & (TABLE - 1)
}

/// Slot sizes by class (MAX_SLOT past the last class).
const SIZES: [usize; TABLE] = {
    let mut s = [MAX_SLOT; TABLE];
    let mut c = 0;
    while c < CLASSES {
        s[c] = if c < 7 {
            (c + 2) * 16
        } else {
            let e = 7 + (c - 7) / 8;
            (9 + (c - 7) % 8) << (e - 3)
        };
        c += 1;
    }
    s
};

/// Classes of slots up to 1024 bytes by `slot.div_ceil(16)`: a load
/// instead of arithmetic on the hot path.
const SMALL: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 2;
    let mut c = 0;
    while i < 65 {
        while SIZES[c] < i * 16 {
            c += 1;
        }
        t[i] = c as u8;
        i += 1;
    }
    t
};

/// The class of the smallest slot that holds `slot` bytes
/// (`MIN_SLOT <= slot <= MAX_SLOT`).
#[inline(always)]
pub fn class_of(slot: usize) -> usize {
    if slot <= 1024 {
        return SMALL[slot.div_ceil(16) & 127] as usize;
    }
    let b = slot - 1;
    let e = (usize::BITS - 1 - b.leading_zeros()) as usize; // floor(log2(b)), >= 10
    7 + (e - 7) * 8 + ((b >> (e - 3)) & 7)
}

/// The slot size of a class.
#[inline(always)]
pub fn size_of(class: usize) -> usize {
    SIZES[ix(class)]
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
            assert!(size_of(c) - slot <= slot / 8 + 15, "slot {slot} class {c}");
        }
    }
}
