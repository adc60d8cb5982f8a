//! Declaring the domain's enumerations once.

/// A domain enumeration stored as text, shown in GraphQL and JSON as the same UPPER_SNAKE
/// value: `text_enum! { pub enum Level { Regency => "REGENCY", … } }`.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            serde::Serialize, serde::Deserialize,
        )]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                #[cfg_attr(feature = "graphql", graphql(name = $value))]
                $variant,
            )+
        }
    };
}
