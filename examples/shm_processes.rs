//! Shared memory between two processes with minic's Rust API: the parent
//! creates and sizes an object and writes a request into it; a child
//! process (this program run again) opens the object by name, maps it,
//! answers in the same memory, and the parent reads the answer.
//!
//! Run with `cargo run --example shm_processes`.

use minic::mman::unmap;
use minic::shm::SharedMemory;
use minic::Errno;
use std::ffi::{CStr, CString};
use std::process::Command;

const SIZE: usize = 4096;
const ANSWER_AT: usize = 2048;

/// Removes the object's name when the parent is done, on errors too.
struct Name(CString);

impl Drop for Name {
    fn drop(&mut self) {
        let _ = SharedMemory::unlink(&self.0);
    }
}

/// A shared mapping of the whole object, unmapped when dropped.
struct Shared {
    ptr: *mut u8,
}

impl Shared {
    fn new(shm: &SharedMemory) -> Result<Self, Errno> {
        let ptr = shm.map_raw(0, SIZE, libc::PROT_READ | libc::PROT_WRITE)?;
        Ok(Shared { ptr })
    }

    /// A NUL-terminated string at `at`.
    fn read(&self, at: usize) -> String {
        // SAFETY: the mapping is SIZE bytes; the other process is not
        // writing now (it has not started, or it has ended).
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr.add(at), SIZE - at) };
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    }

    fn write(&self, at: usize, text: &str) {
        assert!(at + text.len() < SIZE);
        // SAFETY: within the mapping, as checked; nobody else writes now.
        unsafe {
            self.ptr.add(at).copy_from(text.as_ptr(), text.len());
            self.ptr.add(at + text.len()).write(0);
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: our mapping, no longer used.
        let _ = unsafe { unmap(self.ptr.cast(), SIZE) };
    }
}

fn child(name: &CStr) -> Result<(), Errno> {
    let shm = SharedMemory::open(name)?;
    let memory = Shared::new(&shm)?;
    let request = memory.read(0);
    println!("child {}: read \"{request}\"", std::process::id());
    memory.write(ANSWER_AT, &request.to_uppercase());
    Ok(())
}

fn main() -> Result<(), Errno> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, role, name] = args.as_slice() {
        if role == "child" {
            return child(&CString::new(name.as_str()).unwrap());
        }
    }

    let name = Name(CString::new(format!("/minic-example-shm-{}", std::process::id())).unwrap());
    let shm = SharedMemory::create_new(&name.0)?;
    shm.set_len(SIZE as u64)?;
    let memory = Shared::new(&shm)?;
    memory.write(0, "hello from the parent");

    let status = Command::new(std::env::current_exe().expect("own path"))
        .arg("child")
        .arg(name.0.to_str().unwrap())
        .status()
        .expect("start the child");
    assert!(status.success(), "child failed: {status}");

    let answer = memory.read(ANSWER_AT);
    println!(
        "parent {}: the child answered \"{answer}\"",
        std::process::id()
    );
    assert_eq!(answer, "HELLO FROM THE PARENT");
    Ok(())
}
