//! A std program whose every allocation comes from minic: `minic::Minic` is
//! its global allocator. Four threads build word counts of generated text
//! (strings, hash maps, vectors), send them over a channel to a thread that
//! merges them into an ordered map, and the program checks the totals and
//! prints a summary, including a page-aligned buffer's address.
//!
//! Run with `cargo run --example global_allocator` (`make check` runs it);
//! `MINIC_MALLOC=mmap cargo run --example global_allocator` uses the mmap
//! mode instead of the default one.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: minic::Minic = minic::Minic;

const THREADS: usize = 4;
const WORDS_PER_THREAD: usize = 50_000;
const SYLLABLES: [&str; 8] = ["ka", "lo", "mi", "nu", "pe", "ri", "so", "ta"];

/// Words of two to four syllables from a simple pseudo-random sequence.
fn text(seed: u64, words: usize) -> String {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let mut text = String::new();
    for _ in 0..words {
        for _ in 0..2 + next() % 3 {
            text.push_str(SYLLABLES[next() % SYLLABLES.len()]);
        }
        text.push(' ');
    }
    text
}

/// A buffer aligned to a page: its `Layout` asks minic for 4096-byte alignment.
#[repr(align(4096))]
struct Page([u8; 4096]);

fn main() {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel::<HashMap<String, usize>>();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let tx = tx.clone();
            thread::spawn(move || {
                let text = text(0x5eed + t as u64, WORDS_PER_THREAD);
                let mut counts = HashMap::new();
                for word in text.split_whitespace() {
                    *counts.entry(word.to_owned()).or_insert(0) += 1;
                }
                let bytes = text.len();
                tx.send(counts).expect("the merger is alive");
                bytes
            })
        })
        .collect();
    drop(tx);

    // The maps were allocated by the workers and are freed here.
    let mut merged: BTreeMap<String, usize> = BTreeMap::new();
    for counts in rx {
        for (word, n) in counts {
            *merged.entry(word).or_insert(0) += n;
        }
    }
    let bytes: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();

    let total: usize = merged.values().sum();
    assert_eq!(total, THREADS * WORDS_PER_THREAD);
    let mut common: Vec<(&String, &usize)> = merged.iter().collect();
    common.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));

    let pages: Vec<Box<Page>> = (0..16).map(|i| Box::new(Page([i; 4096]))).collect();
    assert!(pages
        .iter()
        .all(|p| p.as_ref() as *const Page as usize % 4096 == 0));
    assert!(pages
        .iter()
        .enumerate()
        .all(|(i, p)| p.0.iter().all(|&b| b == i as u8)));

    println!(
        "{THREADS} threads counted {total} words ({} KiB of text), {} distinct",
        bytes / 1024,
        merged.len()
    );
    let top: Vec<String> = common
        .iter()
        .take(3)
        .map(|(w, n)| format!("{w} x{n}"))
        .collect();
    println!("most common: {}", top.join(", "));
    println!(
        "16 page-aligned boxes, the first at {:p}; done in {} ms, all on minic's allocator",
        pages[0].as_ref(),
        start.elapsed().as_millis()
    );
}
