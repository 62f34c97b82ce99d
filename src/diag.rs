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
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                break;
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        self
    }

    /// Appends a number in decimal.
    pub fn dec(&mut self, mut v: u64) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.bytes(&digits[i..])
    }

    /// Appends a number in hexadecimal with a `0x` prefix (addresses).
    pub fn hex(&mut self, v: u64) -> &mut Self {
        let mut digits = [0u8; 16];
        let mut i = digits.len();
        let mut v = v;
        loop {
            i -= 1;
            digits[i] = b"0123456789abcdef"[(v & 15) as usize];
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        self.text("0x").bytes(&digits[i..])
    }

    fn bytes(&mut self, s: &[u8]) -> &mut Self {
        let room = self.buf.len() - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
        self
    }

    /// Writes the line (with a newline) to standard error.
    pub fn emit(&mut self) {
        if self.len == self.buf.len() {
            self.len -= 1;
        }
        self.buf[self.len] = b'\n';
        self.len += 1;
        let mut done = 0;
        while done < self.len {
            // SAFETY: the slice [done, len) of our own buffer is readable.
            let r = unsafe {
                port::write(
                    2,
                    self.buf[done..].as_ptr() as *const c_void,
                    self.len - done,
                )
            };
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
    let set: u64 = 1 << (libc::SIGABRT - 1);
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
            libc::SIGABRT,
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
        let _ = port::tgkill(pid, tid, libc::SIGABRT);
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
/// never unwinds into C.
#[cfg(all(feature = "capi", not(test)))]
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
