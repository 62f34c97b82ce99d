//! Size classes of slots: 16-byte steps up to 256, then eight classes per
//! power of two up to [`MAX_SLOT`], so a slot wastes at most an eighth of
//! itself (a sixteenth on average over uniform sizes). A slot is all
//! payload: what the allocator knows of it lives in its slab's record.

use super::chunk::SLAB;

/// The largest slot; larger blocks get their own mapping. Slabs hold at
/// least eight slots of it.
pub const MAX_SLOT: usize = SLAB / 8;
/// Number of classes: 16 stepped ones, then 8 per power of two from 256 to
/// `MAX_SLOT`.
pub const CLASSES: usize =
    STEPPED + 8 * (MAX_SLOT.trailing_zeros() as usize - 256usize.trailing_zeros() as usize);
/// Length of the tables indexed by class: a power of two, so that an index
/// masked with `TABLE - 1` needs no bounds check (and no panic path).
pub const TABLE: usize = 64;
/// Classes of 16-byte steps (16 to 256 bytes).
const STEPPED: usize = 16;

const _: () = assert!(CLASSES <= TABLE);

/// A class as a table index.
#[inline(always)]
pub fn table_index(class: usize) -> usize {
    class & (TABLE - 1)
}

const _: () = assert!(MAX_SLOT.is_power_of_two() && MAX_SLOT >= 1024);

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

/// Classes by `slot.div_ceil(16)`, for every slot size up to `MAX_SLOT`:
/// one load on the hot path. The length is a power of two, so that a
/// masked index needs no bounds check.
const BY_UNITS: [u8; UNITS] = {
    let mut t = [0u8; UNITS];
    let mut i = 1;
    let mut c = 0;
    while i <= MAX_SLOT / 16 {
        while SIZES[c] < i * 16 {
            c += 1;
        }
        t[i] = c as u8;
        i += 1;
    }
    t
};
const UNITS: usize = (MAX_SLOT / 16 + 1).next_power_of_two();

const _: () = {
    let mut i = 0;
    while i < UNITS {
        assert!((BY_UNITS[i] as usize) < CLASSES);
        i += 1;
    }
};

/// The class of the smallest slot that holds `slot` bytes (`slot <=
/// MAX_SLOT`; 0 is the smallest class).
#[inline(always)]
pub fn class_of(slot: usize) -> usize {
    let class = BY_UNITS[slot.div_ceil(16) & (UNITS - 1)] as usize;
    // SAFETY: every entry of the table is a class (checked where it is
    // built); telling the compiler spares the hot paths a mask.
    unsafe { core::hint::assert_unchecked(class < CLASSES) };
    class
}

/// The slot size of a class.
#[inline(always)]
pub fn size_of(class: usize) -> usize {
    // Never 0 (which the compiler cannot see in the table): dividing by it
    // needs no panic path.
    SIZES[table_index(class)].max(16)
}

/// Per class, the multiplier `m = ceil(2^64 / size)` that divides an offset
/// in a slab by the slot size and tests it for a slot's start in one
/// widening multiplication: for an offset below 2^32, the high half of
/// `offset * m` is `offset / size`, and the low half is below `m` exactly
/// when `size` divides `offset` (the rounding error `m * size - 2^64`,
/// less than `size`, times a quotient below 2^32 never carries into the
/// high half, and leaves the low half below `m` only at a multiple).
pub const DIVISORS: [u64; TABLE] = {
    let mut r = [0; TABLE];
    let mut c = 0;
    while c < TABLE {
        r[c] = u64::MAX / SIZES[c] as u64 + 1;
        c += 1;
    }
    r
};

const _: () = assert!(SLAB as u64 <= 1 << 32);

/// `offset / size_of(c)`, and whether `offset` is a multiple of the slot
/// size, by the class's entry of [`DIVISORS`]; `offset` is below 2^32.
#[inline(always)]
pub fn exact_quotient(offset: usize, divisor: u64) -> (usize, bool) {
    let product = offset as u128 * divisor as u128;
    ((product >> 64) as usize, (product as u64) < divisor)
}

/// The class for a block of `capacity` bytes at alignment `align` (a power
/// of two): the smallest slot size that holds it and is a multiple of
/// `align` (slabs are aligned to their size, so every such slot is
/// aligned). None when no slot is large enough.
pub fn aligned_class(capacity: usize, align: usize) -> Option<usize> {
    let want = capacity.max(align);
    if want > MAX_SLOT {
        return None;
    }
    (class_of(want)..CLASSES).find(|&c| size_of(c) % align == 0)
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

    #[test]
    fn divisors_find_exactly_the_slot_starts_within_a_slab() {
        for (c, &divisor) in DIVISORS.iter().enumerate().take(CLASSES) {
            let size = size_of(c);
            for offset in 0..SLAB {
                let want = (offset / size, offset % size == 0);
                assert_eq!(
                    exact_quotient(offset, divisor),
                    want,
                    "class {c} offset {offset}"
                );
            }
        }
    }

    #[test]
    fn aligned_classes_are_multiples_of_the_alignment() {
        for shift in 4..=MAX_SLOT.trailing_zeros() {
            let align = 1 << shift;
            for capacity in (16..=MAX_SLOT).step_by(16) {
                let c = aligned_class(capacity, align).unwrap();
                assert_eq!(size_of(c) % align, 0);
                assert!(size_of(c) >= capacity);
            }
        }
    }
}
