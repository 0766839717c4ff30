//! Reading a member that should be an object (or an array) without failing when it is not:
//! the typed models read such a member as empty, and a summary read from bytes must agree.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A value read only when it is an object (or an array); anything else is skipped and
/// reads as the default.
pub(super) trait Lenient: Default {
    fn map<'de, A: MapAccess<'de>>(mut m: A) -> Result<Self, A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }
    fn seq<'de, A: SeqAccess<'de>>(mut s: A) -> Result<Self, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }
}

pub(super) struct Read<T>(pub T);

impl<'de, T: Lenient> Deserialize<'de> for Read<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Lenient> Visitor<'de> for Visit<T> {
            type Value = Read<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Read<T>, A::Error> {
                T::map(m).map(Read)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Read<T>, A::Error> {
                T::seq(s).map(Read)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Read<T>, E> {
                Ok(Read(T::default()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Read<T>, E> {
                Ok(Read(T::default()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Read<T>, E> {
                Ok(Read(T::default()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Read<T>, E> {
                Ok(Read(T::default()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Read<T>, E> {
                Ok(Read(T::default()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Read<T>, E> {
                Ok(Read(T::default()))
            }
        }
        d.deserialize_any(Visit(std::marker::PhantomData))
    }
}
