//! Shared memory between two processes with minic's Rust API: the parent
//! creates and sizes an object and writes a request into it; a child
//! process (this program run again) opens the object by name, maps it,
//! answers in the same memory, and the parent reads the answer.
//!
//! The two processes take turns (the parent waits for the child to end), so
//! each may use the mapping's slices while it has its turn: that is the
//! promise `SharedMemory::map` asks for.
//!
//! Run with `cargo run --example shm_processes`.

use minic::mman::{Mapping, Protection};
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

fn map(shm: &SharedMemory) -> Result<Mapping, Errno> {
    // SAFETY: parent and child take turns (see the top of the file) and
    // nobody shrinks the object below SIZE.
    unsafe { shm.map(0, SIZE, Protection::READ | Protection::WRITE) }
}

/// The NUL-terminated string at `at`.
fn read(memory: &Mapping, at: usize) -> Result<String, Errno> {
    let bytes = memory
        .as_slice()
        .ok_or(Errno::EACCES)?
        .get(at..)
        .ok_or(Errno::EINVAL)?;
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
}

/// Writes `text` and a NUL at `at`.
fn write(memory: &mut Mapping, at: usize, text: &str) -> Result<(), Errno> {
    let bytes = memory.as_mut_slice().ok_or(Errno::EACCES)?;
    let to = bytes.get_mut(at..=at + text.len()).ok_or(Errno::EINVAL)?;
    to[..text.len()].copy_from_slice(text.as_bytes());
    to[text.len()] = 0;
    Ok(())
}

fn child(name: &CStr) -> Result<(), Errno> {
    let shm = SharedMemory::open(name)?;
    let mut memory = map(&shm)?;
    drop(shm); // the mapping keeps the memory
    let request = read(&memory, 0)?;
    println!("child {}: read \"{request}\"", std::process::id());
    write(&mut memory, ANSWER_AT, &request.to_uppercase())
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
    let mut memory = map(&shm)?;
    write(&mut memory, 0, "hello from the parent")?;

    let status = Command::new(std::env::current_exe().expect("own path"))
        .arg("child")
        .arg(name.0.to_str().unwrap())
        .status()
        .expect("start the child");
    assert!(status.success(), "child failed: {status}");

    let answer = read(&memory, ANSWER_AT)?;
    println!(
        "parent {}: the child answered \"{answer}\"",
        std::process::id()
    );
    assert_eq!(answer, "HELLO FROM THE PARENT");
    Ok(())
}
