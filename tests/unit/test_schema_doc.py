"""The committed schema document is the one the schema generates."""

from pathlib import Path

from trialdash.schema import TABLES, schema_markdown


def test_schema_doc_is_up_to_date():
    """docs/snapshot-schema.md must be regenerated when schema.py changes."""
    committed = Path(__file__).resolve().parents[2] / "docs" / "snapshot-schema.md"
    assert committed.read_text(encoding="utf-8") == schema_markdown()


def test_every_column_is_documented():
    """No column without a description."""
    for table in TABLES.values():
        for column in table.columns:
            assert column.doc.strip(), f"{table.name}.{column.name}"
