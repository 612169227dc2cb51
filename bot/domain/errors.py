"""Failures the domain names, so surfaces can answer them without knowing the database."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError


class StorageUnavailable(Exception):
    """The database could not be reached or refused the work; the caller tells the user and loses nothing."""


@contextmanager
def storage_errors() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        raise StorageUnavailable("The database is unavailable.") from error
