//! `labels`: named, coloured tags agents put on conversations (unique name).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "labels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::conversation_label::Entity")]
    ConversationLabel,
}

impl Related<super::conversation_label::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ConversationLabel.def()
    }
}

crate::stamped!(created_at, updated_at);
