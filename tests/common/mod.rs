//! What the integration tests share: unique object names and their removal.
// Each test file uses a part of this module.
#![allow(dead_code)]

use minic::Errno;
use std::ffi::{CStr, CString};

/// A queue or shared memory object name no other test, process or
/// concurrent run uses: the tag and this process's id.
pub fn unique_name(tag: &str) -> CString {
    CString::new(format!("/minic-test-{tag}-{}", std::process::id())).unwrap()
}

/// Removes a name when dropped, so that a failing test leaves nothing behind.
pub struct Unlink {
    pub name: CString,
    pub unlink: fn(&CStr) -> Result<(), Errno>,
}

impl Drop for Unlink {
    fn drop(&mut self) {
        let _ = (self.unlink)(&self.name);
    }
}

/// Names that no object may have: `EINVAL` before the kernel is asked.
pub const BAD_NAMES: [&CStr; 9] = [
    c"",
    c"/",
    c"//",
    c".",
    c"/..",
    c"/a/b",
    c"a/",
    c"/../../tmp/x",
    c"/./x",
];

/// A name one byte longer than `NAME_MAX`: `ENAMETOOLONG`.
pub fn too_long_name() -> CString {
    CString::new(format!("/{}", "n".repeat(256))).unwrap()
}
