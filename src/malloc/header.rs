//! The block header: one format for every allocator mode.
//!
//! Every block is `[pad][header][payload]`. The header is the 16 bytes right
//! before the payload, so it always lies inside the block the allocator owns
//! (never before a mapping's start). The pad, empty unless the payload needed
//! a stricter alignment, is what leads back from an aligned payload to the
//! start of its block.
//!
//! ```text
//! word 0: capacity | state      capacity: payload bytes, a multiple of 16;
//!                               state: 4 low bits (IN_USE, OWN_MAPPING, 2 spare)
//! word 1: check << 32 | pad/16  check: a hash of the header's address, word 0,
//!                               the pad and a per-process secret
//! ```
//!
//! The check word makes a stray pointer, an overwritten header or a pointer
//! minic never returned recognisable before the allocator trusts the sizes in
//! it; the state tells a freed block from a live one.

use core::sync::atomic::{AtomicU64, Ordering};

/// Bytes of a header; also the payload alignment every block gets.
pub const HEADER: usize = 16;
/// Alignment of every payload: `alignof(max_align_t)`.
pub const ALIGN: usize = 16;

/// The block is allocated (cleared by free, so a second free is seen).
pub const IN_USE: usize = 1;
/// The block is alone in its own mapping: free unmaps `[start, end)`.
pub const OWN_MAPPING: usize = 2;
/// Bits of word 0 that are state, not capacity.
const STATE_MASK: usize = ALIGN - 1;

/// The largest pad word 1 can record (in 16-byte units, 32 bits), and on a
/// 32-bit target the largest multiple of 16; payload alignments are limited
/// to this.
pub const MAX_PAD: usize = (u32::MAX as usize).saturating_mul(ALIGN) & !(ALIGN - 1);

/// The per-process secret mixed into every check word; 0 until the first
/// header is read or written. It never changes afterwards (a fork child keeps
/// its parent's, with its parent's heap).
static SECRET: AtomicU64 = AtomicU64::new(0);

/// The secret, drawn on first use.
#[inline]
pub fn secret() -> u64 {
    match SECRET.load(Ordering::Relaxed) {
        0 => draw_secret(),
        s => s,
    }
}

/// Draws the secret from `getrandom` (non-blocking: early in boot the pool
/// may not be ready) or, where that fails (an old kernel, a seccomp filter, a
/// port without it), from what varies between runs: the addresses ASLR
/// chooses, the process and thread ids, the time stamp counter. `AT_RANDOM`
/// would do as well, but a library without a C runtime cannot reach the
/// auxiliary vector. Concurrent first callers agree: the first to publish
/// wins, and everyone uses its value.
#[cold]
fn draw_secret() -> u64 {
    const GRND_NONBLOCK: core::ffi::c_uint = 1;
    let mut drawn = 0u64;
    // SAFETY: the kernel writes at most 8 bytes into `drawn`.
    let got = unsafe {
        crate::port::getrandom(
            &mut drawn as *mut u64 as *mut core::ffi::c_void,
            8,
            GRND_NONBLOCK,
        )
    };
    if got != Ok(8) {
        let stack = &drawn as *const u64 as u64;
        let data = &SECRET as *const AtomicU64 as u64;
        let code = draw_secret as *const () as u64;
        // SAFETY: getpid and gettid read nothing of ours.
        let ids = unsafe {
            (crate::port::getpid().unwrap_or(0) as u64) << 32
                ^ crate::port::gettid().unwrap_or(0) as u64
        };
        let clock = crate::port::arch::entropy();
        drawn = mix(stack ^ mix(data ^ mix(code ^ mix(ids ^ mix(clock)))));
    }
    // Zero means "not drawn yet".
    let drawn = drawn | 1;
    match SECRET.compare_exchange(0, drawn, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => drawn,
        Err(first) => first,
    }
}

/// The finaliser of splitmix64: every input bit reaches every output bit.
#[inline]
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A decoded header: where a block is and what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The payload address (16-byte aligned).
    pub payload: usize,
    /// Payload bytes the caller may use.
    pub capacity: usize,
    /// Bytes between the block's start and its header.
    pub pad: usize,
    /// `IN_USE`, `OWN_MAPPING`.
    pub state: usize,
}

/// What reading a header found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misuse {
    /// Not a payload minic returned, or a header that was overwritten.
    Invalid,
    /// A valid header of a block that is already free.
    DoubleFree,
    /// A size larger than the block's (`free_sized`).
    WrongSize,
    /// The bytes past the requested size were overwritten (guard mode).
    #[cfg_attr(not(minic_malloc = "guard"), allow(dead_code))]
    Overflow,
}

impl Block {
    /// The address of the header.
    #[inline]
    pub fn header(&self) -> usize {
        self.payload - HEADER
    }

    /// The first byte of the block (where the pad begins).
    #[inline]
    pub fn start(&self) -> usize {
        self.payload - HEADER - self.pad
    }

    /// One past the block's last byte.
    #[inline]
    #[cfg_attr(minic_malloc = "default", allow(dead_code))]
    pub fn end(&self) -> usize {
        self.payload + self.capacity
    }

    /// Encodes the two header words.
    fn encode(&self) -> [u64; 2] {
        debug_assert!(self.capacity % ALIGN == 0 && self.pad % ALIGN == 0);
        debug_assert!(self.pad <= MAX_PAD && self.state <= STATE_MASK);
        let word0 = (self.capacity | self.state) as u64;
        let pad_units = (self.pad / ALIGN) as u64;
        // Without the checks (`cfg(minic_no_checks)`) nothing reads it.
        let check = if cfg!(minic_no_checks) {
            0
        } else {
            check_word(self.header(), word0 & !(IN_USE as u64), pad_units)
        };
        [word0, (check as u64) << 32 | pad_units]
    }

    /// Writes the header before the payload.
    ///
    /// # Safety
    /// The 16 bytes before `payload` belong to this block and are writable.
    #[inline]
    pub unsafe fn write(&self) {
        let words = self.encode();
        // SAFETY: the caller owns the header's 16 bytes; payload is 16-aligned.
        unsafe { (self.header() as *mut [u64; 2]).write(words) }
    }

    /// Marks the header of this live block free, atomically: of two threads
    /// freeing the block at once, exactly one gets true. The check word
    /// leaves `IN_USE` out, so it stays valid.
    ///
    /// # Safety
    /// The header was just read as this live block's and stays mapped.
    #[cfg(minic_malloc = "linear")]
    pub unsafe fn mark_freed(&self) -> bool {
        let live = (self.capacity | self.state) as u64;
        // SAFETY: the caller's contract; the header is 16-aligned.
        let word0 = unsafe { &*(self.header() as *const AtomicU64) };
        word0
            .compare_exchange(
                live,
                live & !(IN_USE as u64),
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    /// Reads and checks the header of a payload minic returned; under
    /// `cfg(minic_no_checks)` only reads it.
    ///
    /// # Safety
    /// If `payload` is 16-aligned, the 16 bytes before it must be readable
    /// (true for every live or linearly freed block minic returned); under
    /// `cfg(minic_no_checks)`, `payload` must be a live block's.
    #[inline]
    pub unsafe fn read(payload: usize) -> Result<Block, Misuse> {
        let checks = !cfg!(minic_no_checks);
        if checks && (payload % ALIGN != 0 || payload < HEADER) {
            return Err(Misuse::Invalid);
        }
        // SAFETY: the caller's contract.
        let [word0, word1] = unsafe { ((payload - HEADER) as *const [u64; 2]).read() };
        let pad_units = word1 & 0xffff_ffff;
        if checks
            && (word1 >> 32) as u32
                != check_word(payload - HEADER, word0 & !(IN_USE as u64), pad_units)
        {
            return Err(Misuse::Invalid);
        }
        let block = Block {
            payload,
            capacity: word0 as usize & !STATE_MASK,
            pad: pad_units as usize * ALIGN,
            state: word0 as usize & STATE_MASK,
        };
        if checks && block.state & IN_USE == 0 {
            return Err(Misuse::DoubleFree);
        }
        Ok(block)
    }
}

/// A 32-bit keyed hash of a header's address and contents (less the
/// `IN_USE` bit). The secret goes in before and after the first round of
/// mixing: one round alone is invertible, and three leaked headers would
/// give the secret away to a search of 2^32; through two, recovering it
/// from any number of headers means a search of 2^64. A forged header
/// therefore needs a fresh 32-bit guess, and a wrong one aborts.
#[inline]
fn check_word(header: usize, word0: u64, pad_units: u64) -> u32 {
    let key = secret();
    let x = (header as u64).rotate_left(29) ^ word0 ^ pad_units.rotate_left(47);
    (mix(mix(x ^ key) ^ key.rotate_left(32)) >> 32) as u32
}

/// Reports misuse of `address` by `function` on stderr and aborts.
#[cold]
pub(crate) fn report(function: &str, misuse: Misuse, address: usize) -> ! {
    let what = match misuse {
        Misuse::Invalid => "(): invalid pointer ",
        Misuse::DoubleFree => "(): double free of ",
        Misuse::WrongSize => "(): size larger than the block at ",
        Misuse::Overflow => "(): buffer overflow past the end of ",
    };
    crate::diag::Line::new()
        .text("minic: ")
        .text(function)
        .text(what)
        .hex(address as u64)
        .emit();
    crate::diag::abort()
}

/// `SLACK_MASKS[keep]` keeps the first `keep` bytes of a 16-byte unit read
/// as a little-endian `u128`, and clears the others.
static SLACK_MASKS: [u128; ALIGN + 1] = {
    let mut masks = [u128::MAX; ALIGN + 1];
    let mut keep = 0;
    while keep < ALIGN {
        masks[keep] = (1u128 << (keep * 8)) - 1;
        keep += 1;
    }
    masks
};

/// Zeroes `[size, round16(size))` of a block whose caller-visible contents
/// end at or before the last 16-byte unit of `capacity`. The unit is read,
/// masked and written back: a `memset` of 0 to 15 bytes on every
/// allocation would be a call where one masked store does.
///
/// # Safety
/// `capacity <= block.capacity`, `capacity == round16(max(size, 1))`, and
/// the last unit below `capacity` holds no data of the caller's.
pub(crate) unsafe fn clear_slack(block: Block, size: usize, capacity: usize) {
    let last = (block.payload + capacity - ALIGN) as *mut u128;
    // The bytes of the unit below `size`: 0 to 16.
    let keep = size + ALIGN - capacity;
    // A table load: computing the mask costs a dozen instructions.
    let mask = SLACK_MASKS[keep.min(ALIGN)];
    // SAFETY: the unit lies inside the block's payload and is 16-aligned
    // (payloads and capacities are); x86-64 is little-endian, so the low
    // `keep` bytes of the value are the unit's first `keep` bytes.
    unsafe { last.write(last.read() & mask) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(align(16))]
    struct Buf([u8; 64]);

    #[test]
    fn round_trip_and_misuse() {
        let mut buf = Buf([0; 64]);
        let payload = buf.0.as_mut_ptr() as usize + 32;
        let b = Block {
            payload,
            capacity: 32,
            pad: 16,
            state: IN_USE | OWN_MAPPING,
        };
        // SAFETY: the header lies inside `buf`.
        unsafe { b.write() };
        // SAFETY: as above.
        assert_eq!(unsafe { Block::read(payload) }, Ok(b));
        assert_eq!(b.start(), buf.0.as_ptr() as usize);
        assert_eq!(b.end(), payload + 32);
        // A different address, a misaligned one, a changed size: not a block.
        // SAFETY: each read stays inside `buf` (16-aligned reads of 16 bytes
        // at or after its start; a misaligned payload is refused unread).
        assert_eq!(unsafe { Block::read(payload - 16) }, Err(Misuse::Invalid));
        // SAFETY: as above.
        assert_eq!(unsafe { Block::read(payload + 1) }, Err(Misuse::Invalid));
        let size_byte = (payload - HEADER) as *mut u8;
        // SAFETY: a byte of the header inside `buf`.
        unsafe { *size_byte ^= 0x40 };
        // SAFETY: the header lies inside `buf`.
        assert_eq!(unsafe { Block::read(payload) }, Err(Misuse::Invalid));
        // SAFETY: as above.
        unsafe { *size_byte ^= 0x40 };
        // A freed block is told apart from a forged one.
        let freed = Block { state: 0, ..b };
        // SAFETY: the header lies inside `buf`.
        unsafe { freed.write() };
        // SAFETY: as above.
        assert_eq!(unsafe { Block::read(payload) }, Err(Misuse::DoubleFree));
    }

    #[test]
    fn secret_is_drawn_once() {
        let s = secret();
        assert_ne!(s, 0);
        assert_eq!(secret(), s);
        assert_eq!(draw_secret(), s);
    }

    #[test]
    fn largest_pad_fits() {
        let b = Block {
            payload: 1 << 40,
            capacity: 1 << 20,
            pad: MAX_PAD,
            state: IN_USE,
        };
        let [w0, w1] = b.encode();
        assert_eq!(w0 as usize & !STATE_MASK, 1 << 20);
        assert_eq!((w1 & 0xffff_ffff) as usize * ALIGN, MAX_PAD);
    }
}
