"""The one layer that talks to the database: models, engine/session factory, and query functions."""
