//! Fatal diagnostics: one line on fd 2, then abort, using only the port layer.
//!
//! Used by the panic handler and by the allocator's misuse checks, so it must
//! not allocate, format with `core::fmt` (code size), or take locks.

use crate::port;
use core::ffi::c_void;

/// A one-line message built on the stack.
pub struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Line {
    /// An empty line.
    pub const fn new() -> Self {
        Line {
            buf: [0; 160],
            len: 0,
        }
    }

    /// Appends text, truncating at the buffer's end.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Appends a number in decimal.
    pub fn dec(&mut self, v: u64) -> &mut Self {
        self.digits(v, 10)
    }

    /// Appends a number in hexadecimal with a `0x` prefix (addresses).
    pub fn hex(&mut self, v: u64) -> &mut Self {
        self.text("0x").digits(v, 16)
    }

    // Everything below is written so that no bounds check can fail: a
    // reachable panic would pull core::fmt (~10 KB) into every program.
    fn digits(&mut self, mut v: u64, base: u64) -> &mut Self {
        let mut out = [0u8; 20];
        let mut start = out.len();
        for slot in out.iter_mut().rev() {
            *slot = b"0123456789abcdef"[(v % base) as usize & 15];
            start -= 1;
            v /= base;
            if v == 0 {
                break;
            }
        }
        self.bytes(out.get(start..).unwrap_or(&[]))
    }

    fn bytes(&mut self, s: &[u8]) -> &mut Self {
        if let Some(room) = self.buf.get_mut(self.len..) {
            let n = s.len().min(room.len());
            for (dst, src) in room.iter_mut().zip(s) {
                *dst = *src;
            }
            self.len += n;
        }
        self
    }

    /// Writes the line (with a newline) to standard error.
    pub fn emit(&mut self) {
        let last = self.buf.len() - 1;
        self.len = self.len.min(last);
        if let Some(end) = self.buf.get_mut(self.len) {
            *end = b'\n';
        }
        self.len += 1;
        let mut done = 0;
        while let Some(rest) = self.buf.get(done..self.len) {
            if rest.is_empty() {
                break;
            }
            // SAFETY: rest is a readable slice of our own buffer.
            let r = unsafe { port::write(2, rest.as_ptr() as *const c_void, rest.len()) };
            match r {
                Ok(n) if n > 0 => done += n,
                Err(crate::Errno::EINTR) => {}
                _ => break,
            }
        }
    }
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

/// Ends the process with SIGABRT, as `abort()` does: unblocks the signal,
/// raises it, and if a handler returns, restores the default action and
/// raises it again. Never returns.
pub fn abort() -> ! {
    const SIG_UNBLOCK: core::ffi::c_int = 1;
    let set: u64 = 1 << (crate::abi::SIGABRT - 1);
    // The kernel's struct sigaction with everything zero is SIG_DFL, no flags.
    let default_action = [0u64; 4];
    // SAFETY: these calls only read the local values passed to them and act
    // on this process.
    unsafe {
        let _ = port::rt_sigprocmask(
            SIG_UNBLOCK,
            &set as *const u64 as *const c_void,
            core::ptr::null_mut(),
            8,
        );
        raise_abort();
        let _ = port::rt_sigaction(
            crate::abi::SIGABRT,
            default_action.as_ptr() as *const c_void,
            core::ptr::null_mut(),
            8,
        );
        raise_abort();
    }
    exit(127)
}

unsafe fn raise_abort() {
    // SAFETY: signalling our own thread.
    unsafe {
        let pid = port::getpid().unwrap_or(0) as core::ffi::c_int;
        let tid = port::gettid().unwrap_or(0) as core::ffi::c_int;
        let _ = port::tgkill(pid, tid, crate::abi::SIGABRT);
    }
}

/// Ends the whole process with `status`.
pub fn exit(status: core::ffi::c_int) -> ! {
    loop {
        // SAFETY: exit_group takes no memory and does not return.
        let _ = unsafe { port::exit_group(status) };
    }
}

/// The C library's panic handler: one line on fd 2, then abort. A panic
/// never unwinds into C. With `std` (which has its own) there is none.
#[cfg(all(feature = "capi", not(any(test, feature = "std"))))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut line = Line::new();
    line.text("minic: internal error (panic)");
    if let Some(loc) = info.location() {
        line.text(" at ")
            .text(loc.file())
            .text(":")
            .dec(loc.line() as u64);
    }
    line.emit();
    abort()
}

#[cfg(test)]
mod tests {
    use super::Line;

    #[test]
    fn formats_numbers() {
        let mut l = Line::new();
        l.text("a ").dec(0).text(" ").dec(1234567);
        assert_eq!(&l.buf[..l.len], b"a 0 1234567");
        let mut h = Line::new();
        h.hex(0).text(" ").hex(0x7f00_dead_beef);
        assert_eq!(&h.buf[..h.len], b"0x0 0x7f00deadbeef");
        let mut m = Line::new();
        m.dec(u64::MAX).text(" ").hex(u64::MAX);
        assert_eq!(&m.buf[..m.len], b"18446744073709551615 0xffffffffffffffff");
    }

    #[test]
    fn truncates_long_lines() {
        let mut l = Line::new();
        for _ in 0..100 {
            l.text("xyz");
        }
        assert_eq!(l.len, 160);
    }
}
