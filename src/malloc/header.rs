//! The block header (interim copy of the malloc branch's interface: the
//! format the whole family shares lands with it and replaces this file).
//!
//! A block is `[pad][header][payload]`; the 16-byte header sits right before
//! the payload. Word 0 is the payload capacity (a multiple of 16) with state
//! bits in its low 4 bits; word 1 is a 32-bit check of the header's address
//! and contents under a secret, and the pad in 16-byte units. The check
//! leaves out the `IN_USE` bit, so that an allocator can flip a slot between
//! free and in use with one store ([`set_in_use`]) and hash once per
//! malloc/free pair (on free), not three times.

/// Bytes of a header, and the alignment of every payload.
pub const HEADER: usize = 16;
/// Alignment of every payload (`max_align_t`).
pub const ALIGN: usize = 16;
/// The block is allocated.
pub const IN_USE: usize = 1;
/// The block is alone in its own mapping.
pub const OWN_MAPPING: usize = 2;
const STATE_MASK: usize = ALIGN - 1;
/// The largest pad word 1 records.
pub const MAX_PAD: usize = (u32::MAX as usize) * ALIGN;

const SECRET: u64 = 0x243f_6a88_85a3_08d3;

/// A decoded header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The payload address.
    pub payload: usize,
    /// Usable payload bytes.
    pub capacity: usize,
    /// Bytes between the block's start and its header.
    pub pad: usize,
    /// `IN_USE`, `OWN_MAPPING`.
    pub state: usize,
}

/// What a header read found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misuse {
    /// Not a payload minic returned, or an overwritten header.
    Invalid,
    /// A block that is already free.
    DoubleFree,
}

impl Block {
    /// The first byte of the block.
    #[inline]
    pub fn start(&self) -> usize {
        self.payload - HEADER - self.pad
    }

    /// Writes the header.
    ///
    /// # Safety
    /// The 16 bytes before `payload` belong to the block.
    #[inline]
    pub unsafe fn write(&self) {
        let w0 = (self.capacity | self.state) as u64;
        let pad = (self.pad / ALIGN) as u64;
        let w1 = (check(self.payload - HEADER, w0 & !(IN_USE as u64), pad) as u64) << 32 | pad;
        // SAFETY: the caller's contract; the header is 16-aligned.
        unsafe { ((self.payload - HEADER) as *mut [u64; 2]).write([w0, w1]) }
    }

    /// Reads and checks a payload's header.
    ///
    /// # Safety
    /// For a 16-aligned `payload`, the 16 bytes before it are readable.
    #[inline]
    pub unsafe fn read(payload: usize) -> Result<Block, Misuse> {
        if payload % ALIGN != 0 || payload < HEADER {
            return Err(Misuse::Invalid);
        }
        // SAFETY: the caller's contract.
        let [w0, w1] = unsafe { ((payload - HEADER) as *const [u64; 2]).read() };
        let pad = w1 & 0xffff_ffff;
        if (w1 >> 32) as u32 != check(payload - HEADER, w0 & !(IN_USE as u64), pad) {
            return Err(Misuse::Invalid);
        }
        let b = Block {
            payload,
            capacity: w0 as usize & !STATE_MASK,
            pad: pad as usize * ALIGN,
            state: w0 as usize & STATE_MASK,
        };
        if b.state & IN_USE == 0 {
            return Err(Misuse::DoubleFree);
        }
        Ok(b)
    }
}

/// Marks a block whose header is valid as in use or free, keeping the rest
/// of its header.
///
/// # Safety
/// `payload` has a valid header, writable.
#[inline]
pub unsafe fn set_in_use(payload: usize, in_use: bool) {
    let w0 = (payload - HEADER) as *mut u64;
    // SAFETY: the caller's contract.
    unsafe { *w0 = (*w0 & !(IN_USE as u64)) | if in_use { IN_USE as u64 } else { 0 } }
}

#[inline]
fn check(header: usize, w0: u64, pad: u64) -> u32 {
    let mut x = SECRET ^ (header as u64).rotate_left(23) ^ w0 ^ pad.rotate_left(41);
    x = (x ^ (x >> 32)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    x = (x ^ (x >> 29)).wrapping_mul(0xd6e8_feb8_6659_fd93);
    (x >> 32) as u32
}
