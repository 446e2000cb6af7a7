"""Alembic's environment, run only from `hotline.store.migrate` with the connection it is
given. The whole upgrade is one transaction: on PostgreSQL a migration that fails half way
leaves the schema as it was."""
from __future__ import annotations

from alembic import context

from hotline.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, transactional_ddl=True,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
