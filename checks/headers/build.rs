//! Generates the header check.
//!
//! bindgen reads every header in `include/` the way a freestanding C program
//! sees it (`-nostdinc`, only the compiler's own headers), so it reads minic's
//! declarations and never the host's. It also reads the C shims in `src/c/`,
//! which define the C-variadic functions on top of fixed-argument `__minic_*`
//! Rust functions. minic's sources are scanned for `#[no_mangle]` functions to
//! know in which module each C function lives.
//!
//! The output is Rust code in which every C item is a compile-time assertion
//! against its Rust counterpart, so `cargo check` of this crate is the check:
//! - a function: its C prototype as an `extern "C" fn` pointer type, assigned
//!   minic's function (parameter or return types differ: a type error);
//! - a struct or union: size, alignment, and each field's offset and size
//!   against the `libc` crate's type of the same name (the Linux ABI);
//! - a constant (a macro bindgen can evaluate): its value against `libc`'s;
//! - a typedef: size and signedness against `libc`'s.
//!
//! An item that has no counterpart is reported (a `compile_error!` or an
//! unresolved name), unless `allow.txt` lists it with a reason.
//! `MINIC_HEADER_CHECK_INCLUDE` replaces `include/`, for the planted-mistake test.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// What bindgen found in one header or shim.
#[derive(Default)]
struct Items {
    /// name -> (parameter types, return type or None, variadic)
    functions: BTreeMap<String, Sig>,
    /// name -> (type, value), as bindgen wrote them
    constants: BTreeMap<String, (String, String)>,
    /// name -> (is_union, named fields)
    structs: BTreeMap<String, (bool, Vec<String>)>,
    /// name -> aliased type
    typedefs: BTreeMap<String, String>,
    /// structs declared but not defined (`struct mq_attr;`)
    opaque: BTreeSet<String>,
    /// extern variables and anything else the check cannot compare
    others: Vec<String>,
}

#[derive(Clone)]
struct Sig {
    params: Vec<String>,
    ret: Option<String>,
    variadic: bool,
}

/// The explicit exceptions, `allow.txt`: `<kind> <name> <reason>`.
struct AllowList {
    entries: BTreeMap<(String, String), bool>,
}

impl AllowList {
    fn load(path: &Path, problems: &mut Vec<String>) -> Self {
        let mut entries = BTreeMap::new();
        let text = fs::read_to_string(path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let (kind, name, reason) = (words.next(), words.next(), words.next());
            match (kind, name, reason) {
                (
                    Some(k @ ("macro" | "arch" | "const" | "fn" | "struct" | "field" | "type")),
                    Some(n),
                    Some(_),
                ) => {
                    entries.insert((k.to_string(), n.to_string()), false);
                }
                _ => problems.push(format!(
                    "allow.txt:{}: expected `<macro|arch|const|fn|struct|field|type> <name> <reason>`",
                    n + 1
                )),
            }
        }
        AllowList { entries }
    }

    fn allows(&mut self, kind: &str, name: &str) -> bool {
        match self.entries.get_mut(&(kind.to_string(), name.to_string())) {
            Some(used) => {
                *used = true;
                true
            }
            None => false,
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../..").canonicalize().unwrap();
    let include = match env::var_os("MINIC_HEADER_CHECK_INCLUDE") {
        Some(dir) => PathBuf::from(dir)
            .canonicalize()
            .expect("MINIC_HEADER_CHECK_INCLUDE"),
        None => root.join("include"),
    };
    let src = root.join("src");
    println!("cargo:rerun-if-env-changed=MINIC_HEADER_CHECK_INCLUDE");
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-changed={}", include.display());
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=allow.txt");

    let mut problems = Vec::new();
    let mut allow = AllowList::load(&manifest.join("allow.txt"), &mut problems);
    let rust_fns = scan_rust_functions(&src, &mut problems);

    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let cc_include = Command::new(&cc)
        .arg("-print-file-name=include")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .expect("cc -print-file-name=include");
    // No -DMINIC_STANDALONE: with -nostdinc, __has_include_next finds no
    // system header, so each header takes its standalone branch by itself
    // (a header that did not would fail to parse, or yield no declaration).
    let mut clang_args = vec![
        "-x".to_string(),
        "c".into(),
        "-std=c11".into(),
        "-ffreestanding".into(),
        "-nostdinc".into(),
        "-isystem".into(),
        cc_include,
        format!("-I{}", include.display()),
    ];
    // `cargo check --target <triple>`: the headers as that architecture's C
    // compiler sees them, against the libc crate of that target (clang
    // spells riscv64gc as riscv64).
    let (target, host) = (env::var("TARGET").unwrap(), env::var("HOST").unwrap());
    if target != host {
        clang_args.push(format!(
            "--target={}",
            target.replace("riscv64gc", "riscv64")
        ));
    }

    let mut out = String::new();
    let mut summary = BTreeMap::<&str, usize>::new();

    // The C shims: their variadic definitions and the __minic_* prototypes they call.
    let mut shims: BTreeMap<String, (String, Items)> = BTreeMap::new();
    let mut shim_files: Vec<PathBuf> = fs::read_dir(src.join("c"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    shim_files.sort();
    for path in shim_files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
    {
        let rel = format!("src/c/{}", path.file_name().unwrap().to_string_lossy());
        let module = module_name("s", &rel);
        let Some((code, items)) =
            run_bindgen(path, path, &clang_args, &rel, &mut allow, &mut problems)
        else {
            continue;
        };
        writeln!(out, "pub mod {module} {{\n    {code}").unwrap();
        // The fixed-argument Rust functions the shim calls. (A shim may also
        // define __minic_* functions for Rust to call; those have no Rust body.)
        for (name, sig) in items
            .functions
            .iter()
            .filter(|(n, _)| n.starts_with("__minic_") && rust_fns.contains_key(*n))
        {
            check_function(&mut out, &rel, name, sig, &items, &rust_fns, &mut problems);
            // Each parameter and the return type by name, for the variadic
            // functions' prefix check.
            for (i, p) in sig.params.iter().enumerate() {
                writeln!(out, "    pub type {name}__p{i} = {p};").unwrap();
            }
            let ret = sig.ret.as_deref().filter(|r| *r != "!").unwrap_or("()");
            writeln!(out, "    pub type {name}__ret = {ret};").unwrap();
            *summary.entry("shim prototypes").or_default() += 1;
        }
        out.push_str("}\n");
        shims.insert(module, (rel, items));
    }

    for rel in list_headers(&include) {
        let header = include.join(&rel);
        let module = module_name("h", &rel);
        let what = format!("<{rel}>");
        let wrapper = PathBuf::from(env::var("OUT_DIR").unwrap()).join(format!("{module}.c"));
        fs::write(&wrapper, format!("#include <{rel}>\n")).unwrap();
        let Some((code, items)) = run_bindgen(
            &wrapper,
            &header,
            &clang_args,
            &what,
            &mut allow,
            &mut problems,
        ) else {
            continue;
        };
        writeln!(out, "pub mod {module} {{\n    {code}").unwrap();

        for (name, sig) in &items.functions {
            *summary.entry("functions").or_default() += 1;
            if allow.allows("fn", name) {
                continue;
            }
            if !sig.variadic {
                check_function(&mut out, &what, name, sig, &items, &rust_fns, &mut problems);
                continue;
            }
            check_variadic(&mut out, &what, name, sig, &shims, &rust_fns, &mut problems);
        }
        for (name, (ty, value)) in &items.constants {
            *summary.entry("constants").or_default() += 1;
            if allow.allows("const", name) {
                continue;
            }
            if !is_integer(ty) && !ty.starts_with("_bindgen_ty") {
                problems.push(format!("{what}: constant {name} ({ty}) is not an integer"));
                continue;
            }
            let msg = format!("{what}: constant {name} = {value} differs from libc::{name}");
            writeln!(
                out,
                "    const _: () = assert!({name} as i128 == libc::{name} as i128, {msg:?});"
            )
            .unwrap();
        }
        for (name, (is_union, fields)) in &items.structs {
            *summary.entry("structs").or_default() += 1;
            if allow.allows("struct", name) {
                continue;
            }
            let kind = if *is_union { "union" } else { "struct" };
            for (prop, f) in [("size", "size_of"), ("alignment", "align_of")] {
                let msg = format!("{what}: {kind} {name}: {prop} differs from libc::{name}");
                writeln!(out, "    const _: () = assert!(core::mem::{f}::<{name}>() == core::mem::{f}::<libc::{name}>(), {msg:?});").unwrap();
            }
            for field in fields {
                if allow.allows("field", &format!("{name}.{field}")) {
                    continue;
                }
                let msg = format!(
                    "{what}: {kind} {name}: field {field}: offset differs from libc::{name}"
                );
                writeln!(out, "    const _: () = assert!(core::mem::offset_of!({name}, {field}) == core::mem::offset_of!(libc::{name}, {field}), {msg:?});").unwrap();
                let msg =
                    format!("{what}: {kind} {name}: field {field}: size differs from libc::{name}");
                // The projections are never called: field_size reads their types.
                writeln!(out, "    const _: () = assert!(\n        // SAFETY: never called (field_size reads only the type).\n        crate::field_size(|p: *const {name}| unsafe {{ &raw const (*p).{field} }})\n        // SAFETY: never called (field_size reads only the type).\n        == crate::field_size(|p: *const libc::{name}| unsafe {{ &raw const (*p).{field} }}),\n        {msg:?});").unwrap();
            }
        }
        for (name, target) in &items.typedefs {
            *summary.entry("typedefs").or_default() += 1;
            if allow.allows("type", name) {
                continue;
            }
            if is_integer(target) {
                let msg = format!("{what}: typedef {name} ({target}): size or signedness differs from libc::{name}");
                writeln!(out, "    const _: () = assert!(crate::same_integer::<{target}, libc::{name}>(<{target}>::MIN == 0, <libc::{name}>::MIN == 0), {msg:?});").unwrap();
            } else {
                let msg =
                    format!("{what}: typedef {name}: size or alignment differs from libc::{name}");
                writeln!(out, "    const _: () = assert!(core::mem::size_of::<{name}>() == core::mem::size_of::<libc::{name}>() && core::mem::align_of::<{name}>() == core::mem::align_of::<libc::{name}>(), {msg:?});").unwrap();
            }
        }
        for other in &items.others {
            problems.push(format!(
                "{what}: {other}: the check cannot compare this kind of item"
            ));
        }

        // Every macro must be a constant bindgen evaluated, minic's own
        // (MINIC_*), or listed in allow.txt with the reason it is not a constant.
        let text = fs::read_to_string(&header).unwrap_or_default();
        for name in defined_macros(&text) {
            // A constant of some architectures only (allow.txt `arch`): checked
            // where the target defines it, absent elsewhere.
            let arch_only = allow.allows("arch", &name);
            if !minic_own(&name)
                && !items.constants.contains_key(&name)
                && !arch_only
                && !allow.allows("macro", &name)
            {
                problems.push(format!(
                    "{what}: macro {name} is not a constant the check can compare (list it in allow.txt with the reason)"
                ));
            }
        }
        out.push_str("}\n");
    }

    for ((kind, name), used) in &allow.entries {
        if !used {
            problems.push(format!(
                "allow.txt: `{kind} {name}` matches no item: remove it"
            ));
        }
    }
    for p in &problems {
        writeln!(out, "compile_error!({p:?});").unwrap();
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join("checks.rs"), out).unwrap();
    let summary: Vec<String> = summary.iter().map(|(k, v)| format!("{v} {k}")).collect();
    fs::write(out_dir.join("summary.txt"), summary.join(", ") + "\n").unwrap();
}

/// Every header under `include/` (relative, sorted).
fn list_headers(include: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "h") {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut v = Vec::new();
    walk(include, include, &mut v);
    v.sort();
    v
}

fn module_name(prefix: &str, rel: &str) -> String {
    let s: String = rel
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{s}")
}

/// Runs bindgen over `input`, keeping the items declared in `file`; returns
/// the generated code and the items, or records the parse error.
fn run_bindgen(
    input: &Path,
    file: &Path,
    clang_args: &[String],
    what: &str,
    allow: &mut AllowList,
    problems: &mut Vec<String>,
) -> Option<(String, Items)> {
    let file_re: String = file
        .to_string_lossy()
        .chars()
        .flat_map(|c| {
            let esc = "\\.+*?()|[]{}^$".contains(c);
            esc.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect();
    let bindings = bindgen::Builder::default()
        .header(input.to_string_lossy())
        .clang_args(clang_args)
        .allowlist_file(file_re)
        .use_core()
        .layout_tests(false)
        .generate_comments(false)
        .derive_debug(false)
        .derive_default(false)
        .prepend_enum_name(false)
        .merge_extern_blocks(true)
        .generate();
    let code = match bindings {
        Ok(b) => b.to_string(),
        Err(e) => {
            problems.push(format!("{what}: bindgen cannot parse it: {e}"));
            return None;
        }
    };
    let parsed = syn::parse_file(&code).expect("bindgen output parses");
    let mut items = Items::default();
    let mut kept = TokenStream::new();
    for item in parsed.items {
        match &item {
            syn::Item::Const(c) => {
                items
                    .constants
                    .insert(c.ident.to_string(), (tokens(&c.ty), tokens(&c.expr)));
            }
            // Anonymous inner structs and unions are covered by the field
            // that holds them (its offset and size).
            syn::Item::Struct(s) if s.ident.to_string().contains("_bindgen_") => {}
            syn::Item::Union(u) if u.ident.to_string().contains("_bindgen_") => {}
            syn::Item::Struct(s) if field_names(&s.fields) == ["_unused"] => {
                items.opaque.insert(s.ident.to_string());
            }
            syn::Item::Struct(s) => {
                items
                    .structs
                    .insert(s.ident.to_string(), (false, field_names(&s.fields)));
            }
            syn::Item::Union(u) => {
                let fields = syn::Fields::Named(u.fields.clone());
                items
                    .structs
                    .insert(u.ident.to_string(), (true, field_names(&fields)));
            }
            syn::Item::Type(t) => {
                let name = t.ident.to_string();
                let target = tokens(&t.ty);
                if is_integer(&target)
                    && !name.starts_with("_bindgen")
                    && !minic_own(&name)
                    && !allow.allows("type", &name)
                {
                    // Compared with libc's by size and signedness, then spelt
                    // as libc's, so that prototypes using it compare as Rust
                    // types: C's `long` and Rust's `isize` are one ABI type but
                    // two Rust types.
                    items.typedefs.insert(name.clone(), target.clone());
                    let alias: syn::Item =
                        syn::parse_str(&format!("pub type {name} = libc::{name};")).unwrap();
                    alias.to_tokens(&mut kept);
                    continue;
                }
                if !name.starts_with("_bindgen") && !minic_own(&name) {
                    items.typedefs.insert(name, target);
                }
            }
            syn::Item::ForeignMod(m) => {
                for fi in &m.items {
                    match fi {
                        syn::ForeignItem::Fn(f) => {
                            let sig = &f.sig;
                            let params = sig
                                .inputs
                                .iter()
                                .filter_map(|a| match a {
                                    syn::FnArg::Typed(t) => Some(tokens(&t.ty)),
                                    syn::FnArg::Receiver(_) => None,
                                })
                                .collect();
                            let ret = match &sig.output {
                                syn::ReturnType::Default => None,
                                syn::ReturnType::Type(_, t) => Some(tokens(t)),
                            };
                            let variadic = sig.variadic.is_some();
                            items.functions.insert(
                                sig.ident.to_string(),
                                Sig {
                                    params,
                                    ret,
                                    variadic,
                                },
                            );
                        }
                        syn::ForeignItem::Static(s) => {
                            items.others.push(format!("variable {}", s.ident))
                        }
                        other => items.others.push(tokens(other)),
                    }
                }
            }
            _ => {}
        }
        item.to_tokens(&mut kept);
    }
    if items.functions.is_empty()
        && items.constants.is_empty()
        && items.structs.is_empty()
        && items.typedefs.is_empty()
    {
        problems.push(format!(
            "{what}: bindgen found no declaration in it (did it read the host's header instead?)"
        ));
    }
    Some((kept.to_string(), items))
}

/// minic's own names (`MINIC_*` macros, `minic_*` types), which the headers
/// use internally and the Linux ABI does not have.
fn minic_own(name: &str) -> bool {
    name.starts_with("MINIC_") || name.starts_with("minic_") || name.starts_with("__minic_")
}

fn tokens<T: ToTokens>(t: &T) -> String {
    t.to_token_stream().to_string()
}

fn field_names(fields: &syn::Fields) -> Vec<String> {
    fields
        .iter()
        .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
        .filter(|n| !n.starts_with("_bindgen") && !n.starts_with("__bindgen"))
        .collect()
}

fn is_integer(ty: &str) -> bool {
    let last = ty.rsplit("::").next().unwrap_or(ty).trim();
    matches!(
        last,
        "c_char"
            | "c_schar"
            | "c_uchar"
            | "c_short"
            | "c_ushort"
            | "c_int"
            | "c_uint"
            | "c_long"
            | "c_ulong"
            | "c_longlong"
            | "c_ulonglong"
            | "i8"
            | "u8"
            | "i16"
            | "u16"
            | "i32"
            | "u32"
            | "i64"
            | "u64"
            | "i128"
            | "u128"
            | "isize"
            | "usize"
    )
}

/// Object-like and function-like macros a header defines.
fn defined_macros(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| {
            let l = l
                .trim_start()
                .strip_prefix('#')?
                .trim_start()
                .strip_prefix("define")?;
            let name: String = l
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// A function with fixed parameters: minic's Rust function of that name must
/// have exactly this C type.
fn check_function(
    out: &mut String,
    what: &str,
    name: &str,
    sig: &Sig,
    items: &Items,
    rust_fns: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    let Some(module) = rust_fns.get(name) else {
        problems.push(format!(
            "{what}: function {name}: minic defines no C function {name} (no #[no_mangle] fn {name} in src/)"
        ));
        return;
    };
    let path = if module.is_empty() {
        format!("minic::{name}")
    } else {
        format!("minic::{module}::{name}")
    };
    // A pointer to one of the header's structs: minic's Rust side has its
    // own struct or libc's, another Rust type; it must have the header
    // struct's size and alignment (whose layout is checked against libc's).
    // A pointer to a struct that is only declared (`struct mq_attr;`) may
    // point to any type.
    let pointee = |p: &str| {
        let target = p
            .strip_prefix("* const ")
            .or_else(|| p.strip_prefix("* mut "))?;
        Some(target.trim().to_string())
    };
    let mut layouts = Vec::new();
    let mut bounds = Vec::new();
    let mut holed = sig.clone();
    for (i, p) in sig.params.iter().enumerate() {
        let Some(target) = pointee(p) else { continue };
        if items.structs.contains_key(&target) {
            layouts.push(format!(
                "crate::same_layout::<<A{i} as crate::Ptr>::Target, {target}>()"
            ));
            bounds.push(format!("A{i}: crate::Ptr"));
        } else if !items.opaque.contains(&target) {
            continue;
        }
        holed.params[i] = if p.starts_with("* const") {
            "*const _".into()
        } else {
            "*mut _".into()
        };
    }
    if holed.params == sig.params {
        // The path on a line of its own, with the item: what a type error shows.
        writeln!(
            out,
            "    const _: {} =\n        {path}; // {what}: function {name}",
            fn_type(sig)
        )
        .unwrap();
        return;
    }
    let generics: Vec<String> = (0..sig.params.len()).map(|i| format!("A{i}")).collect();
    let (ret_generic, ret) = match sig.ret.as_deref() {
        Some("!") => ("", " -> !"),
        Some(_) => (", R", " -> R"),
        None => ("", ""),
    };
    layouts.push("true".into());
    let msg = format!(
        "{what}: function {name}: a parameter points to a type of another size or alignment than the header's struct"
    );
    writeln!(
        out,
        "    const _: () = {{\n        const fn pointees<{}{ret_generic}>(_: unsafe extern \"C\" fn({}){ret}) -> bool where {} {{ {} }}\n        let f: {} =\n        {path}; // {what}: function {name}\n        assert!(pointees(f), {msg:?});\n    }};",
        generics.join(", "),
        generics.join(", "),
        bounds.join(", "),
        layouts.join(" && "),
        fn_type(&holed),
    )
    .unwrap();
}

/// A C-variadic function: the shim in src/c/ defines it with this prototype,
/// and passes its fixed parameters unchanged to `__minic_<name>`, whose own
/// prototype the shim's module checks against the Rust function.
fn check_variadic(
    out: &mut String,
    what: &str,
    name: &str,
    sig: &Sig,
    shims: &BTreeMap<String, (String, Items)>,
    rust_fns: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    let inner = format!("__minic_{name}");
    let Some((module, (rel, items))) = shims
        .iter()
        .find(|(_, (_, items))| items.functions.get(name).is_some_and(|s| s.variadic))
    else {
        problems.push(format!(
            "{what}: variadic function {name}: no C shim in src/c/ defines it"
        ));
        return;
    };
    writeln!(
        out,
        "    const _: {} =\n        super::{module}::{name}; // {what}: function {name}, defined in {rel}",
        fn_type(sig)
    )
    .unwrap();
    let Some(target) = items.functions.get(&inner) else {
        problems.push(format!(
            "{what}: variadic function {name}: {rel} declares no {inner}"
        ));
        return;
    };
    if !rust_fns.contains_key(&inner) {
        problems.push(format!(
            "{what}: variadic function {name}: minic defines no Rust function {inner} for {rel} to call"
        ));
        return;
    }
    let n = sig.params.len();
    if target.params.len() < n
        || (target.ret.as_deref() == Some("!")) != (sig.ret.as_deref() == Some("!"))
    {
        problems.push(format!(
            "{what}: variadic function {name}: {inner} in {rel} does not take its fixed parameters first, or returns differently"
        ));
        return;
    }
    // The fixed parameters and the return type are the first parameters
    // and the return type of __minic_<name>, as Rust types.
    let ret = sig.ret.as_deref().filter(|r| *r != "!").unwrap_or("()");
    let ours: Vec<String> = (0..n)
        .map(|i| format!("super::{module}::{inner}__p{i}"))
        .collect();
    writeln!(
        out,
        "    const _: core::marker::PhantomData<({} {ret},)> =\n        core::marker::PhantomData::<({} super::{module}::{inner}__ret,)>; // {what}: function {name}: fixed parameters and return type, as {inner} in {rel} takes them",
        sig.params.iter().map(|p| format!("{p},")).collect::<String>(),
        ours.iter().map(|p| format!("{p},")).collect::<String>(),
    )
    .unwrap();
}

fn fn_type(sig: &Sig) -> String {
    let mut params = sig.params.join(", ");
    if sig.variadic {
        params.push_str(", ...");
    }
    match &sig.ret {
        Some(r) => format!("unsafe extern \"C\" fn({params}) -> {r}"),
        None => format!("unsafe extern \"C\" fn({params})"),
    }
}

/// minic's `#[no_mangle]` functions: name -> module path (`mman::c`), found
/// by following the `mod` declarations from `src/lib.rs`.
fn scan_rust_functions(src: &Path, problems: &mut Vec<String>) -> BTreeMap<String, String> {
    fn visit(
        items: &[syn::Item],
        path: &[String],
        dir: &Path,
        found: &mut BTreeMap<String, String>,
        problems: &mut Vec<String>,
    ) {
        for item in items {
            match item {
                syn::Item::Fn(f)
                    if f.attrs
                        .iter()
                        .any(|a| tokens(a).replace(' ', "").contains("no_mangle")) =>
                {
                    found.insert(f.sig.ident.to_string(), path.join("::"));
                }
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let mut sub = path.to_vec();
                    sub.push(name.clone());
                    match &m.content {
                        Some((_, inner)) => visit(inner, &sub, &dir.join(&name), found, problems),
                        None => {
                            let (file, subdir) = if dir.join(format!("{name}.rs")).exists() {
                                (dir.join(format!("{name}.rs")), dir.join(&name))
                            } else {
                                (dir.join(&name).join("mod.rs"), dir.join(&name))
                            };
                            match parse(&file) {
                                Ok(f) => visit(&f.items, &sub, &subdir, found, problems),
                                Err(e) => problems.push(e),
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    fn parse(file: &Path) -> Result<syn::File, String> {
        let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))
    }
    let mut found = BTreeMap::new();
    match parse(&src.join("lib.rs")) {
        Ok(f) => visit(&f.items, &[], src, &mut found, problems),
        Err(e) => problems.push(e),
    }
    found
}
