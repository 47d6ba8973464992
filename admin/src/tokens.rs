//! API tokens at rest: hashing a presented bearer token and provisioning a
//! named token row. Checking a request's token is `auth`'s job, not this one.

use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use entities::api_token;

/// Lower-case hex SHA-256 of `token`, the form stored in
/// `api_tokens.token_hash`.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `api_tokens` row whose hash matches the presented `token`, if any.
///
/// # Errors
/// When the database fails.
pub async fn find(db: &DatabaseConnection, token: &str) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await
}

/// Makes sure an `api_tokens` row named `name` with the hash of `token`
/// exists. Idempotent: an existing row with that name and hash is left alone;
/// a row with that name but another hash gets the new hash.
///
/// # Errors
/// When the database fails, or when the token is already registered under
/// another name (`DbErr::Custom`; the token itself is never in the message).
pub async fn ensure_token(db: &DatabaseConnection, name: &str, token: &str) -> Result<(), DbErr> {
    let hash = hash_token(token);

    if let Some(row) = find(db, token).await? {
        return if row.name == name {
            Ok(())
        } else {
            Err(DbErr::Custom(format!(
                "this token is already registered as {:?}",
                row.name
            )))
        };
    }

    match api_token::Entity::find()
        .filter(api_token::Column::Name.eq(name))
        .one(db)
        .await?
    {
        Some(row) => {
            let mut row: api_token::ActiveModel = row.into();
            row.token_hash = ActiveValue::Set(hash);
            row.update(db).await?;
        }
        None => {
            api_token::ActiveModel {
                name: ActiveValue::Set(name.to_owned()),
                token_hash: ActiveValue::Set(hash),
                agent_id: ActiveValue::Set(None),
                last_used_at: ActiveValue::Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_token_is_lower_case_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
