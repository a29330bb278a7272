"""The index's vocabulary, for search as you type: the last word typed is a prefix, and
FTS5 (SQLite 3.40) answers a prefix by merging the whole doclist of every term it covers
before the first row comes out, so "ai" costs every item holding a word that starts with
"ai" (25 ms in a million items, "c" half a second) however few rows are asked for. An OR of
the exact terms it covers is read incrementally, newest rowid first (0.2 ms). So the store
keeps every term the index holds (`search_terms`, schema v6) and the prefix becomes that OR
when it covers few enough terms, or stays a prefix when it covers more, or when anything is
in doubt: the rows found are the same either way, only their cost differs.

The terms are FTS5's own tokens, never a tokenizer written again in Python: the schema's
triggers (store/schema.py) put each indexed title and summary through a scratch FTS5 table
with the index's tokenizer and copy its vocabulary, and the typed word goes through a
connection-local one the same way (`_tokens`)."""

from __future__ import annotations

import sqlite3

# As items_fts (store/schema.py): the same tokens, or the expansion would not be exact.
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"

# Over this many terms a prefix stays a prefix when every match is read (an OR is merged
# row by row across its terms: past a few hundred, dearer than the prefix's one merge), and
# over MAX_WINDOW_EXPANSION for the newest matches too (opening each term's doclist costs
# some 30 us). Measured on the million-item bench store, items.search_matches.
MAX_EXPANSION = 64
MAX_WINDOW_EXPANSION = 256

# The connection-local (TEMP) table that tokenizes what is typed: reading never writes the
# store's file. detail=full for the 'instance' vocabulary, which gives every token's place.
_QUERY_TABLE = "dd_query_tokens"
_QUERY_VOCAB = "dd_query_tokens_vocab"


def _tokens(db: sqlite3.Connection, text: str) -> list[str]:
    """The tokens FTS5 makes of `text` with the index's tokenizer, in order."""
    try:
        db.execute(f"INSERT INTO temp.{_QUERY_TABLE}(rowid, t) VALUES (1, ?)", (text,))
    except sqlite3.OperationalError:
        if db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = ?",
                      (_QUERY_TABLE,)).fetchone() is not None:
            raise
        db.execute(f"CREATE VIRTUAL TABLE temp.{_QUERY_TABLE} USING fts5(t, content='', "
                   f"columnsize=0, {TOKENIZE})")
        db.execute(f"CREATE VIRTUAL TABLE temp.{_QUERY_VOCAB} USING fts5vocab("
                   f"temp, {_QUERY_TABLE}, 'instance')")
        db.execute(f"INSERT INTO temp.{_QUERY_TABLE}(rowid, t) VALUES (1, ?)", (text,))
    try:
        rows = db.execute(f"SELECT term, offset FROM temp.{_QUERY_VOCAB}").fetchall()
    finally:
        db.execute(f"INSERT INTO temp.{_QUERY_TABLE}({_QUERY_TABLE}) VALUES ('delete-all')")
    return [str(term) for term, _ in sorted(rows, key=lambda row: int(row[1]))]


def prefix_terms(db: sqlite3.Connection, word: str,
                 cap: int = MAX_EXPANSION) -> list[str] | None:
    """The index's terms that FTS5's prefix query `"word"*` covers, or None when the prefix
    query must be kept: the word is not one token, it covers more than `cap` terms, or
    none (a prefix covering nothing costs nothing, and an empty or missing vocabulary is
    a doubt, not a proof that nothing matches).

    Exact: FTS5 folds the prefix with the tokenizer and matches every indexed token whose
    UTF-8 starts with it. Every indexed token is in `search_terms` (terms of deleted items
    may stay there: an OR term that matches nothing adds no row and no cost). UTF-8 sorts
    as code points do, so the covered terms are the run that starts at the prefix.
    """
    token = _tokens(db, word)
    if len(token) != 1:
        return None
    prefix = token[0]
    try:
        rows = db.execute(
            "SELECT term FROM search_terms WHERE term >= ? ORDER BY term LIMIT ?",
            (prefix, cap + 1)).fetchall()
    except sqlite3.OperationalError:
        return None  # no vocabulary (a store this code did not migrate): the prefix
    terms: list[str] = []
    for (term,) in rows:
        if not isinstance(term, str) or not term.startswith(prefix):
            break
        terms.append(term)
    if not terms or len(terms) > cap:
        return None
    # Each term quoted must read back as itself (a term is one token, and the tokenizer
    # folds what it has folded to the same): checked, not assumed.
    if _tokens(db, " ".join(terms)) != terms:
        return None
    return terms


def quoted(term: str) -> str:
    """An FTS5 string: the text between double quotes, a quote written twice."""
    return '"' + term.replace('"', '""') + '"'
