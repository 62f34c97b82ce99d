//! A Rust program using minic's safe mapping API: an anonymous mapping that
//! grows and becomes read-only, two views of one memory file that see each
//! other's writes, and the errors minic reports for bad requests.
//!
//! Run with `cargo run --example rust_mapping` (also run by `make demo`).

use minic::mman::{memfd_create, Advice, Mapping, Protection};
use minic::Errno;
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};

const PAGE: usize = 4096;

fn main() -> Result<(), Errno> {
    let rw = Protection::READ | Protection::WRITE;

    // An anonymous mapping: written, grown (the contents move along), then read-only.
    let mut m = Mapping::anonymous(2 * PAGE, rw)?;
    let text = b"hello from a minic Mapping";
    m.as_mut_slice().ok_or(Errno::EACCES)?[..text.len()].copy_from_slice(text);
    println!("anonymous mapping of {} bytes at {:p}", m.len(), m.as_ptr());
    m.remap(64 * PAGE, true)?;
    m.advise(Advice::Sequential)?;
    m.protect(Protection::READ)?;
    let writable = m.as_mut_slice().is_some();
    let kept = &m.as_slice().ok_or(Errno::EACCES)?[..text.len()];
    println!(
        "grown to {} bytes at {:p}, read-only now (writable view: {writable}), contents kept: {:?}",
        m.len(),
        m.as_ptr(),
        String::from_utf8_lossy(kept)
    );
    match m.lock() {
        Ok(()) => println!("locked in memory"),
        Err(e) => println!("not locked: {e}"),
    }

    // Two shared views of one memory file: a write through one is seen by the other.
    let fd = memfd_create(c"rust_mapping", libc::MFD_CLOEXEC)?;
    // SAFETY: the descriptor was just created and belongs to nothing else.
    let file = unsafe { File::from_raw_fd(fd) };
    file.set_len(PAGE as u64)
        .map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EIO)))?;
    // SAFETY: the memory file is private to this program and keeps its size
    // while mapped; the two views are only used one after the other.
    let (mut writer, reader) = unsafe {
        (
            Mapping::file(file.as_raw_fd(), 0, PAGE, rw, true)?,
            Mapping::file(file.as_raw_fd(), 0, PAGE, Protection::READ, true)?,
        )
    };
    drop(file); // the mappings keep the file alive
    writer.as_mut_slice().ok_or(Errno::EACCES)?[..5].copy_from_slice(b"views");
    writer.sync(true)?;
    println!(
        "shared file mapping: the reader sees {:?}",
        String::from_utf8_lossy(&reader.as_slice().ok_or(Errno::EACCES)?[..5])
    );

    // Bad requests are errors, never panics.
    println!("zero length: {}", Mapping::anonymous(0, rw).unwrap_err());
    println!(
        "huge length: {}",
        Mapping::anonymous(usize::MAX, rw).unwrap_err()
    );
    // SAFETY: nothing is mapped: the offset is refused first.
    let unaligned = unsafe { Mapping::file(0, 100, PAGE, Protection::READ, false) };
    println!("unaligned offset: {}", unaligned.unwrap_err());
    println!("shrink to 0: {}", m.remap(0, true).unwrap_err());
    Ok(())
}
