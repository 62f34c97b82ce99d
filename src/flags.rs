//! `flag_set!`: typed sets of C flag bits (`PROT_*`, `MAP_*`, `O_*`).
//!
//! A set is a `Copy` newtype over the C integer, with the operators and
//! queries of the `bitflags` crate's sets under the same names, so that code
//! written against `nix` or `rustix` reads the same. The macro is a few lines
//! of this crate rather than a dependency: the sets need nothing more, and
//! the freestanding library stays free of other crates' code.

/// Declares a flag set: `flag_set! { /// docs; pub struct Name: c_int, "path::Name", FIRST { const A = ...; } }`.
/// The path and a flag name are used in the generated doc examples.
macro_rules! flag_set {
    (
        $(#[$meta:meta])*
        pub struct $name:ident: $bits:ty, $path:literal, $example:ident {
            $( $(#[$flag_meta:meta])* const $flag:ident = $value:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
        #[repr(transparent)]
        pub struct $name($bits);

        impl $name {
            $(
                $(#[$flag_meta])*
                #[doc = ""]
                #[doc = concat!("```\nuse ", $path, ";\nlet set = ", stringify!($name), "::", stringify!($flag), " | ", stringify!($name), "::empty();\nassert!(set.contains(", stringify!($name), "::", stringify!($flag), "));\n```")]
                pub const $flag: $name = $name($value);
            )*

            /// Every flag this set names, with its name: what `Debug` prints.
            const NAMED: &'static [(&'static str, $bits)] = &[$((stringify!($flag), $value)),*];

            #[doc = concat!("The set with no bit.\n\n```\nassert!(", $path, "::empty().is_empty());\n```")]
            pub const fn empty() -> Self {
                $name(0)
            }

            #[doc = concat!("Every flag this set names.\n\n```\nuse ", $path, ";\nassert!(", stringify!($name), "::all().contains(", stringify!($name), "::", stringify!($example), "));\n```")]
            pub const fn all() -> Self {
                $name(0 $(| $value)*)
            }

            #[doc = concat!("The C value.\n\n```\nuse ", $path, ";\nassert_eq!(", stringify!($name), "::empty().bits(), 0);\n```")]
            pub const fn bits(self) -> $bits {
                self.0
            }

            #[doc = concat!("The set of `bits`, unknown bits included (the kernel judges them).\n\n```\nuse ", $path, ";\nlet f = ", stringify!($name), "::", stringify!($example), ";\nassert_eq!(", stringify!($name), "::from_bits_retain(f.bits()), f);\n```")]
            pub const fn from_bits_retain(bits: $bits) -> Self {
                $name(bits)
            }

            #[doc = concat!("The set of `bits`, or `None` if a bit is not one this set names.\n\n```\nuse ", $path, ";\nlet f = ", stringify!($name), "::", stringify!($example), ";\nassert_eq!(", stringify!($name), "::from_bits(f.bits()), Some(f));\n```")]
            pub const fn from_bits(bits: $bits) -> Option<Self> {
                if bits & !Self::all().0 == 0 {
                    Some($name(bits))
                } else {
                    None
                }
            }

            #[doc = concat!("Whether no bit is set.\n\n```\nuse ", $path, ";\nassert!(!", stringify!($name), "::all().is_empty());\n```")]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            #[doc = concat!("Whether every bit of `other` is set in `self`.\n\n```\nuse ", $path, ";\nlet f = ", stringify!($name), "::", stringify!($example), ";\nassert!(f.contains(f) && f.contains(", stringify!($name), "::empty()));\n```")]
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            #[doc = concat!("Whether `self` and `other` share a bit.\n\n```\nuse ", $path, ";\nlet f = ", stringify!($name), "::", stringify!($example), ";\nassert!(!f.intersects(", stringify!($name), "::empty()));\n```")]
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            #[doc = concat!("The bits of both (`|`), usable in constants.\n\n```\nuse ", $path, ";\nconst F: ", stringify!($name), " = ", stringify!($name), "::empty().union(", stringify!($name), "::", stringify!($example), ");\nassert_eq!(F, ", stringify!($name), "::", stringify!($example), ");\n```")]
            pub const fn union(self, other: Self) -> Self {
                $name(self.0 | other.0)
            }

            #[doc = concat!("The bits of `self` that `other` does not have (`-`).\n\n```\nuse ", $path, ";\nlet f = ", stringify!($name), "::", stringify!($example), ";\nassert_eq!(f.difference(f), ", stringify!($name), "::empty());\n```")]
            pub const fn difference(self, other: Self) -> Self {
                $name(self.0 & !other.0)
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }

        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, other: Self) {
                *self = self.union(other);
            }
        }

        impl core::ops::BitAnd for $name {
            type Output = Self;
            fn bitand(self, other: Self) -> Self {
                $name(self.0 & other.0)
            }
        }

        impl core::ops::BitAndAssign for $name {
            fn bitand_assign(&mut self, other: Self) {
                self.0 &= other.0;
            }
        }

        impl core::ops::Sub for $name {
            type Output = Self;
            fn sub(self, other: Self) -> Self {
                self.difference(other)
            }
        }

        impl core::ops::SubAssign for $name {
            fn sub_assign(&mut self, other: Self) {
                *self = self.difference(other);
            }
        }

        impl core::fmt::Debug for $name {
            /// The names of the set bits joined by `|` (a bit without a name
            /// in hexadecimal); a flag whose value is 0 shows only alone.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "("))?;
                let mut rest = self.0;
                let mut first = true;
                for &(name, value) in Self::NAMED {
                    let shown = if value == 0 { self.0 == 0 } else { rest & value == value };
                    if shown {
                        if !first {
                            f.write_str(" | ")?;
                        }
                        f.write_str(name)?;
                        rest &= !value;
                        first = false;
                    }
                }
                if rest != 0 || first {
                    if !first {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{:#x}", rest)?;
                }
                f.write_str(")")
            }
        }
    };
}

pub(crate) use flag_set;
