//! The header of a block in a slab slot: one 64-bit word right before the
//! payload.
//!
//! Slots are small, so the family's 16-byte header (`malloc::header`) would
//! cost a fifth of a typical 72-byte block; a slot's size, class and owner
//! are its slab's, and its header records only what differs per block:
//!
//! ```text
//! bits 63..32  check: the slab's check word (drawn from the process secret
//!              for each use of a slab), so a stray pointer or an
//!              overwritten header does not pass for a block
//! bits 31..16  pad / 16: from the slot's start to this header (aligned
//!              blocks; 0 otherwise)
//! bits 15..4   capacity / 8: the payload bytes the block was given
//! bits  3..0   state: IN_USE, cleared by free so a second free is seen
//! ```
//!
//! A slot is `[header][payload]`, its start 8 bytes before a 16-byte
//! boundary; an aligned block in a slot is `[pad][header][payload]`.

use crate::malloc::header::Misuse;

/// Bytes of a slot header.
pub const SLOT_HEADER: usize = 8;

const IN_USE: u64 = 1;
const STATE: u64 = 0xf;
const CAPACITY_SHIFT: u32 = 4;
const CAPACITY: u64 = 0xfff << CAPACITY_SHIFT;
const PAD_SHIFT: u32 = 16;
const PAD: u64 = 0xffff << PAD_SHIFT;
const CHECK_SHIFT: u32 = 32;

/// A slab's check word, placed where headers keep it. Never 0: a slab whose
/// pages went back to the kernel reads as zero, and none of its stale
/// pointers must pass.
#[inline]
pub fn check_bits(check: u32) -> u64 {
    (check.max(1) as u64) << CHECK_SHIFT
}

/// The header of a live block of `capacity` bytes (a multiple of 8, below
/// 32 KiB) at `pad` bytes (a multiple of 16, below 1 MiB) from its slot's
/// start, in a slab whose check bits are `check`.
#[inline(always)]
pub fn live(check: u64, capacity: usize, pad: usize) -> u64 {
    check | ((pad / 16) as u64) << PAD_SHIFT | ((capacity / 8) as u64) << CAPACITY_SHIFT | IN_USE
}

/// True for the header of a live block at its slot's start (no pad) in the
/// slab of check bits `check`: the quick test of free.
/// Under `cfg(minic_no_checks)` the check bits are not compared.
#[inline(always)]
pub fn is_live_unpadded(word: u64, check: u64) -> bool {
    if cfg!(minic_no_checks) {
        return word & (PAD | STATE) == IN_USE;
    }
    (word ^ check) & !CAPACITY == IN_USE
}

/// The capacity a header records.
#[inline(always)]
pub fn capacity_of(word: u64) -> usize {
    ((word & CAPACITY) >> CAPACITY_SHIFT) as usize * 8
}

/// The check bits of a header.
#[inline(always)]
pub fn check_of(word: u64) -> u64 {
    word & !((1 << CHECK_SHIFT) - 1)
}

/// The same header, marked free.
#[inline(always)]
pub fn freed(word: u64) -> u64 {
    word & !IN_USE
}

/// The capacity and pad a header records, if it is a live block's of the
/// slab of check bits `check`.
#[inline]
pub fn decode(word: u64, check: u64) -> Result<(usize, usize), Misuse> {
    if check == 0 || (word ^ check) >> CHECK_SHIFT != 0 {
        return Err(Misuse::Invalid);
    }
    match word & STATE {
        IN_USE => Ok((capacity_of(word), ((word & PAD) >> PAD_SHIFT) as usize * 16)),
        0 => Err(Misuse::DoubleFree),
        _ => Err(Misuse::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_misuse() {
        let check = check_bits(0x1234_5678);
        let w = live(check, 16376, 0);
        assert!(is_live_unpadded(w, check));
        assert_eq!(decode(w, check), Ok((16376, 0)));
        assert!(!is_live_unpadded(freed(w), check));
        assert_eq!(decode(freed(w), check), Err(Misuse::DoubleFree));
        let padded = live(check, 48, 4080);
        assert!(!is_live_unpadded(padded, check));
        assert_eq!(decode(padded, check), Ok((48, 4080)));
        // Another slab's block, a flipped bit, a zeroed page: not blocks.
        assert_eq!(decode(w, check_bits(7)), Err(Misuse::Invalid));
        assert!(!is_live_unpadded(w ^ 1 << 40, check));
        assert_eq!(decode(w ^ 1 << 40, check), Err(Misuse::Invalid));
        assert_eq!(decode(w | 4, check), Err(Misuse::Invalid));
        assert_eq!(decode(0, 0), Err(Misuse::Invalid));
        assert_eq!(check_bits(0), check_bits(1));
    }
}
