//! Size classes of slots (their 8-byte header included): 16-byte steps up
//! to 256, then eight classes per power of two up to [`MAX_SLOT`], so a slot
//! wastes at most an eighth of itself (a sixteenth on average over uniform
//! sizes).

/// The largest slot; larger blocks get their own mapping.
pub const MAX_SLOT: usize = 16384;
/// Number of classes.
pub const CLASSES: usize = 64;
/// Length of the tables indexed by class: a power of two, so that an index
/// masked with `TABLE - 1` needs no bounds check (and no panic path).
pub const TABLE: usize = 64;
/// Classes of 16-byte steps (16 to 256 bytes).
const STEPPED: usize = 16;

const _: () = assert!(CLASSES <= TABLE);

/// A class as a table index.
#[inline(always)]
pub fn ix(class: usize) -> usize {
    class & (TABLE - 1)
}

/// Slot sizes by class.
pub const SIZES: [usize; TABLE] = {
    let mut s = [MAX_SLOT; TABLE];
    let mut c = 0;
    while c < CLASSES {
        s[c] = if c < STEPPED {
            (c + 1) * 16
        } else {
            let e = 8 + (c - STEPPED) / 8;
            (9 + (c - STEPPED) % 8) << (e - 3)
        };
        c += 1;
    }
    s
};

/// Classes of slots up to 1024 bytes by `slot.div_ceil(16)`: a load
/// instead of arithmetic on the hot path.
const SMALL: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 1;
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
/// (`1 <= slot <= MAX_SLOT`).
#[inline(always)]
pub fn class_of(slot: usize) -> usize {
    if slot <= 1024 {
        return SMALL[slot.div_ceil(16) & 127] as usize;
    }
    let b = slot - 1;
    let e = (usize::BITS - 1 - b.leading_zeros()) as usize; // floor(log2(b)), >= 10
    STEPPED + (e - 8) * 8 + ((b >> (e - 3)) & 7)
}

/// The slot size of a class.
#[inline(always)]
pub fn size_of(class: usize) -> usize {
    // Never 0 (which the compiler cannot see in the table): dividing by it
    // needs no panic path.
    SIZES[ix(class)].max(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_size_maps_to_the_tightest_class() {
        assert_eq!(size_of(0), 16);
        assert_eq!(size_of(CLASSES - 1), MAX_SLOT);
        for slot in 1..=MAX_SLOT {
            let c = class_of(slot);
            assert!(c < CLASSES);
            assert!(size_of(c) >= slot, "slot {slot} class {c}");
            assert!(c == 0 || size_of(c - 1) < slot, "slot {slot} class {c}");
            assert_eq!(size_of(c) % 16, 0);
            assert!(size_of(c) - slot <= slot / 8 + 15, "slot {slot} class {c}");
        }
    }
}
