//! Customer satisfaction (issue 24 part 4): per business number whether a
//! CSAT question is asked after a resolution, its text and how long an
//! answer is accepted (`business_numbers.csat_*`), and on each
//! conversation the question's state, when it was asked and until when an
//! answer counts, the question's message, the score and when it came
//! (`conversations.csat_*`). What reports count are `support_measures`
//! rows of kinds `csat_asked` and `csat` (the score in `seconds`), written
//! by the code that asks and the router that stores the answer (rules in
//! `docs/reports.md`). The sweep that asks finds due questions by the
//! index on `csat_state`.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BusinessNumbers {
    Table,
    CsatEnabled,
    CsatQuestion,
    CsatWindowSecs,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    CsatState,
    CsatAskedAt,
    CsatExpiresAt,
    CsatMessageId,
    CsatScore,
    CsatAnsweredAt,
}

const INDEX: &str = "ix_conversations_csat_state";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        let numbers = [
            boolean(BusinessNumbers::CsatEnabled)
                .default(false)
                .to_owned(),
            text_null(BusinessNumbers::CsatQuestion),
            big_integer_null(BusinessNumbers::CsatWindowSecs),
        ];
        for mut column in numbers {
            manager
                .alter_table(
                    Table::alter()
                        .table(BusinessNumbers::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let conversations = [
            string_len_null(Conversations::CsatState, 16),
            timestamp_with_time_zone_null(Conversations::CsatAskedAt),
            timestamp_with_time_zone_null(Conversations::CsatExpiresAt),
            big_integer_null(Conversations::CsatMessageId),
            integer_null(Conversations::CsatScore),
            timestamp_with_time_zone_null(Conversations::CsatAnsweredAt),
        ];
        for mut column in conversations {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Conversations::Table)
                    .col(Conversations::CsatState)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Conversations::CsatAnsweredAt,
            Conversations::CsatScore,
            Conversations::CsatMessageId,
            Conversations::CsatExpiresAt,
            Conversations::CsatAskedAt,
            Conversations::CsatState,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            BusinessNumbers::CsatWindowSecs,
            BusinessNumbers::CsatQuestion,
            BusinessNumbers::CsatEnabled,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(BusinessNumbers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
