import pytest

# The fuzz tests' invariants and the markup checks assert outside test modules: show their values on failure too.
pytest.register_assert_rewrite("tests.invariants", "tests.markup")
