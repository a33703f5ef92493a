"""Alembic environment: runs on the connection handed in by mailbot.db.migrate."""

from alembic import context
from sqlmodel import SQLModel

import mailbot.domain.models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic` CLI use: build an engine from sqlalchemy.url
    from mailbot.db import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
