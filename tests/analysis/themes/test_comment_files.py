"""Comment files are read as a stream: rows come one at a time, errors still name their line."""

from __future__ import annotations

import json

import click
import pytest

from analysis.themes.comment_files import file_encoding, iter_comments, read_comments


def test_jsonl_rows_come_before_the_rest_of_the_file_is_parsed(tmp_path):
    source = tmp_path / "big.jsonl"
    source.write_text('{"text": "premier"}\n{"text": "second"}\nnot json\n', encoding="utf-8")
    rows = iter_comments(source, "text")
    # The broken third line is only reached when asked for: nothing holds the whole file first.
    assert [next(rows), next(rows)] == ["premier", "second"]
    with pytest.raises(click.BadParameter, match="ligne 3"):
        next(rows)


def test_csv_rows_come_one_at_a_time(tmp_path):
    source = tmp_path / "big.csv"
    source.write_text("id;text\n1;Paiement refusé\n\n2;\"Sur deux\nlignes\"\n3\n", encoding="utf-8")
    rows = iter_comments(source, "text")
    assert next(rows) == "Paiement refusé"
    assert list(rows) == ["Sur deux\nlignes", ""]  # blank rows skipped, a short row is an empty comment


def test_encoding_is_found_in_the_whole_file_chunk_by_chunk(tmp_path):
    source = tmp_path / "excel.csv"
    # The only accent comes after several chunks of plain ASCII.
    source.write_bytes(("text\n" + "ok\n" * 1_000_000 + "Démarche trop longue\n").encode("cp1252"))
    assert file_encoding(source) == "cp1252"
    assert read_comments(source, "text")[-1] == "Démarche trop longue"
    source.write_bytes("\ufefftext\nrefusé\n".encode())
    assert file_encoding(source) == "utf-8-sig" and read_comments(source, "text") == ["refusé"]


def test_a_json_array_and_non_string_values(tmp_path):
    source = tmp_path / "array.json"
    source.write_text("  " + json.dumps([{"text": "un"}, {"text": 2}, {"text": None}]), encoding="utf-8")
    assert read_comments(source, "text") == ["un", "2", ""]
