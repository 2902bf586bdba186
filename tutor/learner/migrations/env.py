"""Alembic's environment for the learner database: run on the connection `tutor.learner.db` hands
over (in its transaction, under its lock), never from a URL of its own."""

from alembic import context

from tutor.learner.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
